// The storage behind MessageLog, private to the log: log.cpp appends and
// reads through it, log_io.cpp saves, loads and exports through it.
//
// The storage classes do not lock. MessageLog::Impl owns one LogContents and
// guards it with a shared mutex; load_jsonl() fills a second LogContents
// without any lock and swaps it in only when the whole file was good.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"

namespace pipescope::detail {

/// The words for the record flags, in bit order. flags_to_string() and the
/// JSON-lines format use the same words, so a saved file reads like the UI.
inline constexpr std::array<std::pair<std::uint8_t, std::string_view>, 6> kRecordFlagNames{{
    {record_flags::message, "message"},
    {record_flags::more_data, "more-data"},
    {record_flags::partial, "partial"},
    {record_flags::transact, "transact"},
    {record_flags::stderr_stream, "stderr"},
    {record_flags::responder, "responder"},
}};

/// Every flag bit that has a meaning. append() rejects the others, so that
/// every stored record can be saved and loaded again.
inline constexpr std::uint8_t kKnownRecordFlags = record_flags::message | record_flags::more_data |
                                                  record_flags::partial | record_flags::transact |
                                                  record_flags::stderr_stream | record_flags::responder;

/// Payload bytes, packed one after the other into chunks that are never moved
/// or resized, so a span into a chunk stays valid while the chunk is held.
///
/// A global offset is the chunk's index in the top bits and the position in
/// the chunk in the low kChunkOffsetBits bits. A payload never straddles two
/// chunks. A payload that does not fit into the rest of the chunk being filled
/// and is big (at least kDedicatedThreshold) gets a chunk of its own, exactly
/// its size; otherwise the next regular chunk is started. That bounds the
/// room wasted at the end of a regular chunk to less than an eighth of it.
class PayloadArena {
 public:
  /// Big enough that a chunk is allocated rarely, small enough that the spare
  /// room of the last chunk stays small next to millions of records.
  static constexpr std::size_t kChunkBytes = std::size_t{16} << 20;
  static constexpr std::size_t kDedicatedThreshold = kChunkBytes / 8;
  /// 40 bits address a terabyte inside one chunk, far more than the 4 GiB a
  /// record's 32-bit length can name; the 24 bits above allow 16 million chunks.
  static constexpr unsigned kChunkOffsetBits = 40;
  static constexpr std::uint64_t kChunkOffsetMask = (std::uint64_t{1} << kChunkOffsetBits) - 1;
  static constexpr std::size_t kMaxChunks = std::size_t{1} << (64 - kChunkOffsetBits);

  /// Copies the payload into the arena and returns its global offset. If it
  /// throws (out of memory), the arena is as it was.
  std::uint64_t store(std::span<const std::byte> payload);
  /// The bytes at a global offset. Throws std::out_of_range when the offset and
  /// length do not name bytes that were stored.
  [[nodiscard]] std::span<const std::byte> view(std::uint64_t offset, std::uint32_t length) const;
  /// Forgets every payload. Regular chunks are kept for reuse, because
  /// returning them to the system and faulting them in again is what makes a
  /// clear slow; dedicated chunks, sized for one big payload, are freed.
  void clear();
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept { return memory_bytes_; }

 private:
  struct Chunk {
    std::unique_ptr<std::byte[]> data;
    std::size_t capacity = 0;
    std::size_t used = 0;
    bool dedicated = false;
  };
  static constexpr std::size_t kNoChunk = static_cast<std::size_t>(-1);

  std::byte* start_regular_chunk();

  std::vector<Chunk> chunks_;                          // index = chunk number in an offset
  std::vector<std::unique_ptr<std::byte[]>> spare_;    // regular chunks kept by clear()
  std::size_t filling_ = kNoChunk;                     // the regular chunk being filled
  std::uint64_t memory_bytes_ = 0;                     // every chunk held, spare ones included
};

/// The records, in blocks of fixed size that are never moved, so appending
/// never copies the records already there.
class RecordIndex {
 public:
  /// 32 Ki records of 32 bytes: 1 MiB a block.
  static constexpr std::size_t kRecordsPerBlock = std::size_t{1} << 15;

  /// Makes sure push_back() has room without allocating. May throw
  /// (out of memory) and then changes nothing that matters.
  void reserve_one();
  /// Appends a record; reserve_one() must have been called first.
  void push_back(const Record& record) noexcept {
    blocks_[size_ / kRecordsPerBlock][size_ % kRecordsPerBlock] = record;
    ++size_;
  }
  [[nodiscard]] const Record& operator[](std::uint64_t row) const noexcept {
    return blocks_[row / kRecordsPerBlock][row % kRecordsPerBlock];
  }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  /// Forgets every record and keeps the blocks for reuse.
  void clear() noexcept { size_ = 0; }
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept {
    return std::uint64_t{blocks_.size()} * kRecordsPerBlock * sizeof(Record);
  }

 private:
  std::vector<std::unique_ptr<Record[]>> blocks_;
  std::uint64_t size_ = 0;
};

/// Everything a log holds: records, their payloads and the endpoints.
struct LogContents {
  PayloadArena arena;
  RecordIndex records;
  std::map<EndpointId, EndpointInfo> endpoints;
  std::uint64_t payload_bytes = 0;

  /// Checks the flags and the length, stores the payload and the record and
  /// returns its row. Throws std::invalid_argument for unknown flag bits and
  /// std::length_error for a payload longer than a record can describe; if it
  /// throws, nothing was added.
  std::uint64_t append(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                       std::uint8_t flags, std::int64_t time_ns);
  [[nodiscard]] std::span<const std::byte> payload(const Record& record) const {
    return arena.view(record.offset, record.length);
  }
  void clear();
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept {
    return arena.memory_bytes() + records.memory_bytes();
  }
};

}  // namespace pipescope::detail

namespace pipescope {

struct MessageLog::Impl {
  /// Appending, clearing and loading take it exclusively; reading shares it.
  mutable std::shared_mutex mutex;
  detail::LogContents contents;  // guarded by mutex
  /// Counts clear() and load_jsonl(), so that a long save or export that
  /// releases the lock between batches notices that the rows it was walking
  /// are gone. Guarded by mutex.
  std::uint64_t generation = 0;

  /// Copies of the contents' counters that can be read without the lock.
  /// Written only while the mutex is held exclusively.
  std::atomic<std::uint64_t> size{0};
  std::atomic<std::uint64_t> payload_bytes{0};
  std::atomic<std::uint64_t> memory_bytes{0};

  /// Call with the mutex held exclusively, after the contents changed.
  void publish_counters() noexcept {
    size.store(contents.records.size(), std::memory_order_release);
    payload_bytes.store(contents.payload_bytes, std::memory_order_relaxed);
    memory_bytes.store(contents.memory_bytes(), std::memory_order_relaxed);
  }

  enum class WalkEnd { finished, stopped, replaced, write_failed };

  /// Walks rows [0, end) of the contents as they were in `expected_generation`,
  /// for saving and exporting. The shared lock is held for one batch of rows
  /// at a time, so appends wait at most one batch, and the text a batch
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
  // About a millisecond of formatting: short enough for appends to wait,
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
        const Record& record = contents.records[row];
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
