// Decisions the Win32 backend takes for Windows behaviour that Wine 8 does
// not show (issue 23, Low; docs/win32-backend.md, "Real Windows behaviour the
// backend relies on"). Wine cannot list \\.\pipe\, always impersonates at
// Impersonation level and ignores a client's SQOS flags, so these tests check
// the flags, the arithmetic and the texts the code chooses, and name the
// Microsoft page each one follows.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>

#include "win/backend_win.hpp"
#include "win/impersonation.hpp"

namespace pipescope {
namespace {

using detail::win::identification_note;
using detail::win::kProbeFlagsAndAttributes;
using detail::win::listed_max_instances;
using detail::win::user_name_unavailable_note;

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

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

// --- what the person is told --------------------------------------------------

// ImpersonateNamedPipeClient, Remarks: more than Identification only when the
// server holds SeImpersonatePrivilege, the client is the server's own user,
// or the token was made by LogonUser in the server's logon session.
TEST(WinImpersonationNotes, IdentificationNamesTheMissingPrivilege) {
  const std::string without = identification_note("Identification", false);
  EXPECT_TRUE(contains(without, "SeImpersonatePrivilege")) << without;
  EXPECT_TRUE(contains(without, "another user")) << without;
  EXPECT_TRUE(contains(without, "does not hold SeImpersonatePrivilege")) << without;
  const std::string with = identification_note("Identification", true);
  EXPECT_TRUE(contains(with, "This server holds SeImpersonatePrivilege.")) << with;
  const std::string unknown = identification_note("Identification", std::nullopt);
  EXPECT_TRUE(contains(unknown, "SeImpersonatePrivilege")) << unknown;
  EXPECT_FALSE(contains(unknown, "This server")) << unknown;
}

TEST(WinImpersonationNotes, OtherLevelsNeedNoNote) {
  EXPECT_EQ(identification_note("Impersonation", false), "");
  EXPECT_EQ(identification_note("Delegation", false), "");
  EXPECT_EQ(identification_note("", std::nullopt), "");
}

// GetNamedPipeHandleState, lpUserName: the name comes from impersonating the
// client; ERROR_CANNOT_IMPERSONATE (System Error Codes): "Unable to
// impersonate using a named pipe until data has been read from that pipe."
TEST(WinInspectionNotes, UserNameBeforeTheFirstReadSaysSo) {
  for (const DWORD error : {static_cast<DWORD>(ERROR_CANNOT_IMPERSONATE), static_cast<DWORD>(ERROR_ACCESS_DENIED),
                            static_cast<DWORD>(ERROR_BAD_IMPERSONATION_LEVEL)}) {
    const std::string note = user_name_unavailable_note(false, error);
    EXPECT_TRUE(contains(note, "after the server has read")) << note;
    EXPECT_FALSE(contains(note, "did not allow")) << note;
  }
  // Even after a read, this code means the same.
  EXPECT_TRUE(contains(user_name_unavailable_note(true, ERROR_CANNOT_IMPERSONATE), "after the server has read"));
}

TEST(WinInspectionNotes, UserNameAfterAReadBlamesTheClientsLevelOnlyWhenItIsTheLevel) {
  const std::string level = user_name_unavailable_note(true, ERROR_BAD_IMPERSONATION_LEVEL);
  EXPECT_TRUE(contains(level, "Identification or Anonymous")) << level;
  EXPECT_TRUE(contains(user_name_unavailable_note(true, ERROR_CANT_OPEN_ANONYMOUS), "Identification or Anonymous"));
  const std::string other = user_name_unavailable_note(true, ERROR_NOT_ENOUGH_MEMORY);
  EXPECT_TRUE(contains(other, "ERROR_NOT_ENOUGH_MEMORY (8)")) << other;
  EXPECT_FALSE(contains(other, "Identification")) << other;
}

}  // namespace
}  // namespace pipescope
