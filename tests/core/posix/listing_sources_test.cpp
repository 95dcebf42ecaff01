// The two sources of the POSIX pipe listing, each asked directly: names
// with spaces are read whole, and rows forged into /proc/net/unix (an
// abstract socket whose name holds a newline and a made-up row) list nothing.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "posix/listing_sources.hpp"
#include "posix/posix_backend.hpp"

namespace pipescope::detail::posix {
namespace {

/// A socket bound (and optionally listening) by this test: a foreign server.
struct Bound {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  Bound(std::string_view name, bool listen) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), std::min(name.size(), sizeof addr.sun_path - 1));
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), length) == 0 && (!listen || ::listen(fd, 4) == 0);
  }
  ~Bound() { ::close(fd); }
  Bound(const Bound&) = delete;
  Bound& operator=(const Bound&) = delete;
  bool ok = false;
};

std::string forged_row(const std::string& path) {
  return std::string("\0y\n", 3) + "0: 2 0 10000 1 1 777 " + path;
}

class ListingSources : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string folder = socket_folder() + "/pipescope-sources-XXXXXX";
    ASSERT_NE(::mkdtemp(folder.data()), nullptr);
    dir_ = folder;
  }
  void TearDown() override {
    for (const auto& p : files_) ::unlink(p.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string file(const std::string& leaf) {
    files_.push_back(dir_ + "/" + leaf);
    return files_.back();
  }

  /// A listener with a space in the folder, one outside it, a stale socket
  /// and forged rows for a free and for the stale path.
  void expect_only_the_real_listeners(const std::map<std::string, Listener>& found) {
    EXPECT_TRUE(found.contains(spaced_)) << "a name with a space is read whole";
    EXPECT_TRUE(found.contains(outside_)) << "a listener outside the folder, found by its name";
    if (found.contains(spaced_)) {
      EXPECT_EQ(found.at(spaced_).type, "byte");
    }
    EXPECT_FALSE(found.contains(forged_free_)) << "a forged row for a free path";
    EXPECT_FALSE(found.contains(stale_)) << "a forged row for a stale socket";
    for (const auto& [path, listener] : found) {
      EXPECT_EQ(path.find('\n'), std::string::npos) << path;
    }
  }

  std::string dir_;
  std::vector<std::string> files_;
  std::string spaced_, outside_, forged_free_, stale_;
};

TEST_F(ListingSources, BothSourcesReadNamesWholeAndIgnoreForgedRows) {
  spaced_ = file("CoreFxPipe_a b  c");
  outside_ = file("elsewhere with space.sock");
  forged_free_ = file("CoreFxPipe_forged");
  stale_ = file("CoreFxPipe_stale");
  const Bound spaced(spaced_, true);
  const Bound outside(outside_, true);
  { const Bound stale(stale_, false); }
  const Bound forger_free(forged_row(forged_free_), false);
  const Bound forger_stale(forged_row(stale_), false);
  ASSERT_TRUE(spaced.ok && outside.ok && forger_free.ok && forger_stale.ok);

  SCOPED_TRACE("/proc/net/unix, confirmed by each socket");
  expect_only_the_real_listeners(listeners_from_table(dir_));
  auto sockets = dump_unix_sockets();
  if (!sockets) GTEST_SKIP() << "sock_diag is unavailable here: " << sockets.error().summary();
  SCOPED_TRACE("sock_diag");
  expect_only_the_real_listeners(listeners_from_diag(*sockets, dir_));
}

}  // namespace
}  // namespace pipescope::detail::posix
