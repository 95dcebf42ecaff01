// A child gets exactly the words it was given, whatever they hold: blanks,
// both kinds of quote, backslashes before a quote and at the end, an empty
// word, characters a shell would expand. On POSIX the words go to
// posix_spawn as they are; on Windows the engine quotes them into the one
// command line CreateProcessW takes (pipescope/command_words.hpp) and the
// child's C runtime splits it again, so this is where the two quotings meet.
#include <string>
#include <vector>

#include "conformance_fixture.hpp"
#include "pipescope/command_words.hpp"

namespace pipescope::conformance {
namespace {

TEST_F(EngineConformance, AChildGetsExactlyTheWordsItWasGiven) {
  const std::vector<std::string> words{"two words", "",      "say \"hi\"", "it's",      "C:\\dir\\",
                                       "a\\\\\"b",  "tab\there", "$x *.txt",  "\\\\server\\"};
  ChildOptions options;
  options.argv = {child_helper_path(), "print-args"};
  options.argv.insert(options.argv.end(), words.begin(), words.end());
  auto child = engine_.run_child(options);
  ASSERT_TRUE(succeeded(child)) << child_helper_path();

  std::string expected;
  for (const std::string& word : words) expected += "<" + word + ">\n";
  ASSERT_TRUE(await_bytes(*child, Direction::in, expected.size())) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(*child, Direction::in, record_flags::stderr_stream, 0)), expected);

  // The command line the event shows splits back into the same words by
  // the platform's own rules, so it can be typed into the Run child dialog.
  auto started = await<ChildStarted>([&](const ChildStarted& e) { return e.endpoint == *child; });
  ASSERT_TRUE(started) << recent_events();
  const CommandSplit split = split_command_line(started->command_line, native_command_rules());
  ASSERT_TRUE(split.ok) << started->command_line << ": " << split.error.message;
  EXPECT_EQ(split.words, options.argv) << started->command_line;
  ASSERT_TRUE(await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *child && e.exit_code == 0; }))
      << recent_events();
}

}  // namespace
}  // namespace pipescope::conformance
