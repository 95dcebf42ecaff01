// Impersonation's parts that other files and tests see: the call that ends
// an impersonation, which a test may replace, and what the engine does when
// it fails; the access probe's CreateFileW flags; the notes the person is
// given about the impersonation level and the client's user name.
#pragma once

#include <windows.h>

#include <optional>
#include <string>
#include <string_view>

#include "engine_context.hpp"

namespace pipescope::detail::win {

/// The call that ends the calling thread's impersonation: RevertToSelf. A
/// test replaces it to see what the engine does when it fails, because
/// Wine's RevertToSelf never fails; nothing else does. Returns the function
/// it replaced.
using RevertFunction = BOOL(WINAPI*)();
RevertFunction replace_revert_function(RevertFunction revert) noexcept;

/// The flags the access probe passes to CreateFileW while it impersonates
/// the client. FILE_FLAG_BACKUP_SEMANTICS lets it open folders too. The
/// security-quality-of-service part matters when the probe path is itself a
/// pipe: CreateFileW's page says that when it "opens the client side of a
/// named pipe, the dwFlagsAndAttributes parameter can also contain Security
/// Quality of Service information", and without it that pipe's server may
/// impersonate the borrowed client token fully. With SECURITY_IDENTIFICATION
/// it can only see who it is. (SECURITY_SQOS_PRESENT has the value of
/// FILE_FLAG_OPEN_NO_RECALL, which on an ordinary file only leaves a file
/// that remote storage holds where it is: harmless for a probe.)
inline constexpr DWORD kProbeFlagsAndAttributes =
    FILE_FLAG_BACKUP_SEMANTICS | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;

/// The note of an impersonation whose token has `level` ("Identification",
/// ...): at Identification it says why the server may not act as the client
/// (the client allowed no more, or the client is another user and this
/// server lacks SeImpersonatePrivilege) and whether this server holds the
/// privilege (nullopt: could not be read). Empty for every other level.
[[nodiscard]] std::string identification_note(std::string_view level,
                                              std::optional<bool> server_has_impersonate_privilege);

/// The note of an inspection whose GetNamedPipeHandleStateW could not give
/// the client's user name: `server_has_read` tells whether this end has read
/// from the pipe yet, `error` is that call's last error.
[[nodiscard]] std::string user_name_unavailable_note(bool server_has_read, DWORD error);

/// The pipe end whose client a thread impersonates: whom a failed revert
/// is reported against.
struct ImpersonatingEnd {
  EngineContext& context;
  EndpointId endpoint = 0;
  ServerId server = 0;
  std::string_view pipe_name;
};

/// Called on the thread whose revert failed (`error` is RevertToSelf's last
/// error); never returns. That thread still runs as the client, so it does
/// nothing more itself: it is never handed back to the pool. A new thread,
/// which runs as the process, tells the person why (standard error and
/// debugger, an ErrorEvent, the host's fatal handler) and ends the process
/// with kFatalExitCode (pipescope/fatal.hpp), within kFatalReportSeconds.
[[noreturn]] void end_process_running_as_client(const ImpersonatingEnd& end, DWORD error) noexcept;

}  // namespace pipescope::detail::win
