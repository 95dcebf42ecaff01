// The engine: owns its threads and every pipe object; the only way in.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"
#include "pipescope/event.hpp"
#include "pipescope/listing.hpp"
#include "pipescope/log.hpp"
#include "pipescope/options.hpp"

namespace pipescope {

struct ImpersonationRequest {
  /// If not empty, opened for reading while impersonating: shows what the
  /// client's identity may do.
  std::string probe_path;
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
  /// created as clients connect, up to max_instances.
  [[nodiscard]] Result<ServerId> start_server(const ServerOptions& options);
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

  /// Starts a child process with anonymous pipes on stdin, stdout and stderr.
  [[nodiscard]] Result<EndpointId> run_child(const ChildOptions& options);
  /// Ends a child (TerminateProcess / SIGTERM).
  Result<void> kill_child(EndpointId child);

  /// The pipes this machine has, as far as the backend can tell.
  [[nodiscard]] Result<std::vector<PipeInfo>> list_pipes() const;

  [[nodiscard]] std::optional<EndpointInfo> endpoint(EndpointId id) const;
  [[nodiscard]] std::optional<EndpointState> state(EndpointId id) const;
  [[nodiscard]] Counters counters(EndpointId id) const;

  /// Closes every server, client and child (children are terminated).
  void close_all();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pipescope
