// A read-only view of a MessageLog for code that walks many rows: the query
// scans (log_query.hpp), the console's `log` command, the GUI's log model.
//
// The engine appends from its I/O threads while readers walk. A reader works
// on a snapshot: the rows published at one moment and the log's generation
// (it changes when the log is cleared or loaded). Rows below a snapshot's
// row count never change while the generation stays the same, so a walk can
// release the log between batches and go on where it stopped; a walk that
// finds the generation changed ends with `replaced` instead of reading rows
// that are gone.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "pipescope/log.hpp"

namespace pipescope {

class LogReader {
 public:
  /// The rows a reader may use, and which contents they belong to.
  struct Snapshot {
    std::uint64_t rows = 0;
    std::uint64_t generation = 0;
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
  };
  enum class WalkEnd : std::uint8_t { finished, stopped, replaced };
  /// Sees one row; false stops the walk. It runs while the log is locked for
  /// reading: it must use only the view it is given, never call the log.
  using Visitor = std::function<bool(const MessageLog::RowView& row)>;

  /// Rows visited under one read lock: about a millisecond of matching, so an
  /// appender or a clear() waits at most that long.
  static constexpr std::uint64_t kRowsPerLock = 4096;

  explicit LogReader(const MessageLog& log) noexcept : log_(&log) {}

  [[nodiscard]] const MessageLog& log() const noexcept { return *log_; }
  /// The rows published now (cheap: one atomic load).
  [[nodiscard]] std::uint64_t row_count() const noexcept;
  [[nodiscard]] Snapshot snapshot() const;
  /// Visits rows [first, min(last, at.rows)) as they are in `at`, in order.
  [[nodiscard]] WalkEnd walk(const Snapshot& at, std::uint64_t first, std::uint64_t last,
                             const Visitor& visit) const;
  /// Appends the given rows of `at` (ascending) to `into`, exactly as they
  /// are (truncated records too), and registers every endpoint the log
  /// knows: a log of only those records, for the exporters. Errc::bad_input
  /// when the log was cleared or loaded since the snapshot.
  [[nodiscard]] Result<void> copy_rows(const Snapshot& at, std::span<const std::uint64_t> rows, MessageLog& into) const;

 private:
  void copy_batches(const Snapshot& at, std::span<const std::uint64_t> rows, MessageLog& into) const;

  const MessageLog* log_;
};

}  // namespace pipescope
