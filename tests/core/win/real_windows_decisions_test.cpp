// Decisions the Win32 backend takes for Windows behaviour that Wine 8 does
// not show (issue 23, Low; docs/win32-backend.md, "Real Windows behaviour the
// backend relies on"). Wine cannot list \\.\pipe\, always impersonates at
// Impersonation level and ignores a client's SQOS flags, so these tests check
// the flags, the arithmetic and the texts the code chooses, and name the
// Microsoft page each one follows.
#include <windows.h>

#include <gtest/gtest.h>

#include "win/backend_win.hpp"

namespace pipescope {
namespace {

using detail::win::listed_max_instances;

LARGE_INTEGER allocation(LONG high, DWORD low) {
  LARGE_INTEGER value{};
  value.HighPart = high;
  value.LowPart = low;
  return value;
}

// --- the listing: AllocationSize of a \\.\pipe\ directory entry ------------

// The pipe file system keeps MaximumInstances as a ULONG and gives it in the
// entry's AllocationSize; only the low part is the pipe's.
TEST(WinListing, MaxInstancesComeFromTheLowPartOnly) {
  EXPECT_EQ(listed_max_instances(allocation(0, 3)), 3);
  EXPECT_EQ(listed_max_instances(allocation(0, 1)), 1);
  EXPECT_EQ(listed_max_instances(allocation(0, 254)), 254);
  // A high part that means nothing must not turn 3 into "unlimited".
  EXPECT_EQ(listed_max_instances(allocation(0x12345678, 3)), 3);
  EXPECT_EQ(listed_max_instances(allocation(-1, 3)), 3);
}

TEST(WinListing, AllOnesInTheLowPartIsUnlimited) {
  EXPECT_EQ(listed_max_instances(allocation(0, 0xFFFFFFFFU)), static_cast<std::int32_t>(kUnlimitedInstances));
  EXPECT_EQ(listed_max_instances(allocation(-1, 0xFFFFFFFFU)), static_cast<std::int32_t>(kUnlimitedInstances));
  EXPECT_EQ(listed_max_instances(allocation(0x7F, 0xFFFFFFFFU)), static_cast<std::int32_t>(kUnlimitedInstances));
  EXPECT_EQ(listed_max_instances(allocation(0, 255)), static_cast<std::int32_t>(kUnlimitedInstances));
}

}  // namespace
}  // namespace pipescope
