// Splitting a typed command line into a child's words, by the POSIX shell's
// rules and by CommandLineToArgvW's, and quoting words back. Both rule sets
// are tested on every platform: the function takes the rules as a value.
#include "pipescope/command_words.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pipescope {
namespace {

using Words = std::vector<std::string>;

struct Case {
  const char* line;
  Words words;
};

void expect_words(CommandRules rules, const Case& c) {
  const CommandSplit split = split_command_line(c.line, rules);
  ASSERT_TRUE(split.ok) << "[" << c.line << "]: " << split.error.message << " at " << split.error.position;
  EXPECT_EQ(split.words, c.words) << "[" << c.line << "]";
  // Quoting the words gives a line that splits into them again.
  auto quoted = quote_command_line(split.words, rules);
  ASSERT_TRUE(quoted.ok()) << quoted.error().summary();
  const CommandSplit again = split_command_line(*quoted, rules);
  ASSERT_TRUE(again.ok) << "[" << *quoted << "]: " << again.error.message;
  EXPECT_EQ(again.words, c.words) << "quoted as [" << *quoted << "]";
}

void expect_error(CommandRules rules, const char* line, std::size_t position, const char* says) {
  const CommandSplit split = split_command_line(line, rules);
  ASSERT_FALSE(split.ok) << "[" << line << "] split into " << split.words.size() << " word(s)";
  EXPECT_EQ(split.error.position, position) << "[" << line << "]: " << split.error.message;
  EXPECT_NE(split.error.message.find(says), std::string::npos) << split.error.message;
  EXPECT_TRUE(split.words.empty());
}

// --- POSIX shell rules ---------------------------------------------------

TEST(CommandWordsPosix, TheIssuesCommandKeepsItsSingleQuotedScriptAsOneWord) {
  expect_words(CommandRules::posix_shell,
               {"sh -c 'echo hi; read x; echo got $x'", {"sh", "-c", "echo hi; read x; echo got $x"}});
}

TEST(CommandWordsPosix, SplitsLikeAShell) {
  const Case cases[] = {
      {"", {}},
      {"  \t ", {}},
      {"sort", {"sort"}},
      {"  python3   -u\tscript.py  ", {"python3", "-u", "script.py"}},
      {"a\nb", {"a", "b"}},
      // Empty arguments, from either kind of quote.
      {"printf '' \"\" x", {"printf", "", "", "x"}},
      // Quotes inside a word join with what is around them.
      {"a'b c'd\"e f\"g", {"ab cde fg"}},
      // Each kind of quote keeps the other literally.
      {"echo \"it's\" 'say \"hi\"'", {"echo", "it's", "say \"hi\""}},
      // Single quotes keep backslashes; in double quotes a backslash escapes
      // only $ ` " and itself and stays before anything else.
      {"x 'a\\b' \"a\\b\" \"\\$ \\` \\\" \\\\\"", {"x", "a\\b", "a\\b", "$ ` \" \\"}},
      // Outside quotes a backslash makes the next character literal.
      {"touch a\\ b \\'q\\' \\\\", {"touch", "a b", "'q'", "\\"}},
      // A backslash and a newline continue the line, in double quotes too.
      {"ab\\\ncd \"e\\\nf\" \\\ng", {"abcd", "ef", "g"}},
      // No expansion: $, `, ~, globs and quoted operators stay as typed.
      {"echo $HOME `id` ~ *.txt ? [a] '|' \";\" a#b", {"echo", "$HOME", "`id`", "~", "*.txt", "?", "[a]", "|", ";", "a#b"}},
      // UTF-8 text passes through byte for byte.
      {"echo 'grüße' ünï", {"echo", "grüße", "ünï"}},
  };
  for (const Case& c : cases) expect_words(CommandRules::posix_shell, c);
}

TEST(CommandWordsPosix, ReportsWhereTheLineIsWrong) {
  expect_error(CommandRules::posix_shell, "sh -c 'echo hi", 6, "single quote");
  expect_error(CommandRules::posix_shell, "echo \"a 'b' c", 5, "double quote");
  // The backslash before the last quote escapes it, so the quote stays open.
  expect_error(CommandRules::posix_shell, "echo \"a\\\"", 5, "double quote");
  expect_error(CommandRules::posix_shell, "echo a\\", 6, "backslash at the end");
  expect_error(CommandRules::posix_shell, "ls | sort", 3, "shell operator");
  expect_error(CommandRules::posix_shell, "echo hi>out", 7, "shell operator");
  expect_error(CommandRules::posix_shell, "a;b", 1, "shell operator");
  expect_error(CommandRules::posix_shell, "echo #note", 5, "comment");
}

TEST(CommandWordsPosix, ANulCharacterIsAnErrorWhereverItIs) {
  const CommandSplit split = split_command_line(std::string("echo 'a\0b'", 10), CommandRules::posix_shell);
  ASSERT_FALSE(split.ok);
  EXPECT_EQ(split.error.position, 7u);
  EXPECT_NE(split.error.message.find("NUL"), std::string::npos);
}

TEST(CommandWordsPosix, QuotesOnlyWhatNeedsIt) {
  const Words words{"sh", "-c", "echo got $x", "", "it's", "a=b,c:d/e.f@g%h+i-j_k", "#x"};
  auto line = quote_command_line(words, CommandRules::posix_shell);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "sh -c 'echo got $x' '' 'it'\\''s' a=b,c:d/e.f@g%h+i-j_k '#x'");
}

// --- Windows rules (CommandLineToArgvW) ----------------------------------

TEST(CommandWordsWindows, SingleQuotesAreOrdinaryCharacters) {
  expect_words(CommandRules::windows, {"sh -c 'echo hi; read x; echo got $x'",
                                       {"sh", "-c", "'echo", "hi;", "read", "x;", "echo", "got", "$x'"}});
}

TEST(CommandWordsWindows, SplitsLikeCommandLineToArgvW) {
  const Case cases[] = {
      {"", {}},
      {"prog", {"prog"}},
      // Blanks before the program are skipped; spaces and tabs separate.
      {"  prog \t a  b ", {"prog", "a", "b"}},
      // The examples of Microsoft's "Parsing C command-line arguments".
      {"prog \"a b c\" d e", {"prog", "a b c", "d", "e"}},
      {"prog \"ab\\\"c\" \"\\\\\" d", {"prog", "ab\"c", "\\", "d"}},
      {"prog a\\\\\\b d\"e f\"g h", {"prog", "a\\\\\\b", "de fg", "h"}},
      {"prog a\\\\\\\"b c d", {"prog", "a\\\"b", "c", "d"}},
      {"prog a\\\\\\\\\"b c\" d e", {"prog", "a\\\\b c", "d", "e"}},
      // Empty arguments, and a pair of quotes inside quotes: off, then on.
      {"prog \"\" x \"a\"\"b\"", {"prog", "", "x", "ab"}},
      // Backslashes not before a quote are literal, a trailing one too.
      {"prog C:\\dir\\ \\\\server\\share\\", {"prog", "C:\\dir\\", "\\\\server\\share\\"}},
      {"prog \"C:\\dir\\\\\" next", {"prog", "C:\\dir\\", "next"}},
      // The program name: quoted, with literal backslashes and no escapes.
      {"\"C:\\Program Files\\app.exe\" -x", {"C:\\Program Files\\app.exe", "-x"}},
      {"C:\\tools\\app.exe\\ x", {"C:\\tools\\app.exe\\", "x"}},
      // An unquoted program name ends at a control character too, where
      // the arguments after it go on.
      {"a\x01" "b\x01 c", {"a", "\x01" "b\x01", "c"}},
      // After a quoted program name the next word starts at once.
      {"\"prog\"arg x", {"prog", "arg", "x"}},
      {"\"\" x", {"", "x"}},
      // No expansion: %VAR%, ^, * and ' stay as typed.
      {"cmd /c echo %PATH% ^& *.txt 'x'", {"cmd", "/c", "echo", "%PATH%", "^&", "*.txt", "'x'"}},
  };
  for (const Case& c : cases) expect_words(CommandRules::windows, c);
}

TEST(CommandWordsWindows, ReportsWhereTheLineIsWrong) {
  expect_error(CommandRules::windows, "\"C:\\Program Files\\app.exe -x", 0, "program name");
  expect_error(CommandRules::windows, "prog \"a b", 5, "never closed");
  // An odd backslash makes the last quote literal, so the first stays open.
  expect_error(CommandRules::windows, "prog \"a\\\"", 5, "never closed");
  expect_error(CommandRules::windows, "  pro\"g x", 5, "program name");
}

TEST(CommandWordsWindows, QuotesByTheProgramNamesRuleAndTheArgumentsRule) {
  const Words words{"C:\\Program Files\\app.exe", "a b", "say \"hi\"", "C:\\dir\\", "C:\\dir with space\\", "", "plain\\"};
  auto line = quote_command_line(words, CommandRules::windows);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line,
            "\"C:\\Program Files\\app.exe\" \"a b\" \"say \\\"hi\\\"\" C:\\dir\\ \"C:\\dir with space\\\\\" \"\" plain\\");
  const CommandSplit again = split_command_line(*line, CommandRules::windows);
  ASSERT_TRUE(again.ok) << again.error.message;
  EXPECT_EQ(again.words, words);
}

TEST(CommandWordsWindows, AProgramNameWithAQuoteCannotBeQuoted) {
  const Words words{"a\"b", "x"};
  auto line = quote_command_line(words, CommandRules::windows);
  ASSERT_FALSE(line.ok());
  EXPECT_EQ(line.error().errc(), Errc::invalid_parameter);
}

TEST(CommandWords, ANulInAWordCannotBeQuotedByEitherRule) {
  const Words words{"prog", std::string("a\0b", 3)};
  EXPECT_FALSE(quote_command_line(words, CommandRules::posix_shell).ok());
  EXPECT_FALSE(quote_command_line(words, CommandRules::windows).ok());
}

TEST(CommandWords, TheNativeRulesAreThePlatformsOwn) {
#if defined(_WIN32)
  EXPECT_EQ(native_command_rules(), CommandRules::windows);
#else
  EXPECT_EQ(native_command_rules(), CommandRules::posix_shell);
#endif
  EXPECT_EQ(to_string(CommandRules::windows), "Windows (CommandLineToArgvW)");
  EXPECT_EQ(to_string(CommandRules::posix_shell), "POSIX shell");
}

}  // namespace
}  // namespace pipescope
