// What the engine does when going on would be unsafe, and how the host
// program learns why before the process ends.
//
// One case exists today, on Windows: a completion-port thread impersonated a
// pipe client (ImpersonateNamedPipeClient) and RevertToSelf then failed. The
// thread would go on running as the client, and Microsoft's RevertToSelf
// page says a program must then shut down rather than continue:
// https://learn.microsoft.com/en-us/windows/win32/api/securitybaseapi/nf-securitybaseapi-reverttoself
//
// In that case the engine, on a thread of its own that runs with the
// process's identity: writes the message to the standard error and to the
// debugger (OutputDebugString), delivers an ErrorEvent with the same
// explanation to the EventSink, calls the host's fatal handler if one is
// set, and then ends the process with kFatalExitCode. Nothing can prevent
// the end: a handler that returns, or that takes longer than
// kFatalReportSeconds, only lets it come.
#pragma once

#include <atomic>
#include <string_view>

namespace pipescope {

/// The exit code of a process the engine ended because it must not go on:
/// 82, the letter R (revert). PipeScope's console tool uses 0 to 9 for its own
/// outcomes, abort() gives 3 and a signal 128 and more, so 82 tells this end
/// apart from those.
inline constexpr unsigned kFatalExitCode = 82;

/// How long the engine waits for the ErrorEvent's delivery and the fatal
/// handler before it ends the process anyway.
inline constexpr unsigned kFatalReportSeconds = 10;

/// Shows or keeps the message (a log file, a dialog) before the process
/// ends. It runs on an engine thread and must not call the engine: the engine
/// is no longer serving anything.
using FatalHandler = void (*)(std::string_view message) noexcept;

namespace detail {
inline std::atomic<FatalHandler> g_fatal_handler{nullptr};
}  // namespace detail

/// Sets the fatal handler (nullptr: none; then only the standard error, the
/// debugger and the ErrorEvent carry the message). Returns the previous one.
inline FatalHandler set_fatal_handler(FatalHandler handler) noexcept {
  return detail::g_fatal_handler.exchange(handler);
}

/// The fatal handler now set, or nullptr.
inline FatalHandler fatal_handler() noexcept { return detail::g_fatal_handler.load(); }

}  // namespace pipescope
