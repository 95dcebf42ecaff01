#include "log_line_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "log_store.hpp"

namespace pipescope::detail {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

bool is_blank(int c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

/// nlohmann's message without its "[json.exception...]" prefix and its own
/// "parse error at line 1, column N: " (each of our lines is parsed on its
/// own, so its line would mislead, and the column is given in front). Bytes
/// that are not printable ASCII become \xHH: the message quotes what was
/// read, which may be any bytes, and an error text must stay valid UTF-8 on
/// one line.
std::string parse_error_reason(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    if (const auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  if (what.starts_with("parse error")) {
    if (const auto column = what.find("column "); column != std::string_view::npos) {
      if (const auto reason = what.find(": ", column); reason != std::string_view::npos) what.remove_prefix(reason + 2);
    }
  }
  std::string shown;
  shown.reserve(what.size());
  for (const char c : what) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      shown += fmt::format("\\x{:02x}", byte);
    } else {
      shown += c;
    }
  }
  return shown;
}

std::optional<LogField> known_field(std::string_view name) noexcept {
  const auto found = std::find(kLogFieldNames.begin(), kLogFieldNames.end(), name);
  if (found == kLogFieldNames.end()) return std::nullopt;
  return static_cast<LogField>(found - kLogFieldNames.begin());
}

}  // namespace

/// An input iterator over the current line of the stream buffer: it ends at
/// the '\n' (which it leaves in the buffer), at the end of the input, or
/// when the line reaches the reader's limit. Every copy works on the one
/// reader, so nlohmann may copy it as it likes.
class LineCursor {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;

  /// The end of the line.
  LineCursor() = default;
  explicit LineCursor(LogLineReader& reader) : reader_(&reader) {}

  char operator*() const { return std::char_traits<char>::to_char_type(reader_->in_.sgetc()); }
  LineCursor& operator++() {
    reader_->advance();
    return *this;
  }
  LineCursor operator++(int) {
    LineCursor before = *this;
    reader_->advance();
    return before;
  }
  friend bool operator==(const LineCursor& a, const LineCursor& b) { return both_at_end(a, b); }

 private:
  static bool both_at_end(const LineCursor& a, const LineCursor& b) {
    LogLineReader* reader = a.reader_ != nullptr ? a.reader_ : b.reader_;
    return reader == nullptr || reader->at_line_end();
  }

  LogLineReader* reader_ = nullptr;
};

/// The SAX handler: keeps the values of the line's known top-level fields
/// with their columns, turns "flags" into bits, and stops the parse at the
/// nesting limit or at a field given twice.
class LineHandler {
 public:
  LineHandler(LogLineReader& reader, LogLine& line, std::size_t parse_start)
      : reader_(reader), line_(line), parse_start_(parse_start) {}

  bool null() { return scalar(nullptr); }
  bool boolean(bool value) { return scalar(value); }
  bool number_integer(nlohmann::json::number_integer_t value) { return scalar(value); }
  bool number_unsigned(nlohmann::json::number_unsigned_t value) { return scalar(value); }
  bool number_float(nlohmann::json::number_float_t value, const nlohmann::json::string_t&) { return scalar(value); }
  bool string(nlohmann::json::string_t& value) { return scalar(std::move(value)); }
  // JSON text has no binary values; only the binary formats produce them.
  bool binary(nlohmann::json::binary_t&) { return true; }
  bool start_object(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() { return close(); }

  bool key(nlohmann::json::string_t& name) {
    if (depth_ == 1) {
      current_ = known_field(name);
      // The value starts at the first byte after the ':' that is not blank.
      reader_.watch_ = LogLineReader::Watch::separator;
      reader_.separator_ = ':';
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::json::exception& error) {
    // `position` counts the bytes the parser read, the one it stopped at
    // included. A number that overflows has been read whole; its column is
    // where it starts.
    constexpr int kNumberOverflow = 406;
    if (error.id == kNumberOverflow) {
      const std::size_t start = parse_start_ + position + 1 - std::min(position, last_token.size());
      problem = LineProblem{
          fmt::format("the number {} is too large: a number in a PipeScope log must fit a double (at most about "
                      "1.8e308)",
                      parse_error_reason(last_token)),
          start};
    } else {
      problem = LineProblem{fmt::format("not valid JSON: {}", parse_error_reason(error.what())),
                            parse_start_ + std::max<std::size_t>(position, 1)};
    }
    return false;
  }

  std::optional<LineProblem> problem;

 private:
  bool scalar(nlohmann::json value) {
    if (depth_ == 0) {
      line_.is_object = false;
    } else if (depth_ == 1 && line_.is_object) {
      return field_value(std::move(value), false);
    } else if (depth_ == 2 && in_flags_) {
      flag(value);
    }
    return true;
  }

  bool open(bool object) {
    if (depth_ == 0) {
      line_.is_object = object;
    } else if (depth_ == 1 && line_.is_object) {
      const bool flags_list = current_ == LogField::flags && !object;
      if (!field_value(nullptr, true)) return false;
      if (flags_list) {
        line_.flags_is_list = true;
        in_flags_ = true;
        reader_.watch_ = LogLineReader::Watch::value;
      }
    } else if (depth_ == 2 && in_flags_) {
      flag(nullptr, true);
    }
    ++depth_;
    if (depth_ > reader_.max_nesting_) {
      // The bracket was the last byte read.
      problem = LineProblem{fmt::format("the line nests arrays and objects deeper than {} levels, more than a "
                                        "PipeScope log ever needs",
                                        reader_.max_nesting_),
                            reader_.consumed_};
      return false;
    }
    return true;
  }

  bool close() {
    --depth_;
    if (depth_ == 1) in_flags_ = false;
    return true;
  }

  bool field_value(nlohmann::json value, bool structured) {
    if (!current_) return true;  // a field this reader does not know
    LogFieldValue& field = line_.fields[static_cast<std::size_t>(*current_)];
    const std::size_t column = reader_.value_column_;
    if (field.present) {
      // Which of the two was meant would be a guess.
      problem = LineProblem{fmt::format("\"{}\" is given twice (first at column {})",
                                        kLogFieldNames[static_cast<std::size_t>(*current_)], field.column),
                            column};
      return false;
    }
    field.present = true;
    field.structured = structured;
    field.column = column;
    if (!structured) field.value = std::move(value);
    return true;
  }

  void flag(const nlohmann::json& value, bool structured = false) {
    const std::size_t column = reader_.value_column_;
    // After a string the next element starts after the ','.
    reader_.watch_ = LogLineReader::Watch::separator;
    reader_.separator_ = ',';
    if (line_.flags_problem) return;
    if (structured || !value.is_string()) {
      line_.flags_problem = LineProblem{"\"flags\" must be a list of strings", column};
      return;
    }
    const std::string& name = value.get_ref<const std::string&>();
    const auto known = std::find_if(kRecordFlagNames.begin(), kRecordFlagNames.end(),
                                    [&](const auto& entry) { return entry.second == name; });
    if (known == kRecordFlagNames.end()) {
      line_.flags_problem = LineProblem{fmt::format("unknown flag \"{}\"", parse_error_reason(name.substr(0, 64))), column};
      return;
    }
    line_.flag_bits |= known->first;
  }

  LogLineReader& reader_;
  LogLine& line_;
  std::size_t parse_start_;
  std::size_t depth_ = 0;
  bool in_flags_ = false;
  std::optional<LogField> current_;
};

LogLineReader::LogLineReader(std::streambuf& in, std::size_t max_line_bytes, std::size_t max_nesting)
    : in_(in), max_line_bytes_(max_line_bytes), max_nesting_(max_nesting) {}

bool LogLineReader::at_line_end() {
  const int c = in_.sgetc();
  if (c == std::char_traits<char>::eof() || c == '\n') return true;
  if (consumed_ >= max_line_bytes_) {
    too_long_ = true;
    return true;
  }
  return false;
}

void LogLineReader::advance() {
  const int c = in_.sbumpc();
  ++consumed_;
  switch (watch_) {
    case Watch::idle:
      break;
    case Watch::separator:
      if (c == separator_) {
        watch_ = Watch::value;
      } else if (!is_blank(c)) {
        watch_ = Watch::idle;
      }
      break;
    case Watch::value:
      if (!is_blank(c)) {
        value_column_ = consumed_;
        watch_ = Watch::idle;
      }
      break;
  }
}

bool LogLineReader::next(LogLine& line) {
  constexpr int kEnd = std::char_traits<char>::eof();
  for (;;) {
    consumed_ = 0;
    too_long_ = false;
    watch_ = Watch::idle;
    // Counted before the first read, so that a stream failing here is
    // reported on the line it failed to give.
    ++line_number_;
    int c = in_.sgetc();
    if (c == kEnd) {
      --line_number_;
      return false;
    }
    // Blank lines are skipped; a run of blanks counts against the limit too.
    while (is_blank(c) && !at_line_end()) {
      advance();
      c = in_.sgetc();
    }
    if (too_long_) break;
    if (c == '\n') {
      in_.sbumpc();
      continue;
    }
    if (c == kEnd) {
      --line_number_;
      return false;
    }

    line = LogLine{};
    line.column = consumed_ + 1;
    LineHandler handler(*this, line, consumed_);
    const bool parsed = nlohmann::json::sax_parse(LineCursor(*this), LineCursor(), &handler,
                                                  nlohmann::json::input_format_t::json, /*strict=*/true);
    if (too_long_) break;
    if (!parsed) throw handler.problem.value_or(LineProblem{"not valid JSON", column()});
    if (in_.sgetc() == '\n') in_.sbumpc();
    return true;
  }
  const std::string limit = max_line_bytes_ % kMiB == 0 ? fmt::format("{} MiB", max_line_bytes_ / kMiB)
                                                         : fmt::format("{} bytes", max_line_bytes_);
  throw LineProblem{fmt::format("the line is longer than {}, the longest line a PipeScope log may have; the file "
                                "is damaged or is not a PipeScope log",
                                limit),
                    max_line_bytes_ + 1};
}

}  // namespace pipescope::detail
