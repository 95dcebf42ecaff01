// The engine's side of `bench`: each run makes a fresh engine (and so a
// fresh, empty log, as a new capture would), moves the traffic, and checks
// that every byte arrived and that the log holds exactly what was sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench_settings.hpp"
#include "pipescope/error.hpp"

namespace pipescope::cli {

/// Whether an engine measurement starts with a fresh log, whose pages the
/// process has never touched, or first moves the same traffic once, clears
/// the log (which keeps its memory) and then measures: the second shows the
/// engine without the cost of fresh memory.
enum class LogMemory : std::uint8_t { fresh, reused };

/// Client to instance: `count` writes of `piece_size` bytes. Returns the
/// seconds from the first send until the instance had read the last byte.
[[nodiscard]] Result<double> engine_stream(const BenchSettings& settings, std::size_t piece_size,
                                           std::uint64_t count, LogMemory memory);

/// Round trips through the instance's echo responder; nanoseconds each,
/// after kWarmUpRoundTrips that are not measured.
[[nodiscard]] Result<std::vector<double>> engine_round_trips(const BenchSettings& settings);

/// A foreign writer (bare OS calls) into server A; the engine reads and logs;
/// the engine's relay (pipescope/relay.hpp) writes every message on into
/// server B's instance, where a foreign reader takes it. Seconds from the
/// first write until the reader had every byte.
[[nodiscard]] Result<double> engine_relay(const BenchSettings& settings, LogMemory memory);

}  // namespace pipescope::cli
