#include "export_common.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace pipescope::detail {

std::string format_export_time(std::int64_t time_ns) {
  using namespace std::chrono;
  const sys_time<microseconds> time = floor<microseconds>(sys_time<nanoseconds>(nanoseconds(time_ns)));
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss<microseconds> clock(time - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

std::string export_label(const MessageLog::RowView& row) {
  if (row.endpoint == nullptr || row.endpoint->label.empty()) return fmt::format("endpoint {}", row.record.endpoint);
  std::string label = row.endpoint->label;
  std::replace_if(
      label.begin(), label.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }, ' ');
  return label;
}

}  // namespace pipescope::detail
