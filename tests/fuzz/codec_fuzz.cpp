// libFuzzer target: the codec parser (text, hex, C escapes) and its round
// trips. The first byte picks the format, the rest is what a person typed.
// Any input gives bytes or an error with a position inside the input; what
// format_hex() and format_escaped() write parses back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipescope/codec.hpp"

namespace {

void require(bool condition) {
  // A broken property is a crash, which libFuzzer saves as a reproducer.
  if (!condition) std::abort();
}

void check_round_trips(std::span<const std::byte> bytes) {
  using namespace pipescope;
  const ParseResult from_hex = parse_input(format_hex(bytes), InputFormat::hex);
  require(from_hex.ok && from_hex.bytes == Bytes(bytes.begin(), bytes.end()));
  const ParseResult from_tight_hex = parse_input(format_hex(bytes, ""), InputFormat::hex);
  require(from_tight_hex.ok && from_tight_hex.bytes == Bytes(bytes.begin(), bytes.end()));
  const ParseResult from_escaped = parse_input(format_escaped(bytes), InputFormat::escaped);
  require(from_escaped.ok && from_escaped.bytes == Bytes(bytes.begin(), bytes.end()));
  // The display forms must not crash either.
  (void)format_hex_dump(bytes, 0xFFFFFFFFFFFFFF00ULL);
  (void)format_c_array(bytes);
  (void)format_preview(bytes, 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipescope;
  if (size == 0) return 0;
  const auto format = static_cast<InputFormat>(data[0] % 3);
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const ParseResult result = parse_input(input, format);
  if (result.ok) {
    if (format == InputFormat::text) require(as_chars(result.bytes) == input);
    check_round_trips(result.bytes);
  } else {
    require(result.error.position <= input.size());
    require(!result.error.message.empty());
  }
  // Whatever was typed, taken as raw bytes, survives the round trips.
  check_round_trips(as_bytes(input));
  return 0;
}
