// What the benchmark programs share: a table that lines up although its text
// has characters wider than a byte (≤, ×, µ), and the percentile they report.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace pipescope::bench {

/// `text` followed by spaces up to `width` characters (UTF-8 aware), and at
/// least one space.
inline std::string pad(const std::string& text, std::size_t width) {
  std::size_t characters = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;
  }
  return text + std::string(characters < width ? width - characters : 1, ' ');
}

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

/// The nearest-rank percentile: the smallest value that at least `percent`
/// of the values do not exceed; 0 for no values.
inline double percentile(std::vector<double> values, double percent) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

/// A number with a fixed count of decimals.
inline std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace pipescope::bench
