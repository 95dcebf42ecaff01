// The figures `bench` reports: one line of the table (and one JSON object)
// per engine figure and raw transport, with its target where it has one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_raw.hpp"

namespace pipescope::cli {

class Console;

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
  [[nodiscard]] std::optional<bool> passed() const;
};

/// The table of every figure, in the console's sentences mode.
void print_table(const Console& console, const std::vector<Figure>& figures);

/// The {"event":"bench",...} object of one figure, which scripts/bench.sh reads.
[[nodiscard]] nlohmann::json figure_json(const Figure& figure, const std::string& backend);

}  // namespace pipescope::cli
