// Taps (pipescope/tap.hpp): code attached to an endpoint that sees each read
// right after it was logged and may answer on that endpoint. The echo and
// reverse responders are taps; so will be response rules and the proxy.
// These cases run against every backend (see conformance_fixture.hpp).
#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance_fixture.hpp"

#include <pipescope/tap.hpp>

namespace pipescope::conformance {
namespace {

/// Answers each read with its bytes in capitals, and counts what it saw.
class ShoutingTap final : public Tap {
 public:
  void on_read(const TapRead& read, TapActions& actions) override {
    Bytes loud(read.bytes.begin(), read.bytes.end());
    for (std::byte& b : loud) b = static_cast<std::byte>(std::toupper(std::to_integer<unsigned char>(b)));
    reads.fetch_add(1);
    actions.reply(std::move(loud));
  }
  std::atomic<int> reads{0};
};

/// Keeps every read it is shown, with its flags, and answers nothing.
class RecordingTap final : public Tap {
 public:
  void on_read(const TapRead& read, TapActions&) override {
    const std::lock_guard lock(mutex);
    seen.push_back(Seen{std::string(as_chars(read.bytes)), read.flags, read.message_end, read.message_mode});
  }
  struct Seen {
    std::string text;
    std::uint8_t flags = 0;
    bool message_end = true;
    bool message_mode = false;
  };
  std::mutex mutex;
  std::vector<Seen> seen;
};

class ThrowingTap final : public Tap {
 public:
  void on_read(const TapRead&, TapActions&) override { throw std::runtime_error("this tap always fails"); }
};

/// Forwards each read to another endpoint, in a buffer that comes back.
class ForwardingTap final : public Tap {
 public:
  /// Where the forwards' bytes come back, in the order they were sent.
  class Returned final : public ForwardBuffers {
   public:
    void give_back(Bytes bytes) noexcept override {
      {
        const std::lock_guard lock(mutex);
        texts.emplace_back(as_chars(bytes));
      }
      changed.notify_all();
    }
    Bytes take() noexcept override { return {}; }
    /// Waits (up to the conformance timeout) until `count` have come back.
    bool await(std::size_t count) {
      std::unique_lock lock(mutex);
      return changed.wait_for(lock, kEventTimeout, [&] { return texts.size() >= count; });
    }
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> texts;
  };

  /// How the tap hands the read on: as a copy of its own, or as the read
  /// itself (TapActions::forward_read, which may take the backend's buffer).
  enum class Way : std::uint8_t { copy, read_itself };
  explicit ForwardingTap(EndpointId to, Way way = Way::copy) : to_(to), way_(way) {}
  void on_read(const TapRead& read, TapActions& actions) override {
    if (way_ == Way::read_itself) {
      actions.forward_read(to_, returned);
    } else {
      actions.forward(to_, Bytes(read.bytes.begin(), read.bytes.end()), returned);
    }
  }
  const std::shared_ptr<Returned> returned = std::make_shared<Returned>();

 private:
  const EndpointId to_;
  const Way way_;
};

using Taps = EngineConformance;

// A forward's bytes go back to the buffers the tap named, once sent, and in
// order, so that a relay reads the next message into memory it already has.
TEST_F(Taps, AForwardsBytesComeBackOnceSent) {
  auto source = connect_message_pipe();
  auto target = connect_message_pipe();
  ASSERT_TRUE(source && target);
  auto tap = std::make_shared<ForwardingTap>(target->client);
  ASSERT_TRUE(succeeded(engine_.add_tap(source->instance, tap)));
  const std::vector<std::string> sent{"one", "two", "three"};
  for (const std::string& text : sent) ASSERT_TRUE(send_and_wait(source->client, text));
  ASSERT_TRUE(await_records(target->instance, Direction::in, sent.size())) << recent_events();
  const std::vector<LoggedRow> arrived = logged(target->instance, Direction::in);
  ASSERT_EQ(arrived.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(text_of(arrived[i].payload), sent[i]) << i;
  ASSERT_TRUE(tap->returned->await(sent.size())) << "the engine kept the forwards' bytes";
  const std::lock_guard lock(tap->returned->mutex);
  EXPECT_EQ(tap->returned->texts, sent);
}

// Two taps forward the same reads as they are (forward_read): where the
// backend hands its read buffer to the first, the second still gets the
// read's bytes, and the backend reads every later one into the buffer it got
// in exchange. Reads of different sizes, so that a buffer reused at the
// wrong size would show. Each read is waited for before the next write, so
// that a byte pipe, too, reads each write on its own.
class TapsForwardingReads : public Taps {
 protected:
  void expect_forwarded_intact(const Link& source, const std::vector<std::string>& sent) {
    auto first = connect_message_pipe();
    auto second = connect_message_pipe();
    ASSERT_TRUE(first && second);
    auto to_first = std::make_shared<ForwardingTap>(first->client, ForwardingTap::Way::read_itself);
    auto to_second = std::make_shared<ForwardingTap>(second->client, ForwardingTap::Way::read_itself);
    ASSERT_TRUE(succeeded(engine_.add_tap(source.instance, to_first)));
    ASSERT_TRUE(succeeded(engine_.add_tap(source.instance, to_second)));
    for (std::size_t i = 0; i < sent.size(); ++i) {
      ASSERT_TRUE(send_and_wait(source.client, sent[i]));
      ASSERT_TRUE(await_records(source.instance, Direction::in, i + 1)) << recent_events();
    }
    for (const Link* target : {&*first, &*second}) {
      ASSERT_TRUE(await_records(target->instance, Direction::in, sent.size())) << recent_events();
      const std::vector<LoggedRow> arrived = logged(target->instance, Direction::in);
      ASSERT_EQ(arrived.size(), sent.size());
      for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(text_of(arrived[i].payload), sent[i]) << i;
    }
    ASSERT_TRUE(to_first->returned->await(sent.size()));
    ASSERT_TRUE(to_second->returned->await(sent.size()));
    const std::lock_guard lock(to_first->returned->mutex);
    EXPECT_EQ(to_first->returned->texts, sent) << "each forward came back with exactly its read's bytes";
  }
};

TEST_F(TapsForwardingReads, FromAMessagePipe) {
  auto source = connect_message_pipe();
  ASSERT_TRUE(source);
  expect_forwarded_intact(*source, {"a fairly long first message", "short", "", "a middling one", "z"});
}

// The POSIX backend hands a byte read's buffer over to the first tap.
TEST_F(TapsForwardingReads, FromAByteStream) {
  const auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto source = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(source);
  // No empty write: a byte pipe reads nothing for it.
  expect_forwarded_intact(*source, {"a fairly long first write", "short", "a middling one", "z"});
}

TEST_F(Taps, AServerTapAnswersEachInstanceWithItsOwnTap) {
  std::vector<std::shared_ptr<ShoutingTap>> made;
  std::mutex made_mutex;
  TapFactory factory = [&](EndpointId) {
    auto tap = std::make_shared<ShoutingTap>();
    const std::lock_guard lock(made_mutex);
    made.push_back(tap);
    return tap;
  };
  const ServerOptions options = server_options();
  auto server = engine_.start_server(options, {factory});
  ASSERT_TRUE(succeeded(server));
  ASSERT_TRUE(await<ServerStarted>([&](const ServerStarted& e) { return e.server == *server; }));

  auto first = connect_to(*server, client_options(options.name));
  auto second = connect_to(*server, client_options(options.name));
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(send_and_wait(first->client, "hello"));
  ASSERT_TRUE(await_bytes(first->client, Direction::in, 5)) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(first->client, Direction::in)), "HELLO");
  ASSERT_TRUE(send_and_wait(second->client, "there"));
  ASSERT_TRUE(await_bytes(second->client, Direction::in, 5)) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(second->client, Direction::in)), "THERE");

  // The reply is logged as the instance's write, flagged as the engine's own.
  const std::vector<LoggedRow> replies = logged(first->instance, Direction::out);
  ASSERT_FALSE(replies.empty());
  EXPECT_NE(replies.front().record.flags & record_flags::responder, 0);
  // One tap per instance, each of which saw only its own client.
  const std::lock_guard lock(made_mutex);
  ASSERT_GE(made.size(), 2U);
  int with_reads = 0;
  for (const auto& tap : made) with_reads += tap->reads.load() > 0 ? 1 : 0;
  EXPECT_EQ(with_reads, 2);
}

TEST_F(Taps, ATapOnAClientAnswersTheServer) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  ASSERT_TRUE(succeeded(engine_.add_tap(link->client, std::make_shared<ShoutingTap>())));
  ASSERT_TRUE(send_and_wait(link->instance, "ping"));
  ASSERT_TRUE(await_bytes(link->instance, Direction::in, 4)) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(link->instance, Direction::in)), "PING");
}

TEST_F(Taps, AddingATapToAnUnknownEndpointFails) {
  EXPECT_TRUE(fails_with(engine_.add_tap(0x00FFFFFFU, std::make_shared<ShoutingTap>()), Errc::unknown_endpoint));
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  EXPECT_TRUE(fails_with(engine_.add_tap(link->client, nullptr), Errc::invalid_parameter));
}

// A message larger than the read buffer reaches the tap in the same parts the
// log keeps: each flagged more-data but the last, which ends the message. A
// relay writes the parts out as one message on that basis.
TEST_F(Taps, MessagePartsReachTheTapAsTheLogKeepsThem) {
  ServerOptions options = message_server_options();
  options.read_buffer_size = 4;
  auto served = serve(options);
  ASSERT_TRUE(served);
  ClientOptions client = client_options(served->name);
  client.read_mode = ReadMode::message;
  auto link = connect_to(served->server, client);
  ASSERT_TRUE(link);
  auto tap = std::make_shared<RecordingTap>();
  ASSERT_TRUE(succeeded(engine_.add_tap(link->instance, tap)));
  ASSERT_TRUE(send_and_wait(link->client, "0123456789"));
  ASSERT_TRUE(await_bytes(link->instance, Direction::in, 10)) << recent_events();

  const std::lock_guard lock(tap->mutex);
  ASSERT_EQ(tap->seen.size(), 3U);
  std::string joined;
  for (std::size_t i = 0; i < tap->seen.size(); ++i) {
    SCOPED_TRACE("part " + std::to_string(i));
    joined += tap->seen[i].text;
    EXPECT_TRUE(tap->seen[i].message_mode);
    const bool last = i + 1 == tap->seen.size();
    EXPECT_EQ(tap->seen[i].message_end, last);
    EXPECT_EQ((tap->seen[i].flags & record_flags::more_data) != 0, !last);
  }
  EXPECT_EQ(joined, "0123456789");
}

// A tap that throws loses only itself: it is detached and reported, the read
// is logged, and the endpoint keeps reading.
TEST_F(Taps, ATapThatThrowsIsDetachedAndTheEndpointGoesOn) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  ASSERT_TRUE(succeeded(engine_.add_tap(link->instance, std::make_shared<ThrowingTap>())));
  auto recording = std::make_shared<RecordingTap>();
  ASSERT_TRUE(succeeded(engine_.add_tap(link->instance, recording)));
  ASSERT_TRUE(delivered(link->client, link->instance, "one"));
  auto error = await_error(link->instance);
  ASSERT_TRUE(error) << recent_events();
  EXPECT_NE(error->error.detail.find("this tap always fails"), std::string::npos) << error->error.detail;
  ASSERT_TRUE(send_and_wait(link->client, "two"));
  ASSERT_TRUE(await_bytes(link->instance, Direction::in, 6)) << recent_events();
  EXPECT_TRUE(state_is(engine_.state(link->instance), EndpointState::connected));
  const std::lock_guard lock(recording->mutex);
  std::string seen;
  for (const auto& read : recording->seen) seen += read.text;
  EXPECT_EQ(seen, "onetwo") << "the other tap saw every read";
  const auto errors = this->seen<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == link->instance; });
  EXPECT_EQ(errors.size(), 1U) << "detached after the first failure";
}

// A closed endpoint lets go of its taps (and what they hold) at once.
TEST_F(Taps, AClosedEndpointReleasesItsTaps) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  auto tap = std::make_shared<RecordingTap>();
  const std::weak_ptr<RecordingTap> watched = tap;
  ASSERT_TRUE(succeeded(engine_.add_tap(link->client, std::move(tap))));
  ASSERT_TRUE(succeeded(engine_.disconnect(link->client)));
  ASSERT_TRUE(await_state(link->client, EndpointState::closed)) << recent_events();
  EXPECT_TRUE(watched.expired()) << "the engine still holds the closed client's tap";
}

// A factory that throws costs its instance that tap, never the instance.
TEST_F(Taps, AFactoryThatThrowsLeavesTheInstanceWithoutThatTap) {
  ServerOptions options = server_options();
  options.responder = Responder::echo;
  TapFactory failing = [](EndpointId) -> std::shared_ptr<Tap> { throw std::runtime_error("no tap today"); };
  auto server = engine_.start_server(options, {failing});
  ASSERT_TRUE(succeeded(server));
  auto link = connect_to(*server, client_options(options.name));
  ASSERT_TRUE(link);
  ASSERT_TRUE(send_and_wait(link->client, "echo"));
  ASSERT_TRUE(await_bytes(link->client, Direction::in, 4)) << "the responder's tap still answers" << recent_events();
  auto error = await<ErrorEvent>([](const ErrorEvent& e) { return e.error.detail.find("no tap today") != std::string::npos; });
  EXPECT_TRUE(error) << recent_events();
}

}  // namespace
}  // namespace pipescope::conformance
