// The completion-port threads survive a failure in the handler of one
// completion (issue 11, item 2). Logging what a read brought can throw
// std::bad_alloc or std::length_error (the log grows), and an exception that
// leaves a std::thread's function ends the whole process (std::terminate).
// The engine must instead report the failure against the endpoint it was
// handling, close that endpoint, and go on serving every other one.
//
// The fault is injected through replace_io_fault_hook: the hook runs where
// an engine thread logs what it read (a pipe end's completion, a child's
// reader), makes a connected client's pipe end (the connector) or reports a
// child's exit, and throws once, for one endpoint.
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

/// For the connector's case: the engine whose connecting client should fail
/// once, and whether that is still to happen.
std::atomic<Engine*> g_engine{nullptr};
std::atomic<bool> g_fail_next_connect{false};

/// Throws std::bad_alloc for the first client that is still connecting when
/// the hook runs: only the connector calls it for such a client.
void throw_once_for_a_connecting_client(EndpointId endpoint) {
  Engine* engine = g_engine.load();
  if (engine != nullptr && engine->state(endpoint) == EndpointState::connecting && g_fail_next_connect.exchange(false)) {
    throw std::bad_alloc();
  }
}

class IoThreadSurvival : public EngineConformance {
 protected:
  void TearDown() override {
    detail::win::replace_io_fault_hook(nullptr);
    g_faulty_endpoint = 0;
    g_engine = nullptr;
    g_fail_next_connect = false;
  }

  ChildOptions cat_child() {
    ChildOptions options;
    options.argv = {child_helper_path(), "cat"};
    return options;
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

// The connector's thread makes the pipe end of a client whose CreateFileW
// succeeded; an exception there fails that connect alone.
TEST_F(IoThreadSurvival, AThrowingConnectFailsThatClientAloneAndTheConnectorGoesOn) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  g_engine = &engine_;
  g_fail_next_connect = true;
  detail::win::replace_io_fault_hook(&throw_once_for_a_connecting_client);

  auto doomed = engine_.connect(client_options(served->name));
  ASSERT_FALSE(doomed.ok()) << "the connect succeeded: the hook never ran";
  EXPECT_TRUE(has_code(doomed.error(), Errc::not_enough_memory));
  EXPECT_NE(doomed.error().detail.find("bad_alloc"), std::string::npos) << doomed.error().summary();
  EXPECT_FALSE(g_fail_next_connect.load());

  // The connector's thread is still there, and the server still serves.
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  EXPECT_TRUE(delivered(link->client, link->instance, "next client"));
  engine_.close_all();
  EXPECT_TRUE(state_is(engine_.state(link->client), EndpointState::closed));
}

// A child's reader thread logs what the child wrote; an exception there ends
// that child alone, with its error reported.
TEST_F(IoThreadSurvival, AThrowingChildReaderEndsThatChildAloneAndOthersGoOn) {
  auto doomed = engine_.run_child(cat_child());
  ASSERT_TRUE(succeeded(doomed));
  auto survivor = engine_.run_child(cat_child());
  ASSERT_TRUE(succeeded(survivor));

  g_faulty_endpoint = *doomed;
  detail::win::replace_io_fault_hook(&throw_once_for_the_faulty_endpoint);
  // The helper's C runtime holds its output back until its input ends.
  ASSERT_TRUE(succeeded(engine_.send(*doomed, as_bytes(std::string_view("echo me")))));
  ASSERT_TRUE(succeeded(engine_.disconnect(*doomed)));

  auto error = await_error(*doomed);
  ASSERT_TRUE(error) << recent_events();
  EXPECT_TRUE(has_code(error->error, Errc::not_enough_memory));
  EXPECT_NE(error->error.detail.find("bad_alloc"), std::string::npos) << error->error.summary();
  EXPECT_TRUE(await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *doomed; })) << recent_events();
  EXPECT_TRUE(await_state(*doomed, EndpointState::closed)) << recent_events();
  EXPECT_EQ(g_faulty_endpoint.load(), 0U) << "the hook never ran: the test proved nothing";

  ASSERT_TRUE(succeeded(engine_.send(*survivor, as_bytes(std::string_view("still echoing")))));
  ASSERT_TRUE(succeeded(engine_.disconnect(*survivor)));
  EXPECT_TRUE(await_bytes(*survivor, Direction::in, 13)) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(*survivor, Direction::in)), "still echoing");
  engine_.close_all();
  EXPECT_TRUE(state_is(engine_.state(*survivor), EndpointState::closed));
}

// When an instance gets its client, the server makes the next listening
// instance on that pool thread. If that throws, the failure is the server's:
// it is reported against the server, the connected instance serves on, and
// the server listens again once an instance closes.
TEST_F(IoThreadSurvival, AThrowingNextInstanceIsTheServersFailureAndTheLinkServesOn) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  g_faulty_endpoint = served->first_instance;
  detail::win::replace_io_fault_hook(&throw_once_for_the_faulty_endpoint);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);

  auto error = await<ErrorEvent>([&](const ErrorEvent& e) { return e.server == served->server; });
  ASSERT_TRUE(error) << recent_events();
  EXPECT_EQ(error->endpoint, 0U) << error->error.summary();
  EXPECT_TRUE(has_code(error->error, Errc::not_enough_memory));
  EXPECT_NE(error->error.detail.find("bad_alloc"), std::string::npos) << error->error.summary();
  EXPECT_EQ(g_faulty_endpoint.load(), 0U) << "the hook never ran: the test proved nothing";

  EXPECT_TRUE(delivered(link->client, link->instance, "served on"));
  EXPECT_TRUE(delivered(link->instance, link->client, "both ways"));
  ASSERT_TRUE(succeeded(engine_.disconnect(link->client)));
  EXPECT_TRUE(await_state(link->instance, EndpointState::closed)) << recent_events();
  auto next = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(next);
  EXPECT_TRUE(delivered(next->client, next->instance, "listening again"));
  engine_.close_all();
}

// A child's exit thread reports the exit; an exception there still closes
// that child's endpoint, and its writer and reader threads end (close_all
// joins them).
TEST_F(IoThreadSurvival, AThrowingExitReportStillClosesTheChild) {
  auto doomed = engine_.run_child(cat_child());
  ASSERT_TRUE(succeeded(doomed));
  g_faulty_endpoint = *doomed;
  detail::win::replace_io_fault_hook(&throw_once_for_the_faulty_endpoint);
  // With its input closed before it wrote anything, the helper exits
  // without output: the hook first runs when the exit is reported.
  ASSERT_TRUE(succeeded(engine_.disconnect(*doomed)));

  auto error = await_error(*doomed);
  ASSERT_TRUE(error) << recent_events();
  EXPECT_TRUE(has_code(error->error, Errc::not_enough_memory));
  EXPECT_NE(error->error.detail.find("bad_alloc"), std::string::npos) << error->error.summary();
  EXPECT_TRUE(await_state(*doomed, EndpointState::closed)) << recent_events();
  EXPECT_EQ(g_faulty_endpoint.load(), 0U) << "the hook never ran: the test proved nothing";

  auto next = engine_.run_child(cat_child());
  ASSERT_TRUE(succeeded(next));
  ASSERT_TRUE(succeeded(engine_.send(*next, as_bytes(std::string_view("after")))));
  ASSERT_TRUE(succeeded(engine_.disconnect(*next)));
  EXPECT_TRUE(await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *next; })) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(*next, Direction::in)), "after");
  engine_.close_all();
}

}  // namespace
}  // namespace pipescope::conformance
