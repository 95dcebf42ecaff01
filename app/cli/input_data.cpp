#include "input_data.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "platform.hpp"

namespace pipescope::cli {
namespace {

/// Excerpts longer than this are cut to a window around the caret, so the
/// caret stays on the screen for a long line of hex.
constexpr std::size_t kExcerptWindow = 72;

bool is_utf8_continuation(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

std::size_t count_characters(std::string_view text) noexcept {
  std::size_t count = 0;
  for (const char c : text) {
    if (!is_utf8_continuation(c)) {
      ++count;
    }
  }
  return count;
}

/// Moves an offset back to the start of the UTF-8 character it is in.
std::size_t character_start(std::string_view text, std::size_t offset) noexcept {
  while (offset > 0 && offset < text.size() && is_utf8_continuation(text[offset])) {
    --offset;
  }
  return offset;
}

}  // namespace

InputCaret caret_at(std::string_view input, std::size_t position) {
  InputCaret caret;
  caret.position = position;
  if (position > input.size()) {
    position = input.size();
  }
  const std::size_t newline_before = position == 0 ? std::string_view::npos : input.rfind('\n', position - 1);
  const std::size_t line_start = newline_before == std::string_view::npos ? 0 : newline_before + 1;
  std::size_t line_end = input.find('\n', line_start);
  if (line_end == std::string_view::npos) {
    line_end = input.size();
  }
  for (std::size_t i = 0; i < line_start; ++i) {
    if (input[i] == '\n') {
      ++caret.line;
    }
  }
  caret.column = count_characters(input.substr(line_start, position - line_start)) + 1;

  // A window of the line that keeps the caret in view.
  std::size_t window_start = line_start;
  std::string prefix;
  if (position - line_start > kExcerptWindow - 8) {
    window_start = character_start(input, position - (kExcerptWindow - 16));
    prefix = "...";
  }
  std::size_t window_end = line_end;
  std::string suffix;
  if (window_end - window_start > kExcerptWindow) {
    window_end = character_start(input, window_start + kExcerptWindow);
    suffix = "...";
  }
  std::string excerpt(input.substr(window_start, window_end - window_start));
  // Tabs and other control characters would move the caret off its mark.
  for (char& c : excerpt) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20U || byte == 0x7FU) {
      c = ' ';
    }
  }
  caret.excerpt = prefix + excerpt + suffix;
  caret.caret_column = prefix.size() + count_characters(input.substr(window_start, position - window_start));
  return caret;
}

std::variant<Bytes, InputProblem> parse_for_sending(std::string_view input, InputFormat format,
                                                    std::string_view source) {
  ParseResult parsed = parse_input(input, format);
  if (parsed.ok) {
    return std::move(parsed.bytes);
  }
  InputCaret caret = caret_at(input, parsed.error.position);
  // Line numbers only help when the input has more than one line.
  const std::string place = input.find('\n') == std::string_view::npos
                                ? fmt::format("column {}", caret.column)
                                : fmt::format("line {}, column {}", caret.line, caret.column);
  Error error = make_error(Errc::bad_input, fmt::format("parse {} input", to_string(format)),
                           fmt::format("{}, {} (byte {}): {}", source, place, parsed.error.position,
                                       parsed.error.message));
  return InputProblem{std::move(error), std::move(caret)};
}

std::size_t max_input_chars(InputFormat format) noexcept {
  return format == InputFormat::text ? kMaxMessageBytes : 8 * kMaxMessageBytes;
}

std::string limit_text(std::size_t limit) {
  return fmt::format("{} MiB ({} bytes)", limit / (1024 * 1024), limit);
}

std::optional<InputProblem> check_message_size(const Bytes& bytes, std::string_view source) {
  if (bytes.size() <= kMaxMessageBytes) {
    return std::nullopt;
  }
  return InputProblem{make_error(Errc::bad_input, "send",
                                 fmt::format("{}: {} bytes is more than {}, the most one message may carry; nothing "
                                             "was sent",
                                             source, bytes.size(), limit_text(kMaxMessageBytes))),
                      std::nullopt};
}

std::variant<std::string, InputProblem> read_input_file(const std::string& path, std::size_t max_chars) {
  const auto problem = [&path](std::string_view why) {
    return InputProblem{make_error(Errc::bad_input, "read file", fmt::format("{}: {}", path, why)), std::nullopt};
  };
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (status_error || !std::filesystem::exists(status)) {
    return problem("no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return problem("is a folder, not a file");
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(open_for_reading(path), &std::fclose);
  if (!in) {
    return problem(fmt::format("cannot be opened: {}", std::generic_category().message(errno)));
  }
  // One character more than the limit tells a file of exactly the limit
  // from a longer one, without reading the rest of a file that never ends.
  std::string content;
  std::array<char, 64 * 1024> buffer{};
  while (content.size() <= max_chars) {
    const std::size_t wanted = std::min(buffer.size(), max_chars + 1 - content.size());
    const std::size_t got = std::fread(buffer.data(), 1, wanted, in.get());
    content.append(buffer.data(), got);
    if (got < wanted) {
      break;  // the end of the file, or an error (below)
    }
  }
  if (std::ferror(in.get()) != 0) {
    return problem("reading failed part-way");
  }
  if (content.size() > max_chars) {
    return problem(fmt::format("the file is more than {}, the most read for one message; nothing was sent",
                               limit_text(max_chars)));
  }
  return content;
}

void report(const Console& console, const InputProblem& problem) {
  if (problem.caret) {
    console.input_error(problem.error, *problem.caret);
  } else {
    console.error(problem.error, "The file with the data to send could not be read; nothing was sent.");
  }
}

}  // namespace pipescope::cli
