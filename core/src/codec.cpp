// Turning typed text into bytes (text, hex, C escapes) and bytes into text
// for people (hex dump, hex string, C array, escapes, one-line preview).
// A parse stops at the first problem and reports where it is; it never
// guesses what was meant.
#include "pipescope/codec.hpp"

#include "codec_hex.hpp"
#include "pipescope/vocabulary.hpp"

#include <fmt/format.h>

namespace pipescope {
namespace {

bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_octal_digit(char c) noexcept { return c >= '0' && c <= '7'; }

bool is_printable_ascii(unsigned char byte) noexcept { return byte >= 0x20 && byte <= 0x7e; }

// Carriage return counts as part of a newline so that text pasted with
// Windows line ends parses the same as with Unix ones.
bool is_hex_separator(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '-';
}

// A character as it can be named in a message: 'g' for printable ASCII, the
// byte value otherwise (a control character or part of a UTF-8 sequence).
std::string describe_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (is_printable_ascii(byte)) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", byte);
}

ParseResult failure(std::size_t position, std::string message) {
  ParseResult result;
  result.ok = false;
  result.error.position = position;
  result.error.message = std::move(message);
  return result;
}

void push_byte(Bytes& out, unsigned value) { out.push_back(static_cast<std::byte>(value & 0xffU)); }

ParseResult parse_hex(std::string_view input) {
  ParseResult result;
  result.bytes.reserve(input.size() / 2);
  // A "0x" prefix is recognised only where a new group of digits begins, so
  // that "400x41" is an error rather than two bytes.
  bool at_group_start = true;
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    if (is_hex_separator(c)) {
      at_group_start = true;
      ++i;
      continue;
    }
    if (at_group_start && c == '0' && i + 1 < input.size() && (input[i + 1] == 'x' || input[i + 1] == 'X')) {
      at_group_start = false;
      if (i + 2 >= input.size() || is_hex_separator(input[i + 2])) {
        return failure(i, fmt::format("\"{}\" must be followed by hex digits", input.substr(i, 2)));
      }
      i += 2;
      continue;
    }
    at_group_start = false;
    if (!is_hex_digit(c)) {
      return failure(i, fmt::format("{} is not a hex digit or a separator (space, tab, newline, ',', ':', '-')",
                                    describe_char(c)));
    }
    if (i + 1 >= input.size()) {
      return failure(i, "odd number of hex digits: the last byte needs two");
    }
    const char second = input[i + 1];
    if (is_hex_separator(second)) {
      return failure(i, fmt::format("hex digit '{}' stands alone: every byte needs two digits", c));
    }
    if (!is_hex_digit(second)) {
      return failure(i + 1, fmt::format("{} is not a hex digit or a separator (space, tab, newline, ',', ':', '-')",
                                        describe_char(second)));
    }
    push_byte(result.bytes, static_cast<unsigned>(hex_value(c) * 16 + hex_value(second)));
    i += 2;
  }
  return result;
}

void append_utf8(Bytes& out, unsigned code_point) {
  if (code_point < 0x80) {
    push_byte(out, code_point);
  } else if (code_point < 0x800) {
    push_byte(out, 0xc0U | (code_point >> 6));
    push_byte(out, 0x80U | (code_point & 0x3fU));
  } else {
    push_byte(out, 0xe0U | (code_point >> 12));
    push_byte(out, 0x80U | ((code_point >> 6) & 0x3fU));
    push_byte(out, 0x80U | (code_point & 0x3fU));
  }
}

// Escape errors are reported at the backslash that starts the escape.
ParseResult parse_escaped(std::string_view input) {
  ParseResult result;
  result.bytes.reserve(input.size());
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    if (c != '\\') {
      push_byte(result.bytes, static_cast<unsigned char>(c));
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (start + 1 >= input.size()) {
      return failure(start, "a backslash at the end starts no escape; write \\\\ for a backslash");
    }
    const char kind = input[start + 1];
    unsigned simple = 0x100;  // not a one-letter escape
    switch (kind) {
      case 'r': simple = 0x0d; break;
      case 'n': simple = 0x0a; break;
      case 't': simple = 0x09; break;
      case '\\': simple = '\\'; break;
      case '"': simple = '"'; break;
      case '\'': simple = '\''; break;
      case 'a': simple = 0x07; break;
      case 'b': simple = 0x08; break;
      case 'f': simple = 0x0c; break;
      case 'v': simple = 0x0b; break;
      case 'e': simple = 0x1b; break;
      default: break;
    }
    if (simple < 0x100) {
      push_byte(result.bytes, simple);
      i = start + 2;
      continue;
    }
    if (is_octal_digit(kind)) {
      // \0 is the one-digit case of \NNN: up to three octal digits.
      unsigned value = 0;
      std::size_t end = start + 1;
      while (end < input.size() && end < start + 4 && is_octal_digit(input[end])) {
        value = value * 8 + static_cast<unsigned>(input[end] - '0');
        ++end;
      }
      if (value > 0xff) {
        return failure(start, fmt::format("octal escape \\{} is above \\377, the largest byte",
                                          input.substr(start + 1, end - start - 1)));
      }
      push_byte(result.bytes, value);
      i = end;
      continue;
    }
    if (kind == 'x') {
      // One or two hex digits, never more: "\x41BC" is 'A' followed by "BC",
      // unlike C, where the escape would swallow every hex digit.
      unsigned value = 0;
      std::size_t end = start + 2;
      while (end < input.size() && end < start + 4 && is_hex_digit(input[end])) {
        value = value * 16 + static_cast<unsigned>(hex_value(input[end]));
        ++end;
      }
      if (end == start + 2) return failure(start, "\\x needs one or two hex digits after it");
      push_byte(result.bytes, value);
      i = end;
      continue;
    }
    if (kind == 'u') {
      unsigned value = 0;
      std::size_t end = start + 2;
      while (end < input.size() && end < start + 6 && is_hex_digit(input[end])) {
        value = value * 16 + static_cast<unsigned>(hex_value(input[end]));
        ++end;
      }
      if (end != start + 6) return failure(start, "\\u needs exactly four hex digits after it");
      if (value >= 0xd800 && value <= 0xdfff) {
        return failure(start, fmt::format("\\u{} is a UTF-16 surrogate, not a character; type the character "
                                          "itself or its UTF-8 bytes as \\x escapes",
                                          input.substr(start + 2, 4)));
      }
      append_utf8(result.bytes, value);
      i = end;
      continue;
    }
    constexpr std::string_view kKnownEscapes = "known: \\r \\n \\t \\0 \\\\ \\\" \\' \\a \\b \\f \\v \\e \\xHH \\NNN \\uXXXX";
    if (is_printable_ascii(static_cast<unsigned char>(kind))) {
      return failure(start, fmt::format("unknown escape \\{}; {}", kind, kKnownEscapes));
    }
    return failure(start, fmt::format("unknown escape: a backslash followed by {}; {}", describe_char(kind), kKnownEscapes));
  }
  return result;
}

// A C identifier made from the requested name: other characters become '_'
// and a leading digit gets a '_' in front, so the output always compiles.
std::string c_identifier(std::string_view name) {
  if (name.empty()) return "data";
  std::string identifier;
  if (name.front() >= '0' && name.front() <= '9') identifier += '_';
  for (const char c : name) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    identifier += word ? c : '_';
  }
  return identifier;
}

constexpr std::size_t kDumpRowBytes = 16;
constexpr std::size_t kCArrayRowBytes = 12;

}  // namespace

ParseResult parse_input(std::string_view input, InputFormat format) {
  switch (format) {
    case InputFormat::text: {
      ParseResult result;
      result.bytes = to_bytes(input);
      return result;
    }
    case InputFormat::hex:
      return parse_hex(input);
    case InputFormat::escaped:
      return parse_escaped(input);
  }
  return failure(0, fmt::format("unknown input format {}", static_cast<int>(format)));
}

std::string_view to_string(InputFormat f) noexcept { return word_of(f); }

std::string_view line_ending_bytes(LineEnding ending) noexcept {
  switch (ending) {
    case LineEnding::none:
      return {};
    case LineEnding::lf:
      return "\n";
    case LineEnding::crlf:
      return "\r\n";
  }
  return {};
}

std::string format_hex_dump(std::span<const std::byte> data, std::uint64_t base_offset) {
  std::string out;
  // The layout of "hexdump -C": offset, two spaces, 16 bytes with an extra
  // space after the eighth, a space, then the text between bars. A short last
  // row is padded so that its text column lines up with the rows above.
  out.reserve((data.size() / kDumpRowBytes + 1) * 80);
  for (std::size_t row = 0; row < data.size(); row += kDumpRowBytes) {
    out += fmt::format("{:08x}  ", base_offset + row);
    for (std::size_t k = 0; k < kDumpRowBytes; ++k) {
      if (k == kDumpRowBytes / 2) out += ' ';
      if (row + k < data.size()) {
        out += fmt::format("{:02x} ", std::to_integer<unsigned>(data[row + k]));
      } else {
        out += "   ";
      }
    }
    out += " |";
    for (std::size_t k = 0; k < kDumpRowBytes && row + k < data.size(); ++k) {
      const auto byte = std::to_integer<unsigned char>(data[row + k]);
      out += is_printable_ascii(byte) ? static_cast<char>(byte) : '.';
    }
    out += "|\n";
  }
  return out;
}

void append_hex(std::string& text, std::span<const std::byte> data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t start = text.size();
  text.resize(start + data.size() * 2);
  char* out = text.data() + start;
  for (const std::byte b : data) {
    const auto value = std::to_integer<unsigned>(b);
    *out++ = kDigits[value >> 4];
    *out++ = kDigits[value & 0xF];
  }
}

std::string format_hex(std::span<const std::byte> data, std::string_view separator) {
  std::string out;
  if (separator.empty()) {
    append_hex(out, data);
    return out;
  }
  out.reserve(data.size() * (2 + separator.size()));
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i != 0) out += separator;
    append_hex(out, data.subspan(i, 1));
  }
  return out;
}

std::string format_c_array(std::span<const std::byte> data, std::string_view name) {
  const std::string identifier = c_identifier(name);
  if (data.empty()) {
    // Standard C and C++ have no zero-length arrays; say so instead of
    // emitting code that does not compile.
    return fmt::format("const unsigned char {}[1] = {{0}}; /* no data: 0 bytes */", identifier);
  }
  std::string out = fmt::format("const unsigned char {}[{}] = {{\n", identifier, data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i % kCArrayRowBytes == 0) {
      out += i == 0 ? "  " : ",\n  ";
    } else {
      out += ", ";
    }
    out += fmt::format("0x{:02x}", std::to_integer<unsigned>(data[i]));
  }
  out += "\n};";
  return out;
}

std::string format_escaped(std::span<const std::byte> data) {
  std::string out;
  out.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto byte = std::to_integer<unsigned char>(data[i]);
    switch (byte) {
      case '\\': out += "\\\\"; continue;
      case 0x0d: out += "\\r"; continue;
      case 0x0a: out += "\\n"; continue;
      case 0x09: out += "\\t"; continue;
      case 0x07: out += "\\a"; continue;
      case 0x08: out += "\\b"; continue;
      case 0x0c: out += "\\f"; continue;
      case 0x0b: out += "\\v"; continue;
      case 0x1b: out += "\\e"; continue;
      case 0x00: {
        // "\0" followed by an octal digit would read back as one octal
        // escape, so a NUL before a digit is written in hex.
        const bool digit_follows =
            i + 1 < data.size() && is_octal_digit(static_cast<char>(std::to_integer<unsigned char>(data[i + 1])));
        out += digit_follows ? "\\x00" : "\\0";
        continue;
      }
      default:
        break;
    }
    if (is_printable_ascii(byte)) {
      out += static_cast<char>(byte);
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  return out;
}

std::string format_preview(std::span<const std::byte> data, std::size_t max_chars) {
  const bool cut = data.size() > max_chars;
  const std::size_t shown = cut ? max_chars : data.size();
  std::string out;
  out.reserve(shown + 3);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = std::to_integer<unsigned char>(data[i]);
    out += is_printable_ascii(byte) ? static_cast<char>(byte) : '.';
  }
  if (cut) out += "\xe2\x80\xa6";  // U+2026 HORIZONTAL ELLIPSIS in UTF-8
  return out;
}

namespace {

/// The length of the valid UTF-8 sequence at text[i] and its code point, or
/// 0 when the byte there starts none (stray continuation, overlong form,
/// surrogate, beyond U+10FFFF, cut short).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& code) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned lead = byte(i);
  std::size_t length = 0;
  unsigned low = 0x80;
  unsigned high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0FU;
    if (lead == 0xE0) low = 0xA0;   // overlong below U+0800
    if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07U;
    if (lead == 0xF0) low = 0x90;   // overlong below U+10000
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned next = byte(i + k);
    if (next < (k == 1 ? low : 0x80U) || next > (k == 1 ? high : 0xBFU)) return 0;
    code = (code << 6) | (next & 0x3FU);
  }
  return length;
}

/// Code points that change how the text around them is laid out: C1
/// controls, bidirectional marks, overrides and isolates ("Trojan Source"),
/// line and paragraph separators, and the byte order mark.
bool is_layout_control(char32_t code) {
  return (code >= 0x80 && code <= 0x9F) || code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069) || code == 0x2028 || code == 0x2029 || code == 0x061C || code == 0xFEFF;
}

}  // namespace

std::string escape_for_display(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      switch (byte) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case 0x1b: out += "\\e"; break;
        default:
          if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
          } else {
            out += static_cast<char>(byte);
          }
      }
      ++i;
      continue;
    }
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, i, code);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", byte);
      ++i;
    } else if (is_layout_control(code)) {
      out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(code));
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

namespace detail {

std::optional<std::size_t> decode_hex_digits(std::string_view hex, std::vector<std::byte>& bytes) {
  bytes.resize(hex.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char high = hex[2 * i];
    const char low = hex[2 * i + 1];
    if (!is_hex_digit(high)) return 2 * i;
    if (!is_hex_digit(low)) return 2 * i + 1;
    bytes[i] = static_cast<std::byte>(hex_value(high) * 16 + hex_value(low));
  }
  return std::nullopt;
}

}  // namespace detail

}  // namespace pipescope
