// Test seams of the POSIX backend: faults a test injects to prove that the
// I/O thread survives failures it cannot provoke from outside (epoll's watch
// limit, a log append that runs out of memory). Both are empty in normal
// use, and then cost one relaxed load where they are asked.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>

namespace pipescope::detail::posix::fault_injection {

/// Asked by EventLoop::add before it registers `fd`: a non-zero errno makes
/// the registration fail with it, as epoll_ctl would (ENOSPC at the watch
/// limit, ENOMEM).
inline std::atomic<int (*)(int fd)> watch_fault{nullptr};

/// Called with every payload the backend is about to log as read; it may
/// throw, as a log append that runs out of memory does.
inline std::atomic<void (*)(std::span<const std::byte> payload)> record_fault{nullptr};

inline void before_record(std::span<const std::byte> payload) {
  if (auto* fault = record_fault.load(std::memory_order_relaxed)) fault(payload);
}

}  // namespace pipescope::detail::posix::fault_injection
