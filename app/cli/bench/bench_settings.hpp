// What `bench` measures and how much traffic each measurement moves.
#pragma once

#include <cstdint>

#include "pipescope/options.hpp"

namespace pipescope::cli {

struct BenchSettings {
  PipeType type = PipeType::byte;
  std::uint32_t write_size = 64 * 1024;          ///< bytes per write in the throughput figures
  std::uint64_t total_bytes = 32 * 1024 * 1024;  ///< bytes each throughput measurement moves
  std::uint32_t message_size = 64;               ///< bytes per message (message rate, round trip)
  std::uint64_t messages = 100'000;              ///< messages of each message-rate measurement
  std::uint64_t round_trips = 2'000;             ///< round trips of each latency measurement
  unsigned repeat = 3;                           ///< measurements of each figure; the median is shown
  bool throughput = true;
  bool message_rate = true;
  bool latency = true;
  bool relay = true;
};

}  // namespace pipescope::cli
