// The log tells what happened in the order it happened: when both ends of a
// pipe are in this engine, a send's out record comes before the in record of
// the same bytes, and a reply the peer read before it closed comes before the
// instance's disconnected state. These cases run against every backend (see
// conformance_fixture.hpp), on byte and on message pipes.
#include <string>
#include <thread>
#include <vector>

#include "conformance_fixture.hpp"

namespace pipescope::conformance {
namespace {

struct PipeKind {
  const char* name;
  bool message = false;
};

/// Checks, record by record in log order, that `receiver` never logged
/// more bytes as read than `sender` had logged as written before.
void expect_every_in_after_its_out(MessageLog& log, EndpointId sender, EndpointId receiver) {
  std::uint64_t written = 0;
  std::uint64_t read = 0;
  std::size_t overtaken = 0;
  const std::uint64_t size = log.size();
  for (std::uint64_t row = 0; row < size; ++row) {
    const Record record = log.record(row);
    if (record.endpoint == sender && record.direction == Direction::out) written += record.length;
    if (record.endpoint == receiver && record.direction == Direction::in) {
      read += record.length;
      if (read > written) {
        ++overtaken;
        ADD_FAILURE() << "row " << row << ": endpoint " << receiver << " has read " << read
                      << " bytes, but endpoint " << sender << " has logged only " << written << " as written";
      }
    }
    if (overtaken > 3) return;  // the first few tell the story
  }
}

class LogOrder : public EngineConformance, public ::testing::WithParamInterface<PipeKind> {
 protected:
  /// Server and client options for this case's kind of pipe.
  [[nodiscard]] static ClientOptions apply_kind(ServerOptions& server) {
    ClientOptions client = client_options(server.name);
    if (GetParam().message) {
      server.type = PipeType::message;
      server.read_mode = ReadMode::message;
      client.read_mode = ReadMode::message;
    }
    return client;
  }

  std::optional<Link> connect_pipe(ServerOptions options) {
    const ClientOptions client = apply_kind(options);
    const auto served = serve(options);
    if (!served) return std::nullopt;
    return connect_to(served->server, client);
  }
};

TEST_P(LogOrder, EveryOutRecordPrecedesTheInRecordOfItsBytes) {
  auto link = connect_pipe(server_options());
  ASSERT_TRUE(link);

  // Both sides send at once, from two threads, so the two directions'
  // completions interleave on the engine's threads.
  constexpr std::size_t kSends = 300;
  const auto send_all = [&](EndpointId from, std::uint32_t seed) {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < kSends; ++i) {
      const Bytes piece = pattern_bytes(20 + i % 7, seed + static_cast<std::uint32_t>(i));
      EXPECT_TRUE(engine_.send(from, piece).ok()) << "send " << i << " on " << from;
      total += piece.size();
    }
    return total;
  };
  std::uint64_t from_instance = 0;
  std::thread instance_side([&] { from_instance = send_all(link->instance, 5000); });
  const std::uint64_t from_client = send_all(link->client, 1);
  instance_side.join();

  ASSERT_TRUE(await_bytes(link->instance, Direction::in, from_client)) << recent_events();
  ASSERT_TRUE(await_bytes(link->client, Direction::in, from_instance)) << recent_events();
  EXPECT_EQ(logged_bytes(link->client, Direction::out).size(), from_client);
  EXPECT_EQ(logged_bytes(link->instance, Direction::out).size(), from_instance);
  {
    SCOPED_TRACE("client to instance");
    expect_every_in_after_its_out(engine_.log(), link->client, link->instance);
  }
  {
    SCOPED_TRACE("instance to client");
    expect_every_in_after_its_out(engine_.log(), link->instance, link->client);
  }
}

TEST_P(LogOrder, AReplyTheClientReadComesBeforeTheInstanceDisconnects) {
  // The way Microsoft's "Named Pipe Client" sample talks to a server: write a
  // request, read the reply, close. Each round is a new client of one server.
  ServerOptions options = server_options();
  options.responder = Responder::reverse;
  const ClientOptions client = apply_kind(options);
  const auto served = serve(options);
  ASSERT_TRUE(served);
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto link = connect_to(served->server, client);
    ASSERT_TRUE(link);
    const std::string request = "ping " + std::to_string(round) + "\n";
    ASSERT_TRUE(send_and_wait(link->client, request));
    ASSERT_TRUE(await_bytes(link->client, Direction::in, request.size())) << recent_events();
    ASSERT_TRUE(engine_.disconnect(link->client).ok());
    ASSERT_TRUE(await_state(link->instance, EndpointState::disconnected)) << recent_events();

    const auto reply_logged = history_index<Data>(
        [&](const Data& d) { return d.endpoint == link->instance && d.direction == Direction::out; });
    const auto disconnected = history_index<StateChanged>([&](const StateChanged& s) {
      return s.endpoint == link->instance && s.state == EndpointState::disconnected;
    });
    ASSERT_TRUE(reply_logged) << "the reply was never logged" << recent_events();
    ASSERT_TRUE(disconnected);
    EXPECT_LT(*reply_logged, *disconnected) << recent_events();
    ASSERT_TRUE(await_state(link->instance, EndpointState::closed)) << recent_events();
  }
}

// A transact writes its request and reads the reply in one call, yet the
// request's out record must come before the server's in record of it, and the
// server's reply before the client's in record of the reply.
TEST_F(EngineConformance, ATransactsRequestIsLoggedBeforeTheServerReadsIt) {
  ServerOptions options = message_server_options();
  options.responder = Responder::reverse;
  const auto served = serve(options);
  ASSERT_TRUE(served);
  ClientOptions client = client_options(served->name);
  client.read_mode = ReadMode::message;  // a transact needs message read mode
  const auto link = connect_to(served->server, client);
  ASSERT_TRUE(link);
  constexpr int kRounds = 40;
  std::uint64_t sent = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string request = "transact " + std::to_string(round);
    const auto reply = engine_.transact(link->client, as_bytes(request), kEventTimeout);
    ASSERT_TRUE(succeeded(reply)) << "round " << round << recent_events();
    sent += request.size();
  }
  ASSERT_TRUE(await_bytes(link->instance, Direction::in, sent)) << recent_events();
  ASSERT_TRUE(await_bytes(link->instance, Direction::out, sent)) << recent_events();
  {
    SCOPED_TRACE("requests: client to instance");
    expect_every_in_after_its_out(engine_.log(), link->client, link->instance);
  }
  {
    SCOPED_TRACE("replies: instance to client");
    expect_every_in_after_its_out(engine_.log(), link->instance, link->client);
  }
}

INSTANTIATE_TEST_SUITE_P(Pipes, LogOrder, ::testing::Values(PipeKind{"byte", false}, PipeKind{"message", true}),
                         [](const ::testing::TestParamInfo<PipeKind>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pipescope::conformance
