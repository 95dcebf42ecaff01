// The raw baselines' timing loops: bare pipe ends (bench_raw.hpp) driven by
// plain threads, doing the same work as the engine runs (engine_runs.hpp)
// without the engine. Portable: only the ends differ per platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bench_raw.hpp"
#include "pipescope/error.hpp"
#include "pipescope/options.hpp"

namespace pipescope::cli {

/// One thread writes `count` pieces into end a, this one reads them from
/// end b. Seconds from the first write until the last byte was read.
[[nodiscard]] Result<double> raw_stream(const RawTransport& transport, const ServerOptions& like,
                                        std::size_t piece_size, std::uint64_t count);

/// Round trips through a thread that echoes with read and write; nanoseconds
/// each, after kWarmUpRoundTrips that are not measured.
[[nodiscard]] Result<std::vector<double>> raw_round_trips(const RawTransport& transport, const ServerOptions& like,
                                                          std::size_t message_size, std::uint64_t round_trips);

/// A writer into one bare pipe, a thread that reads it and writes into a
/// second, and this thread reading the second. Seconds from the first write
/// until the last byte was read.
[[nodiscard]] Result<double> raw_relay(const RawTransport& transport, const ServerOptions& like,
                                       std::size_t piece_size, std::uint64_t count);

}  // namespace pipescope::cli
