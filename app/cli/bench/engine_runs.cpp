#include "engine_runs.hpp"

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "bench_raw.hpp"
#include "harness.hpp"
#include "pipescope/engine.hpp"
#include "pipescope/relay.hpp"

namespace pipescope::cli {
namespace {

/// What the sink has seen so far. Read only with the sink's lock held.
struct Tally {
  std::map<EndpointId, std::uint64_t> bytes_in;
  std::map<EndpointId, std::uint64_t> bytes_out;
  std::map<ServerId, std::string> os_paths;
  std::map<ServerId, std::vector<EndpointId>> connected_instances;
  std::optional<Error> error;

  [[nodiscard]] std::uint64_t in(EndpointId id) const {
    const auto it = bytes_in.find(id);
    return it == bytes_in.end() ? 0 : it->second;
  }
  [[nodiscard]] std::uint64_t out(EndpointId id) const {
    const auto it = bytes_out.find(id);
    return it == bytes_out.end() ? 0 : it->second;
  }
};

/// Counts what the engine reports, cheaply, and wakes the waiting thread
/// once per batch.
class BenchSink final : public EventSink {
 public:
  void on_events(std::span<const Event> batch) override {
    {
      const std::lock_guard lock(mutex_);
      for (const Event& event : batch) {
        if (const auto* data = std::get_if<Data>(&event)) {
          if (data->direction == Direction::in) {
            tally_.bytes_in[data->endpoint] += data->size;
          } else {
            tally_.bytes_out[data->endpoint] += data->size;
          }
        } else if (const auto* state = std::get_if<StateChanged>(&event)) {
          if (state->kind == EndpointKind::instance && state->state == EndpointState::connected) {
            tally_.connected_instances[state->server].push_back(state->endpoint);
          }
        } else if (const auto* started = std::get_if<ServerStarted>(&event)) {
          tally_.os_paths[started->server] = started->os_path;
        } else if (const auto* failure = std::get_if<ErrorEvent>(&event)) {
          if (!tally_.error) tally_.error = failure->error;
        }
      }
    }
    changed_.notify_all();
  }

  /// Waits until `done(tally)` holds. An engine error ends the wait too and
  /// is returned; so is running out of time.
  Result<void> wait(const std::function<bool(const Tally&)>& done, std::chrono::milliseconds patience,
                    std::string_view what) {
    std::unique_lock lock(mutex_);
    const bool finished = changed_.wait_for(lock, patience, [&] { return tally_.error || done(tally_); });
    if (tally_.error) return *tally_.error;
    if (!finished) {
      return make_error(Errc::sem_timeout, "bench",
                        fmt::format("{}: not done within {} ms", what, patience.count()));
    }
    return {};
  }

  template <class F>
  auto read(F&& reader) {
    const std::lock_guard lock(mutex_);
    return reader(tally_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  Tally tally_;
};

/// An engine, its sink and one server. The sink is declared first so that
/// it outlives the engine, which calls it until it is destroyed.
struct EngineRig {
  BenchSink sink;
  std::unique_ptr<Engine> engine = std::make_unique<Engine>(&sink);
};

/// Starts a server and waits until a client has connected to an instance.
struct Hop {
  EndpointId client = 0;
  EndpointId instance = 0;
};

Result<Hop> open_hop(EngineRig& rig, const BenchSettings& settings, std::uint32_t read_buffer, Responder responder) {
  ServerOptions options = server_options_for(settings, read_buffer);
  options.responder = responder;
  const Result<ServerId> server = rig.engine->start_server(options);
  if (!server) return server.error();
  ClientOptions client_options;
  client_options.name = options.name;
  client_options.read_mode = options.read_mode;
  client_options.read_buffer_size = read_buffer;
  const Result<EndpointId> client = rig.engine->connect(client_options);
  if (!client) return client.error();
  const ServerId id = *server;
  if (auto ready = rig.sink.wait([id](const Tally& t) { return t.connected_instances.contains(id); },
                                 patience_for(0), "an instance to connect");
      !ready) {
    return std::move(ready).error();
  }
  Hop hop;
  hop.client = *client;
  hop.instance = rig.sink.read([id](const Tally& t) { return t.connected_instances.at(id).front(); });
  return hop;
}

/// Checks that the log holds, for `endpoint` in `direction`, exactly
/// `count` copies of `piece` one after the other.
Result<void> check_logged(Engine& engine, EndpointId endpoint, Direction direction, const Bytes& piece,
                          std::uint64_t count) {
  const MessageLog& log = engine.log();
  const std::uint64_t expected = piece.size() * count;
  std::uint64_t position = 0;
  for (std::uint64_t row = 0; row < log.size(); ++row) {
    const Record record = log.record(row);
    if (record.endpoint != endpoint || record.direction != direction) continue;
    std::span<const std::byte> payload = log.payload(record);
    if (position + payload.size() > expected) {
      return wrong_result(fmt::format("the log holds more than the {} bytes endpoint {} {}", expected, endpoint,
                                      direction == Direction::in ? "read" : "wrote"));
    }
    if (!matches_piece(payload, position, piece)) {
      return wrong_result(fmt::format("the log holds a wrong byte near offset {} of endpoint {}'s {} data", position,
                                      endpoint, to_string(direction)));
    }
    position += payload.size();
  }
  if (position != expected) {
    return wrong_result(fmt::format("the log holds {} of the {} bytes endpoint {} {}", position, expected, endpoint,
                                    direction == Direction::in ? "read" : "wrote"));
  }
  return {};
}

}  // namespace

Result<double> engine_stream(const BenchSettings& settings, std::size_t piece_size, std::uint64_t count,
                             LogMemory memory) {
  EngineRig rig;
  const std::uint32_t read_buffer = read_buffer_for(piece_size);
  const Result<Hop> hop = open_hop(rig, settings, read_buffer, Responder::none);
  if (!hop) return hop.error();
  const Bytes piece = pattern_bytes(piece_size);
  const std::uint64_t total = piece_size * count;
  const EndpointId instance = hop->instance;
  const EndpointId client = hop->client;

  double seconds = 0;
  const int passes = memory == LogMemory::reused ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    // The log only ever holds the last pass, which the checks below read.
    if (pass > 0) rig.engine->log().clear();
    // Plain variables, not a structured binding: the lambdas below use them,
    // and clang before 16 cannot capture a binding.
    const std::uint64_t read_before = rig.sink.read([&](const Tally& t) { return t.in(instance); });
    const std::uint64_t written_before = rig.sink.read([&](const Tally& t) { return t.out(client); });
    const auto start = BenchClock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
      if (Result<void> sent = rig.engine->send(client, piece); !sent) return std::move(sent).error();
    }
    if (auto done = rig.sink.wait([&](const Tally& t) { return t.in(instance) >= read_before + total; },
                                  patience_for(total), "the instance to read every byte");
        !done) {
      return std::move(done).error();
    }
    seconds = seconds_between(start, BenchClock::now());
    if (auto written = rig.sink.wait([&](const Tally& t) { return t.out(client) >= written_before + total; },
                                     patience_for(0), "the client's writes to be logged");
        !written) {
      return std::move(written).error();
    }
  }
  if (auto logged = check_logged(*rig.engine, instance, Direction::in, piece, count); !logged) {
    return std::move(logged).error();
  }
  if (auto logged = check_logged(*rig.engine, client, Direction::out, piece, count); !logged) {
    return std::move(logged).error();
  }
  return seconds;
}

Result<std::vector<double>> engine_round_trips(const BenchSettings& settings) {
  EngineRig rig;
  const Result<Hop> hop = open_hop(rig, settings, read_buffer_for(settings.message_size), Responder::echo);
  if (!hop) return hop.error();
  const Bytes message = pattern_bytes(settings.message_size);
  const EndpointId client = hop->client;
  std::vector<double> samples;
  samples.reserve(settings.round_trips);
  std::uint64_t expected = 0;
  for (std::uint64_t trip = 0; trip < kWarmUpRoundTrips + settings.round_trips; ++trip) {
    expected += message.size();
    const auto start = BenchClock::now();
    if (Result<void> sent = rig.engine->send(client, message); !sent) return std::move(sent).error();
    if (auto back = rig.sink.wait([&](const Tally& t) { return t.in(client) >= expected; }, patience_for(0),
                                  "the echo to come back");
        !back) {
      return std::move(back).error();
    }
    if (trip >= kWarmUpRoundTrips) samples.push_back(nanoseconds_since(start));
  }
  return samples;
}

Result<double> engine_relay(const BenchSettings& settings, LogMemory memory) {
  EngineRig rig;
  const std::uint32_t read_buffer = read_buffer_for(settings.write_size);
  const ServerOptions source_options = server_options_for(settings, read_buffer);
  const ServerOptions target_options = server_options_for(settings, read_buffer);
  const Result<ServerId> source_server = rig.engine->start_server(source_options);
  if (!source_server) return source_server.error();
  const Result<ServerId> target_server = rig.engine->start_server(target_options);
  if (!target_server) return target_server.error();
  const ServerId a = *source_server;
  const ServerId b = *target_server;
  if (auto named = rig.sink.wait([&](const Tally& t) { return t.os_paths.contains(a) && t.os_paths.contains(b); },
                                 patience_for(0), "the relay's servers to start");
      !named) {
    return std::move(named).error();
  }
  const auto [path_a, path_b] =
      rig.sink.read([&](const Tally& t) { return std::pair(t.os_paths.at(a), t.os_paths.at(b)); });
  Result<RawEnd> writer = connect_raw(path_a, settings.type);
  if (!writer) return writer.error();
  Result<RawEnd> reader = connect_raw(path_b, settings.type);
  if (!reader) return reader.error();
  if (auto ready = rig.sink.wait(
          [&](const Tally& t) { return t.connected_instances.contains(a) && t.connected_instances.contains(b); },
          patience_for(0), "the relay's peers to connect");
      !ready) {
    return std::move(ready).error();
  }
  // Plain variables, not a structured binding, for the lambdas below.
  const EndpointId from = rig.sink.read([&](const Tally& t) { return t.connected_instances.at(a).front(); });
  const EndpointId to = rig.sink.read([&](const Tally& t) { return t.connected_instances.at(b).front(); });
  // The engine's own relay, as the proxy uses it: what `from` reads, the
  // forwarding thread writes into `to`, message for message.
  if (Result<void> paired = relay(*rig.engine, from, to); !paired) return std::move(paired).error();

  const Bytes piece = pattern_bytes(settings.write_size);
  const std::uint64_t count = settings.total_bytes / settings.write_size;
  const std::uint64_t total = count * piece.size();

  // One pass: the foreign writer sends everything, the relay forwards every
  // message the engine read, the foreign reader takes it all.
  const auto relay_once = [&]() -> Result<double> {
    const std::uint64_t written_before = rig.sink.read([&](const Tally& t) { return t.out(to); });
    StartGate gate;
    Result<void> write_result;
    std::thread writing([&] {
      gate.wait();
      for (std::uint64_t i = 0; i < count && write_result; ++i) write_result = writer->write_all(piece);
    });
    Result<std::uint64_t> read_result = std::uint64_t{0};
    BenchClock::time_point read_end;
    std::thread reading([&] {
      read_result = read_checked(*reader, total, piece, read_buffer, "relay: the foreign reader");
      read_end = BenchClock::now();
    });

    const auto start = BenchClock::now();
    gate.open();
    Result<void> relayed = rig.sink.wait([&](const Tally& t) { return t.out(to) >= written_before + total; },
                                         patience_for(total), "the relay to write every byte on");
    if (!relayed) {
      // Unblock the foreign peers: closing our ends makes their calls fail.
      rig.engine->close_all();
    }
    writing.join();
    reading.join();
    if (!relayed) return std::move(relayed).error();
    if (!write_result) return std::move(write_result).error();
    if (!read_result) return std::move(read_result).error();
    if (*read_result != total) {
      return wrong_result(fmt::format("relay: the foreign reader got {} of {} bytes", *read_result, total));
    }
    return seconds_between(start, read_end);
  };

  Result<double> seconds = relay_once();
  if (seconds && memory == LogMemory::reused) {
    // Nothing is logged between the passes (every write of the first has
    // been logged), so the log holds exactly the second pass.
    rig.engine->log().clear();
    seconds = relay_once();
  }
  if (!seconds) return seconds;
  if (auto logged = check_logged(*rig.engine, from, Direction::in, piece, count); !logged) {
    return std::move(logged).error();
  }
  if (auto logged = check_logged(*rig.engine, to, Direction::out, piece, count); !logged) {
    return std::move(logged).error();
  }
  return seconds;
}

}  // namespace pipescope::cli
