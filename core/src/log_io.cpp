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
// A record of more payload than one line may carry (log.hpp,
// kMaxJsonlRecordPayload) is written as consecutive parts flagged more-data.
// The header comes first; an endpoint comes before the first record that
// names it. Blank lines are ignored, and so are fields a reader does not know.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ios>
#include <istream>
#include <limits>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <ostream>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "codec_hex.hpp"
#include "log_line_reader.hpp"
#include "log_store.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/error.hpp"
#include "pipescope/log.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope {
namespace {

constexpr std::string_view kFileType = "pipescope-log";
constexpr std::int64_t kFileVersion = 1;

// The words for endpoint kinds and directions in the file are the
// vocabulary's (vocabulary.cpp), which are part of this format: changing one
// there changes what a saved log says.

// ---------------------------------------------------------------- writing


void append_record_part(std::string& text, const Record& record, std::uint8_t flags,
                        std::span<const std::byte> payload) {
  // Written by hand rather than through a json object: every value here is a
  // number or a fixed word, and a log can hold millions of records.
  fmt::format_to(std::back_inserter(text), R"({{"type":"record","time_ns":{},"endpoint":{},"direction":"{}","flags":[)",
                 record.time_ns, record.endpoint, to_string(record.direction));
  bool first_flag = true;
  for (const auto& [bit, name] : detail::kRecordFlagNames) {
    if ((flags & bit) == 0) continue;
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
  line["kind"] = word_of(info.kind);
  line["server"] = info.server;
  line["pipe"] = info.pipe_name;
  line["label"] = info.label;
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
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

using detail::LineProblem;
using detail::LogField;
using detail::LogFieldValue;
using detail::LogLine;

std::string_view field_name(LogField field) { return detail::kLogFieldNames[static_cast<std::size_t>(field)]; }

/// A value read from the file, as it can be quoted inside a one-line
/// message: at most 64 bytes of it, bytes other than printable ASCII as
/// \xHH, so that a crafted value can neither break nor hide in the message.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  std::string quoted;
  for (const char c : text.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      quoted += fmt::format("\\x{:02x}", byte);
    } else {
      quoted += c;
    }
  }
  if (text.size() > kMaxShown) quoted += "...";
  return quoted;
}

const LogFieldValue& require(const LogLine& line, std::string_view what, LogField key) {
  const LogFieldValue& field = line.field(key);
  if (!field.present) throw LineProblem{fmt::format("{} has no \"{}\"", what, field_name(key)), line.column};
  return field;
}

std::uint64_t require_unsigned(const LogLine& line, std::string_view what, LogField key, std::uint64_t max) {
  const LogFieldValue& field = require(line, what, key);
  const nlohmann::json& value = field.value;
  if (!value.is_number_integer()) {
    throw LineProblem{fmt::format("\"{}\" must be a whole number", field_name(key)), field.column};
  }
  if (!value.is_number_unsigned()) {
    throw LineProblem{fmt::format("\"{}\" must not be negative", field_name(key)), field.column};
  }
  const auto number = value.get<std::uint64_t>();
  if (number > max) {
    throw LineProblem{
        fmt::format("\"{}\" is {}, more than the largest allowed, {}", field_name(key), number, max), field.column};
  }
  return number;
}

std::int64_t require_int64(const LogLine& line, std::string_view what, LogField key) {
  const LogFieldValue& field = require(line, what, key);
  const nlohmann::json& value = field.value;
  if (!value.is_number_integer()) {
    throw LineProblem{fmt::format("\"{}\" must be a whole number", field_name(key)), field.column};
  }
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw LineProblem{fmt::format("\"{}\" is too large for a 64-bit signed number", field_name(key)), field.column};
  }
  return value.get<std::int64_t>();
}

const std::string& require_string(const LogLine& line, std::string_view what, LogField key) {
  const LogFieldValue& field = require(line, what, key);
  if (!field.value.is_string()) {
    throw LineProblem{fmt::format("\"{}\" must be a string", field_name(key)), field.column};
  }
  return field.value.get_ref<const std::string&>();
}

void decode_hex(const std::string& hex, std::size_t column, std::vector<std::byte>& bytes) {
  if (hex.size() % 2 != 0) {
    throw LineProblem{
        fmt::format("\"hex\" has an odd number of digits ({}); every byte needs two", hex.size()), column};
  }
  if (hex.size() / 2 > std::numeric_limits<std::uint32_t>::max()) {
    throw LineProblem{"\"hex\" holds more than 4 GiB, more than one record can hold", column};
  }
  if (const std::optional<std::size_t> bad = detail::decode_hex_digits(hex, bytes)) {
    throw LineProblem{fmt::format("\"hex\" has '{}' at position {}, which is not a hex digit",
                                  shown(std::string_view(&hex[*bad], 1)), *bad),
                      column};
  }
}

void read_header(const LogLine& line) {
  const LogFieldValue& type = line.field(LogField::type);
  if (!type.present || !type.value.is_string() || type.value.get_ref<const std::string&>() != kFileType) {
    throw LineProblem{fmt::format(R"(not a PipeScope log: the first line must be {{"type":"{}","version":{}}})",
                                  kFileType, kFileVersion),
                      type.present ? type.column : line.column};
  }
  const std::int64_t version = require_int64(line, "the header", LogField::version);
  if (version != kFileVersion) {
    throw LineProblem{
        fmt::format("the log has version {}; this PipeScope reads version {}", version, kFileVersion),
        line.field(LogField::version).column};
  }
}

void read_endpoint(const LogLine& line, detail::LogContents& contents,
                   std::map<EndpointId, std::size_t>& defined_on, std::size_t line_number) {
  constexpr std::string_view what = "the endpoint";
  EndpointInfo info;
  info.id = static_cast<EndpointId>(require_unsigned(line, what, LogField::id, std::numeric_limits<EndpointId>::max()));
  const std::string& kind = require_string(line, what, LogField::kind);
  const std::optional<EndpointKind> known = from_word<EndpointKind>(kind);
  if (!known) {
    throw LineProblem{
        fmt::format("unknown endpoint kind \"{}\" (expected instance, client or child)", shown(kind)),
        line.field(LogField::kind).column};
  }
  info.kind = *known;
  info.server = static_cast<ServerId>(
      require_unsigned(line, what, LogField::server, std::numeric_limits<ServerId>::max()));
  info.pipe_name = require_string(line, what, LogField::pipe);
  info.label = require_string(line, what, LogField::label);
  // A saved log names each endpoint once; a second definition means two
  // files were joined or one was edited, and which one wins would be a guess.
  if (const auto earlier = defined_on.find(info.id); earlier != defined_on.end()) {
    throw LineProblem{
        fmt::format("endpoint {} is defined a second time (first on line {})", info.id, earlier->second),
        line.field(LogField::id).column};
  }
  defined_on.emplace(info.id, line_number);
  contents.endpoints.emplace(info.id, std::move(info));
}

void read_record(const LogLine& line, detail::LogContents& contents, std::vector<std::byte>& payload) {
  constexpr std::string_view what = "the record";
  const std::int64_t time_ns = require_int64(line, what, LogField::time_ns);
  const auto endpoint = static_cast<EndpointId>(
      require_unsigned(line, what, LogField::endpoint, std::numeric_limits<EndpointId>::max()));
  if (!contents.endpoints.contains(endpoint)) {
    throw LineProblem{fmt::format("the record names endpoint {}, which no earlier line defines", endpoint),
                      line.field(LogField::endpoint).column};
  }
  const std::string& direction_text = require_string(line, what, LogField::direction);
  const std::optional<Direction> known_direction = from_word<Direction>(direction_text);
  if (!known_direction) {
    throw LineProblem{fmt::format("unknown direction \"{}\" (expected in or out)", shown(direction_text)),
                      line.field(LogField::direction).column};
  }
  const Direction direction = *known_direction;
  const LogFieldValue& flags = require(line, what, LogField::flags);
  if (!line.flags_is_list) throw LineProblem{"\"flags\" must be a list of strings", flags.column};
  if (line.flags_problem) throw *line.flags_problem;
  const LogFieldValue& hex = line.field(LogField::hex);
  decode_hex(require_string(line, what, LogField::hex), hex.column, payload);
  if ((line.flag_bits & record_flags::truncated) != 0) {
    // A record the log's memory limit did not keep: its length survives,
    // its bytes do not (log.hpp, "truncated").
    const auto length = static_cast<std::uint32_t>(
        require_unsigned(line, what, LogField::length, std::numeric_limits<std::uint32_t>::max()));
    if (!payload.empty()) {
      throw LineProblem{"a record flagged truncated keeps none of its bytes; its \"hex\" must be empty", hex.column};
    }
    if (length == 0) {
      throw LineProblem{"a record flagged truncated has lost bytes; its \"length\" cannot be 0",
                        line.field(LogField::length).column};
    }
    contents.append_unkept(endpoint, direction, length,
                           static_cast<std::uint8_t>(line.flag_bits & ~record_flags::truncated), time_ns, nullptr);
    return;
  }
  contents.append(endpoint, direction, payload, line.flag_bits, time_ns);
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
  if (end == LogImpl::WalkEnd::stopped) {
    return make_error(Errc::unknown, std::string(operation),
                      "the writer stopped before the last row; the file is incomplete");
  }
  out.flush();
  if (!out) return write_failed(operation, rows);
  return {};
}

}  // namespace

// A part as long as the limit, with the longest fields a record line can
// have (times, ids and every flag word take well under 64 KiB), must fit
// one line that load_jsonl() reads.
static_assert(2 * MessageLog::kMaxJsonlRecordPayload + (std::size_t{64} << 10) <= MessageLog::kMaxJsonlLineBytes);

void detail::append_record_lines(std::string& text, const Record& record, std::span<const std::byte> payload,
                                 std::size_t max_part_bytes) {
  // A truncated record has no bytes, so it is always one line.
  while (payload.size() > max_part_bytes) {
    append_record_part(text, record, static_cast<std::uint8_t>(record.flags | record_flags::more_data),
                       payload.first(max_part_bytes));
    payload = payload.subspan(max_part_bytes);
  }
  append_record_part(text, record, record.flags, payload);
}

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
                                      detail::append_record_lines(batch, record, payload, kMaxJsonlRecordPayload);
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
  const auto failed = [&](std::size_t line, std::size_t column, std::string_view what) {
    return make_error(Errc::bad_input, std::string(operation), fmt::format("line {}, column {}: {}", line, column, what));
  };
  if (in.rdbuf() == nullptr) return failed(1, 1, "the input stream has no buffer to read from");
  // Everything is read into fresh contents first; the log itself changes
  // only when the whole input was good.
  detail::LogContents loaded;
  std::map<EndpointId, std::size_t> defined_on;
  std::vector<std::byte> payload;
  detail::LogLineReader reader(*in.rdbuf(), kMaxJsonlLineBytes, kMaxJsonlNesting);
  LogLine line;
  bool header_seen = false;
  // Every way a line can fail ends here as one error with its line and
  // column. The reader reports JSON errors (numbers too large for a double
  // included) as LineProblem; nlohmann's own exceptions cannot arise from
  // the checked reads below, and are caught all the same so that a mistake
  // there is an error message rather than the end of the program. Memory
  // runs out only for a file far beyond what this machine can hold.
  try {
    while (reader.next(line)) {
      if (!line.is_object) throw LineProblem{"expected a JSON object {...}", line.column};
      if (!header_seen) {
        read_header(line);
        header_seen = true;
        continue;
      }
      const std::string& type = require_string(line, "the line", LogField::type);
      if (type == "endpoint") {
        read_endpoint(line, loaded, defined_on, reader.line_number());
      } else if (type == "record") {
        read_record(line, loaded, payload);
      } else {
        throw LineProblem{fmt::format("unknown type \"{}\" (expected endpoint or record)", shown(type)),
                          line.field(LogField::type).column};
      }
    }
    if (!header_seen) {
      return failed(1, 1, "the input is empty or blank; a PipeScope log starts with its header line");
    }
  } catch (const LineProblem& problem) {
    return failed(reader.line_number(), problem.column, problem.what);
  } catch (const std::ios_base::failure& error) {
    return failed(std::max<std::size_t>(reader.line_number(), 1), reader.column(),
                  fmt::format("the input stream failed while reading ({})", shown(error.what())));
  } catch (const nlohmann::json::exception& error) {
    return failed(reader.line_number(), line.column, shown(error.what()));
  } catch (const std::bad_alloc&) {
    return failed(reader.line_number(), reader.column(),
                  fmt::format("not enough memory to load the log ({} records, {} bytes of payload read so far)",
                              loaded.records.size(), loaded.payload_bytes));
  } catch (const std::length_error&) {
    return failed(reader.line_number(), reader.column(),
                  fmt::format("the log is too large to load ({} records, {} bytes of payload read so far)",
                              loaded.records.size(), loaded.payload_bytes));
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

Result<void> MessageLog::write_rows(std::string_view operation, std::ostream& out, const RowWriter& writer) const {
  return export_rows(*impl_, operation, out,
                     [&](std::uint64_t row, const Record& record, std::span<const std::byte> payload,
                         const detail::LogContents& contents, std::string& batch) {
                       const auto found = contents.endpoints.find(record.endpoint);
                       const RowView view{row, record, payload,
                                          found == contents.endpoints.end() ? nullptr : &found->second};
                       return writer(view, batch);
                     });
}

}  // namespace pipescope
