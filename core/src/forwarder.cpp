#include "forwarder.hpp"

#include <exception>
#include <string>
#include <utility>

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
      worker_([this](const std::exception_ptr& failure) { report_failure(failure); }) {}

void Forwarder::report_failure(const std::exception_ptr& failure) {
  context_.report(0, 0, forward_failure(failure));
  context_.flush();
}

void Forwarder::stop() {
  stopping_.store(true);
  worker_.stop();
  const std::lock_guard lock(queue_mutex_);
  queue_.clear();
}

void Forwarder::post(std::vector<PendingForward> forwards) {
  if (forwards.empty() || stopping_.load()) return;
  bool start_draining = false;
  {
    const std::lock_guard lock(queue_mutex_);
    for (PendingForward& forward : forwards) queue_.push_back(std::move(forward));
    start_draining = !std::exchange(draining_, true);
  }
  if (!start_draining) return;
  try {
    worker_.post([this] { drain(); });
  } catch (...) {
    // No job will drain the queue (no memory for it): the next post tries again.
    const std::lock_guard lock(queue_mutex_);
    draining_ = false;
    throw;
  }
}

void Forwarder::drain() {
  std::deque<PendingForward> batch;
  for (;;) {
    {
      const std::lock_guard lock(queue_mutex_);
      if (queue_.empty() || stopping_.load()) {
        draining_ = false;
        return;
      }
      batch.swap(queue_);
    }
    for (PendingForward& queued : batch) {
      if (stopping_.load()) break;
      try {
        send_one(queued.from, queued.forward);
      } catch (...) {
        // Reported as the worker reports a job that threw; the next forward
        // goes on, and this job must end only with draining_ cleared.
        try {
          report_failure(std::current_exception());
        } catch (...) {
          // Not even the failure could be told (no memory).
        }
      }
      if (queued.forward.buffers) queued.forward.buffers->give_back(std::move(queued.forward.bytes));
    }
    batch.clear();
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
