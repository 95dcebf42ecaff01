// One thread that runs posted jobs one after the other, in the order they
// were posted: the engine's account lookups (win/account_lookup.cpp) and
// its forwards (forwarder.cpp) each have one, so that slow or blocking work
// stays off the I/O threads and out of every endpoint's lock.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace pipescope::detail {

class SerialWorker {
 public:
  /// Told (on the worker's thread) what a job threw; the worker goes on with
  /// the next job. What `failed` throws itself is dropped.
  using Failed = std::function<void(std::exception_ptr)>;
  explicit SerialWorker(Failed failed);
  /// stop().
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  /// Queues a job; dropped once stop() has begun.
  void post(std::function<void()> job);
  /// Drops the jobs not begun, waits for the one running, and drops what is
  /// posted afterwards. Idempotent.
  void stop();

 private:
  void run();

  Failed failed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pipescope::detail
