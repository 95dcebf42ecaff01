// bench: what the engine does with a pipe, next to what the pipe does with
// bare OS calls, measured in the same run. This file declares the command;
// the benchmark itself lives in bench/ (bench_run.hpp and its table of
// measurements, the raw baselines per platform, the statistics shared with
// tests/bench).
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_run.hpp"
#include "bench/bench_settings.hpp"
#include "command_registry.hpp"
#include "commands.hpp"
#include "option_groups.hpp"

namespace pipescope::cli {
namespace {

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
  return [w](Session& session) { return run_bench(w->settings, session); };
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
