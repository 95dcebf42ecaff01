// QueryMatches: the list of a log's matching rows, extended batch by batch.
#include <algorithm>
#include <utility>

#include "pipescope/log_query.hpp"
#include "query/evaluate_rows.hpp"

namespace pipescope {

QueryMatches::QueryMatches(const MessageLog& log, std::shared_ptr<const LogFilter> filter)
    : reader_(log), filter_(filter ? std::move(filter) : std::make_shared<const LogFilter>()) {}

void QueryMatches::reset() noexcept {
  rows_.clear();
  scanned_ = 0;
  generation_.reset();
}

QueryMatches::Added QueryMatches::extend_to(std::uint64_t row_count) { return extend(row_count, false); }

QueryMatches::Added QueryMatches::settle() { return extend(UINT64_MAX, true); }

QueryMatches::Added QueryMatches::extend(std::uint64_t row_count, bool settle) {
  Added added;
  // Evaluated again from row 0 at most once: a log replaced twice during
  // one call is evaluated on the next call.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const LogReader::Snapshot at = reader_.snapshot();
    if (generation_ && *generation_ != at.generation) {
      reset();
      added.restarted = true;
    }
    generation_ = at.generation;
    added.first = rows_.size();
    const std::uint64_t end = std::min(row_count, at.rows);
    if (end <= scanned_) break;
    const detail::Evaluated evaluated =
        detail::evaluate_rows(reader_, at, *filter_, scanned_, end, rows_, nullptr, settle);
    if (evaluated.end == LogReader::WalkEnd::finished) {
      scanned_ = evaluated.decided_to;
      break;
    }
    // The log was replaced during the walk: what was found belongs to rows
    // that are gone.
    rows_.resize(added.first);
  }
  added.count = rows_.size() - added.first;
  return added;
}

QueryMatches::Added QueryMatches::append_scanned(std::span<const std::uint64_t> rows, std::uint64_t scanned_to,
                                                 std::uint64_t generation) {
  Added added;
  if (generation_ && *generation_ != generation) return added;
  generation_ = generation;
  added.first = rows_.size();
  if (scanned_to <= scanned_) return added;
  for (const std::uint64_t row : rows) {
    if (row >= scanned_ && row < scanned_to) rows_.push_back(row);
  }
  scanned_ = scanned_to;
  added.count = rows_.size() - added.first;
  return added;
}

}  // namespace pipescope
