// What the engine tells its sink. Events are delivered on engine threads, in
// batches; a sink must not block for long and must not call back into the
// engine from inside on_events (post the work elsewhere instead).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"
#include "pipescope/log.hpp"
#include "pipescope/options.hpp"

namespace pipescope {

struct ServerStarted {
  ServerId server = 0;
  std::string name;     ///< "\\.\pipe\demo"
  std::string os_path;  ///< what the OS calls it: "\\.\pipe\demo" or "/tmp/CoreFxPipe_demo"
  /// The security the pipe really has, read back from the OS: SDDL on
  /// Windows, "mode 0600, owner uid 1000" on POSIX.
  std::string security_descriptor;
};

struct ServerStopped {
  ServerId server = 0;
};

struct StateChanged {
  EndpointId endpoint = 0;
  EndpointKind kind = EndpointKind::instance;
  ServerId server = 0;
  EndpointState state = EndpointState::listening;
  PeerInfo peer;             ///< filled when connected; the user's name follows in PeerIdentified
  std::error_code reason;    ///< why it was disconnected or closed (empty: we asked for it)
};

/// The account the peer of a connected endpoint runs as, by name:
/// "DOMAIN\user" on Windows, the user name on POSIX. It follows the
/// endpoint's connected StateChanged, and on Windows it may come after later
/// events of that endpoint too: the name is looked up on a thread of its own,
/// because LookupAccountSidW can take seconds on a domain. Not sent when the
/// name cannot be found (the peer's process is another user's, or is gone).
struct PeerIdentified {
  EndpointId endpoint = 0;
  std::string user;
};

/// Bytes read or written: one log record.
struct Data {
  EndpointId endpoint = 0;
  Direction direction = Direction::in;
  /// The record's row in the log; MessageLog::kNoRow when the full log only
  /// counted it (flags then say truncated when it had bytes).
  std::uint64_t row = 0;
  std::uint32_t size = 0;    ///< the real length, also of a truncated record
  std::uint8_t flags = 0;    ///< record_flags, as the log stored them
};

struct ErrorEvent {
  EndpointId endpoint = 0;   ///< 0 when no endpoint is concerned
  ServerId server = 0;
  Error error;
};

/// What ImpersonateNamedPipeClient (or, on POSIX, switching to the peer's
/// ids) showed. Every field that could not be read is empty.
struct ImpersonationResult {
  bool impersonated = false;       ///< the call succeeded
  std::optional<Error> error;      ///< why it did not
  std::string user;                ///< DOMAIN\user or the POSIX user name
  std::string sid;                 ///< S-1-5-... or "uid 1000"
  std::vector<std::string> groups; ///< names (or SIDs / gids)
  std::string integrity_level;     ///< "Medium", ... (Windows only)
  std::string level;               ///< "Impersonation", "Identification", ...
  std::string probe_path;          ///< the path opened as the client, if asked
  std::optional<bool> probe_granted;
  std::optional<Error> probe_error;
  bool reverted = false;           ///< RevertToSelf / switching back succeeded
  std::string notes;               ///< what this platform could not show, and why
};

struct Impersonated {
  EndpointId endpoint = 0;
  ImpersonationResult result;
};

struct ChildStarted {
  EndpointId endpoint = 0;
  std::int64_t pid = -1;
  std::string command_line;
};

struct ChildExited {
  EndpointId endpoint = 0;
  std::int64_t pid = -1;
  int exit_code = -1;   ///< -1 when it died from a signal
  int signal = 0;
};

using Event = std::variant<ServerStarted, ServerStopped, StateChanged, PeerIdentified, Data, ErrorEvent,
                           Impersonated, ChildStarted, ChildExited>;

/// One line describing an event, for logs and the console.
[[nodiscard]] std::string describe(const Event& event);

class EventSink {
 public:
  virtual ~EventSink() = default;
  /// Called on an engine thread with every event of one batch, in order.
  /// Calls are serialised: never two at once.
  virtual void on_events(std::span<const Event> batch) = 0;
};

/// A sink that keeps events until someone takes them; for the console tool
/// and tests, which wait for the event they expect (with a timeout).
class EventQueue final : public EventSink {
 public:
  void on_events(std::span<const Event> batch) override;

  /// Takes the next event, waiting up to `timeout`.
  std::optional<Event> pop(std::chrono::milliseconds timeout);
  /// Takes events up to and including the first that matches; the ones before
  /// it are kept in `skipped` if given. nullopt when the timeout ran out.
  std::optional<Event> wait_for(const std::function<bool(const Event&)>& match, std::chrono::milliseconds timeout,
                                std::vector<Event>* skipped = nullptr);
  /// Waits until `done` holds for every event seen so far (the whole history
  /// is passed each time); true if it held before the timeout.
  bool wait_until(const std::function<bool(std::span<const Event> history)>& done, std::chrono::milliseconds timeout);
  /// Every event seen so far, also those taken.
  [[nodiscard]] std::vector<Event> history() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Event> pending_;
  std::vector<Event> history_;
};

}  // namespace pipescope
