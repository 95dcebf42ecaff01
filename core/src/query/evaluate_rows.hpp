// The one loop that evaluates a filter over a range of rows, shared by
// QueryMatches (on its owner's thread) and QueryScan (on its worker).
//
// A pattern is tested against whole messages (LogQuery::pattern): the parts
// of a message read in ERROR_MORE_DATA parts are put together and decided
// at its last part, all matching or none. The parts of one message are the
// records of one endpoint in one direction from a part flagged more_data up
// to the next one without; records of other endpoints may lie in between.
// The matching rows are still handed out in ascending order, so a row is
// decided only once every message that began before it is: the walk tells
// how far that is (decided_to), and the next walk starts there again.
//
// A message whose last part never comes (its reader closed mid-message, or a
// crafted file) must not hold back the rows after it for ever. It is decided
// part by part once kHoldRows rows have followed its first part or kHoldNs
// of record time its latest part, or, at the end of the rows, once its
// latest part is kHoldNs older than now; and QueryMatches::settle() decides
// it at once. (So a walk longer than kHoldRows always decides rows: a
// message still open at its end began within kHoldRows of it.)
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "pipescope/log_query.hpp"

namespace pipescope::detail {

// Room for a message of 8,192 parts (512 MiB read 64 KiB at a time) with
// other endpoints' records between them.
inline constexpr std::uint64_t kHoldRows = 8192;
inline constexpr std::int64_t kHoldNs = 1'000'000'000;

struct Evaluated {
  LogReader::WalkEnd end = LogReader::WalkEnd::finished;
  /// Rows before this one are decided: their matches were appended. At most
  /// the range's end; less when a message that began earlier is unfinished.
  std::uint64_t decided_to = 0;
};

/// Appends the rows in [first, last) of `at` that `filter` matches, and are
/// decided, to `matches` (ascending); stops early (WalkEnd::stopped) once
/// `cancelled` is set. With `settle`, a message still unfinished at `last`
/// is decided part by part (the log will not grow).
[[nodiscard]] Evaluated evaluate_rows(const LogReader& reader, const LogReader::Snapshot& at, const LogFilter& filter,
                                      std::uint64_t first, std::uint64_t last, std::vector<std::uint64_t>& matches,
                                      const std::atomic<bool>* cancelled = nullptr, bool settle = false);

}  // namespace pipescope::detail
