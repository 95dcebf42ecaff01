#include "responder.hpp"

#include <algorithm>

namespace pipescope::detail {

namespace {
/// Reverses the text of a line or message but leaves a final "\n" or "\r\n"
/// where it was, so "hello\n" answers "olleh\n" on every pipe type.
void reverse_keeping_line_end(Bytes& text) {
  auto text_end = text.end();
  if (text_end != text.begin() && *(text_end - 1) == std::byte{'\n'}) {
    --text_end;
    if (text_end != text.begin() && *(text_end - 1) == std::byte{'\r'}) --text_end;
  }
  std::reverse(text.begin(), text_end);
}
}  // namespace

std::vector<Bytes> ResponderState::feed(std::span<const std::byte> data, bool message_mode, bool message_end) {
  std::vector<Bytes> replies;
  if (kind_ == Responder::none) {
    return replies;
  }
  if (kind_ == Responder::echo && !message_mode) {
    // A byte pipe has no boundaries to keep: echo each read as it came.
    replies.emplace_back(data.begin(), data.end());
    return replies;
  }
  pending_.insert(pending_.end(), data.begin(), data.end());
  if (message_mode) {
    if (!message_end) {
      return replies;  // wait for the rest of the message
    }
    Bytes message;
    message.swap(pending_);
    if (kind_ == Responder::reverse) {
      reverse_keeping_line_end(message);
    }
    replies.push_back(std::move(message));
    return replies;
  }
  // Reverse on a byte pipe answers line by line, like the seed's
  // StreamReader.ReadLine / WriteLine server: the line's text reversed, then
  // its line end ("\n" or "\r\n") as it came.
  auto begin = pending_.begin();
  for (auto nl = std::find(begin, pending_.end(), std::byte{'\n'}); nl != pending_.end();
       nl = std::find(begin, pending_.end(), std::byte{'\n'})) {
    Bytes line(begin, nl + 1);
    reverse_keeping_line_end(line);
    replies.push_back(std::move(line));
    begin = nl + 1;
  }
  pending_.erase(pending_.begin(), begin);
  return replies;
}

}  // namespace pipescope::detail
