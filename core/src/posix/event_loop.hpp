// One epoll loop on one thread: the POSIX engine's only I/O thread. Work from
// other threads is posted to it; everything it owns is touched only on it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "pipescope/error.hpp"

namespace pipescope::detail::posix {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  /// Called with the epoll event bits when a registered fd is ready.
  using ReadyFn = std::function<void(std::uint32_t events)>;
  /// Called on the loop thread with what escaped a callback. The loop
  /// thread serves every endpoint, so nothing one of them does may end it:
  /// each registration says what a failure of its handler means (the
  /// backend reports it and closes that endpoint), and the loop-wide one
  /// covers posted work, timers and `after_round`.
  using FaultFn = std::function<void(std::exception_ptr failure)>;

  /// `after_round` runs on the loop thread after each round of work
  /// (the engine flushes its event batch there); `on_fault` is the
  /// loop-wide fault handler.
  EventLoop(std::function<void()> after_round, FaultFn on_fault);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void start();
  /// Runs the queued work that remains, then ends the thread.
  void stop();

  [[nodiscard]] bool on_loop_thread() const noexcept { return std::this_thread::get_id() == thread_id_; }

  /// Queues work for the loop thread; one wake-up however many are queued.
  void post(std::function<void()> work);
  /// Runs `work` on the loop thread and returns its result; runs it at once
  /// when called on the loop thread.
  template <class F>
  auto call(F&& work) -> decltype(work()) {
    using R = decltype(work());
    if (on_loop_thread()) {
      return work();
    }
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(work));
    auto result = task->get_future();
    post([task] { (*task)(); });
    return result.get();
  }

  /// Makes sure a round, and so `after_round`, runs soon after the call
  /// (any thread). Wakes the loop only when it sleeps or is about to: a busy
  /// loop ends its round anyway. A send recorded on the caller's thread calls
  /// it for every message, where posting a task would take a lock and often
  /// write the eventfd.
  void nudge() noexcept;

  /// Registers an fd (loop thread only) and returns the token that
  /// identifies the registration: a callback whose token was removed is
  /// never called, even for readiness reported in the same round. Fails
  /// (epoll's watch limit, memory) with the reason; the caller decides what
  /// that means for its endpoint. `on_fault` gets whatever `on_ready` throws.
  [[nodiscard]] Result<std::uint64_t> add(int fd, std::uint32_t events, ReadyFn on_ready, FaultFn on_fault);
  void modify(std::uint64_t token, int fd, std::uint32_t events);
  void remove(std::uint64_t token, int fd);

  /// Runs `fn` on the loop thread at `when` unless cancelled first.
  std::uint64_t add_timer(Clock::time_point when, std::function<void()> fn);
  void cancel_timer(std::uint64_t id);

 private:
  void run();
  void wake() noexcept;
  void run_posted();
  void run_due_timers();
  /// Runs `work`; what escapes it goes to `on_fault`, or to the loop-wide
  /// handler when that fails too. Never throws.
  template <class Work>
  void guarded(Work&& work, const FaultFn& on_fault) noexcept;

  struct Watch {
    ReadyFn on_ready;
    FaultFn on_fault;
  };

  std::function<void()> after_round_;
  FaultFn on_fault_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::thread::id thread_id_;
  std::atomic<bool> stopping_{false};

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool wake_pending_ = false;  // guarded by posted_mutex_: at most one wake-up in flight
  // nudge(): set by a caller, cleared by the loop before each after_round;
  // the loop says when it is about to wait. Each side stores its flag and
  // then reads the other's (seq_cst), so at least one of them sees the other.
  std::atomic<bool> nudged_{false};
  std::atomic<bool> sleeping_{false};

  std::uint64_t next_token_ = 1;
  // Shared, so that dispatching a callback copies a pointer (which cannot
  // fail) and the watch outlives a callback that removes it.
  std::unordered_map<std::uint64_t, std::shared_ptr<const Watch>> handlers_;
  std::multimap<Clock::time_point, std::uint64_t> timer_order_;
  std::unordered_map<std::uint64_t, std::function<void()>> timers_;
};

}  // namespace pipescope::detail::posix
