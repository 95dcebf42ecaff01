// What a person types, turned into bytes; bytes turned into what a person reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/error.hpp"

namespace pipescope {

using Bytes = std::vector<std::byte>;

/// How a person typed some data.
enum class InputFormat : std::uint8_t {
  text,     ///< taken as it is (UTF-8)
  hex,      ///< "48 65 6c", "48656c", "0x48,0x65", separators: space, tab, newline, ',', ':', '-'
  escaped,  ///< C escapes: \r \n \t \0 \\ \" \' \a \b \f \v \e \xHH \NNN (octal) \uXXXX (UTF-8)
};

/// What goes after a line a person typed as text: a program that reads
/// lines (a shell's `read`, .NET's StreamReader.ReadLine) waits until one
/// comes.
enum class LineEnding : std::uint8_t {
  none,  ///< the bytes exactly as typed
  lf,    ///< "\n", as POSIX programs end lines
  crlf,  ///< "\r\n", as Windows programs end lines
};

/// The bytes of `ending` ("", "\n" or "\r\n").
[[nodiscard]] std::string_view line_ending_bytes(LineEnding ending) noexcept;

/// Where and why parsing stopped.
struct ParseError {
  std::size_t position = 0;  ///< byte offset into the input of the first bad character
  std::string message;       ///< e.g. "odd number of hex digits: the last byte needs two"
};

/// Either the bytes, or the first error with its position.
struct ParseResult {
  Bytes bytes;
  bool ok = true;
  ParseError error;
};

[[nodiscard]] ParseResult parse_input(std::string_view input, InputFormat format);
[[nodiscard]] std::string_view to_string(InputFormat f) noexcept;

/// Classic hex dump, 16 bytes a row: "00000000  48 65 6c 6c 6f 0a           |Hello.|".
/// base_offset is added to the printed offsets.
[[nodiscard]] std::string format_hex_dump(std::span<const std::byte> data, std::uint64_t base_offset = 0);
/// "48 65 6c" (separator between bytes; none for an empty separator).
[[nodiscard]] std::string format_hex(std::span<const std::byte> data, std::string_view separator = " ");
/// Appends "48656c" (two lowercase digits a byte, no separator) to `text`:
/// format_hex(data, "") without a string of its own, for writers of big files.
void append_hex(std::string& text, std::span<const std::byte> data);
/// A C array: "const unsigned char data[5] = {\n  0x48, 0x65, ...\n};", 12 bytes a line.
[[nodiscard]] std::string format_c_array(std::span<const std::byte> data, std::string_view name = "data");
/// Printable ASCII kept, the rest as C escapes; parse_input(..., escaped) is its inverse.
[[nodiscard]] std::string format_escaped(std::span<const std::byte> data);
/// A one-line preview for tables: printable ASCII, other bytes as '.', at most max_chars
/// characters (followed by "…" when cut).
[[nodiscard]] std::string format_preview(std::span<const std::byte> data, std::size_t max_chars = 64);

/// Text from outside (pipe names, socket paths, user names, command lines,
/// labels) made safe to show a person on a terminal or in a widget: control
/// characters (C0, DEL, C1) and the Unicode marks that reorder or break
/// lines (bidirectional overrides and isolates, line and paragraph
/// separators) become escapes ("\n", "\e", "\x7f", "\u202e"); each byte
/// that is not part of valid UTF-8 becomes "\xHH"; everything else,
/// backslashes included (pipe names are full of them), stays as it is. For
/// display only: the exact bytes are what --json and the log keep.
[[nodiscard]] std::string escape_for_display(std::string_view text);

[[nodiscard]] inline std::span<const std::byte> as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
[[nodiscard]] inline Bytes to_bytes(std::string_view s) {
  auto b = as_bytes(s);
  return {b.begin(), b.end()};
}
[[nodiscard]] inline std::string_view as_chars(std::span<const std::byte> b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace pipescope
