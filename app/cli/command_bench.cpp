// bench: what the engine does with a pipe, next to what the pipe does with
// bare OS calls, measured in the same run.
//
// Four figures, each taken --repeat times with raw and engine runs taking
// turns (so a machine that gets busier slows both), the median shown:
//
// - throughput: a client sends --total bytes in --write-size writes through
//   one pipe to an instance of a server; both ends are the engine's and both
//   log every byte. Raw: one thread writes into a bare pipe, another reads.
// - message rate: the same with --messages writes of --message-size bytes.
// - round trip: the client sends one message, the instance's echo responder
//   answers, the client has read it all; median and 99th percentile. Raw: a
//   thread that echoes with read and write.
// - relay with capture: a foreign writer (bare OS calls) sends into one of
//   the engine's pipes; the engine reads and logs, this command forwards each
//   record with Engine::send into a second pipe, where a foreign reader takes
//   it (logged again on the way out). Raw: a thread that reads from one bare
//   pipe and writes into another.
//
// The engine runs use a fresh engine (and so a fresh, empty log) each time,
// as a new capture would. Throughput and relay are also taken with the log's
// memory reused (see LogMemory), which shows what fresh pages cost.
// Every run checks that every byte arrived and, for
// the engine, that the log holds exactly what was sent; a wrong result is a
// failure of the command, a missed target is not (the table says so).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "bench_raw.hpp"
#include "bench_settings.hpp"
#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "option_groups.hpp"
#include "pipescope/codec.hpp"

namespace pipescope::cli {
namespace {

using Clock = std::chrono::steady_clock;

/// Round trips made before the measured ones, so that first-use costs
/// (page faults, a cold cache) do not count.
constexpr std::uint64_t kWarmUpRoundTrips = 50;
/// The round-trip target: the engine may add this much to the raw median.
constexpr double kRoundTripAllowanceNs = 10'000.0;
constexpr double kOneHopMinRatio = 0.8;
constexpr double kRelayMinRatio = 0.5;

// ------------------------------------------------------------------ helpers

Bytes pattern_bytes(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>((i * 131 + 7) & 0xFF);
  return bytes;
}

/// True if `bytes`, found at `offset` of a stream that repeats `piece`, are
/// what the stream holds there. Compared in runs that end where the piece
/// starts over, at memcmp speed, so readers can check everything they get.
bool matches_piece(std::span<const std::byte> bytes, std::uint64_t offset, const Bytes& piece) {
  while (!bytes.empty()) {
    const std::size_t at = offset % piece.size();
    const std::size_t run = std::min(bytes.size(), piece.size() - at);
    if (std::memcmp(bytes.data(), piece.data() + at, run) != 0) return false;
    bytes = bytes.subspan(run);
    offset += run;
  }
  return true;
}

double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

/// The nearest-rank percentile: the smallest value that at least `percent`
/// of the values do not exceed.
double percentile(std::vector<double> values, double percent) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

/// Long enough for a slow machine (or Wine) to move `bytes`; a broken engine
/// that loses data is reported after it rather than hanging the tool.
std::chrono::milliseconds patience_for(std::uint64_t bytes) {
  return std::chrono::milliseconds(30'000 + bytes / 2'000);
}

std::string fresh_name(std::string_view role) {
  std::random_device random;
  return fmt::format("pipescope-bench-{}-{:08x}", role, random());
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (1U << 20) && bytes % (1U << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1U << 10) && bytes % (1U << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

Error wrong_result(std::string what) { return make_error(Errc::unknown, "bench", std::move(what)); }

/// Reads from a foreign end until `total` bytes came or the stream ended,
/// checking every byte against the repeated `piece` as the engine's readers
/// do, so that raw and engine runs do the same work. Returns how many bytes
/// arrived; `who` names the reader in the error about a wrong byte.
Result<std::uint64_t> read_checked(RawEnd& from, std::uint64_t total, const Bytes& piece, std::size_t buffer_size,
                                   std::string_view who) {
  Bytes buffer(buffer_size);
  std::uint64_t received = 0;
  while (received < total) {
    Result<std::size_t> got = from.read_some(buffer);
    if (!got) return std::move(got).error();
    if (*got == 0) break;
    if (!matches_piece(std::span(buffer.data(), *got), received, piece)) {
      return wrong_result(fmt::format("{}: a wrong byte arrived near offset {}", who, received));
    }
    received += *got;
  }
  return received;
}

/// Lets helper threads begin their timed work when the timer starts rather
/// than when they were created.
class StartGate {
 public:
  void open() {
    {
      const std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// ------------------------------------------------------------- engine side

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
/// once per batch. It also queues the rows one endpoint read, for the relay.
class BenchSink final : public EventSink {
 public:
  void on_events(std::span<const Event> batch) override {
    {
      const std::lock_guard lock(mutex_);
      for (const Event& event : batch) {
        if (const auto* data = std::get_if<Data>(&event)) {
          if (data->direction == Direction::in) {
            tally_.bytes_in[data->endpoint] += data->size;
            if (data->endpoint == forward_from_) forward_.push_back(data->row);
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

  /// From now on, rows that `endpoint` read are queued for take_forward().
  void forward_from(EndpointId endpoint) {
    const std::lock_guard lock(mutex_);
    forward_from_ = endpoint;
  }

  /// Waits for rows to forward and takes all that are queued.
  Result<std::vector<std::uint64_t>> take_forward(std::chrono::milliseconds patience) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, patience, [&] { return tally_.error || !forward_.empty(); })) {
      return make_error(Errc::sem_timeout, "bench", "relay: no data arrived to forward");
    }
    if (tally_.error) return *tally_.error;
    std::vector<std::uint64_t> rows(forward_.begin(), forward_.end());
    forward_.clear();
    return rows;
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
  EndpointId forward_from_ = 0;
  std::deque<std::uint64_t> forward_;
};

/// An engine, its sink and one server. The sink is declared first so that
/// it outlives the engine, which calls it until it is destroyed.
struct EngineRig {
  BenchSink sink;
  std::unique_ptr<Engine> engine = std::make_unique<Engine>(&sink);
};

ServerOptions server_options_for(const BenchSettings& settings, std::uint32_t read_buffer) {
  ServerOptions options;
  options.name = fresh_name("server");
  options.type = settings.type;
  options.read_mode = settings.type == PipeType::message ? ReadMode::message : ReadMode::byte;
  // Big enough that a message arrives whole, as one record.
  options.read_buffer_size = read_buffer;
  return options;
}

/// The read buffer that holds one write (or message) whole, and at least
/// the engine's default.
std::uint32_t read_buffer_for(std::size_t piece) { return std::max<std::uint32_t>(65536, static_cast<std::uint32_t>(piece)); }

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

/// Whether an engine measurement starts with a fresh log, whose pages the
/// process has never touched, or first moves the same traffic once, clears
/// the log (which keeps its memory) and then measures: the second shows the
/// engine without the cost of fresh memory.
enum class LogMemory : std::uint8_t { fresh, reused };

/// Client to instance: `count` writes of `piece` bytes. Returns the seconds
/// from the first send until the instance had read the last byte.
Result<double> engine_stream(const BenchSettings& settings, std::size_t piece_size, std::uint64_t count,
                             LogMemory memory = LogMemory::fresh) {
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
    const auto [read_before, written_before] =
        rig.sink.read([&](const Tally& t) { return std::pair(t.in(instance), t.out(client)); });
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < count; ++i) {
      if (Result<void> sent = rig.engine->send(client, piece); !sent) return std::move(sent).error();
    }
    if (auto done = rig.sink.wait([&](const Tally& t) { return t.in(instance) >= read_before + total; },
                                  patience_for(total), "the instance to read every byte");
        !done) {
      return std::move(done).error();
    }
    seconds = seconds_between(start, Clock::now());
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

/// Round trips through the instance's echo responder; nanoseconds each.
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
    const auto start = Clock::now();
    if (Result<void> sent = rig.engine->send(client, message); !sent) return std::move(sent).error();
    if (auto back = rig.sink.wait([&](const Tally& t) { return t.in(client) >= expected; }, patience_for(0),
                                  "the echo to come back");
        !back) {
      return std::move(back).error();
    }
    if (trip >= kWarmUpRoundTrips) samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
  }
  return samples;
}

/// A foreign writer into server A; the engine reads and logs; this thread
/// forwards every record into server B's instance; a foreign reader takes
/// it. Seconds from the first write until the reader had every byte.
Result<double> engine_relay(const BenchSettings& settings, LogMemory memory = LogMemory::fresh) {
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
  const auto [path_a, path_b] = rig.sink.read([&](const Tally& t) { return std::pair(t.os_paths.at(a), t.os_paths.at(b)); });
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
  const auto [from, to] = rig.sink.read(
      [&](const Tally& t) { return std::pair(t.connected_instances.at(a).front(), t.connected_instances.at(b).front()); });
  rig.sink.forward_from(from);

  const Bytes piece = pattern_bytes(settings.write_size);
  const std::uint64_t count = settings.total_bytes / settings.write_size;
  const std::uint64_t total = count * piece.size();
  const MessageLog& log = rig.engine->log();

  // One pass: the foreign writer sends everything, this thread forwards
  // every record the engine read, the foreign reader takes it all.
  const auto relay_once = [&]() -> Result<double> {
    const std::uint64_t written_before = rig.sink.read([&](const Tally& t) { return t.out(to); });
    StartGate gate;
    Result<void> write_result;
    std::thread writing([&] {
      gate.wait();
      for (std::uint64_t i = 0; i < count && write_result; ++i) write_result = writer->write_all(piece);
    });
    Result<std::uint64_t> read_result = std::uint64_t{0};
    Clock::time_point read_end;
    std::thread reading([&] {
      read_result = read_checked(*reader, total, piece, read_buffer, "relay: the foreign reader");
      read_end = Clock::now();
    });

    const auto start = Clock::now();
    gate.open();
    std::uint64_t forwarded = 0;
    Result<void> forward_result;
    while (forwarded < total && forward_result) {
      Result<std::vector<std::uint64_t>> rows = rig.sink.take_forward(patience_for(total));
      if (!rows) {
        forward_result = std::move(rows).error();
        break;
      }
      for (const std::uint64_t row : *rows) {
        const std::span<const std::byte> payload = log.payload(row);
        if (Result<void> sent = rig.engine->send(to, payload); !sent) {
          forward_result = std::move(sent).error();
          break;
        }
        forwarded += payload.size();
      }
    }
    if (!forward_result) {
      // Unblock the foreign peers: closing our ends makes their calls fail.
      rig.engine->close_all();
    }
    writing.join();
    reading.join();
    if (!forward_result) return std::move(forward_result).error();
    if (!write_result) return std::move(write_result).error();
    if (!read_result) return std::move(read_result).error();
    if (*read_result != total) {
      return wrong_result(fmt::format("relay: the foreign reader got {} of {} bytes", *read_result, total));
    }
    if (auto sent = rig.sink.wait([&](const Tally& t) { return t.out(to) >= written_before + total; },
                                  patience_for(0), "the relay's writes to be logged");
        !sent) {
      return std::move(sent).error();
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
  if (auto logged = check_logged(*rig.engine, from, Direction::in, piece, count); !logged) return std::move(logged).error();
  if (auto logged = check_logged(*rig.engine, to, Direction::out, piece, count); !logged) return std::move(logged).error();
  return seconds;
}

// ---------------------------------------------------------------- raw side

/// One thread writes `count` pieces into end a, this one reads them from
/// end b. Seconds from the first write until the last byte was read.
Result<double> raw_stream(const RawTransport& transport, const ServerOptions& like, std::size_t piece_size,
                          std::uint64_t count) {
  Result<RawPair> pair = open_raw_pair(transport, like);
  if (!pair) return pair.error();
  const Bytes piece = pattern_bytes(piece_size);
  const std::uint64_t total = piece_size * count;
  StartGate gate;
  Result<void> write_result;
  std::thread writing([&] {
    gate.wait();
    for (std::uint64_t i = 0; i < count && write_result; ++i) write_result = pair->a.write_all(piece);
    // A reader still waiting learns that nothing more comes.
    if (!write_result) pair->a.close();
  });
  const std::string who = fmt::format("raw {}", transport.name);
  const auto start = Clock::now();
  gate.open();
  const Result<std::uint64_t> received = read_checked(pair->b, total, piece, read_buffer_for(piece_size), who);
  const double seconds = seconds_between(start, Clock::now());
  // A writer blocked on a full pipe fails once the reading end is gone.
  if (!received || *received != total) pair->b.close();
  writing.join();
  if (!write_result) return std::move(write_result).error();
  if (!received) return received.error();
  if (*received != total) return wrong_result(fmt::format("{}: {} of {} bytes arrived", who, *received, total));
  return seconds;
}

Result<std::vector<double>> raw_round_trips(const RawTransport& transport, const ServerOptions& like,
                                            std::size_t message_size, std::uint64_t round_trips) {
  Result<RawPair> pair = open_raw_pair(transport, like);
  if (!pair) return pair.error();
  std::thread echoing([&] {
    Bytes buffer(read_buffer_for(message_size));
    for (;;) {
      Result<std::size_t> got = pair->b.read_some(buffer);
      if (!got || *got == 0) break;
      if (!pair->b.write_all(std::span(buffer.data(), *got))) break;
    }
    pair->b.close();
  });
  const Bytes message = pattern_bytes(message_size);
  Bytes buffer(read_buffer_for(message_size));
  std::vector<double> samples;
  samples.reserve(round_trips);
  Result<void> result;
  for (std::uint64_t trip = 0; trip < kWarmUpRoundTrips + round_trips && result; ++trip) {
    const auto start = Clock::now();
    result = pair->a.write_all(message);
    std::size_t back = 0;
    while (result && back < message.size()) {
      Result<std::size_t> got = pair->a.read_some(buffer);
      if (!got) {
        result = std::move(got).error();
      } else if (*got == 0) {
        result = wrong_result(fmt::format("raw {}: the echo ended early", transport.name));
      } else {
        back += *got;
      }
    }
    if (trip >= kWarmUpRoundTrips) samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
  }
  // The echo thread sees the end of the stream and stops.
  pair->a.close();
  echoing.join();
  if (!result) return std::move(result).error();
  return samples;
}

Result<double> raw_relay(const RawTransport& transport, const ServerOptions& like, std::size_t piece_size,
                         std::uint64_t count) {
  Result<RawPair> first = open_raw_pair(transport, like);
  if (!first) return first.error();
  Result<RawPair> second = open_raw_pair(transport, like);
  if (!second) return second.error();
  const Bytes piece = pattern_bytes(piece_size);
  const std::uint64_t total = piece_size * count;
  StartGate gate;
  Result<void> write_result;
  std::thread writing([&] {
    gate.wait();
    for (std::uint64_t i = 0; i < count && write_result; ++i) write_result = first->a.write_all(piece);
    if (!write_result) first->a.close();
  });
  Result<void> relay_result;
  std::thread relaying([&] {
    Bytes buffer(read_buffer_for(piece_size));
    std::uint64_t relayed = 0;
    while (relayed < total) {
      Result<std::size_t> got = first->b.read_some(buffer);
      if (!got) {
        relay_result = std::move(got).error();
        break;
      }
      if (*got == 0) break;
      if (relay_result = second->a.write_all(std::span(buffer.data(), *got)); !relay_result) break;
      relayed += *got;
    }
    if (relayed != total) {
      first->b.close();
      second->a.close();
    }
  });
  const std::string who = fmt::format("raw relay over {}", transport.name);
  const auto start = Clock::now();
  gate.open();
  const Result<std::uint64_t> received = read_checked(second->b, total, piece, read_buffer_for(piece_size), who);
  const double seconds = seconds_between(start, Clock::now());
  if (!received || *received != total) second->b.close();
  relaying.join();
  writing.join();
  if (!write_result) return std::move(write_result).error();
  if (!relay_result) return std::move(relay_result).error();
  if (!received) return received.error();
  if (*received != total) return wrong_result(fmt::format("{}: {} of {} bytes arrived", who, *received, total));
  return seconds;
}

// ------------------------------------------------------------------ figures

enum class Unit : std::uint8_t { bytes_per_second, messages_per_second, nanoseconds };
enum class Target : std::uint8_t { none, ratio_at_least, at_most_raw_plus };

/// One line of the result: an engine figure against one raw transport.
struct Figure {
  /// "throughput", "throughput-log-reused", "message-rate", "round-trip-median", "round-trip-p99", "relay",
  /// "relay-log-reused"
  std::string id;
  std::string label;  ///< what the table shows
  Unit unit = Unit::bytes_per_second;
  double engine = 0;
  double raw = 0;
  RawTransport transport;
  Target target = Target::none;
  double target_value = 0;
  std::vector<double> engine_samples;
  std::vector<double> raw_samples;

  [[nodiscard]] double ratio() const { return raw > 0 ? engine / raw : 0.0; }
  [[nodiscard]] std::optional<bool> passed() const {
    switch (target) {
      case Target::ratio_at_least: return ratio() >= target_value;
      case Target::at_most_raw_plus: return engine <= raw + target_value;
      case Target::none: break;
    }
    return std::nullopt;
  }
};

std::string measured_text(Unit unit, double value) {
  switch (unit) {
    case Unit::bytes_per_second:
      if (value >= 1e9) return fmt::format("{:.2f} GB/s", value / 1e9);
      if (value >= 1e6) return fmt::format("{:.1f} MB/s", value / 1e6);
      return fmt::format("{:.1f} kB/s", value / 1e3);
    case Unit::messages_per_second:
      if (value >= 1e6) return fmt::format("{:.2f} M/s", value / 1e6);
      return fmt::format("{:.1f} k/s", value / 1e3);
    case Unit::nanoseconds:
      return fmt::format("{:.1f} µs", value / 1e3);
  }
  return {};
}

std::string unit_name(Unit unit) {
  switch (unit) {
    case Unit::bytes_per_second: return "bytes/s";
    case Unit::messages_per_second: return "messages/s";
    case Unit::nanoseconds: return "ns";
  }
  return {};
}

std::string comparison_text(const Figure& figure) {
  if (figure.unit == Unit::nanoseconds) return fmt::format("{:+.1f} µs", (figure.engine - figure.raw) / 1e3);
  return fmt::format("{:.2f}×", figure.ratio());
}

std::string target_text(const Figure& figure) {
  switch (figure.target) {
    case Target::ratio_at_least: return fmt::format("≥ {:.2f}×", figure.target_value);
    case Target::at_most_raw_plus: return fmt::format("≤ +{:.0f} µs", figure.target_value / 1e3);
    case Target::none: break;
  }
  return "-";
}

std::string json_target(const Figure& figure) {
  switch (figure.target) {
    case Target::ratio_at_least: return fmt::format("engine >= {} x raw", figure.target_value);
    case Target::at_most_raw_plus: return fmt::format("engine <= raw + {} ns", figure.target_value);
    case Target::none: break;
  }
  return {};
}

/// Measurements of one figure across the repeats, for every raw transport.
struct Collected {
  std::vector<double> engine;
  std::map<std::string, std::vector<double>> raw;  // by transport id
};

/// Pads to a width counted in characters, not bytes (the table has µ, ≥, ×).
std::string padded(const std::string& text, std::size_t width) {
  std::size_t characters = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
  }
  return text + std::string(characters < width ? width - characters : 1, ' ');
}

void print_table(const Console& console, const std::vector<Figure>& figures) {
  const std::string header = padded("figure", 36) + padded("engine", 14) + padded("raw", 14) + padded("ratio", 12) +
                             padded("target", 12) + "result";
  console.say(header);
  console.say(std::string(header.size() + 4, '-'));
  for (const Figure& figure : figures) {
    const std::optional<bool> passed = figure.passed();
    console.say(padded(figure.label, 36) + padded(measured_text(figure.unit, figure.engine), 14) +
                padded(measured_text(figure.unit, figure.raw), 14) + padded(comparison_text(figure), 12) +
                padded(target_text(figure), 12) + (passed ? (*passed ? "pass" : "FAIL") : "-"));
  }
}

nlohmann::json figure_json(const Figure& figure, const std::string& backend) {
  nlohmann::json object{{"event", "bench"},
                        {"figure", figure.id},
                        {"backend", backend},
                        {"unit", unit_name(figure.unit)},
                        {"engine", figure.engine},
                        {"raw", figure.raw},
                        {"raw_transport", figure.transport.id},
                        {"raw_transport_name", figure.transport.name},
                        {"ratio", figure.ratio()},
                        {"engine_samples", figure.engine_samples},
                        {"raw_samples", figure.raw_samples}};
  if (figure.unit == Unit::nanoseconds) object["difference"] = figure.engine - figure.raw;
  if (const std::optional<bool> passed = figure.passed()) {
    object["target"] = json_target(figure);
    object["pass"] = *passed;
  } else {
    object["target"] = nullptr;
    object["pass"] = nullptr;
  }
  return object;
}

int bench_command(const BenchSettings& settings, Session& session) {
  const Console& console = session.console;
  const std::vector<RawTransport> transports = raw_transports(settings.type);
  const ServerOptions like = server_options_for(settings, read_buffer_for(settings.write_size));
  const std::uint64_t writes = std::max<std::uint64_t>(1, settings.total_bytes / settings.write_size);
  const std::uint64_t moved = writes * settings.write_size;
  std::string backend;
  {
    const Engine probe;
    backend = std::string(probe.backend_name());
  }

  console.emit({{"event", "bench-setup"},
                {"backend", backend},
                {"type", to_string(settings.type)},
                {"cpus", std::thread::hardware_concurrency()},
                {"write_size", settings.write_size},
                {"total_bytes", moved},
                {"message_size", settings.message_size},
                {"messages", settings.messages},
                {"round_trips", settings.round_trips},
                {"repeat", settings.repeat}});
  console.say(fmt::format("PipeScope bench: {} engine, {} pipes, {} CPUs; median of {} measurements of each figure, "
                          "raw and engine runs taking turns.",
                          backend, to_string(settings.type), std::thread::hardware_concurrency(), settings.repeat));

  const auto stop_requested = [&session] {
    for (;;) {
      std::optional<InboxItem> item = session.inbox->pop(std::chrono::milliseconds(0));
      if (!item) return false;
      if (std::holds_alternative<StopRequest>(*item)) return true;
    }
  };
  const auto stopped = [&] {
    console.say("Stopped.");
    return to_int(ExitCode::ok);
  };

  // Each measurement returns seconds (or samples); these run them in turns.
  // The *_reused figures move the traffic twice through one engine and time
  // the second pass, after clear() kept the log's memory: the engine without
  // the cost of fresh pages (see LogMemory).
  Collected throughput, throughput_reused, rate, trips, relay, relay_reused;
  for (unsigned repeat = 0; repeat < settings.repeat; ++repeat) {
    for (const RawTransport& transport : transports) {
      if (stop_requested()) return stopped();
      if (settings.throughput) {
        Result<double> raw = raw_stream(transport, like, settings.write_size, writes);
        if (!raw) return fail(console, raw.error());
        throughput.raw[transport.id].push_back(static_cast<double>(moved) / *raw);
      }
      if (settings.message_rate) {
        Result<double> raw = raw_stream(transport, like, settings.message_size, settings.messages);
        if (!raw) return fail(console, raw.error());
        rate.raw[transport.id].push_back(static_cast<double>(settings.messages) / *raw);
      }
      if (settings.latency) {
        Result<std::vector<double>> raw = raw_round_trips(transport, like, settings.message_size, settings.round_trips);
        if (!raw) return fail(console, raw.error());
        auto& pooled = trips.raw[transport.id];
        pooled.insert(pooled.end(), raw->begin(), raw->end());
      }
      if (settings.relay) {
        Result<double> raw = raw_relay(transport, like, settings.write_size, writes);
        if (!raw) return fail(console, raw.error());
        relay.raw[transport.id].push_back(static_cast<double>(moved) / *raw);
      }
    }
    if (stop_requested()) return stopped();
    if (settings.throughput) {
      Result<double> engine = engine_stream(settings, settings.write_size, writes);
      if (!engine) return fail(console, engine.error());
      throughput.engine.push_back(static_cast<double>(moved) / *engine);
      Result<double> reused = engine_stream(settings, settings.write_size, writes, LogMemory::reused);
      if (!reused) return fail(console, reused.error());
      throughput_reused.engine.push_back(static_cast<double>(moved) / *reused);
    }
    if (settings.message_rate) {
      Result<double> engine = engine_stream(settings, settings.message_size, settings.messages);
      if (!engine) return fail(console, engine.error());
      rate.engine.push_back(static_cast<double>(settings.messages) / *engine);
    }
    if (settings.latency) {
      Result<std::vector<double>> engine = engine_round_trips(settings);
      if (!engine) return fail(console, engine.error());
      trips.engine.insert(trips.engine.end(), engine->begin(), engine->end());
    }
    if (settings.relay) {
      Result<double> engine = engine_relay(settings);
      if (!engine) return fail(console, engine.error());
      relay.engine.push_back(static_cast<double>(moved) / *engine);
      Result<double> reused = engine_relay(settings, LogMemory::reused);
      if (!reused) return fail(console, reused.error());
      relay_reused.engine.push_back(static_cast<double>(moved) / *reused);
    }
  }

  std::vector<Figure> figures;
  const auto add = [&](std::string id, std::string label, Unit unit, const Collected& collected, Target target,
                       double target_value, const std::function<double(const std::vector<double>&)>& summary,
                       bool every_transport = true) {
    for (std::size_t t = 0; t < (every_transport ? transports.size() : 1); ++t) {
      const RawTransport& transport = transports[t];
      Figure figure;
      figure.id = id;
      // The first transport is the engine's own; the others are for comparison.
      figure.label = t == 0 ? label : fmt::format("  vs {}", transport.name);
      figure.unit = unit;
      figure.engine = summary(collected.engine);
      figure.raw = summary(collected.raw.at(transport.id));
      figure.transport = transport;
      figure.target = t == 0 ? target : Target::none;
      figure.target_value = target_value;
      if (unit != Unit::nanoseconds) {
        figure.engine_samples = collected.engine;
        figure.raw_samples = collected.raw.at(transport.id);
      }
      figures.push_back(std::move(figure));
    }
  };
  const auto median_of = [](const std::vector<double>& v) { return median(v); };
  const auto p99_of = [](const std::vector<double>& v) { return percentile(v, 99.0); };
  if (settings.throughput) {
    add("throughput", fmt::format("throughput, {} writes", size_text(settings.write_size)), Unit::bytes_per_second,
        throughput, Target::ratio_at_least, kOneHopMinRatio, median_of);
    throughput_reused.raw = throughput.raw;
    add("throughput-log-reused", "  the same, log memory reused", Unit::bytes_per_second, throughput_reused,
        Target::none, 0, median_of, false);
  }
  if (settings.message_rate) {
    add("message-rate", fmt::format("message rate, {} messages", size_text(settings.message_size)),
        Unit::messages_per_second, rate, Target::ratio_at_least, kOneHopMinRatio, median_of);
  }
  if (settings.latency) {
    add("round-trip-median", fmt::format("round trip median, {}", size_text(settings.message_size)),
        Unit::nanoseconds, trips, Target::at_most_raw_plus, kRoundTripAllowanceNs, median_of);
    add("round-trip-p99", fmt::format("round trip p99, {}", size_text(settings.message_size)), Unit::nanoseconds,
        trips, Target::none, 0, p99_of);
  }
  if (settings.relay) {
    add("relay", fmt::format("relay with capture, {} writes", size_text(settings.write_size)), Unit::bytes_per_second,
        relay, Target::ratio_at_least, kRelayMinRatio, median_of);
    relay_reused.raw = relay.raw;
    add("relay-log-reused", "  the same, log memory reused", Unit::bytes_per_second, relay_reused, Target::none, 0,
        median_of, false);
  }

  int passed = 0;
  int failed = 0;
  for (const Figure& figure : figures) {
    if (const std::optional<bool> result = figure.passed()) ++(*result ? passed : failed);
    console.emit(figure_json(figure, backend));
  }
  console.say(fmt::format("Throughput and relay move {} in {} writes; the message rate sends {} messages; {} round "
                          "trips after {} to warm up. Raw baseline: {}.\n",
                          size_text(moved), size_text(settings.write_size), settings.messages, settings.round_trips,
                          kWarmUpRoundTrips, transports.front().name));
  print_table(console, figures);
  console.say(fmt::format("\n{} of {} targets met. Every byte arrived and was logged.", passed, passed + failed));
  console.emit({{"event", "bench-done"}, {"targets_met", passed}, {"targets_missed", failed}, {"checked", true}});
  return to_int(ExitCode::ok);
}

/// What bench's options hold before mapping onto its settings.
struct BenchWords {
  BenchSettings settings;
  std::string type = "byte";
  std::vector<std::string> only;
};

void map_bench_words(BenchWords& w) {
  BenchSettings& settings = w.settings;
  settings.type = chosen<PipeType>(w.type);
  if (settings.total_bytes < settings.write_size) {
    throw CLI::ValidationError("--total", "must be at least one write (--write-size)");
  }
  if (!w.only.empty()) {
    const auto wanted = [&w](std::string_view figure) {
      return std::find(w.only.begin(), w.only.end(), figure) != w.only.end();
    };
    settings.throughput = wanted("throughput");
    settings.message_rate = wanted("rate");
    settings.latency = wanted("latency");
    settings.relay = wanted("relay");
  }
}

CommandRunner declare_bench(CLI::App& bench) {
  auto w = std::make_shared<BenchWords>();
  BenchSettings& b = w->settings;
  add_choice<PipeType>(&bench, "--type", w->type,
                       "The pipe type to measure: byte (one stream) or message (every write one message, read "
                       "whole).");
  bench.add_option("--write-size", b.write_size, "Bytes per write in the throughput and relay figures.")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(1U, 64U * 1024 * 1024))
      ->option_text("BYTES [64KiB]");
  bench.add_option("--total", b.total_bytes,
                   "Bytes each throughput or relay measurement moves (whole writes: rounded down to a multiple "
                   "of --write-size).")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->option_text("BYTES [32MiB]");
  bench.add_option("--message-size", b.message_size, "Bytes per message in the message-rate and round-trip figures.")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(1U, 1024U * 1024))
      ->option_text(value_text("BYTES", b.message_size));
  bench.add_option("--messages", b.messages, "Messages each message-rate measurement sends.")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32))
      ->option_text(value_text("N", b.messages));
  bench.add_option("--round-trips", b.round_trips, "Round trips each latency measurement makes.")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32))
      ->option_text(value_text("N", b.round_trips));
  bench.add_option("--repeat", b.repeat, "Measurements of each figure (engine and raw alike); the median is shown.")
      ->check(CLI::Range(1U, 1000U))
      ->option_text(value_text("N", b.repeat));
  bench.add_option("--only", w->only,
                   "Measure only these figures (comma-separated): throughput, rate, latency, relay.")
      ->delimiter(',')
      ->check(CLI::IsMember({"throughput", "rate", "latency", "relay"}))
      ->option_text("FIGURE,...");
  bench.callback([w] { map_bench_words(*w); });
  return [w](Session& session) { return bench_command(w->settings, session); };
}

const CommandRegistrar kBench{
    {.name = "bench",
     .description = "Measure what the engine does with a pipe, each figure next to a raw baseline measured in the "
                    "same run with bare OS calls (socketpair/pipe(2) on POSIX; CreateNamedPipeW, ReadFile and "
                    "WriteFile on Windows): throughput, the rate of small messages, the round-trip time and a relay "
                    "that reads, logs and forwards. Each figure is the median of --repeat measurements; raw and "
                    "engine runs take turns, so a busy machine slows both. Sizes take suffixes: 64KiB, 32MiB.",
     .help_rank = 100,
     .declare = &declare_bench}};

}  // namespace
}  // namespace pipescope::cli
