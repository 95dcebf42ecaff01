// Disconnecting instances whose clients do not read. Before DisconnectNamedPipe
// (which discards what the client has not read) the engine waits with
// FlushFileBuffers, which returns only once the client has read everything.
// That wait ran on the completion port's few threads, so a few clients that
// stop reading froze every pipe of the engine, and stop_server and
// close_all could wait for ever. Now it runs on a thread of its own, with a
// deadline, and an abort cancels it. Raw clients that never read play the
// stuck peers; Wine's FlushFileBuffers waits for the reader as Windows does.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance_fixture.hpp"
#include "win/win_util.hpp"

namespace pipescope::conformance {
namespace {

using detail::win::running_under_wine;
using detail::win::UniqueHandle;
using detail::win::widen;

class DisconnectFlush : public EngineConformance {
 protected:
  /// Clients that connect to `name` and never read, one per pool thread and
  /// one more, so that flushes on the pool would take every thread.
  std::vector<UniqueHandle> stuck_clients(const std::string& name, std::size_t count) {
    std::vector<UniqueHandle> clients;
    const std::wstring wide = widen("\\\\.\\pipe\\" + name);
    for (std::size_t i = 0; i < count; ++i) {
      WaitNamedPipeW(wide.c_str(), 5000);
      clients.emplace_back(
          CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
      EXPECT_TRUE(clients.back().valid()) << "client " << i << ": " << GetLastError();
    }
    return clients;
  }

  /// The first `count` instances of `server` that connected.
  std::vector<EndpointId> connected_instances(ServerId server, std::size_t count) {
    std::vector<EndpointId> found;
    while (found.size() < count) {
      auto next = await_instance_state(server, EndpointState::connected, found);
      if (!next) {
        ADD_FAILURE() << found.size() << " of " << count << " instances connected" << recent_events();
        break;
      }
      found.push_back(next->endpoint);
    }
    return found;
  }
};

TEST_F(DisconnectFlush, ClientsThatDoNotReadDelayOnlyTheirOwnDisconnect) {
  ServerOptions options = server_options();
  options.max_instances = 16;
  auto served = serve(options);
  ASSERT_TRUE(served);
  const std::size_t count = engine_.thread_count() + 1;
  std::vector<UniqueHandle> clients = stuck_clients(served->name, count);
  const std::vector<EndpointId> instances = connected_instances(served->server, count);
  ASSERT_EQ(instances.size(), count);
  for (const EndpointId instance : instances) {
    ASSERT_TRUE(send_and_wait(instance, "unread"));
    ASSERT_TRUE(engine_.disconnect(instance).ok());
  }

  // Meanwhile another pipe of the same engine goes on working.
  ServerOptions echo = server_options();
  echo.responder = Responder::echo;
  auto other = serve(echo);
  ASSERT_TRUE(other);
  auto link = connect_to(other->server, client_options(other->name));
  ASSERT_TRUE(link) << "no connect while the stuck clients' disconnects wait" << recent_events();
  ASSERT_TRUE(send_and_wait(link->client, "still alive"));
  ASSERT_TRUE(await_bytes(link->client, Direction::in, 11)) << "the engine froze" << recent_events();

  // Each stuck disconnect gives up after its deadline and says what the
  // client lost; the log still has what was sent.
  for (const EndpointId instance : instances) {
    auto gave_up = await<ErrorEvent>(
        [&](const ErrorEvent& e) { return e.endpoint == instance && has_code(e.error, Errc::sem_timeout); },
        std::chrono::seconds{30});
    ASSERT_TRUE(gave_up) << "instance " << instance << recent_events();
    // Difference: Wine's FilePipeLocalInformation says the whole outbound
    // quota is in use while anything waits unread (4096 of 4096 for these
    // 6 bytes), so under Wine the engine does not give the number.
    const std::string lost = running_under_wine() ? "discards what it had not read" : "discards 6 bytes";
    EXPECT_NE(gave_up->error.detail.find(lost), std::string::npos) << gave_up->error.detail;
    ASSERT_TRUE(await_state(instance, EndpointState::closed)) << recent_events();
    EXPECT_EQ(text_of(logged_bytes(instance, Direction::out)), "unread");
  }
}

// stop_server while a disconnect waits for a client that does not read:
// the flush is cancelled, and the server stops at once instead of waiting
// for the client (before, the abort could come between posting the flush
// and calling it, and was missed).
TEST_F(DisconnectFlush, StoppingTheServerCancelsAWaitingFlush) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  std::vector<UniqueHandle> clients = stuck_clients(served->name, 1);
  const std::vector<EndpointId> instances = connected_instances(served->server, 1);
  ASSERT_EQ(instances.size(), 1U);
  ASSERT_TRUE(send_and_wait(instances[0], "unread"));
  ASSERT_TRUE(engine_.disconnect(instances[0]).ok());
  ASSERT_TRUE(succeeded(engine_.stop_server(served->server)));
  ASSERT_TRUE(await_state(instances[0], EndpointState::closed)) << recent_events();
  // Looked up in what has been seen so far, without waiting.
  const auto timed_out = await<ErrorEvent>(
      [&](const ErrorEvent& e) { return e.endpoint == instances[0] && has_code(e.error, Errc::sem_timeout); },
      std::chrono::milliseconds{0});
  EXPECT_FALSE(timed_out) << "the stop waited for the flush's deadline instead of cancelling it";
}

}  // namespace
}  // namespace pipescope::conformance
