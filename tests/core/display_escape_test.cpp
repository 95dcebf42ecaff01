// escape_for_display: what another user's names and paths look like on a
// person's terminal or in a widget.
#include <gtest/gtest.h>

#include <string>

#include <pipescope/codec.hpp>

namespace pipescope {
namespace {

TEST(EscapeForDisplay, PrintableTextAndBackslashesStayAsTheyAre) {
  EXPECT_EQ(escape_for_display(R"(\\.\pipe\demo)"), R"(\\.\pipe\demo)");
  EXPECT_EQ(escape_for_display("/tmp/CoreFxPipe_with space"), "/tmp/CoreFxPipe_with space");
  EXPECT_EQ(escape_for_display("gr\xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"),
            "gr\xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
}

TEST(EscapeForDisplay, TerminalEscapesAndNewlinesAreShownNotObeyed) {
  EXPECT_EQ(escape_for_display("a\x1b]0;owned\x07z"), "a\\e]0;owned\\x07z");
  EXPECT_EQ(escape_for_display("\x1b[2J"), "\\e[2J");
  EXPECT_EQ(escape_for_display("line\nnext\r\t"), "line\\nnext\\r\\t");
  EXPECT_EQ(escape_for_display(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(escape_for_display("del\x7f"), "del\\x7f");
}

TEST(EscapeForDisplay, C1ControlsAndLayoutMarksBecomeCodePoints) {
  EXPECT_EQ(escape_for_display("\xc2\x9b" "2J"), "\\u009b2J");  // CSI as one C1 character
  EXPECT_EQ(escape_for_display("evil\xe2\x80\xaetxt.exe"), "evil\\u202etxt.exe");
  EXPECT_EQ(escape_for_display("a\xe2\x80\xa8z"), "a\\u2028z");
}

TEST(EscapeForDisplay, InvalidUtf8IsShownByteByByte) {
  EXPECT_EQ(escape_for_display("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_for_display("\xc0\xaf"), "\\xc0\\xaf");          // overlong '/'
  EXPECT_EQ(escape_for_display("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escape_for_display("cut \xe6\x97"), "cut \\xe6\\x97");
  EXPECT_EQ(escape_for_display("\x80z"), "\\x80z");
}

}  // namespace
}  // namespace pipescope
