#include "pipescope/event.hpp"

#include <fmt/format.h>

namespace pipescope {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

std::string describe(const Event& event) {
  return std::visit(
      Overloaded{
          [](const ServerStarted& e) { return fmt::format("server {} started: {} ({})", e.server, e.name, e.os_path); },
          [](const ServerStopped& e) { return fmt::format("server {} stopped", e.server); },
          [](const StateChanged& e) {
            std::string text = fmt::format("{} {} {}", to_string(e.kind), e.endpoint, to_string(e.state));
            if (e.state == EndpointState::connected && e.peer.pid >= 0) {
              text += fmt::format(" (peer pid {}, uid {})", e.peer.pid, e.peer.uid);
            }
            if (e.reason) {
              text += fmt::format(": {}", e.reason.message());
            }
            return text;
          },
          [](const PeerIdentified& e) { return fmt::format("endpoint {} peer user: {}", e.endpoint, e.user); },
          [](const Data& e) {
            const std::string row = e.row == MessageLog::kNoRow ? std::string("not kept: the log is full")
                                                                 : fmt::format("row {}", e.row);
            return fmt::format("endpoint {} {} {} bytes ({}{}{})", e.endpoint,
                               e.direction == Direction::in ? "read" : "wrote", e.size, row,
                               e.flags != 0 ? ", " : "", flags_to_string(e.flags));
          },
          [](const ErrorEvent& e) { return fmt::format("error on endpoint {}: {}", e.endpoint, e.error.summary()); },
          [](const Impersonated& e) {
            if (!e.result.impersonated) {
              return fmt::format("impersonation on endpoint {} failed: {}", e.endpoint,
                                 e.result.error ? e.result.error->summary() : std::string("unknown reason"));
            }
            return fmt::format("impersonated client of endpoint {}: {} ({}), level {}, reverted: {}", e.endpoint,
                               e.result.user, e.result.sid, e.result.level, e.result.reverted ? "yes" : "NO");
          },
          [](const ChildStarted& e) {
            return fmt::format("child {} started: pid {}: {}", e.endpoint, e.pid, e.command_line);
          },
          [](const ChildExited& e) {
            if (e.signal != 0) {
              return fmt::format("child {} (pid {}) killed by signal {}", e.endpoint, e.pid, e.signal);
            }
            return fmt::format("child {} (pid {}) exited with code {}", e.endpoint, e.pid, e.exit_code);
          },
      },
      event);
}

void EventQueue::on_events(std::span<const Event> batch) {
  {
    std::lock_guard lock(mutex_);
    for (const Event& e : batch) {
      pending_.push_back(e);
      history_.push_back(e);
    }
  }
  changed_.notify_all();
}

std::optional<Event> EventQueue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return !pending_.empty(); })) {
    return std::nullopt;
  }
  Event e = std::move(pending_.front());
  pending_.pop_front();
  return e;
}

std::optional<Event> EventQueue::wait_for(const std::function<bool(const Event&)>& match,
                                          std::chrono::milliseconds timeout, std::vector<Event>* skipped) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    while (!pending_.empty()) {
      Event e = std::move(pending_.front());
      pending_.pop_front();
      if (match(e)) {
        return e;
      }
      if (skipped != nullptr) {
        skipped->push_back(std::move(e));
      }
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && pending_.empty()) {
      return std::nullopt;
    }
  }
}

bool EventQueue::wait_until(const std::function<bool(std::span<const Event>)>& done, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(history_); });
}

std::vector<Event> EventQueue::history() const {
  std::lock_guard lock(mutex_);
  return history_;
}

}  // namespace pipescope
