// What the options mean before any backend sees them.
#include <gtest/gtest.h>

#include <chrono>

#include <pipescope/options.hpp>

namespace pipescope {
namespace {

using namespace std::chrono_literals;

// Every backend asks waits_forever, so a two-year busy timeout or transact
// timeout means "forever" on each; it used to be a deadline on POSIX and
// NMPWAIT_WAIT_FOREVER on Windows.
TEST(Options, AYearOrMoreIsForeverEverywhere) {
  EXPECT_TRUE(waits_forever(kWaitForever));
  EXPECT_TRUE(waits_forever(std::chrono::duration_cast<std::chrono::milliseconds>(24h * 365)));
  EXPECT_TRUE(waits_forever(std::chrono::duration_cast<std::chrono::milliseconds>(24h * 365 * 2)));
  EXPECT_FALSE(waits_forever(std::chrono::duration_cast<std::chrono::milliseconds>(24h * 364)));
  EXPECT_FALSE(waits_forever(0ms));
  EXPECT_FALSE(waits_forever(5000ms));
}

TEST(Options, ValidateIsTheNameAndTheSettings) {
  ServerOptions bad_name;
  bad_name.name = "";
  EXPECT_FALSE(validate(bad_name).ok());
  EXPECT_TRUE(validate_settings(bad_name).ok()) << "the settings alone are fine";
  ServerOptions bad_setting;
  bad_setting.name = "fine";
  bad_setting.type = PipeType::byte;
  bad_setting.read_mode = ReadMode::message;
  EXPECT_FALSE(validate(bad_setting).ok());
  EXPECT_FALSE(validate_settings(bad_setting).ok());
}

// A child's arguments reach the OS as C strings: a NUL would silently cut
// one short, so it is refused, naming the argument.
TEST(Options, AChildArgumentWithANulIsRefused) {
  ChildOptions child;
  child.argv = {"prog", "fine", std::string("cut\0short", 9)};
  auto valid = validate(child);
  ASSERT_FALSE(valid.ok());
  EXPECT_EQ(valid.error().errc(), Errc::invalid_parameter);
  EXPECT_NE(valid.error().detail.find("argument 2"), std::string::npos) << valid.error().detail;
  child.argv.pop_back();
  EXPECT_TRUE(validate(child).ok());
}

}  // namespace
}  // namespace pipescope
