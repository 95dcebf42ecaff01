// The rule that keeps a write's out record ahead of the in record of the
// same bytes when both ends of a pipe are in this process (the POSIX
// backend keeps the same rule in send_path.cpp, await_peer_records).
//
// A write is logged when the OS accepts it (WriteFile returned TRUE or
// ERROR_IO_PENDING): from then on the peer may read its bytes. The reader's
// completion runs on another pool thread, which could log its in record in
// the moment between WriteFile and the writer's record. So a writer holds a
// place in the gate, marked with a ticket, from before WriteFile until its
// out record is logged, and a reader waits, before it logs an in record,
// for the writes still in the gate whose tickets it could have seen when
// its completion was dequeued. One gate for the process, because the peer
// of an end may belong to another engine of the same process.
//
// The tickets spare a reader the writes that cannot matter to it. A
// completion is dequeued with its bytes already read, so a write that took
// its ticket after that moment cannot have carried them, and a process with
// many busy pipes does not make every read wait for every write. How a
// reader waits is what decides its cost under Wine (write_order.cpp).
#pragma once

#include <windows.h>

#include <cstdint>

namespace pipescope::detail::win {

/// The order in which writes entered the gate; 0 is never a write's.
using WriteTicket = std::uint64_t;

/// The ticket of the last write to have entered the gate. A pool thread
/// takes it as soon as it has dequeued completions: every write that could
/// have carried their bytes holds this ticket or an earlier one.
[[nodiscard]] WriteTicket last_write_ticket() noexcept;

/// Held by a writer from before WriteFile until its out record is logged.
class WriteGateHold {
 public:
  WriteGateHold() noexcept;
  ~WriteGateHold();
  WriteGateHold(const WriteGateHold&) = delete;
  WriteGateHold& operator=(const WriteGateHold&) = delete;

 private:
  std::uint32_t place_ = 0;
  WriteTicket ticket_ = 0;
};

/// A reader's step before it logs an in record: returns once no write that
/// held `seen` or an earlier ticket is still unlogged. `seen` is what
/// last_write_ticket() said when the read's completion was dequeued, or at
/// any later moment (waiting for more writes is slower, never wrong).
void pass_write_gate(WriteTicket seen) noexcept;

/// The same, for a read that has just returned: the writes to wait for are
/// all those in the gate now.
inline void pass_write_gate() noexcept { pass_write_gate(last_write_ticket()); }

/// How many readers are waiting for a write at this moment (for the tests,
/// which release a write only once a reader is seen to wait for it).
[[nodiscard]] std::uint32_t readers_waiting_at_write_gate() noexcept;

}  // namespace pipescope::detail::win
