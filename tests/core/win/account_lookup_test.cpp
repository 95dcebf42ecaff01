// Account names are looked up on a thread of their own. LookupAccountSidW
// asks the Local Security Authority, which on a domain member may ask a
// domain controller and take seconds; the peer's user of every connect and
// the groups of every impersonation used to be named on the completion
// port's two to four threads, so a slow domain froze every pipe of the
// engine. Wine answers at once, so the test makes the lookup slow itself: it
// replaces the naming function with one that waits until the test lets it
// go, and shows that pipes keep working meanwhile and that the names come
// afterwards.
#include <windows.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "conformance_fixture.hpp"
#include "win/account_lookup.hpp"
#include "win/win_util.hpp"
#include <pipescope/name.hpp>

namespace pipescope::conformance {
namespace {

using detail::win::AccountNameFunction;
using detail::win::replace_account_name_function;

constexpr const char* kSlowName = "SLOWDOMAIN\\someone";

/// The naming function of the test: every call waits until the gate opens.
struct Gate {
  std::mutex mutex;
  std::condition_variable opened;
  bool open = false;
  int waiting = 0;  ///< calls inside the function, waiting or about to return
};
Gate g_gate;

std::string name_after_the_gate(PSID) {
  std::unique_lock lock(g_gate.mutex);
  ++g_gate.waiting;
  g_gate.opened.notify_all();
  g_gate.opened.wait(lock, [] { return g_gate.open; });
  --g_gate.waiting;
  return kSlowName;
}

class AccountLookup : public EngineConformance {
 protected:
  void SetUp() override {
    {
      std::lock_guard lock(g_gate.mutex);
      g_gate.open = false;
    }
    previous_ = replace_account_name_function(&name_after_the_gate);
  }
  // Before the engine is destroyed: its lookup thread may be in the gate.
  void TearDown() override {
    open_gate();
    replace_account_name_function(previous_);
  }
  static void open_gate() {
    {
      std::lock_guard lock(g_gate.mutex);
      g_gate.open = true;
    }
    g_gate.opened.notify_all();
  }
  static bool a_lookup_is_waiting() {
    std::unique_lock lock(g_gate.mutex);
    return g_gate.opened.wait_for(lock, kEventTimeout, [] { return g_gate.waiting > 0; });
  }

 private:
  AccountNameFunction previous_ = nullptr;
};

TEST_F(AccountLookup, ASlowLookupStallsNoPipeAndTheNamesComeAfterwards) {
  ServerOptions options = server_options();
  options.max_instances = 16;
  options.responder = Responder::echo;
  auto served = serve(options);
  ASSERT_TRUE(served);
  // More connections than the pool has threads: had each connect named its
  // peer on the pool, the pool would now be stuck in the gate.
  const std::size_t count = engine_.thread_count() + 1;
  std::vector<Link> links;
  for (std::size_t i = 0; i < count; ++i) {
    auto link = connect_to(served->server, client_options(served->name));
    ASSERT_TRUE(link) << "connect " << i << " while the lookups wait" << recent_events();
    links.push_back(*link);
  }
  ASSERT_TRUE(a_lookup_is_waiting()) << "the peers are named by the replaceable function";

  // Every pipe works while the names wait: the last client's echo comes back.
  ASSERT_TRUE(send_and_wait(links.back().client, "still alive"));
  ASSERT_TRUE(await_bytes(links.back().client, Direction::in, 11)) << "the engine froze" << recent_events();
  // An impersonation runs too; its names wait with the others.
  ASSERT_TRUE(succeeded(engine_.impersonate(links.back().instance)));
  EXPECT_TRUE(seen<PeerIdentified>([](const PeerIdentified&) { return true; }).empty())
      << "a name came although every lookup waits in the gate";

  open_gate();
  for (const Link& link : links) {
    for (const EndpointId endpoint : {link.client, link.instance}) {
      auto named = await<PeerIdentified>([&](const PeerIdentified& e) { return e.endpoint == endpoint; });
      ASSERT_TRUE(named) << "endpoint " << endpoint << recent_events();
      EXPECT_EQ(named->user, kSlowName);
    }
  }
  auto impersonated =
      await<Impersonated>([&](const Impersonated& e) { return e.endpoint == links.back().instance; });
  ASSERT_TRUE(impersonated) << recent_events();
  ASSERT_TRUE(impersonated->result.impersonated) << recent_events();
  EXPECT_EQ(impersonated->result.user, kSlowName) << "the impersonated user is named on the lookup thread";
  EXPECT_TRUE(impersonated->result.reverted);
}

// Without the test's function the name is the real account's, DOMAIN\user,
// and its user part is the one this process runs as.
TEST(AccountLookupNames, PeersAreNamedAsDomainBackslashUser) {
  EventQueue events;
  Engine engine(&events);
  ServerOptions options;
  options.name = "pipescope-account-" + std::to_string(current_process_id());
  auto server = engine.start_server(options);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  ClientOptions client;
  client.name = options.name;
  auto connected = engine.connect(client);
  ASSERT_TRUE(connected.ok()) << connected.error().summary();
  auto named = events.wait_for(
      [&](const Event& e) {
        const auto* peer = std::get_if<PeerIdentified>(&e);
        return peer != nullptr && peer->endpoint == *connected;
      },
      kEventTimeout);
  ASSERT_TRUE(named);
  const std::string user = std::get<PeerIdentified>(*named).user;
  wchar_t own[256];
  DWORD size = 256;
  ASSERT_TRUE(GetUserNameW(own, &size));
  const std::string own_name = detail::win::narrow(own);
  const auto slash = user.find('\\');
  ASSERT_NE(slash, std::string::npos) << user;
  EXPECT_TRUE(iequals(user.substr(slash + 1), own_name)) << user << " vs " << own_name;
}

}  // namespace
}  // namespace pipescope::conformance
