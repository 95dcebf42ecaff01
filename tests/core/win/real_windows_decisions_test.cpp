// Decisions the Win32 backend takes for Windows behaviour that Wine 8 does
// not show (issue 23, Low; docs/win32-backend.md, "Real Windows behaviour the
// backend relies on"). Wine cannot list \\.\pipe\, always impersonates at
// Impersonation level and ignores a client's SQOS flags, so these tests check
// the flags, the arithmetic and the texts the code chooses, and name the
// Microsoft page each one follows.
#include <windows.h>

#include <gtest/gtest.h>

#include "win/backend_win.hpp"
#include "win/impersonation.hpp"

namespace pipescope {
namespace {

using detail::win::kProbeFlagsAndAttributes;
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

// --- the access probe's CreateFileW flags -----------------------------------

// CreateFileW, dwFlagsAndAttributes: "If the CreateFile function opens the
// client side of a named pipe, the dwFlagsAndAttributes parameter can also
// contain Security Quality of Service information." The probe runs as the
// client; if its path is a pipe, that pipe's server must get no more than
// Identification of the borrowed token.
TEST(WinProbe, OpensWithIdentificationQualityOfService) {
  EXPECT_EQ(kProbeFlagsAndAttributes & SECURITY_SQOS_PRESENT, static_cast<DWORD>(SECURITY_SQOS_PRESENT));
  // The level is a two-bit field: exactly Identification, not Impersonation
  // or Delegation that share its bits.
  EXPECT_EQ(kProbeFlagsAndAttributes & (SECURITY_DELEGATION | SECURITY_IMPERSONATION | SECURITY_IDENTIFICATION),
            static_cast<DWORD>(SECURITY_IDENTIFICATION));
  // Dynamic tracking would let the server follow later changes of the token.
  EXPECT_EQ(kProbeFlagsAndAttributes & SECURITY_CONTEXT_TRACKING, 0U);
  // And it still opens folders.
  EXPECT_EQ(kProbeFlagsAndAttributes & FILE_FLAG_BACKUP_SEMANTICS, static_cast<DWORD>(FILE_FLAG_BACKUP_SEMANTICS));
}

}  // namespace
}  // namespace pipescope
