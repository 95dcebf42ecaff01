// POSIX-only cases of the impersonation probe: the identity it reports and
// switches to is the one the client's process really has (SO_PEERCRED and
// SO_PEERGROUPS), and whether it may switch ids at all is decided by the
// capabilities CAP_SETUID and CAP_SETGID, not by being root.
//
// Both cases need root: one to start a client with groups of its own, the
// other to show that root without those capabilities is not mistaken for a
// process that may switch.
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>

#include "conformance_fixture.hpp"
#include "posix/posix_backend.hpp"

namespace pipescope::conformance {
namespace {

/// uid and gid of "nobody" on Debian.
constexpr uid_t kNobody = 65534;
/// A group no configured user has (getgrouplist never lists it for nobody),
/// given to the client process with setgroups.
constexpr gid_t kClientOnlyGroup = 4242;

std::string socket_path_for_test(std::string_view what) {
  return detail::posix::socket_folder() + "/pipescope-imp-" + std::to_string(::getpid()) + "-" + std::string(what);
}

/// The gids in the probe's group list ("name (4242)" or "gid 4242").
std::vector<long> gids_of(const std::vector<std::string>& groups) {
  std::vector<long> gids;
  for (const std::string& group : groups) {
    const std::size_t digits = group.find_last_of("0123456789");
    if (digits == std::string::npos) continue;
    std::size_t start = digits;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(group[start - 1])) != 0) --start;
    gids.push_back(std::stol(group.substr(start, digits - start + 1)));
  }
  std::sort(gids.begin(), gids.end());
  return gids;
}

/// Removes a file when the test ends, whatever happened.
struct RemovedAtEnd {
  std::string path;
  ~RemovedAtEnd() { ::unlink(path.c_str()); }
};

using ImpersonatePosix = EngineConformance;

TEST_F(ImpersonatePosix, ProbeUsesTheGroupsTheClientProcessReallyHas) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root: the client process must switch to uid 65534 with a group of its own";
  }
  ServerOptions options = server_options();
  options.name = socket_path_for_test("groups");
  options.security = SecurityPreset::everyone;  // uid 65534 must be able to connect
  RemovedAtEnd socket_file{options.name};
  auto served = serve(options);
  ASSERT_TRUE(served);

  // A file only members of the client's own group may read: the probe can
  // open it only with the groups the client process has.
  RemovedAtEnd probe{socket_path_for_test("probe")};
  {
    const int fd = ::open(probe.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << probe.path << ": errno " << errno;
    ASSERT_EQ(::fchown(fd, 0, kClientOnlyGroup), 0);
    ASSERT_EQ(::fchmod(fd, 0040), 0);
    ::close(fd);
  }

  int hold[2];
  ASSERT_EQ(::pipe2(hold, O_CLOEXEC), 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, options.name.c_str(), sizeof address.sun_path - 1);

  const pid_t client = ::fork();
  ASSERT_GE(client, 0);
  if (client == 0) {
    // The forked copy of a threaded process may make only async-signal-safe
    // calls: raw system calls, then _exit.
    ::close(hold[1]);
    const gid_t groups[] = {kClientOnlyGroup};
    if (::syscall(SYS_setgroups, 1, groups) != 0) ::_exit(10);
    if (::syscall(SYS_setresgid, kNobody, kNobody, kNobody) != 0) ::_exit(11);
    if (::syscall(SYS_setresuid, kNobody, kNobody, kNobody) != 0) ::_exit(12);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) ::_exit(13);
    char byte = 0;
    // Connected until the test closes its end of the pipe.
    [[maybe_unused]] const ssize_t got = ::read(hold[0], &byte, 1);
    ::_exit(0);
  }
  ::close(hold[0]);
  const auto end_client = [&] {
    ::close(hold[1]);
    int status = 0;
    ::waitpid(client, &status, 0);
    return status;
  };

  auto instance = await_instance_state(served->server, EndpointState::connected);
  if (!instance) {
    const int status = end_client();
    FAIL() << "the client never connected (its exit status " << status << ")" << recent_events();
  }
  ImpersonationRequest request;
  request.probe_path = probe.path;
  const Result<void> asked = engine_.impersonate(instance->endpoint, request);
  auto result = await<Impersonated>([&](const Impersonated& e) { return e.endpoint == instance->endpoint; });
  const int status = end_client();
  ASSERT_TRUE(succeeded(asked));
  ASSERT_TRUE(result) << recent_events();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "client status " << status;

  const ImpersonationResult& r = result->result;
  EXPECT_EQ(r.sid, "uid 65534 gid 65534");
  // getgrouplist("nobody") says {65534}; the process has 65534 as its gid and
  // 4242 as its only supplementary group.
  EXPECT_EQ(gids_of(r.groups), (std::vector<long>{kClientOnlyGroup, kNobody}))
      << "groups reported: " << ::testing::PrintToString(r.groups);
  ASSERT_TRUE(r.impersonated) << (r.error ? r.error->summary() : std::string());
  EXPECT_TRUE(r.reverted);
  EXPECT_EQ(r.probe_granted, std::optional<bool>(true))
      << "the probe ran without the client's group 4242: "
      << (r.probe_error ? r.probe_error->summary() : std::string("no error"));
}

/// Clears CAP_SETUID and CAP_SETGID from the calling thread's effective set.
/// Capabilities belong to threads on Linux, and a new thread starts with
/// its creator's: an engine made on this thread runs its loop (and the
/// probe's thread) without them.
bool drop_id_capabilities_of_this_thread() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  data[0].effective &= ~((1U << CAP_SETUID) | (1U << CAP_SETGID));
  return ::syscall(SYS_capset, &header, data) == 0;
}

TEST(ImpersonatePosixCapabilities, RootWithoutCapSetuidIsToldItCannotSwitchIds) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root: the case is euid 0 without CAP_SETUID, which only root can be";
  }
  std::optional<ImpersonationResult> result;
  std::string failure;
  std::thread without_capabilities([&] {
    if (!drop_id_capabilities_of_this_thread()) {
      failure = "capset failed: errno " + std::to_string(errno);
      return;
    }
    EventQueue events;
    Engine engine(&events);
    ServerOptions options;
    options.name = socket_path_for_test("nocap");
    RemovedAtEnd socket_file{options.name};
    const Result<ServerId> server = engine.start_server(options);
    if (!server) {
      failure = server.error().summary();
      return;
    }
    ClientOptions client;
    client.name = options.name;
    const Result<EndpointId> connected = engine.connect(client);
    if (!connected) {
      failure = connected.error().summary();
      return;
    }
    EndpointId instance = 0;
    events.wait_until(
        [&](std::span<const Event> history) {
          for (const Event& event : history) {
            const auto* state = std::get_if<StateChanged>(&event);
            if (state != nullptr && state->kind == EndpointKind::instance && state->server == *server &&
                state->state == EndpointState::connected) {
              instance = state->endpoint;
              return true;
            }
          }
          return false;
        },
        kEventTimeout);
    if (instance == 0) {
      failure = "no instance connected";
      return;
    }
    if (const Result<void> asked = engine.impersonate(instance, {}); !asked) {
      failure = asked.error().summary();
      return;
    }
    const auto event = events.wait_for(
        [&](const Event& e) {
          const auto* done = std::get_if<Impersonated>(&e);
          return done != nullptr && done->endpoint == instance;
        },
        kEventTimeout);
    if (event) result = std::get<Impersonated>(*event).result;
    engine.close_all();
  });
  without_capabilities.join();
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_TRUE(result) << "no Impersonated event";
  EXPECT_EQ(result->level, "not visible on POSIX; identity read only (SO_PEERCRED), as Identification would")
      << "euid 0 without CAP_SETUID cannot switch ids";
  EXPECT_NE(result->notes.find("may not change ids"), std::string::npos) << result->notes;
  EXPECT_FALSE(result->error.has_value()) << result->error->summary();
  EXPECT_TRUE(result->reverted);
}

}  // namespace
}  // namespace pipescope::conformance
