#include "write_order.hpp"

#include <atomic>
#include <cstddef>

namespace pipescope::detail::win {

namespace {

// How many writes can be between WriteFile and their record at once: one
// per thread that writes at that moment (the pools' threads and the
// callers' threads of every engine in the process). A writer that finds
// every place taken waits for one; that needs more writing threads than
// this at the same instant.
constexpr std::uint32_t kPlaces = 64;

// How a reader waits for a write under way: first this many pauses (a
// WriteFile on Windows takes microseconds), then this many offers of its
// CPU to another thread (under Wine a WriteFile is a round trip to the Wine
// server, and the writer's thread may be the one to run), and only then it
// sleeps until the writer wakes it. Sleeping after the pauses only cost a
// reader a sleep and a wake-up for one read in ten of 64-byte messages
// under Wine, and with the process-wide lock before it about a tenth of the
// engine's message rate (docs/benchmark-notes.md, "The write gate").
constexpr int kPausesBeforeYield = 128;
constexpr int kYieldsBeforeSleep = 200;

// Each place holds the ticket of the write in it, or 0 when it is free.
// Plain atomics without set-up or teardown, so the gate can be used from
// any thread at any time, also while static objects are destroyed.
std::atomic<WriteTicket> g_places[kPlaces];
std::atomic<WriteTicket> g_last_ticket{0};
// Readers waiting for a write, and those of them asleep: a writer that
// leaves its place wakes sleepers only when there are any, so that a write
// without a sleeping reader makes no call to the OS.
std::atomic<std::uint32_t> g_waiting_readers{0};
std::atomic<std::uint32_t> g_sleeping_readers{0};

}  // namespace

WriteTicket last_write_ticket() noexcept { return g_last_ticket.load(); }

std::uint32_t readers_waiting_at_write_gate() noexcept { return g_waiting_readers.load(); }

WriteGateHold::WriteGateHold() noexcept : ticket_(g_last_ticket.fetch_add(1) + 1) {
  // The ticket is taken before the place: a reader that has not seen the
  // place yet is a reader whose bytes were read before this WriteFile began.
  // Tickets are consecutive, so the place the ticket names is nearly always
  // free; otherwise the next ones are tried.
  for (std::uint32_t tried = 0;; ++tried) {
    const std::uint32_t place = static_cast<std::uint32_t>((ticket_ + tried) % kPlaces);
    WriteTicket free = 0;
    if (g_places[place].compare_exchange_strong(free, ticket_)) {
      place_ = place;
      return;
    }
    if (tried + 1 >= kPlaces) {
      tried = 0;
      SwitchToThread();
    }
  }
}

WriteGateHold::~WriteGateHold() {
  g_places[place_].store(0);
  if (g_sleeping_readers.load() != 0) WakeByAddressAll(&g_places[place_]);
}

void pass_write_gate(WriteTicket seen) noexcept {
  for (std::atomic<WriteTicket>& place : g_places) {
    const WriteTicket ticket = place.load();
    // A place that is free, or holds a write that began after the read's
    // completion was dequeued, holds nothing this read could have read.
    if (ticket == 0 || ticket > seen) continue;
    // The write is under way: wait until it leaves its place. Whatever
    // enters the place after it began after this read and is not waited for.
    g_waiting_readers.fetch_add(1);
    int tries = 0;
    while (place.load() == ticket) {
      if (tries < kPausesBeforeYield) {
        ++tries;
        YieldProcessor();
        continue;
      }
      if (tries < kPausesBeforeYield + kYieldsBeforeSleep) {
        ++tries;
        SwitchToThread();
        continue;
      }
      g_sleeping_readers.fetch_add(1);
      WriteTicket expected = ticket;
      // Returns at once if the place has changed since the load; a wake-up
      // without a change is checked by the loop.
      WaitOnAddress(&place, &expected, sizeof expected, INFINITE);
      g_sleeping_readers.fetch_sub(1);
    }
    g_waiting_readers.fetch_sub(1);
  }
}

}  // namespace pipescope::detail::win
