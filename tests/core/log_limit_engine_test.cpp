// The message log's memory limit through the real engine, on every backend:
// a server whose log is limited is flooded by a client of another engine
// over a real pipe. It keeps running, counts every byte, logs the records
// beyond the limit flagged truncated and warns once.
#include "conformance_fixture.hpp"

namespace pipescope::conformance {
namespace {

TEST_F(EngineConformance, FloodBeyondTheLogLimitIsCountedTruncatedAndWarnedOnce) {
  constexpr std::uint64_t kLimit = 64 * 1024;
  constexpr std::size_t kWrite = 4096;
  constexpr std::size_t kWrites = 256;  // 1 MiB, sixteen times the limit
  engine_.log().set_memory_limit(kLimit);

  auto served = serve(server_options());
  ASSERT_TRUE(served);

  // The flooding peer is another engine, as another program would be.
  EventQueue peer_events;
  Engine peer(&peer_events);
  auto client = peer.connect(client_options(served->name));
  ASSERT_TRUE(succeeded(client));
  auto instance = await_instance_state(served->server, EndpointState::connected);
  ASSERT_TRUE(instance) << recent_events();

  const Bytes flood = pattern_bytes(kWrite * kWrites, 7);
  for (std::size_t i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(succeeded(peer.send(*client, std::span(flood).subspan(i * kWrite, kWrite))));
  }
  ASSERT_TRUE(await_bytes(instance->endpoint, Direction::in, flood.size())) << recent_events();

  // The engine's counters count every byte, whatever the log kept.
  EXPECT_EQ(engine_.counters(instance->endpoint).bytes_in, flood.size());

  // One warning, on the flooded endpoint, naming the limit.
  const auto warning = await<ErrorEvent>([](const ErrorEvent& e) { return e.error.errc() == Errc::log_full; });
  ASSERT_TRUE(warning) << recent_events();
  EXPECT_EQ(warning->endpoint, instance->endpoint);
  EXPECT_NE(warning->error.detail.find("64 KiB"), std::string::npos) << warning->error.detail;
  EXPECT_EQ(seen<ErrorEvent>([](const ErrorEvent& e) { return e.error.errc() == Errc::log_full; }).size(), 1U)
      << recent_events();

  // The log: the bytes it kept are the start of the flood, every later
  // record is flagged truncated with its real length, and the records plus
  // the ones it could only count add up to the flood.
  MessageLog& log = engine_.log();
  EXPECT_GT(log.truncated_records(), 0U);
  Bytes kept;
  std::uint64_t logged_length = 0;
  bool cut = false;
  for (const LoggedRow& row : logged(instance->endpoint, Direction::in)) {
    logged_length += row.record.length;
    if ((row.record.flags & record_flags::truncated) != 0) {
      cut = true;
      EXPECT_TRUE(row.payload.empty()) << "row " << row.row;
      EXPECT_GT(row.record.length, 0U) << "row " << row.row;
    } else {
      EXPECT_FALSE(cut) << "row " << row.row << " kept bytes after the log was full";
      kept.insert(kept.end(), row.payload.begin(), row.payload.end());
    }
  }
  EXPECT_TRUE(cut);
  EXPECT_LE(kept.size(), kLimit);
  EXPECT_TRUE(std::equal(kept.begin(), kept.end(), flood.begin())) << "the kept bytes are not the flood's start";
  EXPECT_EQ(logged_length + log.dropped_bytes(), flood.size());
  // Data events tell the sink the same.
  EXPECT_FALSE(seen<Data>([&](const Data& d) {
                 return d.endpoint == instance->endpoint && (d.flags & record_flags::truncated) != 0;
               }).empty());

  // The engine goes on: the flooded instance still answers its peer, and a
  // new client is served.
  ASSERT_TRUE(send_and_wait(instance->endpoint, "still here"));
  const auto reply = peer_events.wait_for(
      [&](const Event& e) {
        const auto* d = std::get_if<Data>(&e);
        return d != nullptr && d->endpoint == *client && d->direction == Direction::in;
      },
      kEventTimeout);
  ASSERT_TRUE(reply) << "the peer never heard the flooded server again";
  EXPECT_EQ(text_of(peer.log().payload(std::get<Data>(*reply).row)), "still here");
  EXPECT_TRUE(connect_to(served->server, client_options(served->name)));
  EXPECT_EQ(seen<ErrorEvent>([](const ErrorEvent& e) { return e.error.errc() == Errc::log_full; }).size(), 1U)
      << recent_events();
}

}  // namespace
}  // namespace pipescope::conformance
