// The one Win32 table (error_win.cpp) for the codes the backend's paths
// return: impersonation and token reads (1008, 1347), inspection (229),
// starting children (216, 740), opening files and probes (32), quotas (1453,
// 1816) and remote pipes, which go through a network logon (59, 65, 1219,
// 1231, 1232, 1326). Wine returns few of these, so the table is tested
// directly rather than through the paths.
#include <windows.h>

#include <gtest/gtest.h>

#include <initializer_list>
#include <ostream>
#include <string>

#include "pipescope/error.hpp"
#include "win/win_util.hpp"

namespace pipescope {
namespace {

using detail::win::errc_from_win32;

// kErrorElevationRequired, missing from mingw-w64's winerror.h.
constexpr DWORD kErrorElevationRequired = 740;

struct Win32Case {
  const char* label;
  DWORD code;
  IoContext context;
  Errc expected;
};

void PrintTo(const Win32Case& c, std::ostream* os) { *os << c.label; }

class WinErrorCodes : public ::testing::TestWithParam<Win32Case> {};

TEST_P(WinErrorCodes, MapsToOurVocabulary) {
  const Win32Case& c = GetParam();
  EXPECT_EQ(errc_from_win32(c.code, c.context), c.expected)
      << c.label << " gave " << error_symbol(errc_from_win32(c.code, c.context)) << ", expected "
      << error_symbol(c.expected);
  const Error error = detail::win::error_from_win32(c.code, c.context, "op");
  EXPECT_EQ(error.os_domain, OsDomain::win32);
  EXPECT_EQ(error.os_code, static_cast<int>(c.code));
}

const Win32Case kWin32Cases[] = {
    {"PIPE_LOCAL_inspect", ERROR_PIPE_LOCAL, IoContext::generic, Errc::pipe_local},
    {"CANT_OPEN_ANONYMOUS_token", ERROR_CANT_OPEN_ANONYMOUS, IoContext::generic, Errc::cant_open_anonymous},
    {"NO_TOKEN_token", ERROR_NO_TOKEN, IoContext::generic, Errc::no_token},
    {"ELEVATION_REQUIRED_spawn", kErrorElevationRequired, IoContext::spawn, Errc::elevation_required},
    // Like ERROR_BAD_EXE_FORMAT: the child cannot run, which only starting
    // a child can mean.
    {"EXE_MACHINE_TYPE_MISMATCH_spawn", ERROR_EXE_MACHINE_TYPE_MISMATCH, IoContext::spawn, Errc::child_failed},
    {"EXE_MACHINE_TYPE_MISMATCH_open", ERROR_EXE_MACHINE_TYPE_MISMATCH, IoContext::open, Errc::unknown},
    {"BAD_EXE_FORMAT_spawn", ERROR_BAD_EXE_FORMAT, IoContext::spawn, Errc::child_failed},
    {"SHARING_VIOLATION_open", ERROR_SHARING_VIOLATION, IoContext::open, Errc::sharing_violation},
    {"WORKING_SET_QUOTA_read", ERROR_WORKING_SET_QUOTA, IoContext::read, Errc::not_enough_quota},
    {"NOT_ENOUGH_QUOTA_create", ERROR_NOT_ENOUGH_QUOTA, IoContext::create, Errc::not_enough_quota},
    {"LOGON_FAILURE_open", ERROR_LOGON_FAILURE, IoContext::open, Errc::logon_failure},
    {"SESSION_CREDENTIAL_CONFLICT_open", ERROR_SESSION_CREDENTIAL_CONFLICT, IoContext::open,
     Errc::session_credential_conflict},
    {"NETWORK_ACCESS_DENIED_open", ERROR_NETWORK_ACCESS_DENIED, IoContext::open, Errc::network_access_denied},
    {"UNEXP_NET_ERR_read", ERROR_UNEXP_NET_ERR, IoContext::read, Errc::unexpected_network_error},
    {"NETWORK_UNREACHABLE_open", ERROR_NETWORK_UNREACHABLE, IoContext::open, Errc::network_unreachable},
    {"HOST_UNREACHABLE_open", ERROR_HOST_UNREACHABLE, IoContext::open, Errc::host_unreachable},
};

INSTANTIATE_TEST_SUITE_P(PipePaths, WinErrorCodes, ::testing::ValuesIn(kWin32Cases),
                         [](const ::testing::TestParamInfo<Win32Case>& info) { return std::string(info.param.label); });

// Our Errc values are the Win32 numbers, so a code we name maps to itself.
TEST(WinErrorNumbers, NamedCodesKeepTheirNumber) {
  const std::initializer_list<DWORD> named = {
      ERROR_PIPE_LOCAL,        ERROR_CANT_OPEN_ANONYMOUS,         ERROR_NO_TOKEN,              kErrorElevationRequired,
      ERROR_SHARING_VIOLATION, ERROR_NOT_ENOUGH_QUOTA,            ERROR_LOGON_FAILURE,         ERROR_UNEXP_NET_ERR,
      ERROR_NETWORK_UNREACHABLE, ERROR_SESSION_CREDENTIAL_CONFLICT, ERROR_NETWORK_ACCESS_DENIED, ERROR_HOST_UNREACHABLE};
  for (const DWORD code : named) {
    EXPECT_EQ(static_cast<DWORD>(errc_from_win32(code, IoContext::generic)), code) << code;
  }
}

}  // namespace
}  // namespace pipescope
