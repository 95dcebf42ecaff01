// Account names, looked up on a thread of their own. LookupAccountSidW asks
// the Local Security Authority, which on a domain member may ask a domain
// controller over the network and take seconds (its page: "LookupAccountSid
// ... attempts to find a name for the specified SID on the local system"
// first, then asks "domain controllers for the domain"); on the completion
// port's two to four threads that would stall every pipe of the engine. So
// an end reads the SIDs where it is (a local, quick call) and leaves the
// names to this thread, which then tells the sink with its own event.
#pragma once

#include <windows.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "engine_context.hpp"
#include "serial_worker.hpp"

namespace pipescope::detail::win {

/// A SID copied out of the token or buffer it came from, so that it can be
/// named later, on another thread.
class SidCopy {
 public:
  SidCopy() = default;
  explicit SidCopy(PSID sid);
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
  [[nodiscard]] PSID get() const noexcept { return empty() ? nullptr : const_cast<std::byte*>(bytes_.data()); }

 private:
  std::vector<std::byte> bytes_;
};

/// The SID of the user a process runs as; empty when its token cannot be
/// read (another user's process without the right to query it, or gone).
[[nodiscard]] SidCopy process_user_sid(DWORD pid);

/// The function that names a SID ("DOMAIN\user", empty when it cannot):
/// account_name (LookupAccountSidW). A test replaces it with one that waits,
/// to show what a slow domain controller does to the engine. Returns the
/// function it replaced.
using AccountNameFunction = std::string (*)(PSID sid);
AccountNameFunction replace_account_name_function(AccountNameFunction name) noexcept;
/// Names a SID with the current AccountNameFunction. Only the lookup thread
/// (and what it runs) calls this.
[[nodiscard]] std::string lookup_account_name(const SidCopy& sid);

/// The thread that runs account lookups, one after the other, in the order
/// they were posted. A lookup is a job that names what it carries and
/// emits its event (PeerIdentified, Impersonated) itself.
class AccountLookup {
 public:
  /// What a job throws is reported to `context`'s sink as an error.
  explicit AccountLookup(EngineContext& context);
  /// Drops the lookups not begun yet and waits for the one running (a
  /// LookupAccountSidW cannot be cancelled; the LSA's own timeout bounds it).
  ~AccountLookup();
  AccountLookup(const AccountLookup&) = delete;
  AccountLookup& operator=(const AccountLookup&) = delete;

  void post(std::function<void()> job);

 private:
  SerialWorker worker_;
};

}  // namespace pipescope::detail::win
