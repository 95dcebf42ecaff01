// Ending an impersonation: the call that does it, which a test may replace,
// and what the engine does when it fails.
#pragma once

#include <windows.h>

#include <string_view>

#include "engine_context.hpp"

namespace pipescope::detail::win {

/// The call that ends the calling thread's impersonation: RevertToSelf. A
/// test replaces it to see what the engine does when it fails, because
/// Wine's RevertToSelf never fails; nothing else does. Returns the function
/// it replaced.
using RevertFunction = BOOL(WINAPI*)();
RevertFunction replace_revert_function(RevertFunction revert) noexcept;

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
