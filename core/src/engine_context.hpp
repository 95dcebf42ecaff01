// The portable half of the engine that every backend shares: endpoint ids
// and states, counters, the message log and event batching. Backends call it;
// it never calls the OS.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/event.hpp"
#include "pipescope/log.hpp"
#include "brief_mutex.hpp"
#include "shared_mutex.hpp"

namespace pipescope::detail {

class EngineContext {
 public:
  explicit EngineContext(EventSink* sink);
  EngineContext(const EngineContext&) = delete;
  EngineContext& operator=(const EngineContext&) = delete;

  [[nodiscard]] MessageLog& log() noexcept { return log_; }

  [[nodiscard]] ServerId new_server_id() noexcept { return next_server_.fetch_add(1) + 1; }
  /// Registers a new endpoint (also in the log) in the given first state.
  /// The label may contain "{id}", replaced by the new id.
  EndpointId add_endpoint(EndpointKind kind, ServerId server, std::string pipe_name, std::string label,
                          EndpointState initial);

  /// Records a state change and queues a StateChanged event. Repeating the
  /// current state is ignored.
  void set_state(EndpointId id, EndpointState state, const PeerInfo& peer = {}, std::error_code reason = {});
  /// Appends to the log, bumps the counters and queues a Data event.
  std::uint64_t record(EndpointId id, Direction direction, std::span<const std::byte> bytes, std::uint8_t flags);
  /// Queues an error event (and nothing else).
  void report(EndpointId id, ServerId server, Error error);
  /// Queues any event for the current batch.
  void emit(Event event);
  /// Delivers every queued event to the sink as one batch. Backends call this
  /// at the end of each round of work. Calls are serialised and keep order.
  void flush();

  [[nodiscard]] Counters counters(EndpointId id) const;
  [[nodiscard]] std::optional<EndpointInfo> endpoint(EndpointId id) const;
  [[nodiscard]] std::optional<EndpointState> state(EndpointId id) const;

 private:
  struct Slot {
    EndpointInfo info;
    std::atomic<EndpointState> state{EndpointState::closed};
    std::atomic<std::uint64_t> bytes_in{0}, bytes_out{0}, messages_in{0}, messages_out{0};
  };
  Slot* slot(EndpointId id) const;

  EventSink* sink_;
  MessageLog log_;
  std::atomic<ServerId> next_server_{0};

  mutable detail::SharedMutex slots_mutex_;
  std::deque<Slot> slots_;  // index = id - 1; a deque keeps addresses stable

  BriefMutex pending_mutex_;  // taken by every record, on every thread that records
  std::vector<Event> pending_;
  std::mutex delivery_mutex_;
  std::vector<Event> delivering_;  // guarded by delivery_mutex_
};

}  // namespace pipescope::detail
