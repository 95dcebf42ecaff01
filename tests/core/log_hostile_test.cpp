// Hostile and damaged log files: every one is refused with Errc::bad_input,
// the line and the column of what is wrong, and the log keeps what it held.
// Nothing here may throw out of load_jsonl(): EXPECT_NO_THROW turns an
// escaping exception into a failed test rather than a crashed test binary.
#include "pipescope/log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "log_line_reader.hpp"
#include "log_store.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"

namespace pipescope {
namespace {

EndpointInfo endpoint_info(EndpointId id, EndpointKind kind, std::string pipe, std::string label) {
  EndpointInfo info;
  info.id = id;
  info.kind = kind;
  info.pipe_name = std::move(pipe);
  info.label = std::move(label);
  return info;
}

/// The capture a person has open when they choose Open log.
void fill_capture(MessageLog& log) {
  log.register_endpoint(endpoint_info(1, EndpointKind::instance, "\\\\.\\pipe\\demo", "demo #1"));
  log.register_endpoint(endpoint_info(2, EndpointKind::client, "\\\\.\\pipe\\demo", "client 2"));
  log.append(1, Direction::in, as_bytes("hello"), record_flags::message, 11);
  log.append(2, Direction::out, as_bytes("world"), 0, 12);
}

void expect_capture_untouched(const MessageLog& log) {
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(as_chars(log.payload(0)), "hello");
  EXPECT_EQ(as_chars(log.payload(1)), "world");
  EXPECT_EQ(log.record(0).time_ns, 11);
  EXPECT_EQ(log.record(1).endpoint, 2U);
  const auto endpoints = log.endpoints();
  ASSERT_EQ(endpoints.size(), 2U);
  EXPECT_EQ(endpoints[0].label, "demo #1");
  EXPECT_EQ(endpoints[1].label, "client 2");
}

/// Loads `in` into a log holding a capture; the load must fail and leave
/// the capture as it was. Returns the error's detail ("" when it did not fail).
std::string refused_detail(std::istream& in) {
  MessageLog log;
  fill_capture(log);
  std::optional<Result<void>> result;
  EXPECT_NO_THROW(result.emplace(log.load_jsonl(in)));
  expect_capture_untouched(log);
  if (!result) return "";
  EXPECT_FALSE(result->ok());
  if (result->ok()) return "";
  EXPECT_EQ(result->error().errc(), Errc::bad_input);
  return result->error().detail;
}

const std::string kHeader = R"({"type":"pipescope-log","version":1})" "\n";
const std::string kEndpoint = R"({"type":"endpoint","id":1,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n";

std::string record(const std::string& time, const std::string& extra = "") {
  return R"({"type":"record","time_ns":)" + time + R"(,"endpoint":1,"direction":"in","flags":["message"],"hex":"00")" +
         extra + "}\n";
}

struct Hostile {
  const char* name;
  std::string text;
  std::size_t line;    // 1-based
  std::string marker;  // the column is where this first appears on that line...
  const char* says;    // a phrase the error must contain
  std::size_t past = 0;  // ...plus this many bytes
};

/// A string of every byte of a literal, NULs included.
template <std::size_t N>
std::string with_nuls(const char (&text)[N]) {
  return std::string(text, N - 1);
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string repeated(std::string_view text, std::size_t times) {
  std::string all;
  for (std::size_t i = 0; i < times; ++i) all += text;
  return all;
}

std::vector<Hostile> hostile_inputs() {
  const std::string prefix = kHeader + kEndpoint;
  return {
      // Numbers beyond a double: nlohmann reports them as out_of_range.
      {"overflow in the header", R"({"type":"pipescope-log","version":1e400})" "\n", 1, "1e400", "too large"},
      {"overflow in an endpoint id",
       kHeader + R"({"type":"endpoint","id":1e400,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n", 2,
       "1e400", "too large"},
      {"overflow in a record time", prefix + record("1e400"), 3, "1e400", "1e400"},
      {"negative overflow in an unknown field", prefix + record("1", R"(,"note":-1e400)"), 3, "-1e400", "too large"},
      {"overflow inside the flags", prefix + R"({"type":"record","flags":["message",2E+999]})" "\n", 3, "2E+999",
       "too large"},
      {"overflow deep in an unknown field", prefix + record("1", R"(,"x":[[{"y":[1e999]}]])"), 3, "1e999",
       "too large"},
      {"overflow after a good record", prefix + record("1") + record("2") + record("1e400"), 5, "1e400", "too large"},
      // Numbers that fit a double but not the field.
      {"huge integer time", prefix + record("123456789012345678901234567890"), 3, "1234567890",
       "\"time_ns\" must be a whole number"},
      {"huge integer id",
       kHeader + R"({"type":"endpoint","id":99999999999999999999,"kind":"client","server":0,"pipe":"p","label":"l"})"
                 "\n",
       2, "99999999999999999999", "\"id\" must be a whole number"},
      // Nesting.
      // The top-level object is the first level; the bracket that would open
      // level 65 is the one refused.
      {"deeply nested arrays in a field", prefix + record("1", R"(,"x":)" + nested(100000)), 3, "[[",
       "deeper than 64", MessageLog::kMaxJsonlNesting - 1},
      {"deeply nested unclosed arrays", std::string(1'000'000, '['), 1, "[", "deeper than 64",
       MessageLog::kMaxJsonlNesting},
      {"nested objects", kHeader + R"({"a":)" + repeated(R"({"k":)", 200), 2, R"({"k":)", "deeper than 64",
       5 * (MessageLog::kMaxJsonlNesting - 1)},
      // Wrong types, each at the column of its value.
      {"version true", R"({"type":"pipescope-log","version":true})" "\n", 1, "true",
       "\"version\" must be a whole number"},
      {"id an object", kHeader + R"({"type":"endpoint","id":{},"kind":"client","server":0,"pipe":"p","label":"l"})" "\n",
       2, "{}", "\"id\" must be a whole number"},
      {"pipe a list",
       kHeader + R"({"type":"endpoint","id":1,"kind":"client","server":0,"pipe":["p"],"label":"l"})" "\n", 2, "[\"p\"]",
       "\"pipe\" must be a string"},
      {"type a number", prefix + R"({"type":7})" "\n", 3, "7", "\"type\" must be a string"},
      {"hex null", prefix + R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":[],"hex":null})" "\n",
       3, "null", "\"hex\" must be a string"},
      {"flags an object",
       prefix + R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":{"m":1},"hex":""})" "\n", 3,
       "{\"m\"", "\"flags\" must be a list"},
      {"a flag that is a list",
       prefix + R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":["message", ["x"]],"hex":""})" "\n",
       3, "[\"x\"]", "\"flags\" must be a list of strings"},
      {"unknown flag at its column",
       prefix + R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":["message",  "urgent"],"hex":""})"
                "\n",
       3, "\"urgent\"", "unknown flag \"urgent\""},
      {"direction false", prefix + R"({"type":"record","time_ns":1,"endpoint":1,"direction":false,"flags":[],"hex":""})"
                          "\n",
       3, "false", "\"direction\" must be a string"},
      {"a field given twice", kHeader + R"({"type":"endpoint","id":1,"id":2,"kind":"client"})" "\n", 2, "2,",
       "\"id\" is given twice"},
      {"a missing field is at the object", kHeader + R"(   {"type":"endpoint","kind":"client"})" "\n", 2, "{",
       "no \"id\""},
      {"not an object", kHeader + "  [1,2]\n", 2, "[", "JSON object"},
      // Bytes that are not JSON text.
      {"invalid UTF-8 in a label",
       kHeader + "{\"type\":\"endpoint\",\"id\":1,\"kind\":\"client\",\"server\":0,\"pipe\":\"p\",\"label\":\"ab\xff\"}\n",
       2, "\xff", "UTF-8"},
      {"invalid UTF-8 outside strings", kHeader + "{\"type\":\xc3\x28}\n", 2, "\xc3", "not valid JSON"},
      {"a NUL byte between fields", prefix + with_nuls("{\"type\":\"record\",\0\"time_ns\":1}\n"), 3,
       std::string(1, '\0'), "not valid JSON"},
      {"a NUL byte in a string", kHeader + with_nuls("{\"type\":\"endpoint\",\"label\":\"a\0b\"}\n"), 2,
       std::string(1, '\0'), "control character"},
      {"a NUL byte before the header", std::string("\0", 1) + kHeader, 1, std::string(1, '\0'), "not valid JSON"},
      // Damage.
      {"a truncated last line", prefix + R"({"type":"record","time_ns":1,"endpoint":1,)", 3, "", "end of input"},
      {"a truncated string", prefix + R"({"type":"record","hex":"0a0b)", 3, "", "not valid JSON"},
      {"a record of an unknown endpoint",
       prefix + R"({"type":"record","time_ns":1,"endpoint":2,"direction":"in","flags":[],"hex":""})" "\n", 3, "2,",
       "endpoint 2, which no earlier line defines"},
      {"bad hex", prefix + R"({"type":"record","time_ns":1,"endpoint":1,"direction":"in","flags":[],"hex":"0g"})" "\n", 3,
       "\"0g\"", "'g' at position 1"},
  };
}

/// The 1-based column of `marker` on line `line` of `text`; for an empty
/// marker, one past the end of that line (where a truncated line ends).
std::size_t column_of(const std::string& text, std::size_t line, const std::string& marker) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  std::size_t end = text.find('\n', start);
  if (end == std::string::npos) end = text.size();
  const std::string_view row = std::string_view(text).substr(start, end - start);
  if (marker.empty()) return row.size() + 1;
  const std::size_t at = row.find(marker);
  EXPECT_NE(at, std::string_view::npos) << "the test's marker is not on line " << line;
  return at + 1;
}

class HostileLog : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileLog, IsRefusedWithItsLineAndColumnAndTheCaptureStays) {
  const Hostile& hostile = GetParam();
  std::istringstream in(hostile.text);
  const std::string detail = refused_detail(in);
  const std::string where = "line " + std::to_string(hostile.line) + ", column " +
                            std::to_string(column_of(hostile.text, hostile.line, hostile.marker) + hostile.past) + ": ";
  EXPECT_EQ(detail.rfind(where, 0), 0U) << "expected it to start with \"" << where << "\": " << detail;
  EXPECT_NE(detail.find(hostile.says), std::string::npos) << detail;
}

INSTANTIATE_TEST_SUITE_P(EachCase, HostileLog, ::testing::ValuesIn(hostile_inputs()),
                         [](const ::testing::TestParamInfo<Hostile>& info) {
                           std::string name = info.param.name;
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return name;
                         });

/// A stream made as it is read, so that a huge line costs the test no
/// memory: `head`, then `count` copies of `fill` (for ever if count is
/// kEndless), then `tail`. It counts the bytes taken from it, which shows how
/// far the loader read.
class GeneratedText final : public std::streambuf {
 public:
  static constexpr std::uint64_t kEndless = std::numeric_limits<std::uint64_t>::max();

  GeneratedText(std::string head, char fill, std::uint64_t count, std::string tail)
      : head_(std::move(head)), tail_(std::move(tail)), fill_(fill), count_(count), buffer_(64 * 1024, fill) {}
  [[nodiscard]] std::uint64_t produced() const noexcept { return produced_; }

 protected:
  int_type underflow() override {
    // Whole runs at a time: the fill is most of a huge line.
    std::size_t filled = 0;
    while (filled < buffer_.size()) {
      const std::uint64_t at = produced_ + filled;
      const std::size_t room = buffer_.size() - filled;
      if (at < head_.size()) {
        const std::size_t n = std::min<std::uint64_t>(room, head_.size() - at);
        std::copy_n(head_.data() + at, n, buffer_.data() + filled);
        filled += n;
      } else if (count_ == kEndless || at - head_.size() < count_) {
        const std::uint64_t left = count_ == kEndless ? room : count_ - (at - head_.size());
        const std::size_t n = std::min<std::uint64_t>(room, left);
        std::fill_n(buffer_.data() + filled, n, fill_);
        filled += n;
      } else if (at - head_.size() - count_ < tail_.size()) {
        const std::uint64_t from = at - head_.size() - count_;
        const std::size_t n = std::min<std::uint64_t>(room, tail_.size() - from);
        std::copy_n(tail_.data() + from, n, buffer_.data() + filled);
        filled += n;
      } else {
        break;
      }
    }
    if (filled == 0) return traits_type::eof();
    produced_ += filled;
    setg(buffer_.data(), buffer_.data(), buffer_.data() + filled);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  std::string head_;
  std::string tail_;
  char fill_;
  std::uint64_t count_;
  std::string buffer_;
  std::uint64_t produced_ = 0;
};

// The line limit, tried on the reader load_jsonl() uses, with a limit small
// enough to reach quickly (load_jsonl() passes MessageLog::kMaxJsonlLineBytes:
// 256 MiB take a Debug build half a minute to read).
constexpr std::size_t kSmallLimit = 4096;

TEST(HostileLogLength, AnEndlessLineIsRefusedAfterTheLimitWithoutReadingOn) {
  // Never ends: without a bound the reader would read until memory ran out.
  GeneratedText source(R"({"type":"pipescope-log","version":1,"pad":")", 'a', GeneratedText::kEndless, "");
  detail::LogLineReader reader(source, kSmallLimit, MessageLog::kMaxJsonlNesting);
  detail::LogLine line;
  try {
    reader.next(line);
    ADD_FAILURE() << "an endless line was read";
  } catch (const detail::LineProblem& problem) {
    EXPECT_EQ(problem.column, kSmallLimit + 1);
    EXPECT_NE(problem.what.find("longer than 4096 bytes"), std::string::npos) << problem.what;
  }
  EXPECT_EQ(reader.line_number(), 1U);
  // What the stream buffer had handed out when the reader gave up: the
  // limit, rounded up to one 64 KiB buffer.
  EXPECT_LE(source.produced(), kSmallLimit + 64 * 1024);
}

TEST(HostileLogLength, AnEndlessRunOfBlanksIsRefusedToo) {
  GeneratedText source("", ' ', GeneratedText::kEndless, "");
  detail::LogLineReader reader(source, kSmallLimit, MessageLog::kMaxJsonlNesting);
  detail::LogLine line;
  EXPECT_THROW(reader.next(line), detail::LineProblem);
  EXPECT_LE(source.produced(), kSmallLimit + 64 * 1024);
}

TEST(HostileLogLength, ALineOfExactlyTheLimitIsStillRead) {
  // A header padded with spaces to the limit, newline excluded, is a good line.
  const std::string header = R"({"type":"pipescope-log","version":1})";
  GeneratedText source(header, ' ', kSmallLimit - header.size(), "\n" + kEndpoint);
  detail::LogLineReader reader(source, kSmallLimit, MessageLog::kMaxJsonlNesting);
  detail::LogLine line;
  ASSERT_TRUE(reader.next(line));
  EXPECT_TRUE(line.is_object);
  EXPECT_EQ(line.field(detail::LogField::version).value, 1);
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(reader.line_number(), 2U);
  EXPECT_EQ(line.field(detail::LogField::label).value, "l");
  EXPECT_FALSE(reader.next(line));
}

TEST(HostileLogLength, ARecordTooLargeForOneLineIsSavedInPartsAndLoadsWhole) {
  // One send may carry far more than a line of the file can hold
  // (MessageLog::kMaxJsonlRecordPayload); save_jsonl() then writes it in
  // parts, and the file must load with every byte, in order. The writer is
  // driven here with parts of 4 bytes: at the real size one such record
  // takes half a minute to save and load.
  constexpr std::size_t kPart = 4;
  Record record;
  record.time_ns = 42;
  record.endpoint = 1;
  record.direction = Direction::out;
  record.flags = record_flags::message | record_flags::transact;
  const std::string bytes = "0123456789";
  record.length = static_cast<std::uint32_t>(bytes.size());
  std::string text = kHeader + R"({"type":"endpoint","id":1,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n";
  detail::append_record_lines(text, record, as_bytes(bytes), kPart);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 3) << text;

  std::istringstream in(text);
  MessageLog log;
  const Result<void> result = log.load_jsonl(in);
  ASSERT_TRUE(result.ok()) << result.error().detail;
  ASSERT_EQ(log.size(), 3U);
  const std::uint8_t part_flags = record_flags::message | record_flags::transact | record_flags::more_data;
  EXPECT_EQ(log.record(0).flags, part_flags);
  EXPECT_EQ(log.record(1).flags, part_flags);
  EXPECT_EQ(log.record(2).flags, record.flags);
  EXPECT_EQ(log.record(0).length, kPart);
  EXPECT_EQ(log.record(2).length, 2U);
  EXPECT_EQ(log.record(2).time_ns, 42);
  const std::vector<std::byte> whole = log.assemble_message(0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(whole.data()), whole.size()), bytes);
}

TEST(HostileLogLength, ARecordThatFitsOneLineStaysOneLine) {
  Record record;
  record.endpoint = 1;
  record.flags = record_flags::message;
  record.length = 4;
  std::string text;
  detail::append_record_lines(text, record, as_bytes("abcd"), 4);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_EQ(text.find("more-data"), std::string::npos) << text;
}

TEST(HostileLogText, EscapedNulAndUnicodeInALabelAreKept) {
  // Inside a JSON string, \u0000 is a valid way to write a NUL; the label keeps it.
  std::istringstream in(kHeader +
                        R"({"type":"endpoint","id":1,"kind":"client","server":0,"pipe":"p","label":"a\u0000b\u00e9"})"
                        "\n" + record("5"));
  MessageLog log;
  std::optional<Result<void>> result;
  EXPECT_NO_THROW(result.emplace(log.load_jsonl(in)));
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->error().detail;
  ASSERT_TRUE(log.endpoint(1).has_value());
  EXPECT_EQ(log.endpoint(1)->label, std::string("a\0b\xc3\xa9", 5));
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log.record(0).time_ns, 5);
}

TEST(HostileLogText, AStreamThatFailsMidwayIsAnErrorAndTheCaptureStays) {
  // A stream buffer that throws as a failing file does (libstdc++'s filebuf
  // throws from underflow on a read error).
  class Failing final : public std::streambuf {
   protected:
    int_type underflow() override {
      if (served_) throw std::ios_base::failure("read error");
      served_ = true;
      setg(text_.data(), text_.data(), text_.data() + text_.size());
      return traits_type::to_int_type(text_[0]);
    }

   private:
    std::string text_ = kHeader + kEndpoint;
    bool served_ = false;
  } source;
  std::istream in(&source);
  const std::string detail = refused_detail(in);
  EXPECT_EQ(detail.rfind("line 3, column 1: ", 0), 0U) << detail;
  EXPECT_NE(detail.find("failed while reading"), std::string::npos) << detail;
}

}  // namespace
}  // namespace pipescope
