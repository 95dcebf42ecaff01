#include "forwarder.hpp"

#include <exception>
#include <string>

namespace pipescope::detail {

namespace {
/// The error of an exception a forward threw.
Error forward_failure(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return make_error(Errc::unknown, "forward", std::string("a forward failed, the bytes were not sent: ") + e.what());
  } catch (...) {
    return make_error(Errc::unknown, "forward",
                      "a forward failed with an exception that is not a std::exception; the bytes were not sent");
  }
}
}  // namespace

Forwarder::Forwarder(EngineContext& context, Send send)
    : context_(context),
      send_(std::move(send)),
      worker_([this](std::exception_ptr failure) {
        context_.report(0, 0, forward_failure(failure));
        context_.flush();
      }) {}

void Forwarder::stop() { worker_.stop(); }

void Forwarder::post(EndpointId from, std::vector<TapForward> forwards) {
  for (TapForward& forward : forwards) {
    worker_.post([this, from, forward = std::move(forward)] { send_one(from, forward); });
  }
}

void Forwarder::send_one(EndpointId from, const TapForward& forward) {
  // What fails is reported against the endpoint whose read it was.
  auto sent = send_(forward.to, forward.bytes);
  if (sent) return;
  const auto source = context_.endpoint(from);
  Error error = std::move(sent).error();
  error.detail = "forwarding " + std::to_string(forward.bytes.size()) + " bytes to endpoint " +
                 std::to_string(forward.to) + ": " + error.detail;
  context_.report(from, source ? source->server : 0, std::move(error));
  context_.flush();
}

}  // namespace pipescope::detail
