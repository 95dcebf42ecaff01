// Hex digits as the codec reads them, for core's own formats (the saved
// log's "hex" field): two digits a byte, no separators.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace pipescope::detail {

/// Decodes `hex` (an even number of digits, either case) into `bytes`,
/// replacing what it held. Returns the position of the first character that
/// is not a hex digit, or nullopt when every one is.
[[nodiscard]] std::optional<std::size_t> decode_hex_digits(std::string_view hex, std::vector<std::byte>& bytes);

}  // namespace pipescope::detail
