// The message log on disk and as text: JSON lines to save and load, and the
// plain-text and hex-dump exports.
//
// The JSON-lines format, one object a line:
//   {"type":"pipescope-log","version":1}
//   {"type":"endpoint","id":1,"kind":"instance","server":1,"pipe":"\\\\.\\pipe\\demo","label":"demo #1"}
//   {"type":"record","time_ns":1700000000000000000,"endpoint":1,"direction":"in","flags":["message"],"hex":"48656c"}
//   {"type":"record","time_ns":1700000000000000001,"endpoint":1,"direction":"in","flags":["truncated"],"length":65536,"hex":""}
// A record flagged truncated was logged while the log was full: "length" is
// its real length and "hex" is empty, because none of its bytes were kept.
// The header comes first; an endpoint comes before the first record that
// names it. Blank lines are ignored, and so are fields a reader does not know.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <istream>
#include <limits>
#include <mutex>
#include <optional>
#include <ostream>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "log_store.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/error.hpp"
#include "pipescope/log.hpp"

namespace pipescope {
namespace {

constexpr std::string_view kFileType = "pipescope-log";
constexpr std::int64_t kFileVersion = 1;

// The words for endpoint kinds in the file. They are part of the format, so
// they are spelled out here rather than borrowed from display text.
constexpr std::pair<EndpointKind, std::string_view> kKindNames[] = {
    {EndpointKind::instance, "instance"},
    {EndpointKind::client, "client"},
    {EndpointKind::child, "child"},
};

std::string_view kind_name(EndpointKind kind) {
  for (const auto& [value, name] : kKindNames) {
    if (value == kind) return name;
  }
  return "instance";
}

// ---------------------------------------------------------------- writing

void append_hex(std::string& text, std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t start = text.size();
  text.resize(start + bytes.size() * 2);
  char* out = text.data() + start;
  for (const std::byte b : bytes) {
    const auto value = std::to_integer<unsigned>(b);
    *out++ = kDigits[value >> 4];
    *out++ = kDigits[value & 0xF];
  }
}

void append_record_line(std::string& text, const Record& record, std::span<const std::byte> payload) {
  // Written by hand rather than through a json object: every value here is a
  // number or a fixed word, and a log can hold millions of records.
  fmt::format_to(std::back_inserter(text), R"({{"type":"record","time_ns":{},"endpoint":{},"direction":"{}","flags":[)",
                 record.time_ns, record.endpoint, to_string(record.direction));
  bool first_flag = true;
  for (const auto& [bit, name] : detail::kRecordFlagNames) {
    if ((record.flags & bit) == 0) continue;
    if (!first_flag) text += ',';
    first_flag = false;
    text += '"';
    text += name;
    text += '"';
  }
  text += "],";
  if ((record.flags & record_flags::truncated) != 0) {
    fmt::format_to(std::back_inserter(text), R"("length":{},)", record.length);
  }
  text += R"("hex":")";
  append_hex(text, payload);
  text += "\"}\n";
}

std::string endpoint_line(const EndpointInfo& info) {
  // ordered_json keeps the fields in the documented order. A label or pipe
  // name that is not valid UTF-8 has its bad bytes replaced instead of
  // making the whole save fail.
  nlohmann::ordered_json line;
  line["type"] = "endpoint";
  line["id"] = info.id;
  line["kind"] = kind_name(info.kind);
  line["server"] = info.server;
  line["pipe"] = info.pipe_name;
  line["label"] = info.label;
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

/// "2024-05-01T12:34:56.123456Z": UTC, so that exports from different
/// machines line up and the text does not depend on the time zone.
std::string format_time(std::int64_t time_ns) {
  using namespace std::chrono;
  const sys_time<microseconds> time = floor<microseconds>(sys_time<nanoseconds>(nanoseconds(time_ns)));
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss<microseconds> clock(time - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

/// The endpoint's label with control characters made spaces, so that a label
/// can never break the one-line-per-record layout.
std::string label_for(const detail::LogContents& contents, EndpointId id) {
  const auto found = contents.endpoints.find(id);
  if (found == contents.endpoints.end() || found->second.label.empty()) return fmt::format("endpoint {}", id);
  std::string label = found->second.label;
  std::replace_if(
      label.begin(), label.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }, ' ');
  return label;
}

Error write_failed(std::string_view operation, std::uint64_t rows) {
  // An ostream does not say why it failed, so there is no better code.
  return make_error(Errc::unknown, std::string(operation),
                    fmt::format("the output stream failed while {} records were being written", rows));
}

Error log_replaced(std::string_view operation, std::uint64_t rows) {
  return make_error(Errc::operation_aborted, std::string(operation),
                    fmt::format("the log was cleared or replaced while its {} records were being written", rows));
}

// ---------------------------------------------------------------- reading

/// What is wrong with one line; load_jsonl() adds the line number.
struct LineError {
  std::string what;
};

const nlohmann::json& require(const nlohmann::json& object, std::string_view what, const char* key) {
  const auto found = object.find(key);
  if (found == object.end()) throw LineError{fmt::format("{} has no \"{}\"", what, key)};
  return *found;
}

std::uint64_t require_unsigned(const nlohmann::json& object, std::string_view what, const char* key,
                               std::uint64_t max) {
  const nlohmann::json& value = require(object, what, key);
  if (!value.is_number_integer()) throw LineError{fmt::format("\"{}\" must be a whole number", key)};
  if (!value.is_number_unsigned()) throw LineError{fmt::format("\"{}\" must not be negative", key)};
  const auto number = value.get<std::uint64_t>();
  if (number > max) throw LineError{fmt::format("\"{}\" is {}, more than the largest allowed, {}", key, number, max)};
  return number;
}

std::int64_t require_int64(const nlohmann::json& object, std::string_view what, const char* key) {
  const nlohmann::json& value = require(object, what, key);
  if (!value.is_number_integer()) throw LineError{fmt::format("\"{}\" must be a whole number", key)};
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw LineError{fmt::format("\"{}\" is too large for a 64-bit signed number", key)};
  }
  return value.get<std::int64_t>();
}

const std::string& require_string(const nlohmann::json& object, std::string_view what, const char* key) {
  const nlohmann::json& value = require(object, what, key);
  if (!value.is_string()) throw LineError{fmt::format("\"{}\" must be a string", key)};
  return value.get_ref<const std::string&>();
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void decode_hex(const std::string& hex, std::vector<std::byte>& bytes) {
  if (hex.size() % 2 != 0) {
    throw LineError{fmt::format("\"hex\" has an odd number of digits ({}); every byte needs two", hex.size())};
  }
  if (hex.size() / 2 > std::numeric_limits<std::uint32_t>::max()) {
    throw LineError{"\"hex\" holds more than 4 GiB, more than one record can hold"};
  }
  bytes.resize(hex.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      const std::size_t bad = high < 0 ? 2 * i : 2 * i + 1;
      throw LineError{fmt::format("\"hex\" has '{}' at position {}, which is not a hex digit", hex[bad], bad)};
    }
    bytes[i] = static_cast<std::byte>((high << 4) | low);
  }
}

/// The message of a JSON parse error without nlohmann's prefix and its own
/// "line 1" (each of our lines is parsed on its own, so that would mislead).
std::string parse_error_reason(const nlohmann::json::parse_error& error) {
  const std::string_view what = error.what();
  const auto column = what.find("column ");
  const auto reason = column == std::string_view::npos ? column : what.find(": ", column);
  return std::string(reason == std::string_view::npos ? what : what.substr(reason + 2));
}

void read_header(const nlohmann::json& line) {
  const auto type = line.find("type");
  if (type == line.end() || !type->is_string() || type->get_ref<const std::string&>() != kFileType) {
    throw LineError{fmt::format(R"(not a PipeScope log: the first line must be {{"type":"{}","version":{}}})",
                                kFileType, kFileVersion)};
  }
  const std::int64_t version = require_int64(line, "the header", "version");
  if (version != kFileVersion) {
    throw LineError{fmt::format("the log has version {}; this PipeScope reads version {}", version, kFileVersion)};
  }
}

void read_endpoint(const nlohmann::json& line, detail::LogContents& contents,
                   std::map<EndpointId, std::size_t>& defined_on, std::size_t line_number) {
  constexpr std::string_view what = "the endpoint";
  EndpointInfo info;
  info.id = static_cast<EndpointId>(
      require_unsigned(line, what, "id", std::numeric_limits<EndpointId>::max()));
  const std::string& kind = require_string(line, what, "kind");
  const auto known = std::find_if(std::begin(kKindNames), std::end(kKindNames),
                                  [&](const auto& entry) { return entry.second == kind; });
  if (known == std::end(kKindNames)) {
    throw LineError{fmt::format("unknown endpoint kind \"{}\" (expected instance, client or child)", kind)};
  }
  info.kind = known->first;
  info.server = static_cast<ServerId>(require_unsigned(line, what, "server", std::numeric_limits<ServerId>::max()));
  info.pipe_name = require_string(line, what, "pipe");
  info.label = require_string(line, what, "label");
  // A saved log names each endpoint once; a second definition means two
  // files were joined or one was edited, and which one wins would be a guess.
  if (const auto earlier = defined_on.find(info.id); earlier != defined_on.end()) {
    throw LineError{fmt::format("endpoint {} is defined a second time (first on line {})", info.id, earlier->second)};
  }
  defined_on.emplace(info.id, line_number);
  contents.endpoints.emplace(info.id, std::move(info));
}

void read_record(const nlohmann::json& line, detail::LogContents& contents, std::vector<std::byte>& payload) {
  constexpr std::string_view what = "the record";
  const std::int64_t time_ns = require_int64(line, what, "time_ns");
  const auto endpoint =
      static_cast<EndpointId>(require_unsigned(line, what, "endpoint", std::numeric_limits<EndpointId>::max()));
  if (!contents.endpoints.contains(endpoint)) {
    throw LineError{fmt::format("the record names endpoint {}, which no earlier line defines", endpoint)};
  }
  const std::string& direction_text = require_string(line, what, "direction");
  Direction direction = Direction::in;
  if (direction_text == "in") {
    direction = Direction::in;
  } else if (direction_text == "out") {
    direction = Direction::out;
  } else {
    throw LineError{fmt::format("unknown direction \"{}\" (expected in or out)", direction_text)};
  }
  const nlohmann::json& flag_list = require(line, what, "flags");
  if (!flag_list.is_array()) throw LineError{"\"flags\" must be a list of strings"};
  std::uint8_t flags = 0;
  for (const nlohmann::json& flag : flag_list) {
    if (!flag.is_string()) throw LineError{"\"flags\" must be a list of strings"};
    const std::string& name = flag.get_ref<const std::string&>();
    const auto known = std::find_if(detail::kRecordFlagNames.begin(), detail::kRecordFlagNames.end(),
                                    [&](const auto& entry) { return entry.second == name; });
    if (known == detail::kRecordFlagNames.end()) throw LineError{fmt::format("unknown flag \"{}\"", name)};
    flags |= known->first;
  }
  decode_hex(require_string(line, what, "hex"), payload);
  if ((flags & record_flags::truncated) != 0) {
    const auto length =
        static_cast<std::uint32_t>(require_unsigned(line, what, "length", std::numeric_limits<std::uint32_t>::max()));
    if (!payload.empty()) {
      throw LineError{"a record flagged truncated keeps none of its bytes; its \"hex\" must be empty"};
    }
    if (length == 0) throw LineError{"a record flagged truncated has lost bytes; its \"length\" cannot be 0"};
    contents.append_unkept(endpoint, direction, length, static_cast<std::uint8_t>(flags & ~record_flags::truncated),
                           time_ns, nullptr);
    return;
  }
  contents.append(endpoint, direction, payload, flags, time_ns);
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

/// What export_text() and export_hexdump() share: the rows published now
/// are walked batch by batch (see walk_rows), `visit` formats each one, and
/// the stream is flushed. `LogImpl` is MessageLog::Impl, deduced because its
/// name is private to MessageLog.
template <class LogImpl, class Visit>
Result<void> export_rows(const LogImpl& impl, std::string_view operation, std::ostream& out, Visit&& visit) {
  std::uint64_t rows = 0;
  std::uint64_t generation = 0;
  {
    std::shared_lock lock(impl.mutex);
    rows = impl.published_rows();
    generation = impl.generation;
  }
  const auto end = impl.walk_rows(rows, generation, out, std::forward<Visit>(visit));
  if (end == LogImpl::WalkEnd::replaced) return log_replaced(operation, rows);
  if (end == LogImpl::WalkEnd::write_failed) return write_failed(operation, rows);
  out.flush();
  if (!out) return write_failed(operation, rows);
  return {};
}

}  // namespace

Result<void> MessageLog::save_jsonl(std::ostream& out) const {
  constexpr std::string_view operation = "save log";
  std::map<EndpointId, EndpointInfo> endpoints;
  std::uint64_t rows = 0;
  std::uint64_t generation = 0;
  {
    // The endpoints and the row count are taken together, so every endpoint
    // of the rows to be saved is known (unless it was never registered).
    std::shared_lock lock(impl_->mutex);
    endpoints = impl_->contents.endpoints;
    rows = impl_->published_rows();
    generation = impl_->generation;
  }

  std::string text = fmt::format(R"({{"type":"{}","version":{}}})", kFileType, kFileVersion);
  text += '\n';
  for (const auto& [id, info] : endpoints) text += endpoint_line(info);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) return write_failed(operation, rows);

  std::optional<Error> failure;
  const auto end = impl_->walk_rows(rows, generation, out,
                                    [&](std::uint64_t row, const Record& record, std::span<const std::byte> payload,
                                        const detail::LogContents&, std::string& batch) {
                                      if (!endpoints.contains(record.endpoint)) {
                                        // load_jsonl() would refuse such a file, so none is written.
                                        failure = make_error(
                                            Errc::unknown_endpoint, std::string(operation),
                                            fmt::format("row {} names endpoint {}, which was never registered; "
                                                        "register every endpoint before appending its records",
                                                        row, record.endpoint));
                                        return false;
                                      }
                                      append_record_line(batch, record, payload);
                                      return true;
                                    });
  switch (end) {
    case Impl::WalkEnd::finished:
      break;
    case Impl::WalkEnd::stopped:
      return std::move(*failure);
    case Impl::WalkEnd::replaced:
      return log_replaced(operation, rows);
    case Impl::WalkEnd::write_failed:
      return write_failed(operation, rows);
  }
  out.flush();
  if (!out) return write_failed(operation, rows);
  return {};
}

Result<void> MessageLog::load_jsonl(std::istream& in) {
  constexpr std::string_view operation = "load log";
  // Everything is read into fresh contents first; the log itself changes
  // only when the whole input was good.
  detail::LogContents loaded;
  std::map<EndpointId, std::size_t> defined_on;
  std::vector<std::byte> payload;
  std::string text;
  std::size_t line_number = 0;
  bool header_seen = false;
  try {
    while (std::getline(in, text)) {
      ++line_number;
      if (is_blank(text)) continue;
      nlohmann::json line;
      try {
        line = nlohmann::json::parse(text);
      } catch (const nlohmann::json::parse_error& error) {
        throw LineError{fmt::format("not valid JSON: {}", parse_error_reason(error))};
      }
      if (!line.is_object()) throw LineError{"expected a JSON object {...}"};
      if (!header_seen) {
        read_header(line);
        header_seen = true;
        continue;
      }
      const std::string& type = require_string(line, "the line", "type");
      if (type == "endpoint") {
        read_endpoint(line, loaded, defined_on, line_number);
      } else if (type == "record") {
        read_record(line, loaded, payload);
      } else {
        throw LineError{fmt::format("unknown type \"{}\" (expected endpoint or record)", type)};
      }
    }
    if (in.bad()) throw LineError{"the input stream failed while reading"};
    if (!header_seen) {
      line_number = 1;
      throw LineError{"the input is empty or blank; a PipeScope log starts with its header line"};
    }
  } catch (const LineError& error) {
    return make_error(Errc::bad_input, std::string(operation), fmt::format("line {}: {}", line_number, error.what));
  }

  {
    const std::lock_guard appending(impl_->append_mutex);
    std::unique_lock lock(impl_->mutex);
    // Moving swaps: `loaded` takes the old contents.
    impl_->contents = std::move(loaded);
    ++impl_->generation;
    impl_->keeping_payloads = true;
    impl_->publish_counters();
    impl_->publish_limit_counters();
  }
  // `loaded` now holds the old contents; they are freed here, outside the lock.
  return {};
}

Result<void> MessageLog::export_text(std::ostream& out) const {
  return export_rows(
      *impl_, "export text", out,
      [&](std::uint64_t, const Record& record, std::span<const std::byte> payload,
          const detail::LogContents& contents, std::string& batch) {
        const std::string flags = flags_to_string(record.flags);
        fmt::format_to(std::back_inserter(batch), "{}\t{}\t{}\t{}\t{}\t{}\n", format_time(record.time_ns),
                       label_for(contents, record.endpoint), to_string(record.direction), record.length,
                       flags.empty() ? "-" : flags, format_escaped(payload));
        return true;
      });
}

Result<void> MessageLog::export_hexdump(std::ostream& out) const {
  return export_rows(
      *impl_, "export hex dump", out,
      [&](std::uint64_t row, const Record& record, std::span<const std::byte> payload,
          const detail::LogContents& contents, std::string& batch) {
        const std::string flags = flags_to_string(record.flags);
        fmt::format_to(std::back_inserter(batch), "#{}  {}  {}  {}  {} bytes  {}\n", row, format_time(record.time_ns),
                       label_for(contents, record.endpoint), to_string(record.direction), record.length,
                       flags.empty() ? "-" : flags);
        batch += format_hex_dump(payload);
        if (!batch.empty() && batch.back() != '\n') batch += '\n';
        // A blank line sets each record apart from the next.
        batch += '\n';
        return true;
      });
}

}  // namespace pipescope
