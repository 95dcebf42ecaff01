#include "event_loop.hpp"

#include "fault_injection.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <new>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace pipescope::detail::posix {

namespace {
constexpr std::uint64_t kWakeToken = 0;
}

EventLoop::EventLoop(std::function<void()> after_round, FaultFn on_fault)
    : after_round_(std::move(after_round)), on_fault_(std::move(on_fault)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot create the engine's epoll loop");
  }
  // Edge-triggered: every write to the eventfd reports it once, so the loop
  // never has to read it back down, which saves a system call per wake-up.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = kWakeToken;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  stop();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EventLoop::start() {
  thread_ = std::thread([this] { run(); });
  thread_id_ = thread_.get_id();
}

void EventLoop::stop() {
  if (!thread_.joinable()) {
    return;
  }
  post([this] { stopping_ = true; });
  thread_.join();
}

void EventLoop::post(std::function<void()> work) {
  bool wake = false;
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(work));
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) this->wake();
}

void EventLoop::wake() noexcept {
  const std::uint64_t one = 1;
  // An eventfd write only fails when the counter would overflow. The loop
  // never reads it down (see the constructor), but it grows by one per
  // wake-up: a million a second would take half a million years.
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::nudge() noexcept {
  // Already nudged since the last after_round: that nudge's round covers
  // this caller's work too, as it comes after.
  if (nudged_.exchange(true, std::memory_order_seq_cst)) return;
  if (sleeping_.load(std::memory_order_seq_cst)) wake();
}

Result<std::uint64_t> EventLoop::add(int fd, std::uint32_t events, ReadyFn on_ready, FaultFn on_fault) {
  std::shared_ptr<const Watch> watch;
  try {
    watch = std::make_shared<const Watch>(Watch{std::move(on_ready), std::move(on_fault)});
  } catch (const std::bad_alloc&) {
    return error_from_errno(ENOMEM, IoContext::generic, "watch a descriptor", "no memory for its handler");
  }
  const std::uint64_t token = next_token_++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  int err = 0;
  if (auto* fault = fault_injection::watch_fault.load(std::memory_order_relaxed); fault != nullptr) err = fault(fd);
  if (err == 0 && ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) err = errno;
  if (err != 0) {
    // ENOSPC: the user's epoll watch limit (fs.epoll.max_user_watches);
    // ENOMEM: the kernel's memory.
    return error_from_errno(err, IoContext::generic, "watch a descriptor (epoll_ctl ADD)");
  }
  try {
    handlers_.emplace(token, std::move(watch));
  } catch (const std::bad_alloc&) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return error_from_errno(ENOMEM, IoContext::generic, "watch a descriptor", "no memory for its handler");
  }
  return token;
}

void EventLoop::modify(std::uint64_t token, int fd, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove(std::uint64_t token, int fd) {
  if (handlers_.erase(token) > 0) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  }
}

std::uint64_t EventLoop::add_timer(Clock::time_point when, std::function<void()> fn) {
  const std::uint64_t id = next_token_++;
  timers_.emplace(id, std::move(fn));
  timer_order_.emplace(when, id);
  return id;
}

void EventLoop::cancel_timer(std::uint64_t id) { timers_.erase(id); }

template <class Work>
void EventLoop::guarded(Work&& work, const FaultFn& on_fault) noexcept {
  try {
    work();
    return;
  } catch (...) {
    std::exception_ptr failure = std::current_exception();
    try {
      if (on_fault) {
        on_fault(failure);
        return;
      }
    } catch (...) {
      failure = std::current_exception();  // the fault handler failed too: the loop-wide one hears of that
    }
    if (&on_fault == &on_fault_) return;
    try {
      if (on_fault_) on_fault_(failure);
    } catch (...) {
      // Nobody is left to tell (reporting failed, most likely for lack of
      // memory); the loop goes on, which is what matters to every other
      // endpoint.
    }
  }
}

void EventLoop::run_posted() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(posted_mutex_);
    work.swap(posted_);
    wake_pending_ = false;
  }
  for (auto& w : work) {
    guarded(w, on_fault_);
  }
}

void EventLoop::run_due_timers() {
  const auto now = Clock::now();
  while (!timer_order_.empty() && timer_order_.begin()->first <= now) {
    const std::uint64_t id = timer_order_.begin()->second;
    timer_order_.erase(timer_order_.begin());
    auto it = timers_.find(id);
    if (it == timers_.end()) {
      continue;  // cancelled
    }
    auto fn = std::move(it->second);
    timers_.erase(it);
    guarded(fn, on_fault_);
  }
}

void EventLoop::run() {
  std::array<epoll_event, 256> ready{};
  while (!stopping_) {
    int timeout_ms = -1;
    // Drop cancelled timers from the front so they do not wake us for nothing.
    while (!timer_order_.empty() && !timers_.contains(timer_order_.begin()->second)) {
      timer_order_.erase(timer_order_.begin());
    }
    if (!timer_order_.empty()) {
      const auto wait = timer_order_.begin()->first - Clock::now();
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      timeout_ms = ms < 0 ? 0 : static_cast<int>(std::min<long long>(ms, 60'000));
    }
    sleeping_.store(true, std::memory_order_seq_cst);
    if (nudged_.load(std::memory_order_seq_cst)) timeout_ms = 0;
    const int n = ::epoll_wait(epoll_fd_, ready.data(), static_cast<int>(ready.size()), timeout_ms);
    sleeping_.store(false, std::memory_order_relaxed);
    if (n < 0 && errno != EINTR) {
      // Only a bad epoll descriptor or buffer fails here (EBADF, EFAULT,
      // EINVAL): a defect of the loop itself, not anything a peer can cause.
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      const std::uint64_t token = ready[static_cast<std::size_t>(i)].data.u64;
      if (token == kWakeToken) {
        continue;  // posted work runs below, once per round
      }
      // Look the handler up each time: an earlier callback of this round may
      // have removed it (and closed its fd).
      auto it = handlers_.find(token);
      if (it != handlers_.end()) {
        const std::shared_ptr<const Watch> watch = it->second;  // the callback may remove itself
        const std::uint32_t events = ready[static_cast<std::size_t>(i)].events;
        guarded([&] { watch->on_ready(events); }, watch->on_fault);
      }
    }
    run_posted();
    run_due_timers();
    nudged_.store(false, std::memory_order_seq_cst);
    guarded(after_round_, on_fault_);
  }
  run_posted();
  guarded(after_round_, on_fault_);
}

}  // namespace pipescope::detail::posix
