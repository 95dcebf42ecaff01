// A transact on a pipe that holds unread data. The engine cancels its own
// read of the client before it transacts; a message the server writes after
// that stays in the pipe. TransactNamedPipe then fails with ERROR_PIPE_BUSY
// on Windows ("If the pipe contains any unread data, the function fails",
// TransactNamedPipe), and under Wine, where the engine writes and reads
// instead, the waiting message was taken for the reply. The engine reads
// what waits first and logs it as the ordinary message it is.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "conformance_fixture.hpp"
#include "raw_peers.hpp"
#include "win/pipe_end.hpp"
#include "win/win_util.hpp"

namespace pipescope::conformance {
namespace {

using detail::win::UniqueHandle;
using detail::win::widen;

// The hook is a plain function: it reaches the test's raw server through
// these two events.
HANDLE g_write_now = nullptr;
HANDLE g_written = nullptr;

void let_the_server_write(EndpointId) {
  SetEvent(g_write_now);
  WaitForSingleObject(g_written, 10000);
}

TEST_F(EngineConformance, TransactReadsWhatWaitsUnreadBeforeItsRequest) {
  UniqueHandle write_now(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  UniqueHandle written(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  g_write_now = write_now.get();
  g_written = written.get();

  const std::string name = unique_name();
  const std::wstring wide = widen("\\\\.\\pipe\\" + name);
  UniqueHandle server = raw_message_server(wide);
  ASSERT_TRUE(server.valid()) << GetLastError();
  std::string request_seen;
  std::thread raw([&] {
    if (!ConnectNamedPipe(server.get(), nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) return;
    // Writes only once the transact has the handle (the engine's read is
    // cancelled): the message then waits unread.
    if (WaitForSingleObject(g_write_now, 10000) != WAIT_OBJECT_0) return;
    DWORD n = 0;
    WriteFile(server.get(), "unsolicited", 11, &n, nullptr);
    SetEvent(g_written);
    char buffer[64];
    if (ReadFile(server.get(), buffer, sizeof buffer, &n, nullptr)) request_seen.assign(buffer, n);
    WriteFile(server.get(), "reply", 5, &n, nullptr);
    FlushFileBuffers(server.get());
    while (ReadFile(server.get(), buffer, sizeof buffer, &n, nullptr)) {
    }
    DisconnectNamedPipe(server.get());
  });
  struct Cleanup {
    std::thread& thread;
    Engine& engine;
    ~Cleanup() {
      detail::win::replace_transact_quiet_hook(nullptr);
      SetEvent(g_write_now);
      engine.close_all();
      if (thread.joinable()) thread.join();
    }
  } cleanup{raw, engine_};

  ClientOptions options = client_options(name);
  options.read_mode = ReadMode::message;
  auto client = engine_.connect(options);
  ASSERT_TRUE(succeeded(client)) << recent_events();
  ASSERT_TRUE(await_state(*client, EndpointState::connected)) << recent_events();

  detail::win::replace_transact_quiet_hook(&let_the_server_write);
  auto reply = engine_.transact(*client, as_bytes("question"), kEventTimeout);
  detail::win::replace_transact_quiet_hook(nullptr);
  ASSERT_TRUE(succeeded(reply)) << recent_events();
  EXPECT_EQ(text_of(*reply), "reply") << "the message that waited is not the reply";

  const std::vector<LoggedRow> in = logged(*client, Direction::in);
  ASSERT_EQ(in.size(), 2U) << recent_events();
  EXPECT_EQ(text_of(in[0].payload), "unsolicited");
  EXPECT_EQ(in[0].record.flags, record_flags::message) << "read and logged as an ordinary message";
  EXPECT_EQ(text_of(in[1].payload), "reply");
  EXPECT_NE(in[1].record.flags & record_flags::transact, 0);

  EXPECT_TRUE(engine_.disconnect(*client).ok());
  raw.join();
  EXPECT_EQ(request_seen, "question");
}

}  // namespace
}  // namespace pipescope::conformance
