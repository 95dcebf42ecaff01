// Everything the console tool reacts to arrives through one queue: engine
// events, lines from standard input and stop requests (Ctrl-C). Each command
// is then a single loop on the main thread that takes the next item, with a
// timeout, and never needs a lock of its own or a sleep.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "pipescope/event.hpp"

namespace pipescope::cli {

/// One line read from standard input, without its line break. A line longer
/// than the reader's limit comes in pieces of at most that many characters,
/// each with the same number; all but the last have `continues` set.
struct InputLine {
  std::string text;
  std::uint64_t number = 0;  ///< 1 for the first line
  bool terminated = true;    ///< false for a last line that ended without "\n", and for a piece
  bool continues = false;    ///< more of this line follows in the next item
};

/// Standard input reached its end (or could not be read any more).
struct InputEnd {};

/// The user asked the tool to stop (Ctrl-C, SIGTERM).
struct StopRequest {
  std::string what;
};

using InboxItem = std::variant<Event, InputLine, InputEnd, StopRequest>;

/// Wait without a time limit.
inline constexpr std::chrono::milliseconds kNoTimeout = std::chrono::milliseconds::max();

class Inbox final : public EventSink {
 public:
  /// Called by the engine on its thread; only queues.
  void on_events(std::span<const Event> batch) override;

  void post(InboxItem item);

  /// The user asked the tool to stop (called by the stop watcher, on its
  /// thread). Queues a StopRequest, or, while a stop action is set, calls it.
  void request_stop(std::string what);
  /// What the first stop request was ("SIGTERM"); empty before one came.
  [[nodiscard]] std::string stop_reason() const;
  /// While set, a stop request calls `action` on the watcher's thread instead
  /// of queueing: for calls of the main thread that cannot look at the inbox
  /// (see StopEndsProcess). Calls it at once if a stop came before. An empty
  /// function clears it.
  void set_stop_action(std::function<void(std::string_view what)> action);
  /// Takes the next item, waiting up to `timeout` (kNoTimeout: for ever).
  [[nodiscard]] std::optional<InboxItem> pop(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<InboxItem> items_;
  std::string stop_reason_;
  std::function<void(std::string_view)> stop_action_;
};

/// Starts a thread that reads standard input line by line and posts
/// InputLine items, then one InputEnd. A line longer than `max_line_chars`
/// comes in pieces (InputLine::continues), so that input without line breaks
/// (/dev/zero) never grows without bound. The thread is detached because a
/// read of a terminal cannot be interrupted portably; it holds the inbox
/// through the shared pointer, so the process may end while it waits.
void start_stdin_reader(std::shared_ptr<Inbox> inbox, std::size_t max_line_chars);

/// Posts a StopRequest to the inbox when the user presses Ctrl-C or the
/// process gets SIGTERM.
void post_stop_requests_to(std::shared_ptr<Inbox> inbox);

}  // namespace pipescope::cli
