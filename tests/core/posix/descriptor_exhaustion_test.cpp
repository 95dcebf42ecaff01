// Out of file descriptors (issue 11, item 6): the server stops accepting
// instead of spinning on EMFILE, says so once, and accepts the clients that
// waited as soon as descriptors are free again.
#include "hostile_peer_fixture.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <memory>
#include <set>

namespace pipescope::hostile {
namespace {

/// The descriptor numbers this process has open now.
std::set<int> open_descriptors() {
  std::set<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = ::dirfd(dir);
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != own) fds.insert(fd);
  }
  ::closedir(dir);
  return fds;
}

/// The processor time this process has used (all threads, user and system).
std::chrono::microseconds process_cpu_time() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto total = [](const timeval& t) { return std::chrono::seconds(t.tv_sec) + std::chrono::microseconds(t.tv_usec); };
  return total(usage.ru_utime) + total(usage.ru_stime);
}

/// Lowers this process's descriptor limit so that exactly `free` more may be
/// opened, and restores the old limit when it goes.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(std::size_t free) {
    ::getrlimit(RLIMIT_NOFILE, &old_);
    const std::set<int> open = open_descriptors();
    rlim_t limit = 0;
    for (std::size_t left = free; left > 0 || open.contains(static_cast<int>(limit)); ++limit) {
      if (!open.contains(static_cast<int>(limit))) --left;
    }
    rlimit lowered = old_;
    lowered.rlim_cur = limit;
    lowered_ = ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~DescriptorLimit() { restore(); }
  DescriptorLimit(const DescriptorLimit&) = delete;
  DescriptorLimit& operator=(const DescriptorLimit&) = delete;

  [[nodiscard]] bool lowered() const { return lowered_; }
  void restore() {
    if (lowered_) ::setrlimit(RLIMIT_NOFILE, &old_);
    lowered_ = false;
  }

 private:
  rlimit old_{};
  bool lowered_ = false;
};

class DescriptorExhaustion : public HostilePeer {
 protected:
  std::size_t connected_instances(ServerId server) {
    std::set<EndpointId> ids;
    for (const auto& s : seen<StateChanged>([&](const StateChanged& s) {
           return s.kind == EndpointKind::instance && s.server == server && s.state == EndpointState::connected;
         })) {
      ids.insert(s.endpoint);
    }
    return ids.size();
  }
  bool await_connected_instances(ServerId server, std::size_t count) {
    return await_count<StateChanged>(
        [&](const StateChanged& s) {
          return s.kind == EndpointKind::instance && s.server == server && s.state == EndpointState::connected;
        },
        count);
  }
  std::vector<ErrorEvent> exhaustion_reports(ServerId server) {
    return seen<ErrorEvent>(
        [&](const ErrorEvent& e) { return e.server == server && e.error.errc() == Errc::too_many_open_files; });
  }
};

TEST_F(DescriptorExhaustion, AcceptWaitsReportsOnceAndRecovers) {
  constexpr std::size_t kClients = 12;
  constexpr std::size_t kRoom = 3;  // instances the server can open before it runs out
  auto o = options("emfile");
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  // The clients' sockets come first: they share this process's limit.
  std::vector<std::unique_ptr<RawSocket>> clients;
  for (std::size_t i = 0; i < kClients; ++i) clients.push_back(std::make_unique<RawSocket>());

  DescriptorLimit limit(kRoom);
  ASSERT_TRUE(limit.lowered());
  for (auto& c : clients) ASSERT_EQ(c->connect_to(socket_path(o.name)), 0);

  ASSERT_TRUE(await_connected_instances(*server, kRoom)) << recent_events();
  ASSERT_TRUE(await<ErrorEvent>([&](const ErrorEvent& e) {
    return e.server == *server && e.error.errc() == Errc::too_many_open_files;
  })) << recent_events();
  // A busy accept loop would report again and again, or at least burn the
  // processor; give it the time to. Waiting here costs this process next
  // to no processor time, and a paused server wakes a few times only.
  const auto cpu_before = process_cpu_time();
  EXPECT_FALSE(await_count<ErrorEvent>(
      [&](const ErrorEvent& e) { return e.server == *server && e.error.errc() == Errc::too_many_open_files; }, 2,
      500ms));
  EXPECT_LT(process_cpu_time() - cpu_before, 150ms) << "the engine spun while it could not accept";
  const auto reports = exhaustion_reports(*server);
  ASSERT_EQ(reports.size(), 1U) << recent_events();
  EXPECT_NE(reports[0].error.detail.find("wait"), std::string::npos) << reports[0].error.summary();
  EXPECT_NE(reports[0].error.detail.find(std::to_string(kRoom) + " instances"), std::string::npos)
      << reports[0].error.summary();
  EXPECT_EQ(connected_instances(*server), kRoom);

  // One client leaves: its descriptor frees up and a waiting client gets it.
  clients[0]->close();
  ASSERT_TRUE(await_connected_instances(*server, kRoom + 1)) << recent_events();

  // The limit goes back up: every waiting client is accepted, with no new report.
  limit.restore();
  ASSERT_TRUE(await_connected_instances(*server, kClients)) << recent_events();
  EXPECT_EQ(exhaustion_reports(*server).size(), 1U) << recent_events();

  // The server is itself again: a client of ours connects and is served.
  ClientOptions c;
  c.name = o.name;
  auto ours = engine_.connect(c);
  ASSERT_TRUE(ours.ok()) << ours.error().summary();
  ASSERT_TRUE(engine_.send(*ours, as_bytes("hello")).ok());
  ASSERT_TRUE(await_connected_instances(*server, kClients + 1)) << recent_events();
}

}  // namespace
}  // namespace pipescope::hostile
