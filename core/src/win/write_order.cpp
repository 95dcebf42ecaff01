#include "write_order.hpp"

namespace pipescope::detail::win {

namespace {

// An SRWLOCK needs no set-up and no teardown, so the gate can be used from
// any thread at any time, also while static objects are destroyed.
SRWLOCK g_write_gate = SRWLOCK_INIT;

}  // namespace

WriteGateHold::WriteGateHold() noexcept { AcquireSRWLockShared(&g_write_gate); }

WriteGateHold::~WriteGateHold() { ReleaseSRWLockShared(&g_write_gate); }

void pass_write_gate() noexcept {
  // Exclusive ownership is granted only when no writer holds the gate; the
  // reader gives it back at once, as it has nothing to guard.
  AcquireSRWLockExclusive(&g_write_gate);
  ReleaseSRWLockExclusive(&g_write_gate);
}

}  // namespace pipescope::detail::win
