// The write gate on its own (core/src/win/write_order.hpp): a reader waits
// for a write that may have carried its bytes until that write is logged,
// and never for a write that began after its completion was dequeued. The
// conformance cases LogOrder.* show the same rule through the engine.
#include <windows.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "win/write_order.hpp"

namespace pipescope::detail::win {
namespace {

// Long enough for any machine; reached only when the gate is broken.
constexpr auto kPatience = std::chrono::seconds(30);

TEST(WriteOrder, AReaderDoesNotWaitForAWriteThatBeganAfterItsCompletion) {
  const WriteTicket dequeued_at = last_write_ticket();
  auto later_write = std::make_unique<WriteGateHold>();
  // On another thread, so that a gate that waited here (as the first form,
  // a process-wide lock, did) fails the test instead of hanging it.
  auto passed = std::async(std::launch::async, [dequeued_at] { pass_write_gate(dequeued_at); });
  EXPECT_EQ(passed.wait_for(kPatience), std::future_status::ready)
      << "the reader waited for a write that took its ticket after the reader's completion was dequeued";
  later_write.reset();  // lets a reader that did wait go, so that the test ends
}

TEST(WriteOrder, AReaderWaitsUntilAWriteThatMayHaveCarriedItsBytesIsLogged) {
  auto write = std::make_unique<WriteGateHold>();
  const WriteTicket dequeued_at = last_write_ticket();
  std::atomic<bool> logged{false};
  std::atomic<bool> reader_passed{false};
  std::atomic<bool> reader_saw_logged{false};
  std::thread reader([&] {
    pass_write_gate(dequeued_at);
    reader_saw_logged = logged.load();
    reader_passed = true;
  });
  // The write is released only once the reader is seen waiting for it (or
  // has already passed, which is the failure this test looks for).
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (readers_waiting_at_write_gate() == 0 && !reader_passed && std::chrono::steady_clock::now() < deadline) {
    SwitchToThread();
  }
  EXPECT_FALSE(reader_passed.load()) << "the reader passed the gate while the write was not logged yet";
  logged = true;
  write.reset();
  reader.join();
  EXPECT_TRUE(reader_saw_logged.load()) << "the reader went on before the write it may have read was logged";
  EXPECT_EQ(readers_waiting_at_write_gate(), 0U);
}

TEST(WriteOrder, AReaderWithoutAWriteUnderWayPassesAtOnce) {
  auto passed = std::async(std::launch::async, [] { pass_write_gate(); });
  EXPECT_EQ(passed.wait_for(kPatience), std::future_status::ready);
}

TEST(WriteOrder, ManyWritesAtOnceEachFindAPlace) {
  // More writers at once than the gate has places: each waits for a free
  // place, none is lost, and a reader afterwards passes at once.
  constexpr int kWriters = 100;
  std::atomic<int> entered{0};
  std::atomic<bool> release{false};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&] {
      const WriteGateHold write;
      ++entered;
      while (!release) SwitchToThread();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (entered < 64 && std::chrono::steady_clock::now() < deadline) SwitchToThread();
  EXPECT_GE(entered.load(), 64) << "writers did not get the gate's places";
  release = true;
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(entered.load(), kWriters);
  auto passed = std::async(std::launch::async, [] { pass_write_gate(); });
  EXPECT_EQ(passed.wait_for(kPatience), std::future_status::ready) << "a place was left taken";
}

}  // namespace
}  // namespace pipescope::detail::win
