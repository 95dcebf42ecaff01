// What the engine does when RevertToSelf fails: the thread would go on as
// the pipe client, so the process ends, and the person is told why first.
//
// The choice, and why: the Remarks of Microsoft's page for RevertToSelf
// (https://learn.microsoft.com/en-us/windows/win32/api/securitybaseapi/nf-securitybaseapi-reverttoself)
// say that when RevertToSelf fails the program goes on running in the
// client's security context, that this is not appropriate, and that the
// process should be shut down. Keeping only that one thread out of the pool would leave a thread
// with the client's token in the process and the rest serving on as if
// nothing happened, which is what the page rules out; so the process ends.
//
// The stuck thread does nothing more as the client: anything it ran (the
// host's sink, a handler, the C runtime's exit code, DLL detach routines
// that ExitProcess would call) would run with the client's identity. It
// starts a new thread, which runs with the process's own token (a thread's
// impersonation token belongs to that thread alone; the new thread checks
// that it has none before it runs any host code), and waits for it. That
// thread writes the message to the standard error and the debugger, delivers
// it as an ErrorEvent, calls the host's fatal handler, and ends the process
// with TerminateProcess, which runs no code of the process on the way out.
// If it cannot be started, or takes longer than kFatalReportSeconds (a sink
// that waits for a lock the stuck thread holds), the stuck thread writes the
// message to the standard error itself and ends the process.
#include <string>

#include "impersonation.hpp"
#include "pipescope/fatal.hpp"
#include "win_util.hpp"

namespace pipescope::detail::win {

namespace {

/// What the reporting thread needs. It lives on the stuck thread's stack,
/// which never unwinds.
struct FatalReport {
  EngineContext* context = nullptr;
  EndpointId endpoint = 0;
  ServerId server = 0;
  Error error;
  std::string message;
};

constexpr char kFallbackMessage[] =
    "pipescope: fatal: RevertToSelf failed: an engine thread still runs as the pipe client it impersonated; "
    "Windows says a program must not go on then, so the process ends\n";

void write_stderr(const char* text, std::size_t size) noexcept {
  DWORD written = 0;
  const HANDLE stream = GetStdHandle(STD_ERROR_HANDLE);
  if (stream != nullptr && stream != INVALID_HANDLE_VALUE) {
    WriteFile(stream, text, static_cast<DWORD>(size), &written, nullptr);
  }
}

/// The standard error (a console program, a log that captures it) and the
/// debugger (a GUI program has no standard error; DebugView and debuggers
/// show OutputDebugString).
void write_stderr_and_debugger(const std::string& message) noexcept {
  write_stderr(message.data(), message.size());
  OutputDebugStringA(message.c_str());
}

bool thread_is_impersonating() noexcept {
  HANDLE token = nullptr;
  if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
    CloseHandle(token);
    return true;
  }
  return GetLastError() != ERROR_NO_TOKEN;
}

[[noreturn]] void terminate_now() noexcept {
  TerminateProcess(GetCurrentProcess(), kFatalExitCode);
  // TerminateProcess ends the calling thread too; it never gets here.
  for (;;) Sleep(INFINITE);
}

DWORD WINAPI report_and_terminate(void* parameter) {
  auto& report = *static_cast<FatalReport*>(parameter);
  write_stderr_and_debugger(report.message);
  if (!thread_is_impersonating()) {
    try {
      report.context->report(report.endpoint, report.server, report.error);
      report.context->flush();
    } catch (...) {
      // The sink failed: the standard error and the debugger already have
      // the message, and the handler still gets it.
    }
    if (const FatalHandler handler = fatal_handler()) handler(report.message);
  }
  terminate_now();
}

}  // namespace

void end_process_running_as_client(const ImpersonatingEnd& end, DWORD error) noexcept {
  FatalReport report;
  try {
    report.context = &end.context;
    report.endpoint = end.endpoint;
    report.server = end.server;
    report.error = error_from_win32(
        error, IoContext::generic, "RevertToSelf",
        "after impersonating the client of " + std::string(end.pipe_name) +
            ": this engine thread still runs as the pipe client, which Windows says a program must not go on "
            "doing, so PipeScope ends the process (exit code " +
            std::to_string(kFatalExitCode) + ")");
    report.message = "pipescope: fatal: " + report.error.summary() + "\n";
  } catch (...) {
    // Out of memory even for the message: the fixed one says the same.
    write_stderr(kFallbackMessage, sizeof kFallbackMessage - 1);
    terminate_now();
  }
  const HANDLE reporter = CreateThread(nullptr, 0, &report_and_terminate, &report, 0, nullptr);
  if (reporter == nullptr || WaitForSingleObject(reporter, kFatalReportSeconds * 1000) != WAIT_OBJECT_0) {
    write_stderr_and_debugger(report.message);
  }
  terminate_now();
}

}  // namespace pipescope::detail::win
