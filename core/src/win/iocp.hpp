// One I/O completion port serviced by a small pool of threads. Every pipe
// handle of the engine is associated with it; no thread belongs to any one
// instance or client.
#pragma once

#include <windows.h>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "engine_context.hpp"
#include "pipescope/codec.hpp"
#include "win_util.hpp"
#include "write_order.hpp"

namespace pipescope::detail::win {

class PipeEnd;

/// A test's stand-in for a fault on an engine I/O thread: called with the
/// endpoint whose input is about to be logged (a completed read of a pipe
/// end, a read of a child's output), before a connected client becomes a
/// pipe end, before a server makes its next instance after one got its
/// client, and before a child's exit is reported, which is where
/// std::bad_alloc or std::length_error come from (the log grows, objects
/// and events are made). It may throw. No hook (the default)
/// does nothing. Returns the hook it replaced.
using IoFaultHook = void (*)(EndpointId endpoint);
IoFaultHook replace_io_fault_hook(IoFaultHook hook) noexcept;
/// Calls the hook, if a test set one.
void run_io_fault_hook(EndpointId endpoint);

/// The owner of one OVERLAPPED. It lives at a stable address (always held by
/// a std::unique_ptr) from the moment the OS is given its OVERLAPPED until
/// the completion packet has been dequeued, also when the I/O was cancelled:
/// the OS writes into the OVERLAPPED until then.
struct IoOperation {
  enum class Kind : std::uint8_t { connect, read, write };

  OVERLAPPED overlapped{};  // first member: the completion's OVERLAPPED* is this object's address
  Kind kind = Kind::read;
  Bytes buffer;
  std::uint8_t flags = 0;  // record_flags for a write
  /// A write that carries several sends of a byte pipe: each one's size and
  /// record_flags, in order, so each is logged as the send it was. Empty for
  /// a write of one send (`flags` then applies to the whole buffer).
  struct Part {
    std::uint32_t size = 0;
    std::uint8_t flags = 0;
  };
  std::vector<Part> parts;
  /// Keeps the owner alive while the OS holds the OVERLAPPED; the pool
  /// thread takes it when the completion is dequeued.
  std::shared_ptr<PipeEnd> keep_alive;

  /// Prepares for a new call: a reused OVERLAPPED must be zeroed.
  void rearm(std::shared_ptr<PipeEnd> owner) {
    overlapped = OVERLAPPED{};
    keep_alive = std::move(owner);
  }
};

class CompletionPort {
 public:
  /// Starts `threads` threads that dequeue completions; after each batch
  /// they call context.flush() so events reach the sink once per batch.
  CompletionPort(EngineContext& context, std::size_t threads);
  /// Stops and joins the threads. The owner must have waited for every I/O
  /// first: a completion that arrives later would find nobody.
  ~CompletionPort();
  CompletionPort(const CompletionPort&) = delete;
  CompletionPort& operator=(const CompletionPort&) = delete;

  [[nodiscard]] std::size_t thread_count() const noexcept { return threads_.size(); }
  [[nodiscard]] Result<void> associate(HANDLE handle);
  /// Runs `task` on one of the pool's threads.
  void post(std::function<void()> task);

 private:
  void run();
  /// Handles one dequeued packet (a posted task or an I/O completion).
  void dispatch(const OVERLAPPED_ENTRY& entry, WriteTicket dequeued_at);
  /// Reports, as an engine error, an exception a handler let out.
  void report_escaped(const std::exception_ptr& exception) noexcept;

  EngineContext& context_;
  HANDLE port_ = nullptr;
  std::vector<std::thread> threads_;
};

}  // namespace pipescope::detail::win
