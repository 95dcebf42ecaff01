#include "inbox.hpp"

#include <iostream>
#include <streambuf>
#include <string>
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

void Inbox::request_stop(std::string what) {
  std::function<void(std::string_view)> action;
  {
    const std::lock_guard lock(mutex_);
    if (stop_reason_.empty()) {
      stop_reason_ = what;
    }
    action = stop_action_;
    if (!action) {
      items_.emplace_back(StopRequest{what});
    }
  }
  if (action) {
    action(what);
    return;
  }
  changed_.notify_one();
}

std::string Inbox::stop_reason() const {
  const std::lock_guard lock(mutex_);
  return stop_reason_;
}

void Inbox::set_stop_action(std::function<void(std::string_view what)> action) {
  std::string earlier;
  {
    const std::lock_guard lock(mutex_);
    stop_action_ = action;
    earlier = stop_reason_;
  }
  if (action && !earlier.empty()) {
    action(earlier);
  }
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

void start_stdin_reader(std::shared_ptr<Inbox> inbox, std::size_t max_line_chars) {
  std::thread([inbox = std::move(inbox), max_line_chars] {
    // Character by character from the stream's buffer: std::getline would
    // hold a line of any length in memory.
    std::streambuf* input = std::cin.rdbuf();
    constexpr int kEnd = std::char_traits<char>::eof();
    std::uint64_t number = 0;
    bool line_started = false;
    std::string text;
    for (;;) {
      const int c = input->sbumpc();
      if (c == kEnd) {
        break;
      }
      if (!line_started) {
        line_started = true;
        ++number;
      }
      if (c == '\n') {
        inbox->post(InputLine{std::move(text), number, true, false});
        text.clear();
        line_started = false;
        continue;
      }
      if (text.size() == max_line_chars) {
        inbox->post(InputLine{std::move(text), number, false, true});
        text.clear();
      }
      text.push_back(static_cast<char>(c));
    }
    if (line_started) {
      // The last line ended without a line break.
      inbox->post(InputLine{std::move(text), number, false, false});
    }
    inbox->post(InputEnd{});
  }).detach();
}

void post_stop_requests_to(std::shared_ptr<Inbox> inbox) {
  watch_stop_requests([inbox = std::move(inbox)](std::string_view what) { inbox->request_stop(std::string(what)); });
}

}  // namespace pipescope::cli
