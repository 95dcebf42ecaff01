// What several exporters write the same way: a record's time and its
// endpoint's label.
#pragma once

#include <cstdint>
#include <string>

#include "pipescope/log.hpp"

namespace pipescope::detail {

/// "2024-05-01T12:34:56.123456Z": UTC, so that exports from different
/// machines line up and the text does not depend on the time zone.
[[nodiscard]] std::string format_export_time(std::int64_t time_ns);
/// The endpoint's label with control characters made spaces, so that a
/// label can never break a one-line-per-record layout; "endpoint N" for an
/// endpoint without one.
[[nodiscard]] std::string export_label(const MessageLog::RowView& row);

}  // namespace pipescope::detail
