// QueryMatches: the list of a log's matching rows, extended batch by batch.
#include <algorithm>
#include <utility>

#include "pipescope/log_query.hpp"
#include "query/evaluate_rows.hpp"

namespace pipescope {

namespace detail {

LogReader::WalkEnd evaluate_rows(const LogReader& reader, const LogReader::Snapshot& at, const LogFilter& filter,
                                 std::uint64_t first, std::uint64_t last, std::vector<std::uint64_t>& matches,
                                 const std::atomic<bool>* cancelled) {
  return reader.walk(at, first, last, [&](const MessageLog::RowView& row) {
    if (cancelled != nullptr && cancelled->load(std::memory_order_relaxed)) return false;
    if (filter.matches(row.record, row.payload)) matches.push_back(row.row);
    return true;
  });
}

}  // namespace detail

QueryMatches::QueryMatches(const MessageLog& log, std::shared_ptr<const LogFilter> filter)
    : reader_(log), filter_(filter ? std::move(filter) : std::make_shared<const LogFilter>()) {}

void QueryMatches::reset() noexcept {
  rows_.clear();
  scanned_ = 0;
  generation_.reset();
}

QueryMatches::Added QueryMatches::extend_to(std::uint64_t row_count) {
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
    if (detail::evaluate_rows(reader_, at, *filter_, scanned_, end, rows_) == LogReader::WalkEnd::finished) {
      scanned_ = end;
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
