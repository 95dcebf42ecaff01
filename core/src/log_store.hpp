// The storage behind MessageLog, private to the log: log.cpp appends and
// reads through it, log_limit.cpp keeps the records that do not fit under
// the memory limit, log_io.cpp saves, loads and exports through it. Its
// parts live in core/src/log/, one concept a file: the memory reserve that
// prepares memory ahead (memory_reserve, with page_memory_<os>.cpp chosen by
// CMake), the payload arena, the record index and the contents they make up.
//
// Locking, in MessageLog::Impl: one appender at a time holds `append_mutex`
// (a plain mutex: taking the shared mutex exclusively cost about 100 ns a
// record here, more than the rest of an append). Appending never moves or
// changes what readers can reach: records and payload bytes are written
// beyond what has been published, and the published row count is raised
// (release) only afterwards. Readers therefore need no lock against
// appenders; they share `mutex` only against clear() and load_jsonl(), which
// take `append_mutex` and then `mutex` exclusively because they do change
// what readers can reach. load_jsonl() fills a second LogContents without any
// lock and swaps it in only when the whole file was good.
//
// The memory limit (see log.hpp) is decided on the append path by one sum
// and one comparison against limits computed when the limit is set: no
// system call, no lock beyond append_mutex. What it bounds is `held_bytes`,
// the payload bytes kept plus 24 bytes for every record, plus the room left
// unused at the ends of full arena chunks; it is counted as records are
// appended rather than read from the allocations, so it is exact to the byte
// also for the small limits tests use.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"
#include "brief_mutex.hpp"
#include "log/log_contents.hpp"
#include "log/memory_reserve.hpp"
#include "pipescope/vocabulary.hpp"
#include "shared_mutex.hpp"

namespace pipescope::detail {

/// Why a log stopped keeping payloads.
enum class FullReason : std::uint8_t { limit, allocation_failed };

/// Writes one record of the JSON-lines format (log_io.cpp) to `text`: one
/// line, or, when its payload is larger than `max_part_bytes`, consecutive
/// lines of at most that many bytes each, every one but the last flagged
/// more-data. save_jsonl() passes MessageLog::kMaxJsonlRecordPayload, the
/// most a line that load_jsonl() reads can carry; tests pass less.
void append_record_lines(std::string& text, const Record& record, std::span<const std::byte> payload,
                         std::size_t max_part_bytes);

}  // namespace pipescope::detail

namespace pipescope {

namespace detail {
/// The tests' way to a log's contents, for the allocation seams of its arena
/// and index (PayloadArena::allocation_limit, RecordIndex::allocation_limit).
struct MessageLogAccess {
  static LogContents& contents(MessageLog& log) noexcept;
  /// LogReader's way in: it walks rows under the read lock, as write_rows()
  /// does, and copies rows into another log.
  static MessageLog::Impl& impl(MessageLog& log) noexcept { return *log.impl_; }
  static const MessageLog::Impl& impl(const MessageLog& log) noexcept { return *log.impl_; }
};
}  // namespace detail

struct MessageLog::Impl {
  /// Declared first so that it outlives the contents, which take from it.
  detail::MemoryReserve reserve;
  /// One appender at a time (see the top of this file).
  detail::BriefMutex append_mutex;
  /// Shared by readers; taken exclusively (after append_mutex) by clear(),
  /// load_jsonl() and register_endpoint(), which change what readers reach.
  mutable detail::SharedMutex mutex;
  detail::LogContents contents;
  /// The memory limit and what follows from it, guarded by append_mutex:
  /// payloads are kept while limited_bytes() stays within payload_limit, and
  /// records without payload while it stays within memory_limit. An eighth of
  /// the limit is left for records without payload, so that a flood still
  /// shows its shape (when, who, how much) for a good while after the bytes
  /// stop being kept: at 4 GiB, 512 MiB hold 22 million records.
  std::uint64_t memory_limit = 0;
  std::uint64_t payload_limit = 0;
  /// False from the first record not kept whole until clear(), load_jsonl()
  /// or set_memory_limit(): the log then keeps no payload at all, so that a
  /// reader knows every byte before that row was kept and none after it.
  bool keeping_payloads = true;
  detail::FullReason full_reason = detail::FullReason::limit;
  std::uint64_t full_from_row = 0;

  /// Counts clear() and load_jsonl(), so that a long save or export that
  /// releases the lock between batches notices that the rows it was walking
  /// are gone. Guarded by mutex.
  std::uint64_t generation = 0;

  /// The published counters. `size` is the row count readers may use: it is
  /// raised (release) only after the rows below it are complete.
  std::atomic<std::uint64_t> size{0};
  std::atomic<std::uint64_t> payload_bytes{0};
  std::atomic<std::uint64_t> memory_bytes{0};
  /// Change only on the slow paths (publish_limit_counters()).
  std::atomic<std::uint64_t> published_limit{0};
  std::atomic<std::uint64_t> truncated_records{0};
  std::atomic<std::uint64_t> dropped_records{0};
  std::atomic<std::uint64_t> dropped_bytes{0};

  /// Call with append_mutex held, after the contents changed.
  void publish_counters() noexcept {
    payload_bytes.store(contents.payload_bytes, std::memory_order_relaxed);
    memory_bytes.store(contents.memory_bytes() + reserve.held_bytes(), std::memory_order_relaxed);
    size.store(contents.records.size(), std::memory_order_release);
  }
  /// Call with append_mutex held, after a record was not kept whole, or the
  /// contents or the limit were replaced.
  void publish_limit_counters() noexcept {
    published_limit.store(memory_limit, std::memory_order_relaxed);
    truncated_records.store(contents.truncated_records, std::memory_order_relaxed);
    dropped_records.store(contents.dropped_records, std::memory_order_relaxed);
    dropped_bytes.store(contents.dropped_bytes, std::memory_order_relaxed);
  }
  /// Sets the limit and starts keeping payloads again (append_mutex held).
  void apply_memory_limit(std::uint64_t bytes) noexcept {
    memory_limit = bytes;
    payload_limit = bytes - bytes / 8;
    keeping_payloads = true;
    publish_limit_counters();
  }
  /// append_record()'s path for a record whose bytes are not kept.
  AppendResult append_without_payload(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                                      std::uint8_t flags, std::int64_t time_ns, detail::FullReason reason);
  /// The rows a reader may use.
  [[nodiscard]] std::uint64_t published_rows() const noexcept { return size.load(std::memory_order_acquire); }

  enum class WalkEnd { finished, stopped, replaced, write_failed };

  /// Walks rows [0, end) of the contents as they were in `expected_generation`,
  /// for saving and exporting. The shared lock is held for one batch of rows
  /// at a time, so a clear() waits at most one batch, and the text a batch
  /// produced is written to `out` only after the lock is released, so a slow
  /// disk never holds up the engine. `visit(row, record, payload, contents,
  /// text)` appends to `text` and returns false to stop the walk.
  template <class Visit>
  WalkEnd walk_rows(std::uint64_t end, std::uint64_t expected_generation, std::ostream& out,
                    Visit&& visit) const;
};

template <class Visit>
MessageLog::Impl::WalkEnd MessageLog::Impl::walk_rows(std::uint64_t end, std::uint64_t expected_generation,
                                                      std::ostream& out, Visit&& visit) const {
  // About a millisecond of formatting: short enough for a clear() to wait,
  // long enough that taking the lock costs nothing next to it.
  constexpr std::uint64_t kRowsPerBatch = 4096;
  std::string text;
  for (std::uint64_t first = 0; first < end; first += kRowsPerBatch) {
    const std::uint64_t last = std::min(end, first + kRowsPerBatch);
    bool stopped = false;
    {
      std::shared_lock lock(mutex);
      if (generation != expected_generation) return WalkEnd::replaced;
      for (std::uint64_t row = first; row < last && !stopped; ++row) {
        const Record record = contents.records[row];
        stopped = !visit(row, record, contents.payload(record), contents, text);
      }
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    text.clear();
    if (!out) return WalkEnd::write_failed;
    if (stopped) return WalkEnd::stopped;
  }
  return WalkEnd::finished;
}

}  // namespace pipescope
