// A child's standard input that nobody reads. The child starts a process
// that inherits its input and never reads it, then exits; the engine has
// more queued for that input than the pipe holds, so its writer thread is
// inside a WriteFile that can never complete. The engine must not wait for
// it: it cancels the write (CancelSynchronousIo, as for the readers), says
// why, reports the child's exit, and the engine's teardown does not hang
// until the grandchild ends. Windows-only: the POSIX backend writes a
// child's input without blocking.
#include <gtest/gtest.h>

#include <string>

#include "conformance_fixture.hpp"

namespace pipescope::conformance {
namespace {

TEST_F(EngineConformance, ChildInputThatAGrandchildHoldsUnreadIsGivenUpAtTheChildsExit) {
  ChildOptions options;
  options.argv = {child_helper_path(), "spawn-idle-holder"};
  auto child = engine_.run_child(options);
  ASSERT_TRUE(succeeded(child)) << child_helper_path();
  // More than the child's stdin pipe (64 KiB) holds: the write blocks.
  const std::string input(1024 * 1024, 'i');
  ASSERT_TRUE(succeeded(engine_.send(*child, as_bytes(input))));

  auto exited = await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *child; });
  ASSERT_TRUE(exited) << recent_events();
  EXPECT_EQ(exited->exit_code, 0);
  auto stopped = await<ErrorEvent>([&](const ErrorEvent& e) {
    return e.endpoint == *child && e.error.detail.find("standard input") != std::string::npos;
  });
  ASSERT_TRUE(stopped) << "no error says why writing the child's input stopped" << recent_events();
  EXPECT_TRUE(has_code(stopped->error, Errc::operation_aborted)) << stopped->error.summary();
  EXPECT_LT(logged_bytes(*child, Direction::out).size(), input.size()) << "the log has what crossed, no more";
  ASSERT_TRUE(await_state(*child, EndpointState::closed)) << recent_events();
}

}  // namespace
}  // namespace pipescope::conformance
