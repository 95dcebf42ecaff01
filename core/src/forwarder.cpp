#include "forwarder.hpp"

#include <exception>
#include <string>

namespace pipescope::detail {

namespace {
/// The error of the exception being handled.
Error forward_failure() {
  try {
    throw;
  } catch (const std::exception& e) {
    return make_error(Errc::unknown, "forward", std::string("a forward failed, the bytes were not sent: ") + e.what());
  } catch (...) {
    return make_error(Errc::unknown, "forward",
                      "a forward failed with an exception that is not a std::exception; the bytes were not sent");
  }
}
}  // namespace

Forwarder::Forwarder(EngineContext& context, Send send)
    : context_(context), send_(std::move(send)), thread_([this] { run(); }) {}

Forwarder::~Forwarder() { stop(); }

void Forwarder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Forwarder::post(EndpointId from, std::vector<TapForward> forwards) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (TapForward& forward : forwards) jobs_.push_back(Job{from, std::move(forward)});
  }
  wake_.notify_one();
}

void Forwarder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    // What fails is reported against the endpoint whose read it was; a
    // report that itself fails (no memory, a sink that throws) loses only
    // that report, never the thread that forwards everyone else's bytes.
    const auto from = context_.endpoint(job.from);
    const ServerId server = from ? from->server : 0;
    try {
      if (auto sent = send_(job.forward.to, job.forward.bytes); !sent) {
        Error error = std::move(sent).error();
        error.detail = "forwarding " + std::to_string(job.forward.bytes.size()) + " bytes to endpoint " +
                       std::to_string(job.forward.to) + ": " + error.detail;
        context_.report(job.from, server, std::move(error));
        context_.flush();
      }
    } catch (...) {
      try {
        context_.report(job.from, server, forward_failure());
        context_.flush();
      } catch (...) {
        // Not even the report could be made; the next forward goes on.
      }
    }
    lock.lock();
  }
}

}  // namespace pipescope::detail
