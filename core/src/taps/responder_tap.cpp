#include "responder_tap.hpp"

#include <memory>

#include "responder.hpp"

namespace pipescope::detail {

namespace {

class ResponderTap final : public Tap {
 public:
  explicit ResponderTap(Responder kind) : state_(kind) {}

  void on_read(const TapRead& read, TapActions& actions) override {
    for (Bytes& reply : state_.feed(read.bytes, read.message_mode, read.message_end)) {
      actions.reply(std::move(reply));
    }
  }

 private:
  // Only its endpoint's reads reach it, one at a time: no lock.
  ResponderState state_;
};

}  // namespace

TapFactory responder_taps(Responder kind) {
  if (kind == Responder::none) return {};
  return [kind](EndpointId) { return std::make_shared<ResponderTap>(kind); };
}

}  // namespace pipescope::detail
