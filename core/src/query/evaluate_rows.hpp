// The one loop that evaluates a filter over a range of rows, shared by
// QueryMatches (on its owner's thread) and QueryScan (on its worker).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "pipescope/log_query.hpp"

namespace pipescope::detail {

/// Appends the rows in [first, last) of `at` that `filter` matches to
/// `matches`; stops early (WalkEnd::stopped) once `cancelled` is set.
[[nodiscard]] LogReader::WalkEnd evaluate_rows(const LogReader& reader, const LogReader::Snapshot& at,
                                               const LogFilter& filter, std::uint64_t first, std::uint64_t last,
                                               std::vector<std::uint64_t>& matches,
                                               const std::atomic<bool>* cancelled = nullptr);

}  // namespace pipescope::detail
