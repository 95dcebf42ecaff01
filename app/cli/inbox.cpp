#include "inbox.hpp"

#include <iostream>
#include <thread>
#include <utility>

#include "platform.hpp"

namespace pipescope::cli {

void Inbox::on_events(std::span<const Event> batch) {
  {
    const std::lock_guard lock(mutex_);
    for (const Event& event : batch) {
      items_.emplace_back(event);
    }
  }
  changed_.notify_one();
}

void Inbox::post(InboxItem item) {
  {
    const std::lock_guard lock(mutex_);
    items_.push_back(std::move(item));
  }
  changed_.notify_one();
}

std::optional<InboxItem> Inbox::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto has_item = [this] { return !items_.empty(); };
  if (timeout == kNoTimeout) {
    changed_.wait(lock, has_item);
  } else if (!changed_.wait_for(lock, timeout, has_item)) {
    return std::nullopt;
  }
  InboxItem item = std::move(items_.front());
  items_.pop_front();
  return item;
}

void start_stdin_reader(std::shared_ptr<Inbox> inbox) {
  std::thread([inbox = std::move(inbox)] {
    std::string text;
    std::uint64_t number = 0;
    while (std::getline(std::cin, text)) {
      ++number;
      // getline sets eofbit only when the input ended before a line break,
      // which tells a last unterminated line from a complete one.
      const bool terminated = !std::cin.eof();
      inbox->post(InputLine{std::move(text), number, terminated});
      text.clear();
    }
    inbox->post(InputEnd{});
  }).detach();
}

void post_stop_requests_to(std::shared_ptr<Inbox> inbox) {
  watch_stop_requests([inbox = std::move(inbox)](std::string_view what) { inbox->post(StopRequest{std::string(what)}); });
}

}  // namespace pipescope::cli
