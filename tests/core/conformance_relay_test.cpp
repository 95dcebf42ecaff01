// The relay (pipescope/relay.hpp): two endpoints paired through taps, so
// that what one reads the other writes, message for message. Two pipes of
// this engine play a client and a server that know nothing of each other;
// the relay joins the first pipe's instance to the second pipe's client, as
// the proxy will. They run against every backend (conformance_fixture.hpp).
#include <algorithm>
#include <cctype>

#include "conformance_fixture.hpp"

#include <pipescope/relay.hpp>

namespace pipescope::conformance {
namespace {

class Relay : public EngineConformance {
 protected:
  /// The outer pipe (what the program under test would open) and the inner
  /// pipe (the real server), both message pipes, and the relay between the
  /// outer instance and the inner client.
  struct Chain {
    Link outer;
    Link inner;
  };
  std::optional<Chain> chain(std::uint32_t outer_read_buffer, RelayHook hook = {}) {
    ServerOptions outer_options = message_server_options();
    outer_options.read_buffer_size = outer_read_buffer;
    auto outer_server = serve(outer_options);
    auto inner_server = serve(message_server_options());
    if (!outer_server || !inner_server) return std::nullopt;
    ClientOptions reads_messages = client_options(outer_server->name);
    reads_messages.read_mode = ReadMode::message;
    auto outer = connect_to(outer_server->server, reads_messages);
    reads_messages.name = inner_server->name;
    auto inner = connect_to(inner_server->server, reads_messages);
    if (!outer || !inner) return std::nullopt;
    if (auto paired = relay(engine_, outer->instance, inner->client, std::move(hook)); !paired) {
      ADD_FAILURE() << paired.error().summary();
      return std::nullopt;
    }
    return Chain{*outer, *inner};
  }
};

TEST_F(Relay, AMessageReadInPartsIsWrittenOnAsOneMessage) {
  auto c = chain(4);
  ASSERT_TRUE(c);
  ASSERT_TRUE(send_and_wait(c->outer.client, "0123456789"));
  // The outer instance read it in three parts (4 + 4 + 2 bytes) ...
  ASSERT_TRUE(await_bytes(c->outer.instance, Direction::in, 10)) << recent_events();
  EXPECT_EQ(logged(c->outer.instance, Direction::in).size(), 3U);
  // ... and the inner server got it as one message.
  ASSERT_TRUE(await_bytes(c->inner.instance, Direction::in, 10)) << recent_events();
  const std::vector<LoggedRow> arrived = logged(c->inner.instance, Direction::in);
  ASSERT_EQ(arrived.size(), 1U);
  EXPECT_EQ(text_of(arrived.front().payload), "0123456789");
  EXPECT_EQ(arrived.front().record.flags & record_flags::more_data, 0);
}

TEST_F(Relay, AnswersComeBackTheOtherWayInOrder) {
  auto c = chain(65536);
  ASSERT_TRUE(c);
  const std::vector<std::string> answers{"one", "two", "three", "four", "five"};
  for (const std::string& answer : answers) ASSERT_TRUE(succeeded(engine_.send(c->inner.instance, as_bytes(answer))));
  ASSERT_TRUE(await_records(c->outer.client, Direction::in, answers.size())) << recent_events();
  const std::vector<LoggedRow> arrived = logged(c->outer.client, Direction::in);
  ASSERT_EQ(arrived.size(), answers.size());
  for (std::size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(text_of(arrived[i].payload), answers[i]) << i;
}

TEST_F(Relay, TheHookChangesOrDropsMessagesOnTheirWay) {
  auto c = chain(65536, [](RelayedMessage& message) {
    if (as_chars(message.bytes) == std::string_view("secret")) return RelayVerdict::drop;
    for (std::byte& b : message.bytes) b = static_cast<std::byte>(std::toupper(std::to_integer<unsigned char>(b)));
    return RelayVerdict::forward;
  });
  ASSERT_TRUE(c);
  ASSERT_TRUE(send_and_wait(c->outer.client, "secret"));
  ASSERT_TRUE(send_and_wait(c->outer.client, "hello"));
  ASSERT_TRUE(await_bytes(c->inner.instance, Direction::in, 5)) << recent_events();
  const std::vector<LoggedRow> arrived = logged(c->inner.instance, Direction::in);
  ASSERT_EQ(arrived.size(), 1U) << "the dropped message never arrived";
  EXPECT_EQ(text_of(arrived.front().payload), "HELLO");
  // Both were read and logged where they came in: nothing is lost.
  EXPECT_EQ(logged(c->outer.instance, Direction::in).size(), 2U);
}

TEST_F(Relay, RefusesItselfAndUnknownEndpoints) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  EXPECT_TRUE(fails_with(relay(engine_, link->client, link->client), Errc::invalid_parameter));
  EXPECT_TRUE(fails_with(relay(engine_, link->client, 0x00FFFFFFU), Errc::unknown_endpoint));
}

// A forward to an endpoint that has gone is reported against the endpoint
// whose read it was; that endpoint goes on.
TEST_F(Relay, AForwardThatCannotBeSentIsReported) {
  auto c = chain(65536);
  ASSERT_TRUE(c);
  ASSERT_TRUE(succeeded(engine_.disconnect(c->inner.client)));
  ASSERT_TRUE(await_state(c->inner.client, EndpointState::closed)) << recent_events();
  ASSERT_TRUE(send_and_wait(c->outer.client, "into the void"));
  auto error = await_error(c->outer.instance);
  ASSERT_TRUE(error) << recent_events();
  EXPECT_NE(error->error.detail.find("forwarding"), std::string::npos) << error->error.summary();
  EXPECT_TRUE(state_is(engine_.state(c->outer.instance), EndpointState::connected));
}

}  // namespace
}  // namespace pipescope::conformance
