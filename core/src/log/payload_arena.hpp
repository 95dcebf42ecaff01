// The payload bytes of the message log, in chunks that never move.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "log/memory_reserve.hpp"
#include "stable_table.hpp"

namespace pipescope::detail {

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
  /// room of the last chunk and the one prepared ahead stay small next to
  /// millions of records (at 10 million 64-byte records, two 8 MiB chunks
  /// are under 2 bytes a record).
  static constexpr std::size_t kChunkBytes = std::size_t{8} << 20;
  static constexpr std::size_t kDedicatedThreshold = kChunkBytes / 8;
  /// 40 bits address a terabyte inside one chunk, far more than the 4 GiB a
  /// record's 32-bit length can name; the bits above number the chunks.
  static constexpr unsigned kChunkOffsetBits = 40;
  static constexpr std::uint64_t kChunkOffsetMask = (std::uint64_t{1} << kChunkOffsetBits) - 1;
  /// A million chunks: 8 TiB of regular chunks, or a million big payloads.
  static constexpr std::size_t kMaxChunks = std::size_t{1} << 20;
  /// When the chunk being filled is this full and no spare chunk waits, the
  /// next one is asked for ahead.
  static constexpr std::size_t kPrepareAt = kChunkBytes / 4;

  PayloadArena() = default;
  /// Moving swaps, so the moved-from arena is an empty, usable one.
  PayloadArena(PayloadArena&& other) { swap(other); }
  PayloadArena& operator=(PayloadArena&& other) noexcept {
    swap(other);
    return *this;
  }
  PayloadArena(const PayloadArena&) = delete;
  PayloadArena& operator=(const PayloadArena&) = delete;

  /// Copies the payload into the arena and returns its global offset. If it
  /// throws (out of memory), the arena is as it was. Appender only; `reserve`
  /// (may be null) prepares chunks ahead.
  ///
  /// The common case (room left in the chunk being filled) is inline: it is
  /// the message log's append path, measured per record (tests/bench), and a
  /// call into another file for each record cost a fifth of an append.
  std::uint64_t store(std::span<const std::byte> payload, MemoryReserve* reserve) {
    if (payload.empty()) return 0;  // view() answers every zero length, whatever the offset
    if (filling_ != kNoChunk) {
      Chunk& chunk = (*chunks_)[filling_];
      const std::size_t position = chunk.used.load(std::memory_order_relaxed);
      if (chunk.capacity - position >= payload.size()) return store_at(chunk, filling_, position, payload, reserve);
    }
    return store_in_new_chunk(payload, reserve);
  }
  /// The bytes at a global offset. Throws std::out_of_range when the offset and
  /// length do not name bytes that were stored. Safe while the appender runs.
  [[nodiscard]] std::span<const std::byte> view(std::uint64_t offset, std::uint32_t length) const;
  /// Forgets every payload. Regular chunks are kept for reuse, because
  /// returning them to the system and faulting them in again is what makes a
  /// clear slow; dedicated chunks, sized for one big payload, are freed.
  /// Needs the appender and every reader kept out.
  void clear();
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept { return memory_bytes_; }
  /// Room left unused at the ends of regular chunks that are no longer
  /// filled: memory the limit must count although no payload holds it.
  [[nodiscard]] std::uint64_t abandoned_bytes() const noexcept { return abandoned_bytes_; }

  /// The most memory the arena may hold; asking for more throws
  /// std::bad_alloc, as a system out of memory would. The tests' seam for an
  /// allocation failure, which a real system cannot be made to produce on
  /// cue. It belongs to the arena object and is not swapped by a move.
  std::uint64_t allocation_limit = std::numeric_limits<std::uint64_t>::max();

 private:
  struct Chunk {
    std::unique_ptr<std::byte[]> data;
    std::size_t capacity = 0;
    /// Bytes stored so far. Written by the appender after the bytes
    /// (release), read by readers to check a record against (acquire).
    std::atomic<std::size_t> used{0};
    bool dedicated = false;
  };
  static constexpr std::size_t kNoChunk = static_cast<std::size_t>(-1);

  /// store() for a payload that needs a new chunk (regular or dedicated).
  std::uint64_t store_in_new_chunk(std::span<const std::byte> payload, MemoryReserve* reserve);
  /// Copies the payload to `position` of a chunk with room for it and
  /// publishes its length; asks the reserve for the next regular chunk ahead.
  std::uint64_t store_at(Chunk& chunk, std::size_t chunk_index, std::size_t position,
                         std::span<const std::byte> payload, MemoryReserve* reserve) {
    std::memcpy(chunk.data.get() + position, payload.data(), payload.size());
    // Release: a reader that sees the new length also sees the bytes.
    chunk.used.store(position + payload.size(), std::memory_order_release);
    if (reserve != nullptr && chunk_index == filling_ && !asked_ahead_ && spare_.empty() &&
        position + payload.size() >= kPrepareAt) {
      reserve->prepare(0, kChunkBytes);
      asked_ahead_ = true;
    }
    return (std::uint64_t{chunk_index} << kChunkOffsetBits) | position;
  }
  std::byte* start_regular_chunk(MemoryReserve* reserve);
  Chunk& new_chunk();
  /// Throws std::bad_alloc if `bytes` more would exceed allocation_limit.
  void check_allocation(std::size_t bytes) const;
  void swap(PayloadArena& other) noexcept;

  // Index = chunk number in an offset: 4096 pages of 256 chunks.
  using ChunkTable = StableTable<Chunk, 8, 4096>;
  static_assert(ChunkTable::kCapacity == kMaxChunks);
  std::unique_ptr<ChunkTable> chunks_ = std::make_unique<ChunkTable>();
  /// Chunks in use; readers load it (acquire) before indexing chunks_.
  std::atomic<std::size_t> chunk_count_{0};
  std::vector<std::unique_ptr<std::byte[]>> spare_;    // regular chunks kept by clear()
  std::size_t filling_ = kNoChunk;                     // the regular chunk being filled
  bool asked_ahead_ = false;                           // the next chunk was asked of the reserve
  std::uint64_t memory_bytes_ = 0;                     // every chunk held, spare ones included
  std::uint64_t abandoned_bytes_ = 0;                  // see abandoned_bytes()
};

}  // namespace pipescope::detail
