// Which records of a message log to show: a LogQuery says it, a LogFilter is
// the query made ready to test records (its pattern compiled), QueryMatches
// keeps the list of matching rows of one log and extends it with each new
// batch, and QueryScan evaluates a large existing log on a worker thread,
// with progress and cancellation. Used by the GUI's log model and by
// `pipescope-cli log`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"
#include "pipescope/log.hpp"
#include "pipescope/log_reader.hpp"

namespace pipescope {

/// How a payload pattern is written.
enum class PatternKind : std::uint8_t {
  none,   ///< every payload matches
  text,   ///< a substring of the payload's bytes
  regex,  ///< an RE2 regular expression (linear time, no back-references)
  hex,    ///< bytes written in hex (codec's InputFormat::hex), a substring
};

/// How a regular expression reads payload bytes.
enum class PatternEncoding : std::uint8_t {
  latin1,  ///< one byte is one character: any payload, binary too
  utf8,    ///< multi-byte characters; bytes that are not UTF-8 match no character class
};

struct PayloadPattern {
  PatternKind kind = PatternKind::none;
  std::string text;
  /// Text and regular expressions; ASCII letters only for text, full Unicode
  /// case folding for a UTF-8 regular expression.
  bool case_sensitive = true;
  PatternEncoding encoding = PatternEncoding::latin1;
};

/// Every condition set must hold; an empty set or an absent bound means any.
struct LogQuery {
  std::set<EndpointId> endpoints;
  std::set<Direction> directions;
  std::uint8_t flags_all = 0;   ///< the record has every one of these flags (record_flags)
  std::uint8_t flags_none = 0;  ///< and none of these
  std::optional<std::int64_t> from_ns;   ///< time_ns >= from_ns
  std::optional<std::int64_t> until_ns;  ///< time_ns < until_ns
  /// Tested against whole messages: the parts of a message read in
  /// ERROR_MORE_DATA parts (flagged more_data, then a last part without)
  /// all match when the message put together matches, so a filter never
  /// shows one part of a message and hides the others, and finds text that
  /// straddles two parts. The other conditions hold per record.
  PayloadPattern pattern;

  /// False when every record matches.
  [[nodiscard]] bool filters() const noexcept;
};

/// A query ready to test records. Immutable and safe to share between
/// threads (matches() is const and keeps no state).
class LogFilter {
 public:
  /// Compiles the pattern. An invalid one is Errc::bad_input, with the
  /// position in the pattern and the reason ("regular expression, position
  /// 3: missing ): (ab").
  [[nodiscard]] static Result<LogFilter> compile(LogQuery query);
  /// A filter that lets every record through.
  LogFilter();
  ~LogFilter();
  LogFilter(LogFilter&&) noexcept;
  LogFilter& operator=(LogFilter&&) noexcept;
  LogFilter(const LogFilter&) = delete;
  LogFilter& operator=(const LogFilter&) = delete;

  /// The record's conditions and the pattern against this payload alone.
  [[nodiscard]] bool matches(const Record& record, std::span<const std::byte> payload) const;
  /// Every condition but the pattern.
  [[nodiscard]] bool matches_record(const Record& record) const;
  /// The pattern alone, against a payload (a record's, or a whole message's).
  [[nodiscard]] bool matches_payload(std::span<const std::byte> payload) const;
  /// True when a pattern is set: then a message's parts are decided together.
  [[nodiscard]] bool tests_payloads() const noexcept;
  [[nodiscard]] const LogQuery& query() const noexcept;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

/// The matching rows of one log, in order. Owned and called by one thread;
/// the log may grow meanwhile from others.
class QueryMatches {
 public:
  /// What one extension added: indexes [first, first + count) of rows().
  struct Added {
    std::size_t first = 0;
    std::size_t count = 0;
    /// The log was cleared or loaded since the last extension: the list was
    /// emptied and evaluated again from row 0 (a model resets).
    bool restarted = false;
  };

  QueryMatches(const MessageLog& log, std::shared_ptr<const LogFilter> filter);

  /// Evaluates the rows from scanned_rows() up to row_count (at most the rows
  /// published now) and appends those that match. A message whose last part
  /// has not been logged yet is decided when it has (or, if it never comes,
  /// once it is old: see query/evaluate_rows.hpp); until then scanned_rows()
  /// stays at its first part, and the rows after it wait with it.
  Added extend_to(std::uint64_t row_count);
  /// extend_to() every row published now.
  Added extend() { return extend_to(UINT64_MAX); }
  /// Takes the result of a QueryScan batch: matching `rows` (ascending, each
  /// at or past scanned_rows()) found in rows up to `scanned_to` of the
  /// contents `generation` names. A batch of other contents is ignored.
  Added append_scanned(std::span<const std::uint64_t> rows, std::uint64_t scanned_to, std::uint64_t generation);
  /// Forgets the matches: the next extension starts at row 0.
  void reset() noexcept;
  /// For a log that will not grow (a saved file): extends to its end and
  /// decides every message still waiting for a part, part by part.
  Added settle();

  [[nodiscard]] std::span<const std::uint64_t> rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t size() const noexcept { return rows_.size(); }
  [[nodiscard]] std::uint64_t operator[](std::size_t index) const { return rows_.at(index); }
  /// Rows of the log evaluated so far.
  [[nodiscard]] std::uint64_t scanned_rows() const noexcept { return scanned_; }
  [[nodiscard]] const LogFilter& filter() const noexcept { return *filter_; }
  [[nodiscard]] const std::shared_ptr<const LogFilter>& shared_filter() const noexcept { return filter_; }
  [[nodiscard]] const LogReader& reader() const noexcept { return reader_; }

 private:
  Added extend(std::uint64_t row_count, bool settle);

  LogReader reader_;
  std::shared_ptr<const LogFilter> filter_;
  std::vector<std::uint64_t> rows_;
  std::uint64_t scanned_ = 0;
  std::optional<std::uint64_t> generation_;
};

/// Evaluates rows [0, until.rows) of a log on a worker thread, handing the
/// matches over in batches. Destroying the scan cancels it and waits for the
/// worker.
class QueryScan {
 public:
  struct Batch {
    std::vector<std::uint64_t> rows;  ///< matching rows found in this batch, ascending
    std::uint64_t scanned = 0;        ///< rows decided so far (never falls; may end short of total at a message
                                      ///< still waiting for its last part, which QueryMatches decides later)
    std::uint64_t total = 0;          ///< rows to evaluate (until.rows)
    std::uint64_t generation = 0;     ///< the contents scanned (for QueryMatches::append_scanned)
  };
  enum class End : std::uint8_t { finished, cancelled, replaced };
  /// Both run on the worker thread; on_end runs once, last.
  using BatchSink = std::function<void(Batch batch)>;
  using EndSink = std::function<void(End end, std::uint64_t scanned)>;

  /// Rows evaluated between two batches: small enough for progress to move
  /// several times a second on a big log, large enough that handing a batch
  /// over costs nothing next to evaluating it.
  static constexpr std::uint64_t kRowsPerBatch = 16384;

  QueryScan(const MessageLog& log, std::shared_ptr<const LogFilter> filter, LogReader::Snapshot until,
            BatchSink on_batch, EndSink on_end);
  ~QueryScan();
  QueryScan(const QueryScan&) = delete;
  QueryScan& operator=(const QueryScan&) = delete;

  /// Asks the worker to stop after the row it is evaluating; on_end then
  /// says cancelled (unless it had finished already).
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  /// Waits until on_end has returned.
  void wait();

 private:
  void run(LogReader reader, LogReader::Snapshot until, BatchSink on_batch, EndSink on_end);

  std::shared_ptr<const LogFilter> filter_;
  std::atomic<bool> cancelled_{false};
  std::thread worker_;
};

}  // namespace pipescope
