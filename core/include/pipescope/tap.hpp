// Taps: code that sees what an endpoint reads, on the I/O thread, right
// after the read was logged, and may answer on that endpoint. The engine's
// echo and reverse responders are taps (core/src/taps/); response rules, a
// proxy's hold and forward and a lab's expectations attach the same way, as
// new files, without touching a backend's read loop. (Anchor: Wireshark's
// tap listeners, epan/tap.h.)
//
// A tap runs on an engine thread, possibly while the endpoint's own lock is
// held: it must return quickly, must not block, and must not call back into
// the engine. Slow work goes to a thread of the tap's own and comes back
// through Engine::send.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"

namespace pipescope {

/// One read as the log recorded it.
struct TapRead {
  EndpointId endpoint = 0;
  std::span<const std::byte> bytes;
  std::uint8_t flags = 0;     ///< record_flags, as logged (message, more-data, ...)
  bool message_mode = false;  ///< the endpoint reads whole messages (PIPE_READMODE_MESSAGE)
  /// The read ended a message (message mode) or is a piece of a byte stream;
  /// false for a part flagged more-data.
  bool message_end = true;
};

/// The memory a tap's forwards travel in, reused from one to the next: a
/// relay that read 64 KiB messages into fresh buffers paid page faults for
/// every message (about 2.5 each in the relay benchmark).
class ForwardBuffers {
 public:
  virtual ~ForwardBuffers() = default;
  /// Takes back a forward's bytes once they are sent (whether the send
  /// succeeded or not). Runs on the forwarding thread; it must be quick and
  /// must not call the engine.
  virtual void give_back(Bytes bytes) noexcept = 0;
  /// A buffer to reuse (of any size and contents; empty when none is spare):
  /// the engine copies a forwarded read into it, or a backend reads its
  /// next bytes into it (TapActions::forward_read). Runs on an engine thread
  /// while the endpoint reads; it must be quick and must not call the engine.
  virtual Bytes take() noexcept = 0;
};

/// Bytes a tap sends on another endpoint.
struct TapForward {
  EndpointId to = 0;
  Bytes bytes;
  /// Where the bytes go once sent; none: they are freed.
  std::shared_ptr<ForwardBuffers> buffers;
};

/// What a tap asks the engine to do once it has returned.
class TapActions {
 public:
  /// Writes `bytes` on the endpoint that read (one message on a message
  /// pipe), on the same thread, in order, before the endpoint reads again;
  /// logged flagged responder. Ignored on an endpoint that may not write
  /// (the server of an inbound pipe, a read-only client).
  void reply(Bytes bytes) { replies_.push_back(std::move(bytes)); }
  /// Sends `bytes` on another endpoint as Engine::send would (one message on
  /// a message pipe). The engine's forwarding thread does it, in the order
  /// the taps asked, never on the I/O thread; a send that fails is reported
  /// as an error of the endpoint that read. `buffers`, if given, gets the
  /// bytes back once they are sent.
  void forward(EndpointId to, Bytes bytes, std::shared_ptr<ForwardBuffers> buffers = nullptr) {
    forwards_.push_back(TapForward{to, std::move(bytes), std::move(buffers)});
  }
  /// Forwards the bytes of this very read, as forward() would, without the
  /// tap copying them: where the backend allows it (POSIX byte reads), the
  /// engine hands its read buffer over and the backend reads on into one
  /// from `buffers`; elsewhere the read is copied into one from `buffers`.
  /// A relay's I/O thread reads, logs, writes and logs again: every copy it
  /// saves is one pass less over every byte on the busiest thread.
  void forward_read(EndpointId to, std::shared_ptr<ForwardBuffers> buffers = nullptr) {
    read_forwards_.push_back(forwards_.size());
    forwards_.push_back(TapForward{to, {}, std::move(buffers)});
  }

  [[nodiscard]] const std::vector<Bytes>& replies() const noexcept { return replies_; }
  [[nodiscard]] std::vector<Bytes>& replies() noexcept { return replies_; }
  [[nodiscard]] std::vector<TapForward>& forwards() noexcept { return forwards_; }
  /// Which of forwards() are to carry this read's bytes (forward_read), for
  /// the engine to fill in before it sends them.
  [[nodiscard]] const std::vector<std::size_t>& read_forwards() const noexcept { return read_forwards_; }
  /// No reply asked for (what a backend has to write itself).
  [[nodiscard]] bool empty() const noexcept { return replies_.empty(); }

 private:
  std::vector<Bytes> replies_;
  std::vector<TapForward> forwards_;
  std::vector<std::size_t> read_forwards_;
};

class Tap {
 public:
  virtual ~Tap() = default;
  /// Called for every read of the endpoint it is attached to, in order,
  /// while the endpoint is connected (the Win32 backend does not show taps
  /// what it still reads while it closes; the log has those bytes).
  virtual void on_read(const TapRead& read, TapActions& actions) = 0;
};

/// Makes the tap of one endpoint (an instance of a server, when it is made;
/// nullptr: no tap for this one). It runs on an engine thread while the
/// server makes the instance, so it too must be quick and must not call the
/// engine.
using TapFactory = std::function<std::shared_ptr<Tap>(EndpointId endpoint)>;

}  // namespace pipescope
