// The memory reserve of the message log: the next arena chunk and index
// block, prepared ahead on a thread of its own.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>

namespace pipescope::detail {

/// Keeps the next arena chunk and the next index block ready: allocated,
/// with every page written once, by a thread of its own. A page the appending
/// thread touches for the first time costs it a page fault of 2-3 µs here
/// (measured on the benchmark machine), which is 30-50 ns for every 64-byte
/// record; done ahead on another thread, that cost leaves the engine's I/O
/// thread. The thread starts when a log first asks for memory ahead, which a
/// small log never does.
class MemoryReserve {
 public:
  MemoryReserve() = default;
  MemoryReserve(const MemoryReserve&) = delete;
  MemoryReserve& operator=(const MemoryReserve&) = delete;
  ~MemoryReserve();

  /// Starts preparing a buffer of `bytes` for `slot` (0: arena chunk,
  /// 1: index block) unless one is already prepared or on its way. Returns
  /// the bytes newly set aside, so the caller can count them as held.
  std::size_t prepare(unsigned slot, std::size_t bytes);
  /// The buffer prepared for `slot`, waiting for it to be finished if it is
  /// on its way; nullptr when none was asked for.
  std::unique_ptr<std::byte[]> take(unsigned slot);
  /// Bytes set aside and not yet taken.
  [[nodiscard]] std::size_t held_bytes() const noexcept { return held_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::size_t bytes = 0;                // 0: nothing asked for
    std::unique_ptr<std::byte[]> ready;   // set once prepared
  };
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<Slot, 2> slots_;   // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  std::atomic<std::size_t> held_{0};
  std::thread thread_;
};

}  // namespace pipescope::detail
