// What every benchmark shares, the console tool's `bench` and the programs in
// tests/bench alike: the summaries of a set of measurements and a table that
// lines up although its text has characters wider than a byte (≤, ×, µ).
// Header-only, standard library only (the CMake target pipescope_bench_stats).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace pipescope::bench {

/// The middle value, or the mean of the two middle values; 0 for no values.
inline double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

/// The nearest-rank percentile: the smallest value that at least `percent`
/// of the values do not exceed; 0 for no values.
inline double percentile(std::vector<double> values, double percent) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

/// `text` followed by spaces up to `width` characters (UTF-8 aware: a
/// character is counted once, not per byte), and at least one space.
inline std::string pad(const std::string& text, std::size_t width) {
  std::size_t characters = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
  }
  return text + std::string(characters < width ? width - characters : 1, ' ');
}

}  // namespace pipescope::bench
