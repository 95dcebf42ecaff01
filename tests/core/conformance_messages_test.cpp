// Conformance cases about message boundaries at the end of a conversation:
// on a message pipe a zero-length message is a message, and the end of the
// stream is the hang-up alone (Windows: ReadFile succeeds with 0 bytes for an
// empty message and fails with ERROR_BROKEN_PIPE once the writer has closed).
// They run against every backend (see conformance_fixture.hpp).
#include "conformance_fixture.hpp"

namespace pipescope::conformance {
namespace {

class MessageEnds : public EngineConformance {
 protected:
  /// Sends every message from the client without waiting in between, closes
  /// the client, and checks that the instance logged each of them, in order,
  /// before it reported the disconnect.
  void expect_all_before_the_hang_up(const std::vector<std::string>& messages) {
    auto link = connect_message_pipe();
    ASSERT_TRUE(link);

    // Queued back to back and then closed: the instance finds them all
    // waiting together with the hang-up.
    for (const std::string& message : messages) {
      ASSERT_TRUE(succeeded(engine_.send(link->client, as_bytes(message))));
    }
    ASSERT_TRUE(succeeded(engine_.disconnect(link->client)));
    ASSERT_TRUE(await_state(link->instance, EndpointState::disconnected)) << recent_events();

    const std::vector<LoggedRow> rows = logged(link->instance, Direction::in);
    ASSERT_EQ(rows.size(), messages.size()) << recent_events();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE("message " + std::to_string(i));
      EXPECT_EQ(text_of(rows[i].payload), messages[i]);
      EXPECT_NE(rows[i].record.flags & record_flags::message, 0);
      EXPECT_EQ(rows[i].record.flags & record_flags::more_data, 0);
    }
    // Every message is logged before the end of the stream is reported.
    const EndpointId instance = link->instance;
    const auto last_data = history_index<Data>([&](const Data& d) {
      return d.endpoint == instance && d.direction == Direction::in && d.row == rows.back().row;
    });
    const auto hang_up = history_index<StateChanged>(
        [&](const StateChanged& s) { return s.endpoint == instance && s.state == EndpointState::disconnected; });
    ASSERT_TRUE(last_data && hang_up);
    EXPECT_LT(*last_data, *hang_up);
  }
};

TEST_F(MessageEnds, EmptyMessagesJustBeforeTheHangUpAreMessages) {
  expect_all_before_the_hang_up({"", "mid", "", ""});
}

TEST_F(MessageEnds, OnlyEmptyMessagesBeforeTheHangUp) { expect_all_before_the_hang_up({"", "", ""}); }

TEST_F(MessageEnds, EmptyMessageAfterDataIsTheLastMessage) { expect_all_before_the_hang_up({"first", "second", ""}); }

}  // namespace
}  // namespace pipescope::conformance
