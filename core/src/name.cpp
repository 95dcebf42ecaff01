// Pipe names: what a person may type, and the one canonical form the engine
// works with. A name that cannot be used is refused with the reason; it is
// never shortened or repaired behind the person's back.
#include "pipescope/name.hpp"

#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

namespace pipescope {
namespace {

constexpr std::string_view kOperation = "parse pipe name";

bool is_separator(char c) noexcept { return c == '\\' || c == '/'; }

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The name as it can be shown inside a one-line message: control characters
// become \xHH so that a NUL or a newline cannot hide or break the message.
std::string printable(std::string_view text) {
  std::string shown;
  shown.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      shown += fmt::format("\\x{:02x}", byte);
    } else {
      shown += c;
    }
  }
  return shown;
}

Error name_error(Errc code, std::string detail) {
  return make_error(code, std::string(kOperation), std::move(detail));
}

struct Utf8Scan {
  bool valid = true;
  std::size_t bad_offset = 0;       // offset of the first byte that is not valid UTF-8
  std::size_t utf16_units = 0;      // the length Windows sees once the name is UTF-16
};

// Checks that text is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF) and counts the UTF-16 code units it becomes, which
// is what Windows' 256-character limit counts.
Utf8Scan scan_utf8(std::string_view text) noexcept {
  Utf8Scan scan;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xbf;
    if (lead < 0x80) {
      length = 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) min_second = 0xa0;  // shorter forms are overlong
      if (lead == 0xed) max_second = 0x9f;  // above are the UTF-16 surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) min_second = 0x90;  // shorter forms are overlong
      if (lead == 0xf4) max_second = 0x8f;  // above is beyond U+10FFFF
    } else {
      scan.valid = false;
      scan.bad_offset = i;
      return scan;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if (i + k >= text.size()) {
        scan.valid = false;
        scan.bad_offset = i + k;
        return scan;
      }
      const auto next = static_cast<unsigned char>(text[i + k]);
      const unsigned char low = k == 1 ? min_second : 0x80;
      const unsigned char high = k == 1 ? max_second : 0xbf;
      if (next < low || next > high) {
        scan.valid = false;
        scan.bad_offset = i + k;
        return scan;
      }
    }
    // A four-byte sequence lies beyond the Basic Multilingual Plane and
    // becomes a surrogate pair in UTF-16.
    scan.utf16_units += length == 4 ? 2 : 1;
    i += length;
  }
  return scan;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

Result<PipeName> PipeName::parse(std::string_view text) {
  if (text.empty()) {
    return name_error(Errc::name_empty, "\"\" is empty; give a pipe name such as \\\\.\\pipe\\demo or demo");
  }
  // The OS calls take NUL-terminated strings, so everything after a NUL would
  // be silently dropped.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return name_error(Errc::invalid_name,
                      fmt::format("\"{}\" contains a NUL character at position {}", printable(text), nul));
  }

  const bool has_prefix = text.size() >= 2 && is_separator(text[0]) && is_separator(text[1]);

  if (!has_prefix && text.front() == '/') {
    // A socket path is bytes to the kernel: no UTF-8 rule, and its length is
    // counted in bytes.
    if (text.size() > kMaxPipeNameLength) {
      return name_error(Errc::filename_exceeds_range,
                        fmt::format("of {} bytes: a socket path may have at most {}", text.size(), kMaxPipeNameLength));
    }
    PipeName name;
    name.kind_ = Kind::path;
    name.leaf_ = std::string(text);
    return name;
  }

  PipeName name;
  name.kind_ = Kind::pipe;
  std::size_t leaf_start = 0;

  if (has_prefix) {
    const std::size_t server_start = 2;
    const std::size_t server_end = text.find_first_of("\\/", server_start);
    if (server_end == std::string_view::npos) {
      return name_error(Errc::name_bad_prefix,
                        fmt::format("\"{}\" starts with \\\\ but has no \\pipe\\ after the server; write "
                                    "\\\\.\\pipe\\Name (a socket path starts with a single '/')",
                                    printable(text)));
    }
    if (server_end == server_start) {
      return name_error(Errc::name_server_empty,
                        fmt::format("\"{}\" has no server between \\\\ and the separator at position {}; write "
                                    "'.' for this computer",
                                    printable(text), server_end));
    }
    const std::size_t pipe_start = server_end + 1;
    constexpr std::string_view kPipeWord = "pipe";
    const bool pipe_word_follows = text.size() > pipe_start + kPipeWord.size() &&
                                   iequals(text.substr(pipe_start, kPipeWord.size()), kPipeWord) &&
                                   is_separator(text[pipe_start + kPipeWord.size()]);
    if (!pipe_word_follows) {
      return name_error(Errc::name_bad_prefix,
                        fmt::format("\"{}\" needs \\pipe\\ after the server, at position {}; write "
                                    "\\\\{}\\pipe\\Name (a socket path starts with a single '/')",
                                    printable(text), server_end, printable(text.substr(server_start, server_end - server_start))));
    }
    name.server_ = std::string(text.substr(server_start, server_end - server_start));
    leaf_start = pipe_start + kPipeWord.size() + 1;
    if (leaf_start == text.size()) {
      return name_error(Errc::name_empty, fmt::format("\"{}\" has no name after \\pipe\\", printable(text)));
    }
  } else {
    name.server_ = ".";
  }

  const std::string_view leaf = text.substr(leaf_start);
  if (const std::size_t backslash = leaf.find('\\'); backslash != std::string_view::npos) {
    const std::size_t position = leaf_start + backslash;
    const std::string_view hint = has_prefix ? "the part after \\pipe\\ cannot contain one"
                                             : "a name cannot contain one (a full name starts with \\\\.\\pipe\\)";
    return name_error(Errc::name_has_backslash,
                      fmt::format("\"{}\" has a backslash at position {}; {}", printable(text), position, hint));
  }

  // Windows converts the name to UTF-16; bytes that are not UTF-8 would come
  // out as replacement characters, which is a different name.
  const Utf8Scan server_scan = scan_utf8(name.server_);
  if (!server_scan.valid) {
    return name_error(Errc::invalid_name, fmt::format("\"{}\" is not valid UTF-8 at position {}", printable(text),
                                                      2 + server_scan.bad_offset));
  }
  const Utf8Scan leaf_scan = scan_utf8(leaf);
  if (!leaf_scan.valid) {
    return name_error(Errc::invalid_name, fmt::format("\"{}\" is not valid UTF-8 at position {}", printable(text),
                                                      leaf_start + leaf_scan.bad_offset));
  }

  // "\\" + server + "\pipe\" + leaf, counted as Windows counts it.
  const std::size_t full_length = 2 + server_scan.utf16_units + 6 + leaf_scan.utf16_units;
  if (full_length > kMaxPipeNameLength) {
    return name_error(Errc::filename_exceeds_range,
                      fmt::format("of {} characters (\\\\{}\\pipe\\ included): a pipe name may have at most {}",
                                  full_length, printable(name.server_), kMaxPipeNameLength));
  }

  name.leaf_ = std::string(leaf);
  return name;
}

std::string PipeName::full() const {
  if (kind_ == Kind::path) return leaf_;
  std::string text;
  text.reserve(2 + server_.size() + 6 + leaf_.size());
  text += "\\\\";
  text += server_;
  text += "\\pipe\\";
  text += leaf_;
  return text;
}

bool operator==(const PipeName& a, const PipeName& b) noexcept {
  if (a.kind_ != b.kind_) return false;
  if (a.kind_ == PipeName::Kind::path) return a.leaf_ == b.leaf_;
  return iequals(a.server_, b.server_) && iequals(a.leaf_, b.leaf_);
}

}  // namespace pipescope
