// Other users' sockets on a shared machine: a live server is never taken
// over whatever its name looks like, another user's stale socket is never
// replaced, no link is followed, and rows forged into /proc/net/unix change
// nothing. The foreign peers are raw sockets made here, not PipeScope's.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>

#include <pipescope/engine.hpp>

#include "posix_fixture.hpp"

namespace pipescope {
namespace {

using namespace std::chrono_literals;
using posix_test::kTimeout;
using posix_test::socket_path;
constexpr uid_t kNobody = 65534;

sockaddr_un address_of(std::string_view name) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), std::min(name.size(), sizeof addr.sun_path - 1));
  return addr;
}

socklen_t length_of(std::string_view name) {
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
}

/// A listening socket bound by this process: the foreign server.
struct RawListener {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ~RawListener() { ::close(fd); }
  RawListener() = default;
  RawListener(const RawListener&) = delete;
  RawListener& operator=(const RawListener&) = delete;
  bool bind_to(std::string_view name) const {
    const sockaddr_un addr = address_of(name);
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), length_of(name)) == 0;
  }
  bool listen() const { return ::listen(fd, 4) == 0; }
};

/// Leaves a socket file nobody listens on: bound, then closed.
bool make_stale_socket(const std::string& path) {
  const RawListener dead;
  return dead.bind_to(path);
}

/// Runs `body` in a forked child, which reports one status byte (0 = ready)
/// and then waits until the test ends it. Only system calls in the child.
class ForeignProcess {
 public:
  explicit ForeignProcess(const std::function<char()>& body) {
    int ready[2];
    int hold[2];
    if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(hold, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::close(hold[1]);
      const char status = body();
      (void)!::write(ready[1], &status, 1);
      char byte = 0;
      (void)!::read(hold[0], &byte, 1);  // until the parent closes its end
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(hold[0]);
    hold_ = hold[1];
    char status = 1;
    if (::read(ready[0], &status, 1) == 1) status_ = status;
    ::close(ready[0]);
  }
  ~ForeignProcess() {
    if (hold_ >= 0) ::close(hold_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
  }
  ForeignProcess(const ForeignProcess&) = delete;
  ForeignProcess& operator=(const ForeignProcess&) = delete;
  /// The child's status byte, or nullopt if it died before sending one.
  [[nodiscard]] std::optional<char> status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int hold_ = -1;
  std::optional<char> status_;
};

/// In a child: bind `name` as a listening stream socket, and keep it.
char listen_in_child(const char* name) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, name, sizeof addr.sun_path - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4) != 0) return 2;
  return 0;
}

/// In a child: the same, then refuse connects as a busy PipeScope pipe does
/// (shut down for reading), so only the socket's identity shows it is live.
char busy_in_child(const char* name) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, name, sizeof addr.sun_path - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4) != 0 ||
      ::shutdown(fd, SHUT_RD) != 0) {
    return 2;
  }
  return 0;
}

class Takeover : public posix_test::EngineFixture {
 protected:
  Takeover() : EngineFixture("takeover") {}

  /// start_server must refuse with access_denied, both with and without
  /// FILE_FLAG_FIRST_PIPE_INSTANCE, and leave the file as it was.
  void expect_refused(ServerOptions o, std::string_view why) {
    struct stat before {};
    ASSERT_EQ(::lstat(socket_path(o.name).c_str(), &before), 0) << why;
    for (const bool first : {false, true}) {
      o.first_instance = first;
      auto r = engine_.start_server(o);
      ASSERT_FALSE(r.ok()) << why << ": a live server was taken over (first_instance=" << first << ")";
      EXPECT_EQ(r.error().errc(), Errc::access_denied) << r.error().summary();
    }
    struct stat after {};
    ASSERT_EQ(::lstat(socket_path(o.name).c_str(), &after), 0) << why;
    EXPECT_EQ(after.st_ino, before.st_ino) << why << ": the file was replaced";
  }
};

TEST_F(Takeover, LiveServerWhoseNameHoldsASpaceIsRefused) {
  auto o = options("with space");
  RawListener foreign;
  ASSERT_TRUE(foreign.bind_to(socket_path(o.name)));
  ASSERT_TRUE(foreign.listen());
  expect_refused(o, "a name with a space");
}

TEST_F(Takeover, LiveServerBoundByARelativePathIsRefused) {
  auto o = options("relative");
  const std::string leaf = "CoreFxPipe_" + o.name;
  const std::string folder = posix_test::temp_folder();
  const ForeignProcess foreign([&leaf, &folder] {
    if (::chdir(folder.c_str()) != 0) return char{3};
    return listen_in_child(leaf.c_str());
  });
  ASSERT_EQ(foreign.status(), char{0});
  expect_refused(o, "bound by a relative path");
}

TEST_F(Takeover, LiveServerBoundThenRenamedIsRefused) {
  auto o = options("renamed");
  const std::string bound_as = posix_test::temp_folder() + "/" + unique_name("bound-before-rename");
  RawListener foreign;
  ASSERT_TRUE(foreign.bind_to(bound_as));
  ASSERT_TRUE(foreign.listen());
  ASSERT_EQ(::rename(bound_as.c_str(), socket_path(o.name).c_str()), 0);
  expect_refused(o, "bound under another name, then renamed");
}

TEST_F(Takeover, LiveServerInAnotherNetworkNamespaceIsRefused) {
  auto o = options("netns");
  const std::string path = socket_path(o.name);
  const ForeignProcess foreign([&path] {
    if (::unshare(CLONE_NEWNET) != 0) return char{4};
    return listen_in_child(path.c_str());
  });
  if (foreign.status() == char{4}) {
    GTEST_SKIP() << "unshare(CLONE_NEWNET) is not permitted here (needs CAP_SYS_ADMIN or user namespaces)";
  }
  ASSERT_EQ(foreign.status(), char{0});
  expect_refused(o, "a server in another network namespace");
}

TEST_F(Takeover, BusyServerInAnotherNetworkNamespaceIsNeitherTakenOverNorCalledStale) {
  auto o = options("netns-busy");
  const std::string path = socket_path(o.name);
  const ForeignProcess foreign([&path] {
    if (::unshare(CLONE_NEWNET) != 0) return char{4};
    return busy_in_child(path.c_str());
  });
  if (foreign.status() == char{4}) {
    GTEST_SKIP() << "unshare(CLONE_NEWNET) is not permitted here (needs CAP_SYS_ADMIN or user namespaces)";
  }
  ASSERT_EQ(foreign.status(), char{0});
  // Neither sock_diag nor /proc/net/unix of this namespace shows it; the
  // kernel still finds it by the file.
  expect_refused(o, "a busy server in another network namespace");
  ClientOptions c;
  c.name = o.name;
  c.busy_timeout = 200ms;
  auto client = engine_.connect(c);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().errc(), Errc::sem_timeout) << "waited as for a busy pipe: " << client.error().summary();
}

TEST_F(Takeover, BusyPipeScopeServerIsNotTakenOverByASecondServer) {
  auto o = options("busy");
  o.max_instances = 1;
  ASSERT_TRUE(engine_.start_server(o).ok());
  ClientOptions c;
  c.name = o.name;
  auto client = engine_.connect(c);
  ASSERT_TRUE(client.ok()) << client.error().summary();
  ASSERT_TRUE(events_.wait_for(
      [](const Event& e) {
        const auto* s = std::get_if<StateChanged>(&e);
        return s != nullptr && s->kind == EndpointKind::instance && s->state == EndpointState::connected;
      },
      kTimeout));
  // The server now refuses connects (every instance is busy); a second
  // engine stands for a second PipeScope process.
  EventQueue other_events;
  Engine other(&other_events);
  expect_refused(o, "a busy PipeScope pipe");
  auto r = other.start_server(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("busy"), std::string::npos) << r.error().summary();
}

/// An abstract socket whose name holds a newline and then a line that reads
/// like a listening socket's row of /proc/net/unix for `path` (fields as
/// short as a whitespace-splitting parser accepts, so it fits in sun_path).
std::string forged_row_name(const std::string& path) {
  return std::string("\0x\n", 3) + "0: 2 0 10000 1 1 424242 " + path;
}

TEST_F(Takeover, ForgedTableRowDoesNotMakeAServerRefuseAFreeName) {
  auto o = options("fs");
  RawListener forger;
  ASSERT_TRUE(forger.bind_to(forged_row_name(socket_path(o.name))));
  ASSERT_TRUE(make_stale_socket(socket_path(o.name)));  // ours, stale: may be replaced
  auto server = engine_.start_server(o);
  EXPECT_TRUE(server.ok()) << server.error().summary();
}

TEST_F(Takeover, ForgedTableRowDoesNotMakeAClientWaitAsIfBusy) {
  const std::string leaf = unique_name("fc");
  cleanup_.push_back(socket_path(leaf));
  RawListener forger;
  ASSERT_TRUE(forger.bind_to(forged_row_name(socket_path(leaf))));
  ASSERT_TRUE(make_stale_socket(socket_path(leaf)));
  ClientOptions c;
  c.name = leaf;
  c.busy_timeout = 3000ms;
  const auto start = std::chrono::steady_clock::now();
  auto client = engine_.connect(c);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().errc(), Errc::file_not_found) << client.error().summary();
  EXPECT_LT(took, 1500ms) << "a stale file must fail at once, not wait as a busy pipe";
}

TEST_F(Takeover, ForgedTableRowIsNotListedAsAPipe) {
  const std::string leaf = unique_name("fl");
  RawListener forger;
  ASSERT_TRUE(forger.bind_to(forged_row_name(socket_path(leaf))));
  auto pipes = engine_.list_pipes();
  ASSERT_TRUE(pipes.ok()) << pipes.error().summary();
  for (const PipeInfo& p : *pipes) {
    EXPECT_EQ(p.os_path.find(leaf), std::string::npos) << "forged: " << p.os_path;
    EXPECT_EQ(p.os_path.find('\n'), std::string::npos) << "a cut row: " << p.os_path;
  }
}

TEST_F(Takeover, ListingFindsARenamedListenerByItsFile) {
  auto o = options("listed-renamed");
  const std::string bound_as = posix_test::temp_folder() + "/" + unique_name("listed-before-rename");
  RawListener foreign;
  ASSERT_TRUE(foreign.bind_to(bound_as));
  ASSERT_TRUE(foreign.listen());
  ASSERT_EQ(::rename(bound_as.c_str(), socket_path(o.name).c_str()), 0);
  auto pipes = engine_.list_pipes();
  ASSERT_TRUE(pipes.ok()) << pipes.error().summary();
  const auto it = std::find_if(pipes->begin(), pipes->end(),
                               [&](const PipeInfo& p) { return p.os_path == socket_path(o.name); });
  ASSERT_NE(it, pipes->end()) << "the file that reaches the listener is what the listing shows";
  EXPECT_EQ(it->name, "\\\\.\\pipe\\" + o.name);
  EXPECT_TRUE(std::none_of(pipes->begin(), pipes->end(), [&](const PipeInfo& p) { return p.os_path == bound_as; }))
      << "the name it was bound with reaches nothing any more";
}

TEST_F(Takeover, ListingShowsANameWithSpacesWhole) {
  auto o = options("listed with  spaces");
  RawListener foreign;
  ASSERT_TRUE(foreign.bind_to(socket_path(o.name)));
  ASSERT_TRUE(foreign.listen());
  auto pipes = engine_.list_pipes();
  ASSERT_TRUE(pipes.ok()) << pipes.error().summary();
  EXPECT_TRUE(std::any_of(pipes->begin(), pipes->end(), [&](const PipeInfo& p) {
    return p.os_path == socket_path(o.name) && p.name == "\\\\.\\pipe\\" + o.name;
  }));
  const std::string cut = socket_path(o.name.substr(0, o.name.find(' ')));
  EXPECT_TRUE(std::none_of(pipes->begin(), pipes->end(), [&](const PipeInfo& p) { return p.os_path == cut; }))
      << "the name was cut at its first space";
}

/// Runs `body` as uid/gid 65534 in a forked child and returns its status.
std::optional<char> as_nobody(const std::function<char()>& body) {
  const ForeignProcess child([&body] {
    // Raw system calls: in a forked child of a threaded process only these are safe.
    if (::syscall(SYS_setresgid, kNobody, kNobody, kNobody) != 0 ||
        ::syscall(SYS_setresuid, kNobody, kNobody, kNobody) != 0) {
      return char{5};
    }
    return body();
  });
  return child.status();
}

TEST_F(Takeover, AnotherUsersStaleSocketIsRefusedWithItsOwnerNamed) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a socket as a second user (uid 65534)";
  auto o = options("nobody-stale");
  const std::string path = socket_path(o.name);
  ASSERT_EQ(as_nobody([&path] { return make_stale_socket(path) ? char{0} : char{6}; }), char{0});
  struct stat before {};
  ASSERT_EQ(::lstat(path.c_str(), &before), 0);
  ASSERT_EQ(before.st_uid, kNobody);

  auto r = engine_.start_server(o);
  ASSERT_FALSE(r.ok()) << "another user's stale socket was replaced";
  EXPECT_EQ(r.error().errc(), Errc::access_denied);
  EXPECT_NE(r.error().detail.find("uid 65534"), std::string::npos) << r.error().summary();
  EXPECT_NE(r.error().detail.find("rm -- "), std::string::npos) << "says how to remove it: " << r.error().summary();
  struct stat after {};
  ASSERT_EQ(::lstat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_uid, kNobody);
}

TEST_F(Takeover, SymbolicLinkAtThePipeNameIsNeverFollowedOrReplaced) {
  auto o = options("link");
  const std::string target = posix_test::temp_folder() + "/" + unique_name("link-target");
  cleanup_.push_back(target);
  ASSERT_TRUE(make_stale_socket(target));
  ASSERT_EQ(::symlink(target.c_str(), socket_path(o.name).c_str()), 0);
  auto r = engine_.start_server(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errc(), Errc::access_denied);
  struct stat st {};
  ASSERT_EQ(::lstat(socket_path(o.name).c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link stays";
}

TEST_F(Takeover, ClientDoesNotFollowALinkToAnotherSocket) {
  const std::string leaf = unique_name("client-link");
  const std::string target = posix_test::temp_folder() + "/" + unique_name("client-link-target");
  cleanup_.push_back(target);
  cleanup_.push_back(socket_path(leaf));
  RawListener foreign;
  ASSERT_TRUE(foreign.bind_to(target));
  ASSERT_TRUE(foreign.listen());
  ASSERT_EQ(::symlink(target.c_str(), socket_path(leaf).c_str()), 0);
  ClientOptions c;
  c.name = leaf;
  auto client = engine_.connect(c);
  ASSERT_FALSE(client.ok()) << "the client followed a link to " << target;
  EXPECT_EQ(client.error().errc(), Errc::access_denied) << client.error().summary();
}

TEST_F(Takeover, AFileAtTheTemporaryNameIsNotDeleted) {
  // A server binds a temporary name (path + ".~pipescope-PID-N") and renames
  // it into place; a file someone put there first must survive.
  auto o = options("temp-planted");
  const std::string planted = socket_path(o.name) + ".~pipescope-" + std::to_string(::getpid()) + "-1";
  cleanup_.push_back(planted);
  { std::ofstream(planted) << "precious"; }
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  std::ifstream f(planted);
  std::string content;
  f >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(Takeover, EveryoneModeSurvivesANarrowUmask) {
  auto o = options("umask");
  o.security = SecurityPreset::everyone;
  const mode_t saved = ::umask(077);
  auto server = engine_.start_server(o);
  ::umask(saved);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  struct stat st {};
  ASSERT_EQ(::lstat(socket_path(o.name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0666U);
}

/// Points TMPDIR at `folder` for one start_server and puts it back.
Result<ServerId> start_in(Engine& engine, const std::string& folder, const ServerOptions& o) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("TMPDIR", folder.c_str(), 1);
  auto server = engine.start_server(o);
  if (old != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  return server;
}

TEST_F(Takeover, SocketFolderThatOthersMayWriteWithoutStickyBitIsRefused) {
  char folder[] = "/tmp/pipescope-open-folder-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  ASSERT_EQ(::chmod(folder, 0777), 0);
  ServerOptions o;
  o.name = unique_name("open-folder");
  auto server = start_in(engine_, folder, o);
  if (server.ok()) {
    EXPECT_TRUE(engine_.stop_server(*server).ok());
  }
  ::rmdir(folder);
  ASSERT_FALSE(server.ok()) << "anyone could replace a socket in a 0777 folder";
  EXPECT_EQ(server.error().errc(), Errc::access_denied);
}

TEST_F(Takeover, SocketFolderLinkPlantedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant a link as a second user (uid 65534)";
  char folder[] = "/tmp/pipescope-planted-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  ASSERT_EQ(::chown(folder, kNobody, kNobody), 0);
  const std::string link = std::string(folder) + ".link";
  ASSERT_EQ(::symlink(folder, link.c_str()), 0);
  ASSERT_EQ(::lchown(link.c_str(), kNobody, kNobody), 0);
  ServerOptions o;
  o.name = unique_name("planted-folder");
  auto server = start_in(engine_, link, o);
  if (server.ok()) {
    EXPECT_TRUE(engine_.stop_server(*server).ok());
  }
  ::unlink(link.c_str());
  ::rmdir(folder);
  ASSERT_FALSE(server.ok()) << "the socket went into a folder another user controls";
  EXPECT_EQ(server.error().errc(), Errc::access_denied);
  EXPECT_NE(server.error().detail.find("65534"), std::string::npos) << server.error().summary();
}

}  // namespace
}  // namespace pipescope
