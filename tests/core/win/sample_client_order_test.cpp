// A client written as Microsoft's "Named Pipe Client" sample is (CreateFileW,
// SetNamedPipeHandleState(PIPE_READMODE_MESSAGE), WriteFile, ReadFile,
// CloseHandle) against the engine's --reverse responder: the reply it read
// must be logged before the instance's disconnected state. Under Wine the
// reply used to come after it: its write completion was handled after the
// read that found the client gone.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance_fixture.hpp"
#include "win/win_util.hpp"

namespace pipescope::conformance {
namespace {

using detail::win::UniqueHandle;
using detail::win::widen;

/// What the sample client read, or why it stopped.
struct SampleRun {
  std::string reply;
  std::string failure;
};

SampleRun run_sample_client(const std::string& name, const std::string& request) {
  SampleRun run;
  const std::wstring wide = widen("\\\\.\\pipe\\" + name);
  UniqueHandle pipe;
  // The sample tries CreateFile, and waits with WaitNamedPipe while busy.
  for (int attempt = 0; attempt < 20 && !pipe; ++attempt) {
    pipe = UniqueHandle(CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
    if (!pipe && GetLastError() == ERROR_PIPE_BUSY) WaitNamedPipeW(wide.c_str(), 5000);
  }
  if (!pipe) return {{}, "CreateFileW failed with " + std::to_string(GetLastError())};
  DWORD mode = PIPE_READMODE_MESSAGE;
  if (!SetNamedPipeHandleState(pipe.get(), &mode, nullptr, nullptr)) {
    return {{}, "SetNamedPipeHandleState failed with " + std::to_string(GetLastError())};
  }
  DWORD written = 0;
  if (!WriteFile(pipe.get(), request.data(), static_cast<DWORD>(request.size()), &written, nullptr)) {
    return {{}, "WriteFile failed with " + std::to_string(GetLastError())};
  }
  char buffer[512];
  DWORD read = 0;
  if (!ReadFile(pipe.get(), buffer, sizeof buffer, &read, nullptr)) {
    return {{}, "ReadFile failed with " + std::to_string(GetLastError())};
  }
  run.reply.assign(buffer, read);
  return run;  // the handle closes here, as the sample's CloseHandle
}

TEST_F(EngineConformance, SampleClientsReplyIsLoggedBeforeTheInstanceDisconnects) {
  ServerOptions options = message_server_options();
  options.responder = Responder::reverse;
  const auto served = serve(options);
  ASSERT_TRUE(served);

  constexpr int kRounds = 10;
  std::vector<EndpointId> served_before;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string request = "Default message from client " + std::to_string(round) + ".";
    const SampleRun run = run_sample_client(served->name, request);
    ASSERT_TRUE(run.failure.empty()) << run.failure;
    EXPECT_EQ(run.reply, std::string(request.rbegin(), request.rend()));

    // The instance that served this round: the one connected that served
    // no earlier round.
    const auto connected = await_instance_state(served->server, EndpointState::connected, served_before);
    ASSERT_TRUE(connected) << recent_events();
    const EndpointId instance = connected->endpoint;
    served_before.push_back(instance);
    ASSERT_TRUE(await_state(instance, EndpointState::disconnected)) << recent_events();
    const auto reply_logged =
        history_index<Data>([&](const Data& d) { return d.endpoint == instance && d.direction == Direction::out; });
    const auto disconnected = history_index<StateChanged>(
        [&](const StateChanged& s) { return s.endpoint == instance && s.state == EndpointState::disconnected; });
    ASSERT_TRUE(reply_logged) << "the reply the client read was never logged" << recent_events();
    ASSERT_TRUE(disconnected);
    EXPECT_LT(*reply_logged, *disconnected) << recent_events();
    ASSERT_TRUE(await_state(instance, EndpointState::closed)) << recent_events();
  }
}

}  // namespace
}  // namespace pipescope::conformance
