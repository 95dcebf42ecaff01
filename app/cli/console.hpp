// Where the console tool's output goes and how it looks: human-readable
// lines, or (with --json) one JSON object per line. Every line is flushed at
// once, so a script reading the output through a pipe sees each event as it
// happens. Only the main thread prints.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pipescope/engine.hpp"
#include "pipescope/error.hpp"
#include "pipescope/event.hpp"

namespace pipescope::cli {

/// Which engine events a command shows in text mode. JSON mode shows all.
struct TextFilter {
  bool incoming_data = true;   ///< show what our endpoints read
  bool outgoing_data = true;   ///< show what our endpoints wrote
  bool state_changes = true;   ///< show connected / disconnected / ...
};

/// Where in some input data a parse stopped, ready to be pointed at.
struct InputCaret {
  std::size_t position = 0;  ///< byte offset into the whole input
  std::size_t line = 1;      ///< 1-based
  std::size_t column = 1;    ///< 1-based, in characters
  std::string excerpt;       ///< the line (or a window of it) with control characters blanked
  std::size_t caret_column = 0;  ///< 0-based column of the caret under `excerpt`
};

class Console {
 public:
  explicit Console(bool json) : json_(json) {}

  [[nodiscard]] bool json() const noexcept { return json_; }

  /// A line of text on standard output (text mode only; ignored with --json).
  void say(std::string_view line) const;
  /// A JSON object on standard output (JSON mode only; ignored without --json).
  void emit(const nlohmann::json& object) const;
  /// Bytes exactly as they are, on standard output or standard error.
  void write_raw(std::span<const std::byte> bytes, bool to_stderr = false) const;

  /// An error on standard error: its summary, then the teaching explanation
  /// on a second line; with --json one {"event":"error",...} object.
  void error(const Error& error) const;
  /// The same with an explanation that fits better than the code's own (a
  /// program that was not found is not a missing pipe).
  void error(const Error& error, std::string_view explanation) const;
  /// An error in some input data: as error(), plus the offending line with a
  /// caret under the bad character.
  void input_error(const Error& error, const InputCaret& caret) const;
  /// A plain note on standard error in text mode (a warning, a hint).
  void note(std::string_view line) const;

  /// An engine event. Error events go to standard error like error().
  void event(const Event& event, Engine& engine, const TextFilter& filter = {}) const;

 private:
  bool json_;
};

/// The label of an endpoint ("demo #1"), or "endpoint N" if the engine has
/// forgotten it.
[[nodiscard]] std::string endpoint_label(Engine& engine, EndpointId id);

/// One human-readable line for an event (no trailing newline). Data events
/// show their payload escaped: `demo #1 <- "hello\n" (6 bytes)`.
[[nodiscard]] std::string event_text(const Event& event, Engine& engine);

}  // namespace pipescope::cli
