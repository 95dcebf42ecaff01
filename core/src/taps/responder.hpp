// What the engine's built-in answering machines (echo, reverse) say: given
// what an instance read, what to write back. responder_tap.cpp makes them
// taps.
#pragma once

#include <span>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/options.hpp"

namespace pipescope::detail {

class ResponderState {
 public:
  explicit ResponderState(Responder kind) : kind_(kind) {}

  /// Feeds one read. `message_end` is true when the read completed a message
  /// (message read mode) - then a whole message is answered at once; in byte
  /// mode "reverse" answers each complete line, keeping a partial line until
  /// its newline arrives. Returns the replies to write, in order.
  std::vector<Bytes> feed(std::span<const std::byte> data, bool message_mode, bool message_end);

  [[nodiscard]] Responder kind() const noexcept { return kind_; }

 private:
  Responder kind_;
  Bytes pending_;  // a partial message or line
};

}  // namespace pipescope::detail
