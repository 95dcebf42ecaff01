// The thread that carries out the taps' forwards (TapActions::forward): a
// relay's reads on one endpoint become sends on another. They are sent here,
// off the I/O threads and outside every endpoint's lock, one after the other
// in the order they were asked for, so that a message forwarded before
// another is written before it; two ends forwarding to each other can never
// wait for each other's locks.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "engine_context.hpp"
#include "serial_worker.hpp"

namespace pipescope::detail {

class Forwarder {
 public:
  using Send = std::function<Result<void>(EndpointId to, std::span<const std::byte> bytes)>;
  /// `send` writes on an endpoint (the backend's send); what fails is
  /// reported to `context` against the endpoint the bytes came from.
  Forwarder(EngineContext& context, Send send);
  /// Drops what is not sent yet and waits for the send under way; what is
  /// posted afterwards is dropped. The engine stops its forwarder before its
  /// backend, which the forwarder sends through, and destroys it after, so
  /// that an I/O thread may still post until the backend has stopped.
  void stop();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void post(EndpointId from, std::vector<TapForward> forwards);

 private:
  void send_one(EndpointId from, const TapForward& forward);

  EngineContext& context_;
  Send send_;
  SerialWorker worker_;
};

}  // namespace pipescope::detail
