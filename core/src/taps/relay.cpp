// The relay's taps: one on each endpoint, each forwarding what its endpoint
// reads to the other (TapActions::forward, sent by the engine's forwarding
// thread in order).
#include "pipescope/relay.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipescope/tap.hpp"

namespace pipescope {

namespace {

/// The buffers one direction of a relay reads its messages into: the
/// forwarding thread gives each back once it is sent, and the next message
/// is read into it, so that a steady relay allocates nothing. The engine
/// hands a batch of reads' forwards over at once (up to 64 reads a wake-up
/// on POSIX), so the pool keeps enough buffers for such a batch, up to a
/// budget of bytes: kept by count alone, a few buffers of large messages
/// could hold hundreds of megabytes.
class BufferPool final : public ForwardBuffers {
 public:
  BufferPool() { spare_.reserve(kMostKept); }

  Bytes take() noexcept override {
    const std::lock_guard lock(mutex_);
    if (spare_.empty()) return {};
    Bytes bytes = std::move(spare_.back());
    spare_.pop_back();
    kept_bytes_ -= bytes.capacity();
    return bytes;
  }

  void give_back(Bytes bytes) noexcept override {
    // Kept with its size: a backend that reads into it need not fill it
    // with zeros first.
    const std::lock_guard lock(mutex_);
    if (spare_.size() >= kMostKept || kept_bytes_ + bytes.capacity() > kKeptBytes) return;
    kept_bytes_ += bytes.capacity();
    // Never allocates: the room for kMostKept was reserved.
    spare_.push_back(std::move(bytes));
  }

 private:
  static constexpr std::size_t kMostKept = 64;
  static constexpr std::size_t kKeptBytes = std::size_t{8} << 20;
  std::mutex mutex_;
  std::vector<Bytes> spare_;    // guarded by mutex_
  std::size_t kept_bytes_ = 0;  ///< the spare buffers' capacity together; guarded by mutex_
};

class RelayTap final : public Tap {
 public:
  RelayTap(EndpointId to, std::shared_ptr<const RelayHook> hook) : to_(to), hook_(std::move(hook)) {}

  void on_read(const TapRead& read, TapActions& actions) override {
    // Only its endpoint's reads reach it, one at a time: no lock.
    if (pending_.empty() && read.message_end && !*hook_) {
      // A whole message (or a piece of a stream) with nothing to change:
      // the engine forwards the read's own buffer where it can.
      actions.forward_read(to_, buffers_);
      return;
    }
    if (pending_.empty() && pending_.capacity() == 0) {
      pending_ = buffers_->take();
      pending_.clear();
    }
    pending_.insert(pending_.end(), read.bytes.begin(), read.bytes.end());
    if (!read.message_end) return;  // the rest of the message is still to come
    RelayedMessage message{read.endpoint, to_, {}};
    message.bytes.swap(pending_);
    if (*hook_ && (*hook_)(message) == RelayVerdict::drop) {
      buffers_->give_back(std::move(message.bytes));
      return;
    }
    actions.forward(message.to, std::move(message.bytes), buffers_);
  }

 private:
  const EndpointId to_;
  const std::shared_ptr<const RelayHook> hook_;
  const std::shared_ptr<BufferPool> buffers_ = std::make_shared<BufferPool>();
  Bytes pending_;  ///< the parts of a message read so far
};

}  // namespace

Result<void> relay(Engine& engine, EndpointId a, EndpointId b, RelayHook hook) {
  if (a == b) return make_error(Errc::invalid_parameter, "relay", "an endpoint cannot be relayed to itself");
  if (!engine.endpoint(a)) return make_error(Errc::unknown_endpoint, "relay", "endpoint " + std::to_string(a));
  if (!engine.endpoint(b)) return make_error(Errc::unknown_endpoint, "relay", "endpoint " + std::to_string(b));
  auto shared = std::make_shared<const RelayHook>(std::move(hook));
  if (auto added = engine.add_tap(a, std::make_shared<RelayTap>(b, shared)); !added) return added;
  return engine.add_tap(b, std::make_shared<RelayTap>(a, shared));
}

}  // namespace pipescope
