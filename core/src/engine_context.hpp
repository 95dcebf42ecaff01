// The portable half of the engine that every backend shares: endpoint ids
// and states, counters, the message log and event batching. Backends call it;
// it never calls the OS.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/event.hpp"
#include "pipescope/log.hpp"
#include "pipescope/tap.hpp"
#include "brief_mutex.hpp"
#include "stable_table.hpp"

namespace pipescope::detail {

/// A forward a tap asked for, with the endpoint whose read asked for it
/// (what fails is reported against that one).
struct PendingForward {
  EndpointId from = 0;
  TapForward forward;
};

class EngineContext {
 public:
  explicit EngineContext(EventSink* sink);
  EngineContext(const EngineContext&) = delete;
  EngineContext& operator=(const EngineContext&) = delete;

  [[nodiscard]] MessageLog& log() noexcept { return log_; }

  [[nodiscard]] ServerId new_server_id() noexcept { return next_server_.fetch_add(1) + 1; }
  /// The taps every instance of `server` gets when it is added (before the
  /// server makes its first instance); forgotten by forget_server_taps.
  void set_server_taps(ServerId server, std::vector<TapFactory> factories);
  void forget_server_taps(ServerId server);
  /// Attaches a tap to an endpoint; false for an unknown endpoint.
  bool add_tap(EndpointId id, std::shared_ptr<Tap> tap);
  /// Shows a read that was just logged to the endpoint's taps and returns
  /// what they ask for. Backends call it from their read path, after
  /// record(); with no tap attached it costs one atomic load. A tap that
  /// throws is detached and reported, and the read goes on.
  /// `read_buffer`, if given, is the backend's buffer that holds the read's
  /// bytes from its start: a tap's forward_read may take it (the backend
  /// then finds another buffer in its place, of any size, and must size it
  /// again before its next read into it).
  [[nodiscard]] TapActions tap_read(const TapRead& read, Bytes* read_buffer = nullptr);
  /// Who carries out the taps' forwards (the engine's forwarding thread);
  /// set once, before any endpoint exists. The forwards that reads asked
  /// for are handed over at the next flush(), all at once, in the order they
  /// were asked for: handed over at every read, they woke the forwarding
  /// thread at every message, twice as many thread switches in a relay.
  using ForwardSink = std::function<void(std::vector<PendingForward> forwards)>;
  void set_forward_sink(ForwardSink sink) { forward_sink_ = std::move(sink); }
  /// Registers a new endpoint (also in the log) in the given first state.
  /// The label may contain "{id}", replaced by the new id.
  EndpointId add_endpoint(EndpointKind kind, ServerId server, std::string pipe_name, std::string label,
                          EndpointState initial);

  /// Records a state change and queues a StateChanged event. Repeating the
  /// current state is ignored.
  void set_state(EndpointId id, EndpointState state, const PeerInfo& peer = {}, std::error_code reason = {});
  /// Queues a PeerIdentified event naming the account the peer of `id`
  /// runs as; an empty name (not found) queues nothing.
  void identify_peer(EndpointId id, std::string user);
  /// Appends to the log, bumps the counters and queues a Data event (and,
  /// the first time the log cannot keep a record whole, an ErrorEvent with
  /// the log's full_warning()). Its row is MessageLog::kNoRow when the full
  /// log only counted the record.
  std::uint64_t record(EndpointId id, Direction direction, std::span<const std::byte> bytes, std::uint8_t flags);
  /// Queues an error event (and nothing else).
  void report(EndpointId id, ServerId server, Error error);
  /// Queues any event for the current batch.
  void emit(Event event);
  /// Hands the forwards asked for since the last flush to the forward
  /// sink, then delivers every queued event to the sink as one batch.
  /// Backends call this
  /// at the end of each round of work. Calls are serialised and keep order.
  void flush();

  [[nodiscard]] Counters counters(EndpointId id) const;
  [[nodiscard]] std::optional<EndpointInfo> endpoint(EndpointId id) const;
  [[nodiscard]] std::optional<EndpointState> state(EndpointId id) const;

 private:
  using TapList = std::vector<std::shared_ptr<Tap>>;
  struct Slot {
    EndpointInfo info;
    std::atomic<EndpointState> state{EndpointState::closed};
    std::atomic<std::uint64_t> bytes_in{0}, bytes_out{0}, messages_in{0}, messages_out{0};
    std::atomic<bool> tapped{false};  ///< taps is not empty: the read path's only cost without taps
    BriefMutex tap_mutex;
    /// Replaced, never changed, when a tap comes or goes, so that a read
    /// takes the list with one reference count rather than a copy; null
    /// when there is none. Guarded by tap_mutex.
    std::shared_ptr<const TapList> taps;
  };
  Slot* slot(EndpointId id) const;
  void attach_server_taps(EndpointId id, ServerId server);
  void fill_read_forwards(const TapRead& read, Bytes* read_buffer, TapActions& actions);
  void detach_failed_tap(Slot& s, const std::shared_ptr<Tap>& tap, std::string_view what);

  EventSink* sink_;
  MessageLog log_;
  std::atomic<ServerId> next_server_{0};

  // Every record looks its endpoint's slot up, on whichever thread records,
  // so the lookup takes no lock: slots never move, and a slot is complete
  // before slot_count_ (release) makes it visible. A shared lock here was a
  // cache line that both recording threads wrote at every record.
  using SlotTable = StableTable<Slot, 10, 4096>;  // index = id - 1; 4 Mi endpoints
  std::mutex add_mutex_;                           // one endpoint added at a time
  std::unique_ptr<SlotTable> slots_ = std::make_unique<SlotTable>();
  std::atomic<std::size_t> slot_count_{0};

  ForwardSink forward_sink_;
  BriefMutex forwards_mutex_;                     // taken by a read whose taps forward
  std::vector<PendingForward> pending_forwards_;  // guarded by forwards_mutex_
  std::atomic<bool> forwards_waiting_{false};     ///< pending_forwards_ is not empty (set and cleared under its lock)
  std::mutex forward_delivery_mutex_;             // one flush hands forwards over at a time
  std::mutex server_taps_mutex_;
  std::unordered_map<ServerId, std::vector<TapFactory>> server_taps_;  // guarded by server_taps_mutex_

  BriefMutex pending_mutex_;  // taken by every record, on every thread that records
  std::vector<Event> pending_;
  std::mutex delivery_mutex_;
  std::vector<Event> delivering_;  // guarded by delivery_mutex_
};

}  // namespace pipescope::detail
