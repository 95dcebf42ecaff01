// Micro-benchmarks of the message log and the codecs (Google Benchmark).
//
// The log figures are taken where the issue sets its targets: 10 million
// 64-byte messages appended to a fresh log (ns per message, and the memory
// MessageLog::memory_bytes() reports per message and in all), the same into
// a log whose memory was kept by clear(), and clearing 10 million records.
// --messages=N changes the 10 million (the CI smoke run uses a small N).
//
// Besides Google Benchmark's own table, the program prints a summary table
// with each target and whether it was met; --summary-json=FILE also writes
// that summary as JSON lines for scripts/bench.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench_table.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/log.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t g_messages = 10'000'000;
constexpr std::size_t kMessageBytes = 64;

std::array<std::byte, kMessageBytes> message_bytes() {
  std::array<std::byte, kMessageBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>('A' + i % 26);
  return bytes;
}

/// Appends g_messages 64-byte messages, as the engine would: two endpoints,
/// both directions, the time taken now for each.
void fill(pipescope::MessageLog& log) {
  const auto payload = message_bytes();
  for (std::uint64_t i = 0; i < g_messages; ++i) {
    log.append(static_cast<pipescope::EndpointId>(1 + (i & 1)),
               (i & 2) != 0 ? pipescope::Direction::out : pipescope::Direction::in, payload);
  }
}

/// What the summary table shows for each benchmark, filled in as they run.
struct Figures {
  std::optional<double> fresh_ns_per_message;
  std::optional<double> fresh_bytes_per_message;
  std::optional<double> fresh_memory_bytes;
  std::optional<double> reused_ns_per_message;
  std::optional<double> clear_ms;
};
Figures g_figures;

void BM_LogAppendFresh(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto log = std::make_unique<pipescope::MessageLog>();
    state.ResumeTiming();
    const auto start = Clock::now();
    fill(*log);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    state.PauseTiming();
    const auto memory = static_cast<double>(log->memory_bytes());
    if (log->size() != g_messages) state.SkipWithError("the log lost messages");
    g_figures.fresh_ns_per_message = seconds * 1e9 / static_cast<double>(g_messages);
    g_figures.fresh_bytes_per_message = memory / static_cast<double>(g_messages);
    g_figures.fresh_memory_bytes = memory;
    state.counters["ns_per_message"] = *g_figures.fresh_ns_per_message;
    state.counters["bytes_per_message"] = *g_figures.fresh_bytes_per_message;
    state.counters["memory_MB"] = memory / 1e6;
    log.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_messages));
}

void BM_LogAppendAfterClear(benchmark::State& state) {
  pipescope::MessageLog log;
  fill(log);
  for (auto _ : state) {
    state.PauseTiming();
    log.clear();
    state.ResumeTiming();
    const auto start = Clock::now();
    fill(log);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    g_figures.reused_ns_per_message = seconds * 1e9 / static_cast<double>(g_messages);
    state.counters["ns_per_message"] = *g_figures.reused_ns_per_message;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * g_messages));
}

void BM_LogClear(benchmark::State& state) {
  pipescope::MessageLog log;
  for (auto _ : state) {
    state.PauseTiming();
    fill(log);
    state.ResumeTiming();
    const auto start = Clock::now();
    log.clear();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    g_figures.clear_ms = seconds * 1e3;
    state.counters["clear_ms"] = *g_figures.clear_ms;
    if (log.size() != 0) state.SkipWithError("clear() left records behind");
  }
}

/// Reading a record and its payload, as the GUI's log model does for every
/// visible cell.
void BM_LogReadRecord(benchmark::State& state) {
  pipescope::MessageLog log;
  const auto payload = message_bytes();
  constexpr std::uint64_t kRows = 100'000;
  for (std::uint64_t i = 0; i < kRows; ++i) log.append(1, pipescope::Direction::in, payload);
  std::uint64_t row = 0;
  for (auto _ : state) {
    const pipescope::Record record = log.record(row);
    benchmark::DoNotOptimize(log.payload(record).data());
    row = (row + 7919) % kRows;
  }
  state.SetItemsProcessed(state.iterations());
}

// ------------------------------------------------------------------ codecs

std::string hex_text(std::size_t bytes) {
  std::string text;
  for (std::size_t i = 0; i < bytes; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    text += kDigits[(i * 7) & 0xF];
    text += kDigits[(i * 3) & 0xF];
    text += ' ';
  }
  return text;
}

std::string escaped_text(std::size_t bytes) {
  std::string text;
  for (std::size_t i = 0; text.size() < bytes; ++i) text += i % 8 == 0 ? "\\r\\n" : "ab\\x41";
  return text;
}

pipescope::Bytes binary(std::size_t bytes) {
  pipescope::Bytes data(bytes);
  for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<std::byte>(i * 37);
  return data;
}

void BM_ParseHex(benchmark::State& state) {
  const std::string text = hex_text(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pipescope::parse_input(text, pipescope::InputFormat::hex));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_ParseEscaped(benchmark::State& state) {
  const std::string text = escaped_text(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pipescope::parse_input(text, pipescope::InputFormat::escaped));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_FormatHexDump(benchmark::State& state) {
  const pipescope::Bytes data = binary(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pipescope::format_hex_dump(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

void BM_FormatEscaped(benchmark::State& state) {
  const pipescope::Bytes data = binary(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pipescope::format_escaped(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}

/// The log view's preview column: one call per visible row.
void BM_FormatPreview(benchmark::State& state) {
  const pipescope::Bytes data = binary(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(pipescope::format_preview(data, 80));
  state.SetItemsProcessed(state.iterations());
}

// ----------------------------------------------------------------- summary

struct Row {
  std::string figure;
  std::string value;
  std::string target;
  std::optional<bool> pass;
  std::string json;
};

std::vector<Row> summary_rows() {
  std::vector<Row> rows;
  const std::string n = std::to_string(g_messages);
  const auto add = [&](std::string id, std::string figure, std::optional<double> value, std::string unit,
                       int decimals, std::string target, std::optional<double> limit) {
    if (!value) return;
    Row row;
    row.figure = std::move(figure);
    row.value = pipescope::bench::fixed(*value, decimals) + " " + unit;
    row.target = limit ? target : "-";
    if (limit) row.pass = *value <= *limit;
    row.json = "{\"event\":\"bench\",\"figure\":\"" + id + "\",\"unit\":\"" + unit + "\",\"value\":" +
               pipescope::bench::fixed(*value, 3) + ",\"messages\":" + n + ",\"target\":" +
               (limit ? "\"<= " + pipescope::bench::fixed(*limit, 0) + " " + unit + "\"" : std::string("null")) +
               ",\"pass\":" + (row.pass ? (*row.pass ? "true" : "false") : "null") + "}";
    rows.push_back(std::move(row));
  };
  add("log-append-fresh", "log append, fresh log (" + n + " × 64 B)", g_figures.fresh_ns_per_message, "ns/message", 1,
      "≤ 100 ns/message", 100.0);
  // Memory comes in 8 MiB arena chunks and 768 KiB index blocks, one of
  // each prepared ahead, so the per-message target is judged where the
  // issue sets it, at 10 million messages.
  const bool at_scale = g_messages >= 10'000'000;
  add("log-memory-per-message", "log memory per 64-byte message", g_figures.fresh_bytes_per_message, "B/message", 1,
      "≤ 100 B/message", at_scale ? std::optional(100.0) : std::nullopt);
  add("log-memory", "log memory for " + n + " messages",
      g_figures.fresh_memory_bytes ? std::optional(*g_figures.fresh_memory_bytes / 1e6) : std::nullopt, "MB", 0,
      "≤ 1000 MB", g_messages == 10'000'000 ? std::optional(1000.0) : std::nullopt);
  add("log-append-reused", "log append after clear() (memory kept)", g_figures.reused_ns_per_message, "ns/message",
      1, "≤ 100 ns/message", 100.0);
  add("log-clear", "log clear (" + n + " records)", g_figures.clear_ms, "ms", 2, "≤ 100 ms", 100.0);
  return rows;
}

void print_summary(const std::vector<Row>& rows) {
  std::printf("\n");
  pipescope::bench::print_header();
  for (const Row& row : rows) {
    pipescope::bench::print_row(row.figure, row.value, row.target, row.pass ? (*row.pass ? "pass" : "FAIL") : "-");
  }
}

}  // namespace

BENCHMARK(BM_LogAppendFresh)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogAppendAfterClear)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogClear)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogReadRecord);
BENCHMARK(BM_ParseHex)->Arg(64)->Arg(4096);
BENCHMARK(BM_ParseEscaped)->Arg(64)->Arg(4096);
BENCHMARK(BM_FormatHexDump)->Arg(64)->Arg(4096);
BENCHMARK(BM_FormatEscaped)->Arg(64)->Arg(4096);
BENCHMARK(BM_FormatPreview)->Arg(64)->Arg(4096);

int main(int argc, char** argv) {
  // Our own options first; the rest are Google Benchmark's.
  std::string summary_json;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--messages=")) {
      g_messages = std::stoull(std::string(arg.substr(11)));
    } else if (arg.starts_with("--summary-json=")) {
      summary_json = std::string(arg.substr(15));
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_count, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  const std::vector<Row> rows = summary_rows();
  print_summary(rows);
  if (!summary_json.empty()) {
    std::ofstream out(summary_json);
    for (const Row& row : rows) out << row.json << '\n';
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", summary_json.c_str());
      return 1;
    }
  }
  return 0;
}
