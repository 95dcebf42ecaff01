#include "log/memory_reserve.hpp"

#include <algorithm>
#include <new>
#include <system_error>

#include "log/page_memory.hpp"

namespace pipescope::detail {

MemoryReserve::~MemoryReserve() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t MemoryReserve::prepare(unsigned slot, std::size_t bytes) {
  const std::lock_guard lock(mutex_);
  Slot& s = slots_[slot];
  if (s.bytes != 0) return 0;
  if (!thread_.joinable()) {
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
      // No thread: the appender simply allocates as it goes, as it would
      // without a reserve.
      return 0;
    }
  }
  s.bytes = bytes;
  held_.fetch_add(bytes, std::memory_order_relaxed);
  changed_.notify_all();
  return bytes;
}

std::unique_ptr<std::byte[]> MemoryReserve::take(unsigned slot) {
  std::unique_lock lock(mutex_);
  Slot& s = slots_[slot];
  // Waiting for a buffer on its way costs the appender no more than faulting
  // the same pages in itself, and usually much less.
  changed_.wait(lock, [&] { return s.bytes == 0 || s.ready != nullptr; });
  if (s.bytes == 0) return nullptr;
  held_.fetch_sub(s.bytes, std::memory_order_relaxed);
  s.bytes = 0;
  return std::move(s.ready);
}

void MemoryReserve::run() {
  std::unique_lock lock(mutex_);
  const auto wanted = [this] {
    return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.bytes != 0 && !s.ready; });
  };
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || wanted(); });
    if (stopping_) return;
    for (Slot& s : slots_) {
      if (s.bytes == 0 || s.ready) continue;
      const std::size_t bytes = s.bytes;
      lock.unlock();
      std::unique_ptr<std::byte[]> memory;
      try {
        memory = std::make_unique_for_overwrite<std::byte[]>(bytes);
        back_every_page(memory.get(), bytes);
      } catch (const std::bad_alloc&) {
        memory.reset();
      }
      lock.lock();
      if (memory) {
        s.ready = std::move(memory);
      } else {
        // Out of memory: give the request back; the appender allocates for
        // itself and meets the failure there, where it is reported.
        held_.fetch_sub(s.bytes, std::memory_order_relaxed);
        s.bytes = 0;
      }
      changed_.notify_all();
    }
  }
}

}  // namespace pipescope::detail
