// Splitting a typed command line into a child's words, and quoting words
// back into a line. The rules are written out in command_words.hpp; this
// file follows them one character at a time, so that every branch is one
// sentence of those rules.
#include "pipescope/command_words.hpp"

#include <utility>

namespace pipescope {

namespace {

CommandSplit failure(std::size_t position, std::string message) {
  CommandSplit split;
  split.ok = false;
  split.error = ParseError{position, std::move(message)};
  return split;
}

/// The words so far and the one being read. A word exists as soon as any
/// part of it was read, a pair of quotes included, so that '' and "" give
/// empty words while blanks alone give none.
class WordCollector {
 public:
  void add(char c) {
    current_.push_back(c);
    started_ = true;
  }
  void add(std::string_view text) {
    current_.append(text);
    started_ = true;
  }
  void start() { started_ = true; }
  [[nodiscard]] bool started() const noexcept { return started_; }
  void finish() {
    if (!started_) return;
    words_.push_back(std::move(current_));
    current_.clear();
    started_ = false;
  }
  [[nodiscard]] CommandSplit result() && {
    finish();
    CommandSplit split;
    split.words = std::move(words_);
    return split;
  }

 private:
  std::vector<std::string> words_;
  std::string current_;
  bool started_ = false;
};

// ------------------------------------------------------------------ POSIX

bool is_posix_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\n'; }

bool is_shell_operator(char c) noexcept {
  return c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')';
}

/// Inside double quotes a backslash escapes only these; before anything
/// else it is an ordinary character.
bool escapable_in_double_quotes(char c) noexcept { return c == '$' || c == '`' || c == '"' || c == '\\'; }

CommandSplit split_posix(std::string_view line) {
  WordCollector words;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_posix_blank(c)) {
      words.finish();
      ++i;
    } else if (c == '\\') {
      if (i + 1 == line.size()) {
        return failure(i, "a backslash at the end has nothing to escape (write \\\\ for a backslash)");
      }
      // A backslash and a newline are a line continuation: both go, and no
      // word starts because of them.
      if (line[i + 1] != '\n') words.add(line[i + 1]);
      i += 2;
    } else if (c == '\'') {
      const std::size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) return failure(i, "this single quote (') is never closed");
      words.add(line.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      std::size_t j = i + 1;
      words.start();
      while (j < line.size() && line[j] != '"') {
        if (line[j] == '\\' && j + 1 < line.size() && line[j + 1] == '\n') {
          j += 2;
        } else if (line[j] == '\\' && j + 1 < line.size() && escapable_in_double_quotes(line[j + 1])) {
          words.add(line[j + 1]);
          j += 2;
        } else {
          words.add(line[j]);
          ++j;
        }
      }
      if (j == line.size()) return failure(i, "this double quote (\") is never closed");
      i = j + 1;
    } else if (is_shell_operator(c)) {
      return failure(i, std::string("an unquoted ") + c +
                            " is a shell operator, and no shell runs here: quote it, or run sh -c '…'");
    } else if (c == '#' && !words.started()) {
      return failure(i, "a # that starts a word begins a shell's comment, and no shell runs here: quote it");
    } else {
      words.add(c);
      ++i;
    }
  }
  return std::move(words).result();
}

/// Characters that mean nothing to a shell anywhere in a word, so a word
/// made only of them needs no quotes. Bytes of UTF-8 text beyond ASCII are
/// ordinary characters to a shell too.
bool posix_plain(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

void append_posix_word(std::string& line, std::string_view word) {
  bool plain = !word.empty();
  for (char c : word) plain = plain && posix_plain(c);
  if (plain) {
    line.append(word);
    return;
  }
  // Single quotes keep everything; a single quote itself closes them, is
  // written escaped, and they open again.
  line.push_back('\'');
  for (char c : word) {
    if (c == '\'') {
      line.append("'\\''");
    } else {
      line.push_back(c);
    }
  }
  line.push_back('\'');
}

// ---------------------------------------------------------------- Windows

bool is_windows_blank(char c) noexcept { return c == ' ' || c == '\t'; }

/// An unquoted program name ends at any control character or space, not
/// only at the blanks that separate the arguments after it.
bool ends_windows_program(char c) noexcept { return static_cast<unsigned char>(c) <= 0x20; }

/// First the program name by its own rule (quoted up to the next quote, or
/// up to the next blank), then the arguments by CommandLineToArgvW's.
CommandSplit split_windows(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && is_windows_blank(line[i])) ++i;
  if (i == line.size()) return CommandSplit{};

  WordCollector words;
  if (line[i] == '"') {
    const std::size_t close = line.find('"', i + 1);
    if (close == std::string_view::npos) return failure(i, "the program name's double quote (\") is never closed");
    words.add(line.substr(i + 1, close - i - 1));
    i = close + 1;
  } else {
    std::size_t end = i;
    while (end < line.size() && !ends_windows_program(line[end])) ++end;
    const std::string_view name = line.substr(i, end - i);
    if (const std::size_t quote = name.find('"'); quote != std::string_view::npos) {
      return failure(i + quote,
                     "a double quote inside the program name: no Windows file name has one; quote the whole "
                     "name instead (\"C:\\Program Files\\app.exe\")");
    }
    words.add(name);
    i = end;
  }
  words.finish();

  bool quoted = false;
  std::size_t quote_start = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_windows_blank(c) && !quoted) {
      words.finish();
      ++i;
    } else if (c == '\\') {
      std::size_t end = i;
      while (end < line.size() && line[end] == '\\') ++end;
      const std::size_t count = end - i;
      if (end < line.size() && line[end] == '"') {
        // Before a quote, each pair is one backslash; an odd one left over
        // makes the quote literal, else the quote is read next, as a switch.
        words.add(std::string(count / 2, '\\'));
        if (count % 2 == 1) {
          words.add('"');
          ++end;
        }
      } else {
        words.add(std::string(count, '\\'));
      }
      i = end;
    } else if (c == '"') {
      quoted = !quoted;
      if (quoted) quote_start = i;
      words.start();
      ++i;
    } else {
      words.add(c);
      ++i;
    }
  }
  if (quoted) return failure(quote_start, "this double quote (\") is never closed");
  return std::move(words).result();
}

bool windows_plain_argument(std::string_view word) noexcept {
  // Newline and vertical tab are no separators to CommandLineToArgvW, but
  // other parsers of a command line treat them as blanks: quoted, they are
  // safe with every one.
  return !word.empty() && word.find_first_of(" \t\n\v\"") == std::string_view::npos;
}

void append_windows_argument(std::string& line, std::string_view word) {
  if (windows_plain_argument(word)) {
    line.append(word);
    return;
  }
  line.push_back('"');
  std::size_t backslashes = 0;
  for (char c : word) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    // Backslashes before a quote escape: double them, and escape the quote
    // with one more. Elsewhere they are literal and stay as they are.
    if (c == '"') {
      line.append(backslashes * 2 + 1, '\\');
    } else {
      line.append(backslashes, '\\');
    }
    backslashes = 0;
    line.push_back(c);
  }
  // The closing quote follows: backslashes before it are doubled.
  line.append(backslashes * 2, '\\');
  line.push_back('"');
}

Result<void> append_windows_program(std::string& line, std::string_view word) {
  if (word.find('"') != std::string_view::npos) {
    return make_error(Errc::invalid_parameter, "quote the command line",
                      "a program name cannot contain a double quote on Windows");
  }
  // The program name has no escapes: quotes around it, or none.
  bool plain = !word.empty();
  for (char c : word) plain = plain && !ends_windows_program(c);
  if (!plain) {
    line.push_back('"');
    line.append(word);
    line.push_back('"');
  } else {
    line.append(word);
  }
  return {};
}

}  // namespace

CommandSplit split_command_line(std::string_view line, CommandRules rules) {
  // No argument of a program can hold a NUL: the OS takes them as C strings.
  if (const std::size_t nul = line.find('\0'); nul != std::string_view::npos) {
    return failure(nul, "a NUL character cannot be part of a command line");
  }
  return rules == CommandRules::windows ? split_windows(line) : split_posix(line);
}

Result<std::string> quote_command_line(std::span<const std::string> words, CommandRules rules) {
  std::string line;
  for (std::size_t index = 0; index < words.size(); ++index) {
    const std::string& word = words[index];
    if (word.find('\0') != std::string::npos) {
      return make_error(Errc::invalid_parameter, "quote the command line",
                        "argument " + std::to_string(index) + " contains a NUL character");
    }
    if (index > 0) line.push_back(' ');
    if (rules == CommandRules::posix_shell) {
      append_posix_word(line, word);
    } else if (index == 0) {
      if (auto appended = append_windows_program(line, word); !appended) return std::move(appended).error();
    } else {
      append_windows_argument(line, word);
    }
  }
  return line;
}

std::string_view to_string(CommandRules rules) noexcept {
  return rules == CommandRules::windows ? "Windows (CommandLineToArgvW)" : "POSIX shell";
}

}  // namespace pipescope
