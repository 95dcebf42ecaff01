// The records of the message log: 24-byte index entries in blocks that
// never move.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "log/memory_reserve.hpp"
#include "log/payload_arena.hpp"
#include "log/record_flags.hpp"
#include "pipescope/log.hpp"
#include "stable_table.hpp"

namespace pipescope::detail {

/// One record as the index keeps it: 24 bytes rather than the 32 of the
/// public Record, which is what brings a 64-byte message to under 100 bytes
/// of memory. `place` packs the chunk (24 bits), the position in the chunk
/// (32 bits: a chunk never exceeds a record's 32-bit length), the direction
/// (1 bit) and the flags (7 bits).
struct IndexEntry {
  std::int64_t time_ns = 0;
  std::uint32_t length = 0;
  EndpointId endpoint = 0;
  std::uint64_t place = 0;

  // How `place` is packed, from the lowest bit up.
  static constexpr unsigned kFlagBits = 7;
  static constexpr std::uint64_t kFlagMask = (std::uint64_t{1} << kFlagBits) - 1;
  static constexpr unsigned kDirectionShift = kFlagBits;
  static constexpr unsigned kPositionShift = kDirectionShift + 1;
  static constexpr unsigned kPositionBits = 32;
  static constexpr std::uint64_t kPositionMask = (std::uint64_t{1} << kPositionBits) - 1;
  static constexpr unsigned kChunkShift = kPositionShift + kPositionBits;

  static IndexEntry from(const Record& record) noexcept;
  [[nodiscard]] Record to_record() const noexcept;
};
static_assert(sizeof(IndexEntry) == 24, "the index is sized for 24-byte entries");
static_assert(kKnownRecordFlags <= IndexEntry::kFlagMask, "record flags must fit into the flag bits of an index entry");
static_assert(PayloadArena::kMaxChunks <= std::uint64_t{1} << (64 - IndexEntry::kChunkShift),
              "every arena chunk's number must fit into the chunk bits of an index entry");
static_assert(PayloadArena::kChunkBytes - 1 <= IndexEntry::kPositionMask,
              "a position inside an arena chunk must fit into the position bits of an index entry");

/// The records, in blocks of fixed size that are never moved, so appending
/// never copies the records already there, and a reader may read a published
/// record while the appender adds the next.
// Inline: every append packs an entry and every read unpacks one. Out of
// line, in record_index.cpp, they cost a call each on the log's hottest
// path: pipescope_bench_log's 10 million appends after clear() took
// 496-498 ms against 429-435 ms inline (and 456-468 ms before the log
// store was split into files), three alternating runs each.
inline IndexEntry IndexEntry::from(const Record& record) noexcept {
  IndexEntry entry;
  entry.time_ns = record.time_ns;
  entry.length = record.length;
  entry.endpoint = record.endpoint;
  const std::uint64_t chunk = record.offset >> PayloadArena::kChunkOffsetBits;
  const std::uint64_t position = record.offset & PayloadArena::kChunkOffsetMask;
  entry.place = chunk << kChunkShift | (position & kPositionMask) << kPositionShift |
                std::uint64_t{record.direction == Direction::out ? 1U : 0U} << kDirectionShift |
                (record.flags & kFlagMask);
  return entry;
}

inline Record IndexEntry::to_record() const noexcept {
  Record record;
  record.time_ns = time_ns;
  record.offset = (place >> kChunkShift) << PayloadArena::kChunkOffsetBits | (place >> kPositionShift & kPositionMask);
  record.length = length;
  record.endpoint = endpoint;
  record.direction = (place >> kDirectionShift & 1U) != 0 ? Direction::out : Direction::in;
  record.flags = static_cast<std::uint8_t>(place & kFlagMask);
  return record;
}

class RecordIndex {
 public:
  /// 32 Ki records of 24 bytes: 768 KiB a block.
  static constexpr std::size_t kRecordsPerBlock = std::size_t{1} << 15;
  static constexpr std::size_t kBlockBytes = kRecordsPerBlock * sizeof(IndexEntry);
  static constexpr std::size_t kPrepareAt = kRecordsPerBlock / 4;

  RecordIndex() = default;
  /// Moving swaps, so the moved-from index is an empty, usable one.
  RecordIndex(RecordIndex&& other) { swap(other); }
  RecordIndex& operator=(RecordIndex&& other) noexcept {
    swap(other);
    return *this;
  }
  RecordIndex(const RecordIndex&) = delete;
  RecordIndex& operator=(const RecordIndex&) = delete;

  /// Makes sure push_back() has room without allocating. May throw
  /// (out of memory) and then changes nothing that matters. Appender only.
  /// Inline where the last block has room (every record but one in
  /// kRecordsPerBlock), as PayloadArena::store() is.
  void reserve_one(MemoryReserve* reserve) {
    if (size_ < std::uint64_t{block_count_} * kRecordsPerBlock) {
      // A quarter into the last block, the next one is asked for ahead.
      if (reserve != nullptr && !asked_ahead_ && size_ / kRecordsPerBlock + 1 == block_count_ &&
          size_ % kRecordsPerBlock == kPrepareAt) {
        reserve->prepare(1, kBlockBytes);
        asked_ahead_ = true;
      }
      return;
    }
    add_block(reserve);
  }
  /// Appends a record; reserve_one() must have been called first. The
  /// record is not published: readers learn of it from the log's row count.
  void push_back(const Record& record) noexcept {
    block(size_)[size_ % kRecordsPerBlock] = IndexEntry::from(record);
    ++size_;
  }
  [[nodiscard]] Record operator[](std::uint64_t row) const noexcept {
    return block(row)[row % kRecordsPerBlock].to_record();
  }
  /// Records appended so far (appender, or anyone who keeps the appender out).
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  /// Forgets every record and keeps the blocks for reuse.
  void clear() noexcept { size_ = 0; }
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept { return std::uint64_t{block_count_} * kBlockBytes; }

  /// As PayloadArena::allocation_limit: the tests' seam for a failed
  /// allocation of a block.
  std::uint64_t allocation_limit = std::numeric_limits<std::uint64_t>::max();

 private:
  using Block = IndexEntry*;
  [[nodiscard]] IndexEntry* block(std::uint64_t row) const noexcept { return (*blocks_)[row / kRecordsPerBlock]; }
  void swap(RecordIndex& other) noexcept;
  /// reserve_one() when every block is full: allocates the next one.
  void add_block(MemoryReserve* reserve);

  // Block addresses: 2048 pages of 4096 blocks, room for 2^38 records.
  using BlockTable = StableTable<Block, 12, 2048>;
  std::unique_ptr<BlockTable> blocks_ = std::make_unique<BlockTable>();
  // The memory of the blocks, owned here; blocks_ holds their addresses.
  std::vector<std::unique_ptr<std::byte[]>> owned_;
  std::size_t block_count_ = 0;
  std::uint64_t size_ = 0;
  bool asked_ahead_ = false;
};

}  // namespace pipescope::detail
