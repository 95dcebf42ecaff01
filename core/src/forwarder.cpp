#include "forwarder.hpp"

#include <exception>
#include <string>

namespace pipescope::detail {

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
    try {
      if (auto sent = send_(job.forward.to, job.forward.bytes); !sent) {
        Error error = std::move(sent).error();
        error.detail = "forwarding " + std::to_string(job.forward.bytes.size()) + " bytes to endpoint " +
                       std::to_string(job.forward.to) + ": " + error.detail;
        context_.report(job.from, 0, std::move(error));
        context_.flush();
      }
    } catch (const std::exception& e) {
      context_.report(job.from, 0,
                      make_error(Errc::unknown, "forward", std::string("a forward failed: ") + e.what()));
      context_.flush();
    }
    lock.lock();
  }
}

}  // namespace pipescope::detail
