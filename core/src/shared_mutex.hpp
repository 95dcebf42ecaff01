#pragma once
// A reader/writer lock for the engine's own tables.
//
// On POSIX this is std::shared_mutex. MinGW's std::shared_mutex sits on
// libwinpthread's pthread_rwlock_t, whose statically initialised lock is
// set up lazily on first use, and that set-up races when two threads reach
// the lock for the first time together (msys2/MINGW-packages#25193): one of
// them crashes inside rwl_ref. The engine's first shared_lock often happens
// on two threads at once (the GUI thread reading counters while an I/O thread
// logs), so the Win32 build uses the system's slim reader/writer lock, which
// needs no set-up at all and is what Windows programs use for this.
//
// SharedMutex meets the standard's SharedMutex requirements, so
// std::shared_lock, std::unique_lock and std::lock_guard work with it.

#include <shared_mutex>

namespace pipescope::detail {

#if defined(_WIN32)

class SharedMutex {
 public:
  SharedMutex() noexcept = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void lock() noexcept;
  bool try_lock() noexcept;
  void unlock() noexcept;
  void lock_shared() noexcept;
  bool try_lock_shared() noexcept;
  void unlock_shared() noexcept;

 private:
  // The storage of an SRWLOCK, which is one pointer and starts as zero
  // (SRWLOCK_INIT). Kept as void* so that this header does not pull in
  // <windows.h> for every file that takes the lock.
  void* srw_lock_ = nullptr;
};

#else

using SharedMutex = std::shared_mutex;

#endif

}  // namespace pipescope::detail
