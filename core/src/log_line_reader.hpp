// One line of a JSON-lines log at a time, read from a stream with a bound on
// its length and its nesting, parsed into the fields the format knows, each
// with the column its value starts at. log_io.cpp gives the fields their
// meaning; this file only knows JSON and where things are.
//
// A line is parsed by nlohmann's SAX parser straight from the stream buffer,
// never copied whole into memory first, and without building a document:
// only the values of known fields are kept (the "flags" list is turned into
// bits as it is read), so an unknown field of any size costs nothing to skip.
// Every JSON error, a number too large for a double included, arrives as a
// SAX parse error with its position, never as an exception.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pipescope::detail {

/// What is wrong with a line, and the 1-based byte column where it is.
struct LineProblem {
  std::string what;
  std::size_t column = 1;
};

/// The fields of the format, in no particular order. A field a reader does
/// not know is skipped.
enum class LogField : std::uint8_t {
  type, version, id, kind, server, pipe, label, time_ns, endpoint, direction, flags, hex, length,
};
inline constexpr std::size_t kLogFieldCount = 13;
inline constexpr std::array<std::string_view, kLogFieldCount> kLogFieldNames{
    "type",    "version",  "id",        "kind",  "server", "pipe",   "label",
    "time_ns", "endpoint", "direction", "flags", "hex",    "length",
};

/// One field's value as the line gave it.
struct LogFieldValue {
  bool present = false;
  /// An object or a list where the field holds a scalar; `value` stays null.
  bool structured = false;
  /// A scalar: a string, a number, true, false or null.
  nlohmann::json value;
  /// Where the value starts on the line (1-based).
  std::size_t column = 0;
};

/// A parsed line: its top-level value and the known fields of it.
struct LogLine {
  /// Where the line's value starts (1-based): a missing field is reported here.
  std::size_t column = 1;
  bool is_object = false;
  std::array<LogFieldValue, kLogFieldCount> fields;
  /// Whether "flags" was a list, and its words as bits.
  bool flags_is_list = false;
  std::uint8_t flag_bits = 0;
  /// The first thing wrong inside a "flags" list (an unknown word, a value
  /// that is not a string); reported only if the line is a record.
  std::optional<LineProblem> flags_problem;

  [[nodiscard]] const LogFieldValue& field(LogField which) const { return fields[static_cast<std::size_t>(which)]; }
};

class LogLineReader {
 public:
  /// `max_line_bytes` counts a line's bytes without its '\n'; `max_nesting`
  /// counts the line's own object as the first level.
  LogLineReader(std::streambuf& in, std::size_t max_line_bytes, std::size_t max_nesting);

  /// Reads the next line that is not blank into `line`. Returns false at the
  /// end of the input. Throws LineProblem for a line that is not JSON, is too
  /// long or too deep, or gives a known field twice; std::ios_base::failure
  /// from the stream buffer passes through.
  bool next(LogLine& line);

  /// The number of the line read last (1-based; 0 before the first).
  [[nodiscard]] std::size_t line_number() const noexcept { return line_number_; }
  /// The 1-based column just past what has been read of that line.
  [[nodiscard]] std::size_t column() const noexcept { return consumed_ + 1; }

 private:
  friend class LineCursor;
  friend class LineHandler;

  // What the cursor looks for after a key or inside the "flags" list, so
  // that the column where the next value starts is known when it arrives.
  enum class Watch : std::uint8_t { idle, separator, value };

  [[nodiscard]] bool at_line_end();
  void advance();

  std::streambuf& in_;
  std::size_t max_line_bytes_;
  std::size_t max_nesting_;
  std::size_t line_number_ = 0;
  std::size_t consumed_ = 0;  // bytes of the current line taken from the stream
  bool too_long_ = false;
  Watch watch_ = Watch::idle;
  char separator_ = ':';
  std::size_t value_column_ = 0;
};

}  // namespace pipescope::detail
