// The I/O thread survives every per-endpoint failure (issue 11, item 2):
// the endpoint concerned gets an error event and is closed; every other
// endpoint and the engine go on. Faults are injected through the backend's
// test seams (core/src/posix/fault_injection.hpp).
#include "hostile_peer_fixture.hpp"

#include <new>

#include "posix/fault_injection.hpp"

namespace pipescope::hostile {
namespace {

namespace faults = detail::posix::fault_injection;

/// The abstract name the victim client binds; the injected fault picks the
/// server's end of that one connection by its peer's address.
std::string victim_name() { return "pipescope-victim-" + std::to_string(::getpid()); }

int fail_the_victims_watch(int fd) {
  sockaddr_un peer{};
  socklen_t len = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return 0;
  const std::string wanted = victim_name();
  const auto name_length = static_cast<std::size_t>(len) - offsetof(sockaddr_un, sun_path);
  if (name_length != wanted.size() + 1 || peer.sun_path[0] != '\0') return 0;
  return std::string_view(peer.sun_path + 1, wanted.size()) == wanted ? ENOSPC : 0;
}

/// The socket path whose listening sockets epoll "refuses" (set before the
/// fault is installed, which publishes it to the I/O thread).
std::string refused_listener_path;  // NOLINT(cert-err58-cpp)

int fail_the_listeners_watch(int fd) {
  int listening = 0;
  socklen_t size = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening == 0) return 0;
  sockaddr_un own{};
  socklen_t len = sizeof own;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&own), &len) != 0) return 0;
  // A listener is bound to a temporary name beside the path and renamed
  // over it, so its own address begins with the path.
  return std::string_view(own.sun_path).starts_with(refused_listener_path) ? ENOSPC : 0;
}

void throw_on_boom(std::span<const std::byte> payload) {
  if (as_chars(payload) == "boom") throw std::bad_alloc();
}

/// Installs a fault for one test and always takes it away again.
template <class Fn>
struct InstalledFault {
  std::atomic<Fn>& seam;
  InstalledFault(std::atomic<Fn>& s, Fn fn) : seam(s) { seam.store(fn); }
  ~InstalledFault() { seam.store(nullptr); }
  InstalledFault(const InstalledFault&) = delete;
  InstalledFault& operator=(const InstalledFault&) = delete;
};

class IoThreadSurvival : public HostilePeer {
 protected:
  /// A client of ours and its instance, with a message each way.
  void expect_a_working_link(ServerId server, const std::string& name) {
    std::vector<EndpointId> before;
    for (const auto& s : seen<StateChanged>([&](const StateChanged& s) {
           return s.kind == EndpointKind::instance && s.server == server && s.state == EndpointState::connected;
         })) {
      before.push_back(s.endpoint);
    }
    ClientOptions c;
    c.name = name;
    auto client = engine_.connect(c);
    ASSERT_TRUE(client.ok()) << client.error().summary() << recent_events();
    auto instance = await_instance(server, EndpointState::connected, before);
    ASSERT_TRUE(instance) << recent_events();
    ASSERT_TRUE(engine_.send(*client, as_bytes("ping")).ok());
    ASSERT_TRUE(engine_.send(*instance, as_bytes("pong")).ok());
    ASSERT_TRUE(await_records(*instance, Direction::in, 1)) << recent_events();
    ASSERT_TRUE(await_records(*client, Direction::in, 1)) << recent_events();
    EXPECT_EQ(logged(*instance, Direction::in).front(), "ping");
    EXPECT_EQ(logged(*client, Direction::in).front(), "pong");
  }

  /// The engine still answers: a new server starts and stops.
  void expect_a_responsive_engine() {
    auto o = options("responsive");
    auto again = engine_.start_server(o);
    ASSERT_TRUE(again.ok()) << again.error().summary();
    EXPECT_TRUE(engine_.stop_server(*again).ok());
  }
};

TEST_F(IoThreadSurvival, FailedWatchClosesThatInstanceOnly) {
  auto o = options("failed-watch");
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  InstalledFault fault(faults::watch_fault, &fail_the_victims_watch);

  RawSocket victim;
  ASSERT_TRUE(victim.bind_abstract(victim_name()));
  ASSERT_EQ(victim.connect_to(socket_path(o.name)), 0);

  // The instance that could not be watched reports why and is closed ...
  auto error = await<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint != 0 && e.error.os_code == ENOSPC; });
  ASSERT_TRUE(error) << recent_events();
  EXPECT_TRUE(await_state(error->endpoint, EndpointState::closed)) << recent_events();
  EXPECT_NE(error->error.summary().find("ENOSPC"), std::string::npos) << error->error.summary();
  // ... so its peer reads the end of the stream, not silence.
  EXPECT_EQ(victim.receive(), std::optional<std::string>(""));

  // Everything else goes on: the server accepts and serves other clients.
  expect_a_working_link(*server, o.name);
  expect_a_responsive_engine();
}

TEST_F(IoThreadSurvival, ServerWhoseListenerCannotBeWatchedDoesNotStart) {
  auto o = options("unwatched-listener");
  refused_listener_path = socket_path(o.name);
  InstalledFault fault(faults::watch_fault, &fail_the_listeners_watch);
  auto server = engine_.start_server(o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().os_code, ENOSPC) << server.error().summary();
  // Nothing is left behind: no socket file that would queue clients forever.
  EXPECT_NE(::access(socket_path(o.name).c_str(), F_OK), 0);
  expect_a_responsive_engine();
}

TEST_F(IoThreadSurvival, ServerWhoseNewListenerCannotBeWatchedIsStopped) {
  // With one instance, the listener is shut while the client is connected
  // and a fresh one takes its place when the client leaves (see
  // posix_backend.cpp): that one cannot be watched.
  auto o = options("unwatched-again");
  o.max_instances = 1;
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  ClientOptions c;
  c.name = o.name;
  auto client = engine_.connect(c);
  ASSERT_TRUE(client.ok()) << client.error().summary();
  ASSERT_TRUE(await_instance(*server, EndpointState::connected));

  refused_listener_path = socket_path(o.name);
  InstalledFault fault(faults::watch_fault, &fail_the_listeners_watch);
  ASSERT_TRUE(engine_.disconnect(*client).ok());
  auto error = await<ErrorEvent>([&](const ErrorEvent& e) { return e.server == *server && e.error.os_code == ENOSPC; });
  ASSERT_TRUE(error) << recent_events();
  EXPECT_TRUE(await<ServerStopped>([&](const ServerStopped& e) { return e.server == *server; })) << recent_events();
  EXPECT_NE(::access(socket_path(o.name).c_str(), F_OK), 0) << "a stopped server leaves no socket file";
  expect_a_responsive_engine();
}

TEST_F(IoThreadSurvival, ThrowingRecordClosesThatEndpointOnly) {
  auto o = options("throwing-record");
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  ClientOptions c;
  c.name = o.name;
  auto doomed = engine_.connect(c);
  ASSERT_TRUE(doomed.ok()) << doomed.error().summary();
  auto doomed_instance = await_instance(*server, EndpointState::connected);
  ASSERT_TRUE(doomed_instance);
  InstalledFault fault(faults::record_fault, &throw_on_boom);

  // Logging what the instance read throws, as an append out of memory does.
  ASSERT_TRUE(engine_.send(*doomed, as_bytes("boom")).ok());
  auto error = await<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == *doomed_instance; });
  ASSERT_TRUE(error) << recent_events();
  EXPECT_EQ(error->error.errc(), Errc::not_enough_memory) << error->error.summary();
  EXPECT_TRUE(await_state(*doomed_instance, EndpointState::closed)) << recent_events();
  // Its peer learns that the pipe ended.
  EXPECT_TRUE(await_state(*doomed, EndpointState::disconnected)) << recent_events();

  expect_a_working_link(*server, o.name);
  expect_a_responsive_engine();
}

TEST_F(IoThreadSurvival, ThrowingRecordOnAForeignLinkClosesItOnly) {
  auto o = options("throwing-foreign", PipeType::message);
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  RawSocket survivor(SOCK_SEQPACKET);
  ASSERT_EQ(survivor.connect_to(socket_path(o.name)), 0);
  auto survivor_instance = await_instance(*server, EndpointState::connected);
  ASSERT_TRUE(survivor_instance);
  RawSocket doomed(SOCK_SEQPACKET);
  ASSERT_EQ(doomed.connect_to(socket_path(o.name)), 0);
  auto doomed_instance = await_instance(*server, EndpointState::connected, {*survivor_instance});
  ASSERT_TRUE(doomed_instance);
  InstalledFault fault(faults::record_fault, &throw_on_boom);

  ASSERT_TRUE(doomed.send_text("boom"));
  ASSERT_TRUE(await<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == *doomed_instance; }))
      << recent_events();
  EXPECT_TRUE(await_state(*doomed_instance, EndpointState::closed)) << recent_events();
  EXPECT_EQ(doomed.receive(), std::optional<std::string>(""));

  ASSERT_TRUE(survivor.send_text("still here"));
  ASSERT_TRUE(await_records(*survivor_instance, Direction::in, 1)) << recent_events();
  EXPECT_EQ(logged(*survivor_instance, Direction::in).front(), "still here");
  ASSERT_TRUE(engine_.send(*survivor_instance, as_bytes("and you")).ok());
  EXPECT_EQ(survivor.receive(), std::optional<std::string>("and you"));
}

}  // namespace
}  // namespace pipescope::hostile
