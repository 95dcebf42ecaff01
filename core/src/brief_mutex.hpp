#pragma once
// A mutex for critical sections of a few dozen nanoseconds that two busy
// threads take all the time: the engine's event batch and the log's append.
//
// std::mutex sleeps in the kernel as soon as it finds the lock taken, and
// the holder then pays a system call to wake the sleeper. When a caller's
// thread sends (and records) while the I/O thread reads (and records), the
// two meet on these locks at every message; the futex wait and wake were
// the largest cost of the message rate in a profile (a fifth of the time,
// with a context switch each). Spinning for a moment first, as glibc's
// adaptive mutexes and Windows' critical sections with a spin count do,
// almost always finds the lock free again.

#include <mutex>
#include <thread>

namespace pipescope::detail {

/// Tells the CPU that this thread is waiting in a loop (the x86 PAUSE), which
/// saves power and gives a sibling hyper-thread the core.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// One step of a wait in a spin loop: a pause for the first steps, then the
/// CPU given up, in case the thread waited for needs it to go on.
inline void spin_wait_step(unsigned& steps) noexcept {
  if (++steps < 128) {
    cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

/// Meets the standard's Lockable requirements (std::lock_guard works).
class BriefMutex {
 public:
  void lock() noexcept {
    for (int attempt = 0; attempt < kSpins; ++attempt) {
      if (mutex_.try_lock()) return;
      cpu_relax();
    }
    mutex_.lock();
  }
  bool try_lock() noexcept { return mutex_.try_lock(); }
  void unlock() noexcept { mutex_.unlock(); }

 private:
  // Long enough for a holder to finish a log append (tens of nanoseconds);
  // short enough that a holder that was descheduled costs little.
  static constexpr int kSpins = 100;
  std::mutex mutex_;
};

}  // namespace pipescope::detail
