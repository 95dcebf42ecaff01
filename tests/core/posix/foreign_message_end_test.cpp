// A foreign SOCK_SEQPACKET peer that queues empty messages and hangs up:
// every message is logged, then the disconnect (issue 11, item 10).
#include "hostile_peer_fixture.hpp"

namespace pipescope::hostile {
namespace {

TEST_F(HostilePeer, ForeignEmptyMessagesBeforeTheHangUpAreMessages) {
  auto o = options("foreign-empty", PipeType::message);
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  RawSocket peer(SOCK_SEQPACKET);
  ASSERT_EQ(peer.connect_to(socket_path(o.name)), 0);
  auto instance = await_instance(*server, EndpointState::connected);
  ASSERT_TRUE(instance) << recent_events();

  // Hold the I/O thread while the peer queues its messages and closes, so
  // the instance finds all of them waiting together with the hang-up.
  sink_.arm();
  ASSERT_TRUE(peer.send_text("x"));
  ASSERT_TRUE(sink_.await_held());
  for (std::string_view m : {"", "mid", "", ""}) ASSERT_TRUE(peer.send_text(m));
  peer.close();
  sink_.release();

  ASSERT_TRUE(await_state(*instance, EndpointState::disconnected)) << recent_events();
  EXPECT_EQ(logged(*instance, Direction::in), (std::vector<std::string>{"x", "", "mid", "", ""})) << recent_events();
}

}  // namespace
}  // namespace pipescope::hostile
