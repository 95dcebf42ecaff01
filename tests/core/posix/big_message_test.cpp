// Messages larger than Linux can carry in one SOCK_SEQPACKET message (issue
// 11, item 7): the send fails with a clear error that names the limit, the
// link survives, and later sends work, between our own ends and with a
// foreign peer.
#include "hostile_peer_fixture.hpp"

#include <thread>

namespace pipescope::hostile {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
const std::vector<std::size_t> kSizes{4 * kMiB, 8 * kMiB, 12 * kMiB, 16 * kMiB};

Bytes filled(std::size_t size, char c) { return Bytes(size, static_cast<std::byte>(c)); }

class BigMessages : public HostilePeer {
 protected:
  /// The errors `endpoint` reported about writing so far.
  std::vector<Error> write_errors(EndpointId endpoint) {
    std::vector<Error> errors;
    for (const ErrorEvent& e : seen<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == endpoint; })) {
      errors.push_back(e.error);
    }
    return errors;
  }

  /// A failed big send says how big a message may be.
  static ::testing::AssertionResult names_the_limit(const Error& error) {
    const bool too_large = error.errc() == Errc::message_too_large;
    const bool limit = error.detail.find("at most") != std::string::npos;
    if (too_large && limit) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "not a clear size error: " << error.summary();
  }
};

TEST_F(BigMessages, TooLargeBetweenOurOwnEndsLeavesTheLinkAlive) {
  auto o = options("big-own", PipeType::message);
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  ClientOptions c;
  c.name = o.name;
  c.read_mode = ReadMode::message;
  auto client = engine_.connect(c);
  ASSERT_TRUE(client.ok()) << client.error().summary();
  auto instance = await_instance(*server, EndpointState::connected);
  ASSERT_TRUE(instance);

  std::size_t delivered = 0;
  std::uint64_t delivered_bytes = 0;
  for (std::size_t i = 0; i < kSizes.size(); ++i) {
    SCOPED_TRACE(std::to_string(kSizes[i]) + " bytes");
    const std::size_t errors_before = write_errors(*client).size();
    ASSERT_TRUE(engine_.send(*client, filled(kSizes[i], static_cast<char>('a' + i))).ok());
    // Sent whole, or refused with an error; nothing in between.
    const EndpointId from = *client;
    const EndpointId to = *instance;
    const bool settled = sink_.queue.wait_until(
        [&](std::span<const Event> history) {
          std::uint64_t bytes = 0;
          std::size_t errors = 0;
          for (const Event& e : history) {
            if (const auto* d = std::get_if<Data>(&e); d != nullptr && d->endpoint == to && d->direction == Direction::in) {
              bytes += d->size;
            }
            if (const auto* err = std::get_if<ErrorEvent>(&e); err != nullptr && err->endpoint == from) ++errors;
          }
          return bytes >= delivered_bytes + kSizes[i] || errors > errors_before;
        },
        kTimeout);
    ASSERT_TRUE(settled) << recent_events();
    const auto errors = write_errors(*client);
    if (errors.size() > errors_before) {
      EXPECT_TRUE(names_the_limit(errors.back()));
    } else {
      ++delivered;
      delivered_bytes += kSizes[i];
    }
    ASSERT_EQ(engine_.state(*client), EndpointState::connected) << recent_events();
    ASSERT_EQ(engine_.state(*instance), EndpointState::connected) << recent_events();
  }
  // At least the largest cannot be carried, here or anywhere.
  EXPECT_LT(delivered, kSizes.size());

  // The link survives: small messages still flow both ways.
  ASSERT_TRUE(engine_.send(*client, as_bytes("after")).ok());
  ASSERT_TRUE(engine_.send(*instance, as_bytes("reply")).ok());
  ASSERT_TRUE(await_records(*client, Direction::in, 1)) << recent_events();
  ASSERT_TRUE(await<Data>([&](const Data& d) { return d.endpoint == *instance && d.size == 5; })) << recent_events();
  EXPECT_EQ(logged(*instance, Direction::in).back(), "after");
  EXPECT_EQ(logged(*client, Direction::in).back(), "reply");
}

TEST_F(BigMessages, TooLargeToAForeignPeerLeavesTheLinkAlive) {
  auto o = options("big-foreign", PipeType::message);
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  RawSocket peer(SOCK_SEQPACKET);
  ASSERT_EQ(peer.connect_to(socket_path(o.name)), 0);
  auto instance = await_instance(*server, EndpointState::connected);
  ASSERT_TRUE(instance);

  for (std::size_t i = 0; i < kSizes.size(); ++i) {
    SCOPED_TRACE(std::to_string(kSizes[i]) + " bytes");
    ASSERT_TRUE(engine_.send(*instance, filled(kSizes[i], static_cast<char>('a' + i))).ok());
  }
  ASSERT_TRUE(engine_.send(*instance, as_bytes("after")).ok());

  // The peer reads what could be carried and then the small message.
  std::vector<std::size_t> received;
  for (;;) {
    auto message = peer.receive(16 * kMiB + 1);
    ASSERT_TRUE(message) << "the peer read nothing more" << recent_events();
    if (*message == "after") break;
    received.push_back(message->size());
  }
  const auto errors = seen<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == *instance; });
  EXPECT_EQ(received.size() + errors.size(), kSizes.size()) << recent_events();
  EXPECT_FALSE(errors.empty());
  for (const ErrorEvent& e : errors) EXPECT_TRUE(names_the_limit(e.error));
  for (std::size_t size : received) EXPECT_NE(std::find(kSizes.begin(), kSizes.end(), size), kSizes.end());

  // The link survives both ways.
  EXPECT_EQ(engine_.state(*instance), EndpointState::connected) << recent_events();
  ASSERT_TRUE(peer.send_text("from the peer"));
  ASSERT_TRUE(await_records(*instance, Direction::in, 1)) << recent_events();
  EXPECT_EQ(logged(*instance, Direction::in).back(), "from the peer");
}

}  // namespace
}  // namespace pipescope::hostile
