// POSIX-only cases of children started with run_child: what a child
// inherits from the program that starts it, and signalling a child whose
// process is already gone.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "conformance_fixture.hpp"

namespace pipescope::conformance {
namespace {

ChildOptions helper(std::vector<std::string> arguments) {
  ChildOptions options;
  options.argv.push_back(child_helper_path());
  options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
  return options;
}

/// A descriptor opened the way careless host code opens one (a std::ofstream
/// does exactly this): without close-on-exec.
struct InheritableDescriptor {
  int fd = ::open("/dev/null", O_RDONLY);
  ~InheritableDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  InheritableDescriptor() = default;
  InheritableDescriptor(const InheritableDescriptor&) = delete;
  InheritableDescriptor& operator=(const InheritableDescriptor&) = delete;
};

/// Waits until `pid` names no process any more, zombie included: its parent
/// (the engine) has reaped it. The engine reports no event for that moment,
/// so the process table is asked, with a deadline.
bool wait_until_reaped(int pid) {
  const auto deadline = Clock::now() + kEventTimeout;
  while (Clock::now() < deadline) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::this_thread::yield();
  }
  return false;
}

using ChildPosix = EngineConformance;

TEST_F(ChildPosix, ChildInheritsOnlyItsThreeStandardStreams) {
  InheritableDescriptor leaked;
  ASSERT_GE(leaked.fd, 3) << "open /dev/null: errno " << errno;
  ASSERT_EQ(::fcntl(leaked.fd, F_GETFD) & FD_CLOEXEC, 0) << "the descriptor must be inheritable for this test";

  auto child = engine_.run_child(helper({"list-fds"}));
  ASSERT_TRUE(succeeded(child)) << child_helper_path();
  auto exited = await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *child; });
  ASSERT_TRUE(exited) << recent_events();
  EXPECT_EQ(exited->exit_code, 0);
  ASSERT_TRUE(await_bytes(*child, Direction::in, 6)) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(*child, Direction::in, record_flags::stderr_stream, 0)), "0 1 2\n")
      << "descriptor " << leaked.fd << " of the engine's process was open without close-on-exec";
}

TEST_F(ChildPosix, KillingAChildThatAlreadyExitedSignalsNothing) {
  // spawn-holder exits at once while a grandchild keeps its output open, so
  // the engine reaps the child and then waits out the output grace period
  // before it reports the exit. A kill in that window must not send a signal
  // to the reaped pid, which the kernel may already have given to another
  // process. It succeeds without a signal, as the Win32 backend does for a
  // child that has ended (TerminateProcess on an exited process fails with
  // ERROR_ACCESS_DENIED, and the engine treats that as done).
  auto child = engine_.run_child(helper({"spawn-holder"}));
  ASSERT_TRUE(succeeded(child)) << child_helper_path();
  auto started = await<ChildStarted>([&](const ChildStarted& e) { return e.endpoint == *child; });
  ASSERT_TRUE(started) << recent_events();
  ASSERT_TRUE(await_bytes(*child, Direction::in, 8)) << recent_events();
  ASSERT_TRUE(wait_until_reaped(static_cast<int>(started->pid))) << "the engine never reaped child " << started->pid;
  ASSERT_FALSE(await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *child; }, 0ms))
      << "the exit was reported before the grace period ended; the test needs the window before it";

  // Before the engine tracked the exit, this was kill(pid, SIGTERM) on the
  // reaped pid: ESRCH here, or a signal to a stranger had the pid been reused.
  const Result<void> killed = engine_.kill_child(*child);
  EXPECT_TRUE(succeeded(killed)) << (killed ? std::string() : killed.error().summary());

  auto exited = await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *child; });
  ASSERT_TRUE(exited) << recent_events();
  EXPECT_EQ(exited->exit_code, 0) << "the child ended by itself, with 0";
  EXPECT_EQ(exited->signal, 0) << "no signal reached it";
}

}  // namespace
}  // namespace pipescope::conformance
