// The engine: owns its threads and every pipe object; the only way in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"
#include "pipescope/event.hpp"
#include "pipescope/listing.hpp"
#include "pipescope/log.hpp"
#include "pipescope/options.hpp"
#include "pipescope/tap.hpp"

namespace pipescope {

struct ImpersonationRequest {
  /// If not empty, opened for reading while impersonating: shows what the
  /// client's identity may do.
  std::string probe_path;
};

/// What the OS tells about one end of a pipe: PeekNamedPipe, GetNamedPipeInfo,
/// GetNamedPipeHandleStateW, the client/server process and session ids and
/// the security descriptor. -1 or empty where the platform cannot tell; the
/// notes say why.
struct PipeInspection {
  std::int64_t bytes_available = -1;     ///< PeekNamedPipe: bytes waiting to be read
  std::int64_t message_bytes_left = -1;  ///< PeekNamedPipe: bytes left in the next message
  std::string type;                      ///< "byte" or "message"
  std::string read_mode;                 ///< "byte" or "message"
  std::string wait_mode;                 ///< "wait" or "nowait"
  bool server_end = false;               ///< GetNamedPipeInfo: PIPE_SERVER_END
  std::int64_t current_instances = -1;
  std::int64_t max_instances = -1;       ///< 255 = unlimited
  std::int64_t in_buffer_size = -1;
  std::int64_t out_buffer_size = -1;
  std::int64_t collect_data_count = -1;      ///< GetNamedPipeHandleStateW (remote byte pipes)
  std::int64_t collect_data_timeout_ms = -1;
  std::string user_name;                 ///< the client's user, seen from a server end
  std::int64_t client_pid = -1;
  std::int64_t server_pid = -1;
  std::int64_t client_session = -1;
  std::int64_t server_session = -1;
  std::string client_computer;           ///< GetNamedPipeClientComputerNameW where the OS has it
  std::string security_descriptor;       ///< SDDL on Windows; "mode 0600, owner uid 1000" on POSIX
  std::string notes;                     ///< what could not be read, and why
};

class Engine {
 public:
  /// Starts the engine's threads. Events go to `sink` (may be null).
  explicit Engine(EventSink* sink = nullptr);
  /// Closes every pipe and child, then joins the threads.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  [[nodiscard]] MessageLog& log() noexcept;
  /// "posix" or "win32".
  [[nodiscard]] std::string_view backend_name() const noexcept;
  /// Threads the engine runs (I/O loop or completion-port pool).
  [[nodiscard]] std::size_t thread_count() const noexcept;

  /// Creates the pipe and its first listening instance. Further instances are
  /// created as clients connect, up to max_instances. Each instance gets a
  /// tap from each of `taps` (pipescope/tap.hpp) before it can read, and the
  /// responder's tap when options.responder asks for one.
  [[nodiscard]] Result<ServerId> start_server(const ServerOptions& options, std::vector<TapFactory> taps = {});
  /// Attaches a tap to one endpoint (an instance, a client); it sees every
  /// read from then on, until the endpoint closes. A child cannot have taps
  /// (Errc::not_supported).
  Result<void> add_tap(EndpointId endpoint, std::shared_ptr<Tap> tap);
  /// Closes every instance of the server and removes the name.
  Result<void> stop_server(ServerId server);

  /// Starts connecting; the outcome arrives as events (StateChanged to
  /// connected, or ErrorEvent and StateChanged to closed). Errors that need
  /// no OS (a bad name) are returned at once.
  [[nodiscard]] Result<EndpointId> connect_async(const ClientOptions& options);
  /// Connects and waits for the outcome (including any busy wait).
  [[nodiscard]] Result<EndpointId> connect(const ClientOptions& options);

  /// Queues bytes for writing on an instance, client or child's stdin. On a
  /// message pipe each call is one message. Completion arrives as a Data event.
  Result<void> send(EndpointId endpoint, std::span<const std::byte> bytes);
  /// An instance: flush, then disconnect the client (DisconnectNamedPipe) and
  /// close it. A client: close it. A child: close its standard input.
  Result<void> disconnect(EndpointId endpoint);
  /// Impersonates the client of a connected instance; the result arrives as an
  /// Impersonated event. Impersonation is always reverted.
  Result<void> impersonate(EndpointId instance, const ImpersonationRequest& request = {});

  /// Asks the OS about one end (instance or client) as it is now.
  [[nodiscard]] Result<PipeInspection> inspect(EndpointId endpoint) const;
  /// TransactNamedPipe: writes one message on a client of a message pipe in
  /// message read mode and returns the one message that answers it, waiting up
  /// to `timeout`. Both are logged, flagged transact.
  [[nodiscard]] Result<Bytes> transact(EndpointId client, std::span<const std::byte> request,
                                       std::chrono::milliseconds timeout);
  /// CallNamedPipe: connects (waiting up to options.busy_timeout for a free
  /// instance), transacts one message and closes, in one call. The request and
  /// the reply are logged on the short-lived client endpoint.
  [[nodiscard]] Result<Bytes> call(const ClientOptions& options, std::span<const std::byte> request,
                                   std::chrono::milliseconds timeout);

  /// Starts a child process with anonymous pipes on stdin, stdout and stderr.
  [[nodiscard]] Result<EndpointId> run_child(const ChildOptions& options);
  /// Ends a child (TerminateProcess / SIGTERM).
  Result<void> kill_child(EndpointId child);

  /// The pipes this machine has, as far as the backend can tell.
  [[nodiscard]] Result<std::vector<PipeInfo>> list_pipes(const ListOptions& options = {}) const;

  [[nodiscard]] std::optional<EndpointInfo> endpoint(EndpointId id) const;
  /// The options a server was started with, exactly as the engine received
  /// them, from before its ServerStarted until stop_server or close_all;
  /// nullopt for an unknown id.
  [[nodiscard]] std::optional<ServerOptions> server_options(ServerId server) const;
  /// The options a client was opened with, exactly as the engine received
  /// them, also after it closed (until close_all); nullopt for an id that is
  /// not one of our clients.
  [[nodiscard]] std::optional<ClientOptions> client_options(EndpointId client) const;
  [[nodiscard]] std::optional<EndpointState> state(EndpointId id) const;
  [[nodiscard]] Counters counters(EndpointId id) const;

  /// Closes every server, client and child (children are terminated).
  void close_all();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pipescope
