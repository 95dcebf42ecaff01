#include "event_loop.hpp"

#include "fault_injection.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace pipescope::detail::posix {

namespace {
constexpr std::uint64_t kWakeToken = 0;
}

EventLoop::EventLoop(std::function<void()> after_round) : after_round_(std::move(after_round)) {
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

std::uint64_t EventLoop::add(int fd, std::uint32_t events, ReadyFn on_ready) {
  const std::uint64_t token = next_token_++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (auto* fault = fault_injection::watch_fault.load(std::memory_order_relaxed); fault != nullptr && fault(fd) != 0) {
    throw std::system_error(fault(fd), std::generic_category(), "epoll_ctl(ADD)");
  }
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD)");
  }
  handlers_.emplace(token, std::move(on_ready));
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

void EventLoop::run_posted() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(posted_mutex_);
    work.swap(posted_);
    wake_pending_ = false;
  }
  for (auto& w : work) {
    w();
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
    fn();
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
        auto handler = it->second;  // a copy: the callback may remove itself
        handler(ready[static_cast<std::size_t>(i)].events);
      }
    }
    run_posted();
    run_due_timers();
    nudged_.store(false, std::memory_order_seq_cst);
    after_round_();
  }
  run_posted();
  after_round_();
}

}  // namespace pipescope::detail::posix
