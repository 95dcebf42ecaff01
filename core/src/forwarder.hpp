// The thread that carries out the taps' forwards (TapActions::forward): a
// relay's reads on one endpoint become sends on another. They are sent here,
// off the I/O threads and outside every endpoint's lock, one after the other
// in the order they were asked for, so that a message forwarded before
// another is written before it; two ends forwarding to each other can never
// wait for each other's locks. Forwards queue here, and one job on the
// worker sends all that have queued: a busy relay wakes the thread once per
// batch, not once per message.
#pragma once

#include <atomic>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
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

  /// Queues forwards to be sent in this order, after those queued before.
  void post(std::vector<PendingForward> forwards);

 private:
  /// The worker's job: sends what has queued, batch after batch, until the
  /// queue is empty or the forwarder stops.
  void drain();
  void send_one(EndpointId from, const TapForward& forward);
  /// Reports what a forward threw, against no endpoint.
  void report_failure(const std::exception_ptr& failure);

  EngineContext& context_;
  Send send_;
  std::atomic<bool> stopping_{false};
  std::mutex queue_mutex_;
  std::deque<PendingForward> queue_;  // guarded by queue_mutex_
  bool draining_ = false;     ///< a drain job is posted or running; guarded by queue_mutex_
  SerialWorker worker_;       // last: its thread stops before the members it uses go
};

}  // namespace pipescope::detail
