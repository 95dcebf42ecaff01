// libFuzzer target: a log query's payload pattern, parsed and matched. The
// first byte picks the kind (text, regular expression, hex), the letter case
// and the encoding; the pattern runs up to the first zero byte and the rest
// is a payload. Any pattern compiles or is refused as bad input with a
// position inside it; a compiled one answers for any payload, and a text or
// hex pattern matches exactly where its bytes occur.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "pipescope/codec.hpp"
#include "pipescope/log.hpp"
#include "pipescope/log_query.hpp"

namespace {

void require(bool condition) {
  // A broken property is a crash, which libFuzzer saves as a reproducer.
  if (!condition) std::abort();
}

/// The number after "position " in an error's detail.
std::size_t error_position(const std::string& detail) {
  constexpr std::string_view kPrefix = "position ";
  require(detail.compare(0, kPrefix.size(), kPrefix) == 0);
  return static_cast<std::size_t>(std::strtoull(detail.c_str() + kPrefix.size(), nullptr, 10));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipescope;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t end = input.find('\0');
  const std::string_view pattern_text = input.substr(0, end);
  const std::string_view payload = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);

  LogQuery query;
  query.pattern.kind = static_cast<PatternKind>(1 + data[0] % 3);
  query.pattern.case_sensitive = (data[0] & 0x10) == 0;
  query.pattern.encoding = (data[0] & 0x20) == 0 ? PatternEncoding::latin1 : PatternEncoding::utf8;
  query.pattern.text = std::string(pattern_text);
  const PatternKind kind = query.pattern.kind;
  const bool case_sensitive = query.pattern.case_sensitive;

  auto filter = LogFilter::compile(std::move(query));
  if (!filter) {
    require(filter.error().errc() == Errc::bad_input);
    require(kind != PatternKind::text);
    require(error_position(filter.error().detail) <= pattern_text.size());
    return 0;
  }
  MessageLog log;
  log.append(1, Direction::in, as_bytes(payload));
  QueryMatches matches(log, std::make_shared<const LogFilter>(std::move(filter).value()));
  matches.extend();
  require(matches.scanned_rows() == 1);
  const bool matched = matches.size() == 1;
  if (kind == PatternKind::text && case_sensitive) {
    require(matched == (payload.find(pattern_text) != std::string_view::npos));
  }
  if (kind == PatternKind::hex) {
    const ParseResult needle = parse_input(pattern_text, InputFormat::hex);
    require(needle.ok);
    require(matched == (payload.find(as_chars(needle.bytes)) != std::string_view::npos));
  }
  return 0;
}
