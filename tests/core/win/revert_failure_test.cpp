// What the Win32 backend does when RevertToSelf fails after it impersonated
// a pipe client (issue 11, item 15).
//
// The Windows behaviour guarded: if RevertToSelf fails, the thread goes on
// running in the security context of the client, and Microsoft's page for
// RevertToSelf says a program must then shut the process down
// (https://learn.microsoft.com/en-us/windows/win32/api/securitybaseapi/nf-securitybaseapi-reverttoself,
// Remarks; ImpersonateNamedPipeClient's page says the server calls
// RevertToSelf when its impersonation is done). The engine therefore ends the
// process, and the person must learn why first: the message goes to the
// standard error, to the EventSink as an ErrorEvent, and to the host's fatal
// handler (pipescope/fatal.hpp), in that order, before the process exits with
// kFatalExitCode.
//
// Wine's RevertToSelf never fails, so the test replaces the call the guard
// makes (replace_revert_function) with one that fails the way Windows would
// report it, and runs the whole path (a real client, a real read, the
// engine's impersonation on a completion-port thread) in a death test.
#include <windows.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "conformance_fixture.hpp"
#include "pipescope/fatal.hpp"
#include "win/impersonation.hpp"
#include "win/win_util.hpp"

namespace pipescope::conformance {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kEventMark = "sink saw error event: ";
constexpr std::string_view kHandlerMark = "host fatal handler: ";
constexpr std::string_view kImpersonatedMark = "sink saw impersonated event";

/// RevertToSelf failing as it would on Windows: FALSE with a last error.
BOOL WINAPI failing_revert() {
  SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  return FALSE;
}

/// Straight to the standard error handle, unbuffered: the process may end
/// right after this returns.
void write_stderr(std::string_view text) {
  DWORD written = 0;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
}

void host_handler(std::string_view message) noexcept {
  write_stderr(std::string(kHandlerMark) + std::string(message) + "\n");
}

/// Passes events on to a queue, and writes the ones this test is about to
/// the standard error, where the death test's parent process reads them.
class EchoingSink final : public EventSink {
 public:
  explicit EchoingSink(EventQueue& queue) : queue_(queue) {}
  void on_events(std::span<const Event> batch) override {
    for (const Event& event : batch) {
      if (const auto* error = std::get_if<ErrorEvent>(&event)) {
        write_stderr(std::string(kEventMark) + error->error.summary() + "\n");
      } else if (std::holds_alternative<Impersonated>(event)) {
        write_stderr(std::string(kImpersonatedMark) + "\n");
      }
    }
    queue_.on_events(batch);
  }

 private:
  EventQueue& queue_;
};

/// Serves a pipe, lets a raw client write one byte (Windows impersonates
/// only after a read) and asks the engine to impersonate that client. With
/// the failing revert, the engine must end the process inside; if it returns
/// instead, the death test fails.
void impersonate_a_client_whose_revert_fails(bool with_host_handler) {
  detail::win::replace_revert_function(&failing_revert);
  set_fatal_handler(with_host_handler ? &host_handler : nullptr);
  EventQueue queue;
  EchoingSink sink(queue);
  Engine engine(&sink);
  ServerOptions options;
  options.name = "pipescope-revert-" + std::to_string(current_process_id());
  auto server = engine.start_server(options);
  if (!server) return;
  const std::wstring wide = detail::win::widen("\\\\.\\pipe\\" + options.name);
  WaitNamedPipeW(wide.c_str(), 5000);
  detail::win::UniqueHandle client(
      CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
  if (!client) return;
  DWORD written = 0;
  if (!WriteFile(client.get(), "x", 1, &written, nullptr)) return;
  auto read = queue.wait_for(
      [](const Event& e) {
        const auto* data = std::get_if<Data>(&e);
        return data != nullptr && data->direction == Direction::in;
      },
      kEventTimeout);
  if (!read) return;
  if (!engine.impersonate(std::get<Data>(*read).endpoint).ok()) return;
  // The engine ends the process before this wait is over; an Impersonated
  // event instead means it went on as if the revert had worked.
  static_cast<void>(queue.wait_for([](const Event& e) { return std::holds_alternative<Impersonated>(e); },
                                   std::chrono::seconds(kFatalReportSeconds * 2)));
}

/// The text holds `first` and, after it, `second`.
::testing::Matcher<const std::string&> in_order(std::string_view first, std::string_view second) {
  return ::testing::Truly([first = std::string(first), second = std::string(second)](const std::string& text) {
    const std::size_t a = text.find(first);
    return a != std::string::npos && text.find(second, a + first.size()) != std::string::npos;
  });
}

TEST(WinRevertFailure, EndsTheProcessAfterTheSinkAndTheHostHandlerHeardWhy) {
  EXPECT_EXIT(impersonate_a_client_whose_revert_fails(true), ::testing::ExitedWithCode(kFatalExitCode),
              AllOf(HasSubstr(std::string(kEventMark)), HasSubstr("RevertToSelf"), HasSubstr("ERROR_NOT_ENOUGH_MEMORY"),
                    HasSubstr("still runs as the pipe client"), in_order(kEventMark, kHandlerMark),
                    Not(HasSubstr(std::string(kImpersonatedMark)))));
}

TEST(WinRevertFailure, WithoutAHostHandlerTheStandardErrorSaysWhy) {
  EXPECT_EXIT(impersonate_a_client_whose_revert_fails(false), ::testing::ExitedWithCode(kFatalExitCode),
              AllOf(HasSubstr("pipescope: fatal: "), HasSubstr("RevertToSelf"), HasSubstr("ERROR_NOT_ENOUGH_MEMORY"),
                    Not(HasSubstr(std::string(kHandlerMark))), Not(HasSubstr(std::string(kImpersonatedMark)))));
}

}  // namespace
}  // namespace pipescope::conformance
