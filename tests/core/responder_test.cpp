// The built-in responders (echo, reverse): what they answer to each read.
#include <gtest/gtest.h>

#include "taps/responder.hpp"

namespace pipescope::detail {
namespace {

std::vector<std::string> feed(ResponderState& r, std::string_view data, bool message_mode, bool message_end) {
  std::vector<std::string> out;
  for (const Bytes& reply : r.feed(as_bytes(data), message_mode, message_end)) {
    out.emplace_back(as_chars(reply));
  }
  return out;
}

TEST(Responder, NoneAnswersNothing) {
  ResponderState r(Responder::none);
  EXPECT_TRUE(feed(r, "hello\n", false, true).empty());
}

TEST(Responder, EchoOnBytePipeAnswersEachRead) {
  ResponderState r(Responder::echo);
  EXPECT_EQ(feed(r, "par", false, true), std::vector<std::string>{"par"});
  EXPECT_EQ(feed(r, "tial", false, true), std::vector<std::string>{"tial"});
}

TEST(Responder, EchoOnMessagePipeWaitsForTheWholeMessage) {
  ResponderState r(Responder::echo);
  EXPECT_TRUE(feed(r, "first part, ", true, false).empty());
  EXPECT_EQ(feed(r, "last part", true, true), std::vector<std::string>{"first part, last part"});
}

TEST(Responder, ReverseOnBytePipeAnswersCompleteLinesOnly) {
  ResponderState r(Responder::reverse);
  EXPECT_TRUE(feed(r, "hel", false, true).empty());
  EXPECT_EQ(feed(r, "lo\r\nworld\nab", false, true), (std::vector<std::string>{"olleh\r\n", "dlrow\n"}));
  EXPECT_EQ(feed(r, "c\n", false, true), std::vector<std::string>{"cba\n"});
}

TEST(Responder, ReverseOnMessagePipeKeepsTheLineEndAtTheEnd) {
  ResponderState r(Responder::reverse);
  EXPECT_EQ(feed(r, "hello\n", true, true), std::vector<std::string>{"olleh\n"});
  EXPECT_EQ(feed(r, "abc", true, true), std::vector<std::string>{"cba"});
  EXPECT_EQ(feed(r, "", true, true), std::vector<std::string>{""});
  EXPECT_EQ(feed(r, "\n", true, true), std::vector<std::string>{"\n"});
}

}  // namespace
}  // namespace pipescope::detail
