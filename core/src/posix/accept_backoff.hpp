// A server that cannot accept for want of descriptors waits instead of
// spinning (see accept_backoff.cpp).
#pragma once

#include <chrono>
#include <cstdint>

namespace pipescope::detail::posix {

/// The state of one server's pause in accepting: whether it is paused,
/// whether this lack of resources was reported, and how long until the
/// next try.
class AcceptBackoff {
 public:
  /// Does this errno from accept() mean a lack of resources that passes
  /// (descriptors or memory), rather than a fault of the client?
  [[nodiscard]] static bool is_exhaustion(int err) noexcept;

  struct Pause {
    std::chrono::milliseconds retry_after{0};
    bool first = false;  ///< the first failure since accepting last worked: report it
  };
  /// Accept failed for want of resources: the server stops watching its
  /// listener until `retry_after` has passed or a descriptor frees up.
  Pause pause() noexcept;
  /// The listener is watched again, to try once more.
  void resume() noexcept { paused_ = false; }
  /// An accept worked: the next pause starts with a short delay again.
  void accepted() noexcept { delay_ = kFirstDelay; }
  /// Nobody waits to be accepted: the lack is over, and a later one is
  /// reported again. (While clients still wait, a descriptor that frees up
  /// serves one of them and the lack goes on: that is not news.)
  void drained() noexcept { reported_ = false; }

  [[nodiscard]] bool paused() const noexcept { return paused_; }

  /// The timer of the next try, while paused.
  std::uint64_t timer = 0;

 private:
  static constexpr std::chrono::milliseconds kFirstDelay{5};
  static constexpr std::chrono::milliseconds kLongestDelay{1000};
  bool paused_ = false;
  bool reported_ = false;
  std::chrono::milliseconds delay_ = kFirstDelay;
};

}  // namespace pipescope::detail::posix
