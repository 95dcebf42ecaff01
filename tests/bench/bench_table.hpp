// What the benchmark programs share: the summary table they print. The
// padding that lines it up and the percentile they report are the console
// tool's bench statistics (app/cli/bench/bench_stats.hpp, the CMake target
// pipescope_bench_stats), so every benchmark summarises alike.
#pragma once

#include <cstdio>
#include <string>

#include "bench_stats.hpp"

namespace pipescope::bench {

/// One line of the summary every benchmark prints: figure, measured value,
/// target and result ("pass", "FAIL" or "-" where there is no target).
inline void print_row(const std::string& figure, const std::string& measured, const std::string& target,
                      const std::string& result) {
  std::printf("%s%s%s%s\n", pad(figure, 46).c_str(), pad(measured, 20).c_str(), pad(target, 20).c_str(),
              result.c_str());
}

inline void print_header() {
  print_row("figure", "measured", "target", "result");
  std::printf("%s\n", std::string(92, '-').c_str());
}

/// A number with a fixed count of decimals.
inline std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace pipescope::bench
