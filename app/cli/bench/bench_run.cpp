#include "bench_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "bench_stats.hpp"
#include "commands.hpp"
#include "engine_runs.hpp"
#include "exit_codes.hpp"
#include "figures.hpp"
#include "harness.hpp"
#include "raw_runs.hpp"

namespace pipescope::cli {
namespace {

/// The round-trip target: the engine may add this much to the raw median.
constexpr double kRoundTripAllowanceNs = 10'000.0;
constexpr double kOneHopMinRatio = 0.8;
constexpr double kRelayMinRatio = 0.5;

/// What every measurement of one bench works with.
struct Plan {
  const BenchSettings& settings;
  ServerOptions like;   ///< the server the raw baselines are made like
  std::uint64_t writes; ///< writes of --write-size in a throughput or relay run
  std::uint64_t moved;  ///< the bytes those writes move
};

/// What one run yields: a rate, or for round trips one time per trip.
using Samples = Result<std::vector<double>>;

/// A run's seconds as a rate of `amount` per second.
Samples rate_of(const Result<double>& seconds, std::uint64_t amount) {
  if (!seconds) return seconds.error();
  return std::vector<double>{static_cast<double>(amount) / *seconds};
}

/// One figure that a measurement's samples give.
struct FigureSpec {
  const char* id;
  std::string (*label)(const BenchSettings& settings);
  double (*summary)(const std::vector<double>& samples);
  Target target = Target::none;
  double target_value = 0;
};

/// One row of the table of measurements: what is run, raw and engine, and
/// the figures its samples give.
struct Measurement {
  /// The --only figure that selects it.
  bool BenchSettings::*selected;
  Unit unit;
  /// The raw baseline over one transport. None: the measurement is compared
  /// with the raw baseline of the one before it (the same traffic, measured
  /// again with the log's memory reused), against the first transport only.
  Samples (*raw)(const Plan& plan, const RawTransport& transport);
  Samples (*engine)(const Plan& plan);
  std::vector<FigureSpec> figures;
};

double median_of(const std::vector<double>& samples) { return bench::median(samples); }
double p99_of(const std::vector<double>& samples) { return bench::percentile(samples, 99.0); }
std::string same_again(const BenchSettings& /*settings*/) { return "  the same, log memory reused"; }

/// Every measurement, in the order they run and are shown. The *-log-reused
/// ones move the traffic twice through one engine and time the second pass,
/// after clear() kept the log's memory: the engine without the cost of fresh
/// pages (see LogMemory).
const std::vector<Measurement>& measurements() {
  static const std::vector<Measurement> table{
      {.selected = &BenchSettings::throughput,
       .unit = Unit::bytes_per_second,
       .raw = [](const Plan& p, const RawTransport& t) {
         return rate_of(raw_stream(t, p.like, p.settings.write_size, p.writes), p.moved);
       },
       .engine = [](const Plan& p) {
         return rate_of(engine_stream(p.settings, p.settings.write_size, p.writes, LogMemory::fresh), p.moved);
       },
       .figures = {{"throughput",
                    [](const BenchSettings& s) { return fmt::format("throughput, {} writes", size_text(s.write_size)); },
                    median_of, Target::ratio_at_least, kOneHopMinRatio}}},
      {.selected = &BenchSettings::throughput,
       .unit = Unit::bytes_per_second,
       .raw = nullptr,
       .engine = [](const Plan& p) {
         return rate_of(engine_stream(p.settings, p.settings.write_size, p.writes, LogMemory::reused), p.moved);
       },
       .figures = {{"throughput-log-reused", same_again, median_of, Target::none, 0}}},
      {.selected = &BenchSettings::message_rate,
       .unit = Unit::messages_per_second,
       .raw = [](const Plan& p, const RawTransport& t) {
         return rate_of(raw_stream(t, p.like, p.settings.message_size, p.settings.messages), p.settings.messages);
       },
       .engine = [](const Plan& p) {
         return rate_of(engine_stream(p.settings, p.settings.message_size, p.settings.messages, LogMemory::fresh),
                        p.settings.messages);
       },
       .figures = {{"message-rate",
                    [](const BenchSettings& s) {
                      return fmt::format("message rate, {} messages", size_text(s.message_size));
                    },
                    median_of, Target::ratio_at_least, kOneHopMinRatio}}},
      {.selected = &BenchSettings::latency,
       .unit = Unit::nanoseconds,
       .raw = [](const Plan& p, const RawTransport& t) {
         return raw_round_trips(t, p.like, p.settings.message_size, p.settings.round_trips);
       },
       .engine = [](const Plan& p) { return engine_round_trips(p.settings); },
       .figures = {{"round-trip-median",
                    [](const BenchSettings& s) {
                      return fmt::format("round trip median, {}", size_text(s.message_size));
                    },
                    median_of, Target::at_most_raw_plus, kRoundTripAllowanceNs},
                   {"round-trip-p99",
                    [](const BenchSettings& s) { return fmt::format("round trip p99, {}", size_text(s.message_size)); },
                    p99_of, Target::none, 0}}},
      {.selected = &BenchSettings::relay,
       .unit = Unit::bytes_per_second,
       .raw = [](const Plan& p, const RawTransport& t) {
         return rate_of(raw_relay(t, p.like, p.settings.write_size, p.writes), p.moved);
       },
       .engine = [](const Plan& p) { return rate_of(engine_relay(p.settings, LogMemory::fresh), p.moved); },
       .figures = {{"relay",
                    [](const BenchSettings& s) {
                      return fmt::format("relay with capture, {} writes", size_text(s.write_size));
                    },
                    median_of, Target::ratio_at_least, kRelayMinRatio}}},
      {.selected = &BenchSettings::relay,
       .unit = Unit::bytes_per_second,
       .raw = nullptr,
       .engine = [](const Plan& p) { return rate_of(engine_relay(p.settings, LogMemory::reused), p.moved); },
       .figures = {{"relay-log-reused", same_again, median_of, Target::none, 0}}},
  };
  return table;
}

/// The samples of one measurement across the repeats, for every raw
/// transport. Round trips pool every trip of every repeat.
struct Collected {
  std::vector<double> engine;
  std::map<std::string, std::vector<double>> raw;  // by transport id
};

void append(std::vector<double>& pooled, const std::vector<double>& samples) {
  pooled.insert(pooled.end(), samples.begin(), samples.end());
}

/// The figures of one measurement: one per raw transport it was compared
/// with (the first is the engine's own; the others are for comparison).
void add_figures(const Measurement& measurement, const Collected& collected,
                 const std::map<std::string, std::vector<double>>& raw, const std::vector<RawTransport>& transports,
                 const BenchSettings& settings, std::vector<Figure>& figures) {
  const std::size_t compared = measurement.raw != nullptr ? transports.size() : 1;
  for (const FigureSpec& spec : measurement.figures) {
    for (std::size_t t = 0; t < compared; ++t) {
      const RawTransport& transport = transports[t];
      Figure figure;
      figure.id = spec.id;
      figure.label = t == 0 ? spec.label(settings) : fmt::format("  vs {}", transport.name);
      figure.unit = measurement.unit;
      figure.engine = spec.summary(collected.engine);
      figure.raw = spec.summary(raw.at(transport.id));
      figure.transport = transport;
      figure.target = t == 0 ? spec.target : Target::none;
      figure.target_value = spec.target_value;
      if (measurement.unit != Unit::nanoseconds) {
        figure.engine_samples = collected.engine;
        figure.raw_samples = raw.at(transport.id);
      }
      figures.push_back(std::move(figure));
    }
  }
}

}  // namespace

int run_bench(const BenchSettings& settings, Session& session) {
  const Console& console = session.console;
  const std::vector<RawTransport> transports = raw_transports(settings.type);
  const std::uint64_t writes = std::max<std::uint64_t>(1, settings.total_bytes / settings.write_size);
  const Plan plan{settings, server_options_for(settings, read_buffer_for(settings.write_size)), writes,
                  writes * settings.write_size};
  const std::uint64_t moved = plan.moved;
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

  const std::vector<Measurement>& table = measurements();
  const auto selected = [&settings](const Measurement& m) { return settings.*(m.selected); };
  std::vector<Collected> collected(table.size());
  for (unsigned repeat = 0; repeat < settings.repeat; ++repeat) {
    for (const RawTransport& transport : transports) {
      if (stop_requested()) return stopped();
      for (std::size_t i = 0; i < table.size(); ++i) {
        if (!selected(table[i]) || table[i].raw == nullptr) continue;
        const Samples raw = table[i].raw(plan, transport);
        if (!raw) return fail(console, raw.error());
        append(collected[i].raw[transport.id], *raw);
      }
    }
    if (stop_requested()) return stopped();
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (!selected(table[i])) continue;
      const Samples engine = table[i].engine(plan);
      if (!engine) return fail(console, engine.error());
      append(collected[i].engine, *engine);
    }
  }

  std::vector<Figure> figures;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (!selected(table[i])) continue;
    // A measurement without a raw run of its own is the one before it again.
    const std::size_t baseline = table[i].raw != nullptr || i == 0 ? i : i - 1;
    add_figures(table[i], collected[i], collected[baseline].raw, transports, settings, figures);
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

}  // namespace pipescope::cli
