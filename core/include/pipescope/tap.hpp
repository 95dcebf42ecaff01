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

/// Bytes a tap sends on another endpoint.
struct TapForward {
  EndpointId to = 0;
  Bytes bytes;
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
  /// as an error of the endpoint that read.
  void forward(EndpointId to, Bytes bytes) { forwards_.push_back(TapForward{to, std::move(bytes)}); }

  [[nodiscard]] const std::vector<Bytes>& replies() const noexcept { return replies_; }
  [[nodiscard]] std::vector<Bytes>& replies() noexcept { return replies_; }
  [[nodiscard]] std::vector<TapForward>& forwards() noexcept { return forwards_; }
  /// No reply asked for (what a backend has to write itself).
  [[nodiscard]] bool empty() const noexcept { return replies_.empty(); }

 private:
  std::vector<Bytes> replies_;
  std::vector<TapForward> forwards_;
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
