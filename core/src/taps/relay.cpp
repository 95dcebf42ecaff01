// The relay's taps: one on each endpoint, each forwarding what its endpoint
// reads to the other (TapActions::forward, sent by the engine's forwarding
// thread in order).
#include "pipescope/relay.hpp"

#include <memory>
#include <string>

#include "pipescope/tap.hpp"

namespace pipescope {

namespace {

class RelayTap final : public Tap {
 public:
  RelayTap(EndpointId to, std::shared_ptr<const RelayHook> hook) : to_(to), hook_(std::move(hook)) {}

  void on_read(const TapRead& read, TapActions& actions) override {
    // Only its endpoint's reads reach it, one at a time: no lock.
    pending_.insert(pending_.end(), read.bytes.begin(), read.bytes.end());
    if (!read.message_end) return;  // the rest of the message is still to come
    RelayedMessage message{read.endpoint, to_, {}};
    message.bytes.swap(pending_);
    if (*hook_ && (*hook_)(message) == RelayVerdict::drop) return;
    actions.forward(message.to, std::move(message.bytes));
  }

 private:
  const EndpointId to_;
  const std::shared_ptr<const RelayHook> hook_;
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
