// The console tool's commands. Each one runs on the main thread as a loop
// over the session's inbox (engine events, input lines, stop requests) and
// returns the process exit code (exit_codes.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "console.hpp"
#include "inbox.hpp"
#include "input_data.hpp"
#include "options_cli.hpp"
#include "pipescope/engine.hpp"

namespace pipescope::cli {

/// What every command shares: how to print, and the one queue it waits on.
/// Ctrl-C and SIGTERM arrive in the inbox as StopRequest items.
struct Session {
  explicit Session(bool json);

  Console console;
  /// Shared with the stdin and signal threads, which may outlive a command.
  std::shared_ptr<Inbox> inbox;
  /// --log-memory-limit; 0: the log's default.
  std::uint64_t log_memory_limit = 0;

  /// Applies the session's settings to an engine the command just made.
  void configure(Engine& engine) const;
};

[[nodiscard]] int run_command(const CliSettings& settings);

[[nodiscard]] int serve_command(const ServeSettings& settings, Session& session);
[[nodiscard]] int connect_command(const ConnectSettings& settings, Session& session);
[[nodiscard]] int send_command(const SendSettings& settings, Session& session);
[[nodiscard]] int run_child_command(const RunSettings& settings, Session& session);
[[nodiscard]] int list_command(Session& session);
[[nodiscard]] int demo_command(const DemoSettings& settings, Session& session);
[[nodiscard]] int bench_command(const BenchSettings& settings, Session& session);
[[nodiscard]] int transact_command(const SendSettings& settings, Session& session);
[[nodiscard]] int call_command(const SendSettings& settings, Session& session);
[[nodiscard]] int inspect_command(const InspectSettings& settings, Session& session);
[[nodiscard]] int log_command(const LogSettings& settings, Session& session);

// Helpers the commands share.

/// The bytes a send, transact or call writes (DATA or --file, in --format),
/// parsed completely before anything is connected, so that bad input sends
/// nothing at all.
[[nodiscard]] std::variant<Bytes, InputProblem> bytes_to_send(const SendSettings& settings);

/// bytes_to_send, ended by a stop request (StopEndsProcess) while it reads.
[[nodiscard]] std::variant<Bytes, InputProblem> bytes_to_send_or_exit(const SendSettings& settings,
                                                                      Session& session);

/// connect_and_announce, ended by a stop request while it waits for a busy
/// pipe.
[[nodiscard]] Result<EndpointId> connect_or_exit(Engine& engine, const ClientOptions& options,
                                                 const std::string& pipe_name, Session& session);

/// For the length of a call on the main thread that cannot look at the inbox
/// (reading the data, connecting while the pipe is busy, a transact), a stop
/// request ends the process at once instead of waiting in the queue: it
/// prints an error "`operation`: interrupted by SIGTERM `detail`" and exits
/// with `code`. Nothing of the tool is left behind: at these moments it has
/// at most a client open, which the operating system closes.
class StopEndsProcess {
 public:
  StopEndsProcess(Session& session, Errc errc, std::string operation, std::string detail);
  ~StopEndsProcess();
  StopEndsProcess(const StopEndsProcess&) = delete;
  StopEndsProcess& operator=(const StopEndsProcess&) = delete;

 private:
  Session& session_;
};

/// Prints the error and returns the exit code for it.
[[nodiscard]] int fail(const Console& console, const Error& error);

/// Connects a client (waiting out a busy pipe as the options say) and prints
/// the "connected" event with the endpoint's label and `pipe_name`, the
/// pipe's full name.
[[nodiscard]] Result<EndpointId> connect_and_announce(Engine& engine, const ClientOptions& options,
                                                      const std::string& pipe_name, const Console& console);

/// True if the error means the other end has gone (broken pipe and kin).
[[nodiscard]] bool is_peer_gone(const Error& error) noexcept;

/// True if the state means the endpoint no longer talks to its peer.
[[nodiscard]] bool is_ended(EndpointState state) noexcept;

/// Takes items from the inbox until `done` says so, printing every event
/// with the console. A StopRequest ends the wait too. Returns false if the
/// timeout ran out first or a stop was requested (*stopped is then set).
[[nodiscard]] bool wait_for_event(Session& session, Engine& engine, std::chrono::milliseconds timeout,
                                  const std::function<bool(const Event&)>& done, const TextFilter& filter = {},
                                  bool* stopped = nullptr);

}  // namespace pipescope::cli
