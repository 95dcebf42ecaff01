// The completion-port threads survive a failure in the handler of one
// completion (issue 11, item 2). Logging what a read brought can throw
// std::bad_alloc or std::length_error (the log grows), and an exception that
// leaves a std::thread's function ends the whole process (std::terminate).
// The engine must instead report the failure against the endpoint it was
// handling, close that endpoint, and go on serving every other one.
//
// The fault is injected through replace_io_fault_hook: the hook runs
// where a read completion logs its bytes and throws once, for one endpoint.
#include <gtest/gtest.h>

#include <atomic>
#include <new>

#include "conformance_fixture.hpp"
#include "win/iocp.hpp"

namespace pipescope::conformance {
namespace {

std::atomic<EndpointId> g_faulty_endpoint{0};

/// Throws std::bad_alloc the first time it sees the faulty endpoint.
void throw_once_for_the_faulty_endpoint(EndpointId endpoint) {
  EndpointId expected = endpoint;
  if (endpoint != 0 && g_faulty_endpoint.compare_exchange_strong(expected, 0)) throw std::bad_alloc();
}

class IoThreadSurvival : public EngineConformance {
 protected:
  void TearDown() override {
    detail::win::replace_io_fault_hook(nullptr);
    g_faulty_endpoint = 0;
  }
};

TEST_F(IoThreadSurvival, AThrowingReadHandlerClosesItsEndpointAndTheOthersGoOn) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto doomed = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(doomed);
  auto survivor = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(survivor);

  g_faulty_endpoint = doomed->instance;
  detail::win::replace_io_fault_hook(&throw_once_for_the_faulty_endpoint);
  ASSERT_TRUE(send_and_wait(doomed->client, "lost in the handler"));

  // The failure is reported against the instance whose handler threw, with
  // what was thrown, and that instance is closed; its client sees the pipe end.
  auto error = await_error(doomed->instance);
  ASSERT_TRUE(error) << recent_events();
  EXPECT_TRUE(has_code(error->error, Errc::not_enough_memory));
  EXPECT_NE(error->error.detail.find("bad_alloc"), std::string::npos) << error->error.summary();
  EXPECT_TRUE(await_state(doomed->instance, EndpointState::closed)) << recent_events();
  EXPECT_TRUE(await_state(doomed->client, EndpointState::closed)) << recent_events();
  EXPECT_EQ(g_faulty_endpoint.load(), 0U) << "the hook never ran: the test proved nothing";

  // Every pool thread is still there: the other link exchanges data both
  // ways, and the server still accepts a new client.
  EXPECT_TRUE(delivered(survivor->client, survivor->instance, "still here"));
  EXPECT_TRUE(delivered(survivor->instance, survivor->client, "and answering"));
  auto newcomer = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(newcomer);
  EXPECT_TRUE(delivered(newcomer->client, newcomer->instance, "newcomer"));

  // The engine stops cleanly: close_all returns and every end is closed.
  engine_.close_all();
  for (EndpointId id : {survivor->client, survivor->instance, newcomer->client, newcomer->instance}) {
    EXPECT_TRUE(state_is(engine_.state(id), EndpointState::closed)) << "endpoint " << id;
  }
}

}  // namespace
}  // namespace pipescope::conformance
