#include "engine_context.hpp"

#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pipescope::detail {

EngineContext::EngineContext(EventSink* sink) : sink_(sink) {}

EndpointId EngineContext::add_endpoint(EndpointKind kind, ServerId server, std::string pipe_name, std::string label,
                                       EndpointState initial) {
  EndpointInfo info;
  {
    const std::lock_guard lock(add_mutex_);
    const std::size_t index = slot_count_.load(std::memory_order_relaxed);
    if (index >= SlotTable::kCapacity) throw std::length_error("more endpoints than the engine can number");
    slots_->ensure(index);
    Slot& slot = (*slots_)[index];
    info.id = static_cast<EndpointId>(index + 1);
    info.kind = kind;
    info.server = server;
    info.pipe_name = std::move(pipe_name);
    if (auto pos = label.find("{id}"); pos != std::string::npos) {
      label.replace(pos, 4, std::to_string(info.id));
    }
    info.label = std::move(label);
    slot.info = info;
    slot.state.store(initial);
    slot_count_.store(index + 1, std::memory_order_release);
  }
  log_.register_endpoint(info);
  if (kind == EndpointKind::instance) attach_server_taps(info.id, server);
  StateChanged changed;
  changed.endpoint = info.id;
  changed.kind = kind;
  changed.server = server;
  changed.state = initial;
  emit(std::move(changed));
  return info.id;
}

void EngineContext::set_server_taps(ServerId server, std::vector<TapFactory> factories) {
  const std::lock_guard lock(server_taps_mutex_);
  if (factories.empty()) {
    server_taps_.erase(server);
  } else {
    server_taps_[server] = std::move(factories);
  }
}

void EngineContext::forget_server_taps(ServerId server) {
  const std::lock_guard lock(server_taps_mutex_);
  server_taps_.erase(server);
}

void EngineContext::attach_server_taps(EndpointId id, ServerId server) {
  std::vector<TapFactory> factories;
  {
    const std::lock_guard lock(server_taps_mutex_);
    const auto it = server_taps_.find(server);
    if (it == server_taps_.end()) return;
    factories = it->second;
  }
  for (const TapFactory& make : factories) {
    if (!make) continue;
    // A factory that throws costs this instance that tap, never the instance.
    try {
      if (std::shared_ptr<Tap> tap = make(id)) add_tap(id, std::move(tap));
    } catch (const std::exception& e) {
      report(id, server, make_error(Errc::unknown, "tap", std::string("a tap factory threw (") + e.what() +
                                                               "); this instance runs without that tap"));
    } catch (...) {
      report(id, server, make_error(Errc::unknown, "tap",
                                    "a tap factory threw an exception that is not a std::exception; this instance "
                                    "runs without that tap"));
    }
  }
}

bool EngineContext::add_tap(EndpointId id, std::shared_ptr<Tap> tap) {
  Slot* s = slot(id);
  if (s == nullptr || tap == nullptr) return false;
  const std::lock_guard lock(s->tap_mutex);
  auto taps = s->taps ? std::make_shared<TapList>(*s->taps) : std::make_shared<TapList>();
  taps->push_back(std::move(tap));
  s->taps = std::move(taps);
  s->tapped.store(true, std::memory_order_release);
  return true;
}

TapActions EngineContext::tap_read(const TapRead& read, Bytes* read_buffer) {
  TapActions actions;
  Slot* s = slot(read.endpoint);
  if (s == nullptr || !s->tapped.load(std::memory_order_acquire)) return actions;
  std::shared_ptr<const TapList> taps;
  {
    const std::lock_guard lock(s->tap_mutex);
    taps = s->taps;
  }
  if (!taps) return actions;
  for (const std::shared_ptr<Tap>& tap : *taps) {
    try {
      tap->on_read(read, actions);
    } catch (const std::exception& e) {
      detach_failed_tap(*s, tap, e.what());
    } catch (...) {
      detach_failed_tap(*s, tap, "an exception that is not a std::exception");
    }
  }
  if (actions.forwards().empty() || !forward_sink_) return actions;
  if (!actions.read_forwards().empty()) fill_read_forwards(read, read_buffer, actions);
  const std::lock_guard lock(forwards_mutex_);
  for (TapForward& forward : actions.forwards()) pending_forwards_.push_back({read.endpoint, std::move(forward)});
  forwards_waiting_.store(true, std::memory_order_release);
  actions.forwards().clear();
  return actions;
}

void EngineContext::fill_read_forwards(const TapRead& read, Bytes* read_buffer, TapActions& actions) {
  // The backend's buffer goes to the first forward of the read, if it holds
  // exactly the read's bytes from its start; the others get copies, made
  // from read.bytes, which still points into the buffer handed over (moving
  // a vector keeps its memory).
  bool handed_over = read_buffer == nullptr || read_buffer->data() != read.bytes.data() ||
                     read_buffer->size() < read.bytes.size();
  for (const std::size_t index : actions.read_forwards()) {
    TapForward& forward = actions.forwards()[index];
    Bytes reused = forward.buffers ? forward.buffers->take() : Bytes{};
    if (!handed_over) {
      forward.bytes = std::move(*read_buffer);
      forward.bytes.resize(read.bytes.size());
      *read_buffer = std::move(reused);
      handed_over = true;
      continue;
    }
    try {
      forward.bytes = std::move(reused);
      forward.bytes.assign(read.bytes.begin(), read.bytes.end());
    } catch (const std::bad_alloc&) {
      // The read is logged; only its forward is lost, and it is reported.
      forward.bytes.clear();
      report(read.endpoint, 0,
             make_error(Errc::not_enough_memory, "forward",
                        "no memory to copy " + std::to_string(read.bytes.size()) + " bytes read for endpoint " +
                            std::to_string(forward.to) + "; they were logged but not forwarded"));
    }
  }
}

void EngineContext::detach_failed_tap(Slot& s, const std::shared_ptr<Tap>& tap, std::string_view what) {
  {
    const std::lock_guard lock(s.tap_mutex);
    if (s.taps) {
      auto taps = std::make_shared<TapList>(*s.taps);
      std::erase(*taps, tap);
      s.taps = taps->empty() ? nullptr : std::move(taps);
    }
    s.tapped.store(s.taps != nullptr, std::memory_order_release);
  }
  report(s.info.id, s.info.server,
         make_error(Errc::unknown, "tap", std::string("a tap of this endpoint threw (") + std::string(what) +
                                              "); it was detached and sees no more reads, and the read was logged"));
}

EngineContext::Slot* EngineContext::slot(EndpointId id) const {
  if (id == 0 || id > slot_count_.load(std::memory_order_acquire)) {
    return nullptr;
  }
  return &(*slots_)[id - 1];
}

void EngineContext::set_state(EndpointId id, EndpointState state, const PeerInfo& peer, std::error_code reason) {
  Slot* s = slot(id);
  if (s == nullptr || s->state.exchange(state) == state) {
    return;
  }
  if (state == EndpointState::closed) {
    // A closed endpoint reads no more: its taps (and what they hold, such as
    // a responder's partial line) go now, not when the engine ends.
    std::shared_ptr<const TapList> released;
    {
      const std::lock_guard lock(s->tap_mutex);
      released.swap(s->taps);
      s->tapped.store(false, std::memory_order_release);
    }
  }
  StateChanged changed;
  changed.endpoint = id;
  changed.kind = s->info.kind;
  changed.server = s->info.server;
  changed.state = state;
  changed.peer = peer;
  changed.reason = reason;
  emit(std::move(changed));
}

std::uint64_t EngineContext::record(EndpointId id, Direction direction, std::span<const std::byte> bytes,
                                    std::uint8_t flags) {
  Slot* s = slot(id);
  Data data;
  data.endpoint = id;
  data.direction = direction;
  data.size = static_cast<std::uint32_t>(bytes.size());
  data.flags = flags;
  // The row and the event's place in the batch are taken under one lock, so
  // Data events reach the sink in row order also when two threads record at
  // once (a send written on the caller's thread, a read on the I/O thread).
  const std::lock_guard lock(pending_mutex_);
  // Never throws for want of memory: a full log keeps the record without its
  // bytes (or only counts it), and says so once, which is reported here.
  const AppendResult appended = log_.append_record(id, direction, bytes, flags);
  data.row = appended.row;
  data.flags = appended.flags;
  // The counters count what crossed the pipe, whatever the log could keep.
  if (s != nullptr) {
    // A part flagged more-data is not a whole message yet; the last part counts it.
    const bool completes_message = (flags & record_flags::more_data) == 0;
    if (direction == Direction::in) {
      s->bytes_in.fetch_add(bytes.size(), std::memory_order_relaxed);
      if (completes_message) s->messages_in.fetch_add(1, std::memory_order_relaxed);
    } else {
      s->bytes_out.fetch_add(bytes.size(), std::memory_order_relaxed);
      if (completes_message) s->messages_out.fetch_add(1, std::memory_order_relaxed);
    }
  }
  pending_.push_back(data);
  if (appended.became_full) pending_.push_back(ErrorEvent{id, 0, log_.full_warning()});
  return data.row;
}

void EngineContext::identify_peer(EndpointId id, std::string user) {
  if (user.empty()) return;
  emit(PeerIdentified{id, std::move(user)});
}

void EngineContext::report(EndpointId id, ServerId server, Error error) {
  emit(ErrorEvent{id, server, std::move(error)});
}

void EngineContext::emit(Event event) {
  std::lock_guard lock(pending_mutex_);
  pending_.push_back(std::move(event));
}

void EngineContext::flush() {
  // The forwards first, so that the forwarding thread sends while the sink
  // takes the events. forward_delivery_mutex_ is held from taking them to
  // handing them over, so that two threads that flush at once (the Win32
  // pool's) cannot swap the order of two reads' forwards.
  // Without a forward waiting, a flush costs one atomic load here, not two
  // locks: every batch of every endpoint flushes. The flag is read first:
  // a backend's thread flushes from its start, before the engine has set
  // the forward sink, and a forward waits only once an endpoint exists,
  // which is after the sink was set (tap_read read it).
  if (forwards_waiting_.load(std::memory_order_acquire) && forward_sink_) {
    const std::lock_guard delivery(forward_delivery_mutex_);
    std::vector<PendingForward> forwards;
    {
      const std::lock_guard lock(forwards_mutex_);
      forwards.swap(pending_forwards_);
      forwards_waiting_.store(false, std::memory_order_relaxed);
    }
    if (!forwards.empty()) {
      const std::size_t count = forwards.size();
      try {
        forward_sink_(std::move(forwards));
      } catch (const std::bad_alloc&) {
        // The reads are logged; only their forwards are lost, and that is
        // said (against no endpoint: they may be several endpoints' reads).
        report(0, 0, make_error(Errc::not_enough_memory, "forward",
                                "no memory to queue " + std::to_string(count) +
                                    " forward(s); the bytes were logged but not forwarded"));
      }
    }
  }
  // Holding delivery_mutex_ while taking the batch keeps batches in order when
  // several engine threads flush at once.
  std::lock_guard delivery(delivery_mutex_);
  {
    std::lock_guard lock(pending_mutex_);
    // delivering_ is empty here with the capacity of an earlier batch, which
    // pending_ takes over: at a million records a second, growing a fresh
    // vector of events for every batch was a good part of the cost.
    delivering_.swap(pending_);
  }
  // Emptied however the sink returns, so no event is ever delivered twice.
  struct EmptyAfterwards {
    std::vector<Event>& events;
    ~EmptyAfterwards() { events.clear(); }
  } empty_afterwards{delivering_};
  if (!delivering_.empty() && sink_ != nullptr) {
    sink_->on_events(delivering_);
  }
}

Counters EngineContext::counters(EndpointId id) const {
  Counters c;
  if (const Slot* s = slot(id)) {
    c.bytes_in = s->bytes_in.load(std::memory_order_relaxed);
    c.bytes_out = s->bytes_out.load(std::memory_order_relaxed);
    c.messages_in = s->messages_in.load(std::memory_order_relaxed);
    c.messages_out = s->messages_out.load(std::memory_order_relaxed);
  }
  return c;
}

std::optional<EndpointInfo> EngineContext::endpoint(EndpointId id) const {
  if (const Slot* s = slot(id)) return s->info;
  return std::nullopt;
}

std::optional<EndpointState> EngineContext::state(EndpointId id) const {
  if (const Slot* s = slot(id)) return s->state.load();
  return std::nullopt;
}

}  // namespace pipescope::detail
