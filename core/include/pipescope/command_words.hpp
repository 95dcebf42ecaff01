// A command line as a person types it, turned into the words a child gets
// (its argv), and words turned back into a command line. No shell runs, on
// any platform: the engine starts the program itself. So the split follows
// the quoting rules the user knows from the platform, and nothing more:
//
// POSIX shell rules (what sh does to one simple command's words):
//   - blanks (space, tab, newline) outside quotes separate words;
//   - '…' keeps every character literally, backslashes too; a ' cannot occur inside;
//   - "…" keeps every character, except that a backslash escapes $ ` " \ and
//     newline (a backslash before a newline removes both); before any other
//     character the backslash stays;
//   - a backslash outside quotes makes the next character literal (before a
//     newline it removes both);
//   - '' and "" are empty words;
//   - no expansion of any kind: $, `, ~, *, ? and [ stay as typed;
//   - the shell's operators | & ; < > ( ) outside quotes, and a # that
//     starts a word (a comment), are errors: a shell would act on them, and
//     no shell runs here. Quoted they are ordinary characters.
//
// Windows rules (CommandLineToArgvW, the same as the Microsoft C runtime's
// for the arguments):
//   - the program name, the first word, is either quoted ("C:\Program Files\x.exe",
//     up to the next ", no escapes) or runs to the next space or control
//     character; backslashes in it are literal. A word after a quoted
//     program name starts right after its closing quote, as in
//     CommandLineToArgvW;
//   - after it, spaces and tabs outside quotes separate words; " switches
//     quoting on and off and is not part of the word;
//   - 2n backslashes and a " give n backslashes, and the " switches quoting;
//     2n+1 backslashes and a " give n backslashes and a literal ";
//     backslashes not before a " are literal ("C:\dir\" needs "C:\dir\\");
//   - "" is an empty word; inside quotes "" is not a literal quote (Windows
//     versions differ there): write \" for one;
//   - no expansion: %VAR%, ^ and * stay as typed.
//
// Where PipeScope is stricter than the platform, it says so instead of
// guessing: an unterminated quote is an error (CommandLineToArgvW would take
// the rest of the line), as are a NUL character (no argv can hold one), a
// trailing backslash under the POSIX rules and a " inside an unquoted
// Windows program name (no Windows file name has one). Blanks before the
// program are skipped under both rules (CommandLineToArgvW would make an
// empty program name of them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/error.hpp"

namespace pipescope {

/// Which rules split a command line into words.
enum class CommandRules : std::uint8_t {
  posix_shell,  ///< quotes ' and ", backslash, as sh does; no expansion
  windows,      ///< CommandLineToArgvW: ", backslashes before ", the program name's own rule
};

/// The rules of the platform the engine was built for: POSIX shell rules on
/// POSIX, Windows rules on Windows, where the child's C runtime splits its
/// command line by the same rules again.
[[nodiscard]] CommandRules native_command_rules() noexcept;

/// The words of a command line, or the first error with its byte offset.
struct CommandSplit {
  std::vector<std::string> words;
  bool ok = true;
  ParseError error;  ///< when !ok: where (a byte offset into the line) and why
};

/// Splits `line` (UTF-8; every special character is ASCII, so other text
/// passes through byte for byte) by `rules`. No words for a blank line.
/// Never throws for any input.
[[nodiscard]] CommandSplit split_command_line(std::string_view line, CommandRules rules);

/// A command line that split_command_line(…, rules) splits into exactly
/// `words`; a word that needs no quoting is left as it is. Fails for a word
/// with a NUL character, and under the Windows rules for a program name
/// (the first word) with a ".
[[nodiscard]] Result<std::string> quote_command_line(std::span<const std::string> words, CommandRules rules);

[[nodiscard]] std::string_view to_string(CommandRules rules) noexcept;

}  // namespace pipescope
