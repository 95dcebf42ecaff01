#include "figures.hpp"

#include <fmt/format.h>

#include "bench_stats.hpp"
#include "console.hpp"

namespace pipescope::cli {

using bench::pad;

std::optional<bool> Figure::passed() const {
  switch (target) {
    case Target::ratio_at_least:
      return ratio() >= target_value;
    case Target::at_most_raw_plus:
      return engine <= raw + target_value;
    case Target::none:
      break;
  }
  return std::nullopt;
}

namespace {

std::string measured_text(Unit unit, double value) {
  switch (unit) {
    case Unit::bytes_per_second:
      if (value >= 1e9) return fmt::format("{:.2f} GB/s", value / 1e9);
      if (value >= 1e6) return fmt::format("{:.1f} MB/s", value / 1e6);
      return fmt::format("{:.1f} kB/s", value / 1e3);
    case Unit::messages_per_second:
      if (value >= 1e6) return fmt::format("{:.2f} M/s", value / 1e6);
      return fmt::format("{:.1f} k/s", value / 1e3);
    case Unit::nanoseconds:
      return fmt::format("{:.1f} µs", value / 1e3);
  }
  return {};
}

std::string unit_name(Unit unit) {
  switch (unit) {
    case Unit::bytes_per_second: return "bytes/s";
    case Unit::messages_per_second: return "messages/s";
    case Unit::nanoseconds: return "ns";
  }
  return {};
}

std::string comparison_text(const Figure& figure) {
  if (figure.unit == Unit::nanoseconds) return fmt::format("{:+.1f} µs", (figure.engine - figure.raw) / 1e3);
  return fmt::format("{:.2f}×", figure.ratio());
}

std::string target_text(const Figure& figure) {
  switch (figure.target) {
    case Target::ratio_at_least: return fmt::format("≥ {:.2f}×", figure.target_value);
    case Target::at_most_raw_plus: return fmt::format("≤ +{:.0f} µs", figure.target_value / 1e3);
    case Target::none: break;
  }
  return "-";
}

std::string json_target(const Figure& figure) {
  switch (figure.target) {
    case Target::ratio_at_least: return fmt::format("engine >= {} x raw", figure.target_value);
    case Target::at_most_raw_plus: return fmt::format("engine <= raw + {} ns", figure.target_value);
    case Target::none: break;
  }
  return {};
}

}  // namespace

void print_table(const Console& console, const std::vector<Figure>& figures) {
  const std::string header = pad("figure", 36) + pad("engine", 14) + pad("raw", 14) + pad("ratio", 12) +
                             pad("target", 12) + "result";
  console.say(header);
  console.say(std::string(header.size() + 4, '-'));
  for (const Figure& figure : figures) {
    const std::optional<bool> passed = figure.passed();
    console.say(pad(figure.label, 36) + pad(measured_text(figure.unit, figure.engine), 14) +
                pad(measured_text(figure.unit, figure.raw), 14) + pad(comparison_text(figure), 12) +
                pad(target_text(figure), 12) + (passed ? (*passed ? "pass" : "FAIL") : "-"));
  }
}

nlohmann::json figure_json(const Figure& figure, const std::string& backend) {
  nlohmann::json object{{"event", "bench"},
                        {"figure", figure.id},
                        {"backend", backend},
                        {"unit", unit_name(figure.unit)},
                        {"engine", figure.engine},
                        {"raw", figure.raw},
                        {"raw_transport", figure.transport.id},
                        {"raw_transport_name", figure.transport.name},
                        {"ratio", figure.ratio()},
                        {"engine_samples", figure.engine_samples},
                        {"raw_samples", figure.raw_samples}};
  if (figure.unit == Unit::nanoseconds) object["difference"] = figure.engine - figure.raw;
  if (const std::optional<bool> passed = figure.passed()) {
    object["target"] = json_target(figure);
    object["pass"] = *passed;
  } else {
    object["target"] = nullptr;
    object["pass"] = nullptr;
  }
  return object;
}

}  // namespace pipescope::cli
