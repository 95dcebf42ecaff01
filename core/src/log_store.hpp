// The storage behind MessageLog, private to the log: log.cpp appends and
// reads through it, log_limit.cpp keeps the records that do not fit under
// the memory limit, log_io.cpp saves, loads and exports through it.
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
#include "stable_table.hpp"
#include "pipescope/vocabulary.hpp"
#include "shared_mutex.hpp"

namespace pipescope::detail {

/// The words for the record flags are the vocabulary's (kRecordFlagWords).
inline constexpr const auto& kRecordFlagNames = kRecordFlagWords;

/// Every flag bit that has a meaning. append() rejects the others, so that
/// every stored record can be saved and loaded again.
inline constexpr std::uint8_t kKnownRecordFlags = record_flags::message | record_flags::more_data |
                                                  record_flags::partial | record_flags::transact |
                                                  record_flags::stderr_stream | record_flags::responder |
                                                  record_flags::truncated;
/// The flags a caller may pass to append(): truncated is the log's to set,
/// because only the log knows that it kept no bytes.
inline constexpr std::uint8_t kCallerRecordFlags = kKnownRecordFlags & ~record_flags::truncated;

/// Keeps the next arena chunk and the next index block ready: allocated,
/// with every page written once, by a thread of its own. A page the appending
/// thread touches for the first time costs it a page fault of 2-3 µs here
/// (measured on the benchmark machine), which is 30-50 ns for every 64-byte
/// record; done ahead on another thread, that cost leaves the engine's I/O
/// thread. The thread starts when a log first asks for memory ahead, which a
/// small log never does.
class MemoryReserve {
 public:
  MemoryReserve() = default;
  MemoryReserve(const MemoryReserve&) = delete;
  MemoryReserve& operator=(const MemoryReserve&) = delete;
  ~MemoryReserve();

  /// Starts preparing a buffer of `bytes` for `slot` (0: arena chunk,
  /// 1: index block) unless one is already prepared or on its way. Returns
  /// the bytes newly set aside, so the caller can count them as held.
  std::size_t prepare(unsigned slot, std::size_t bytes);
  /// The buffer prepared for `slot`, waiting for it to be finished if it is
  /// on its way; nullptr when none was asked for.
  std::unique_ptr<std::byte[]> take(unsigned slot);
  /// Bytes set aside and not yet taken.
  [[nodiscard]] std::size_t held_bytes() const noexcept { return held_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::size_t bytes = 0;                // 0: nothing asked for
    std::unique_ptr<std::byte[]> ready;   // set once prepared
  };
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<Slot, 2> slots_;   // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  std::atomic<std::size_t> held_{0};
  std::thread thread_;
};

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
  std::uint64_t store(std::span<const std::byte> payload, MemoryReserve* reserve);
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

  static IndexEntry from(const Record& record) noexcept;
  [[nodiscard]] Record to_record() const noexcept;
};
static_assert(sizeof(IndexEntry) == 24, "the index is sized for 24-byte entries");
static_assert(kKnownRecordFlags < 0x80, "record flags must fit into 7 bits of an index entry");

/// The records, in blocks of fixed size that are never moved, so appending
/// never copies the records already there, and a reader may read a published
/// record while the appender adds the next.
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
  void reserve_one(MemoryReserve* reserve);
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

  // Block addresses: 2048 pages of 4096 blocks, room for 2^38 records.
  using BlockTable = StableTable<Block, 12, 2048>;
  std::unique_ptr<BlockTable> blocks_ = std::make_unique<BlockTable>();
  // The memory of the blocks, owned here; blocks_ holds their addresses.
  std::vector<std::unique_ptr<std::byte[]>> owned_;
  std::size_t block_count_ = 0;
  std::uint64_t size_ = 0;
  bool asked_ahead_ = false;
};

/// What the memory limit counts for every record besides its payload: its
/// index entry.
inline constexpr std::uint64_t kRecordCost = sizeof(IndexEntry);

/// Everything a log holds: records, their payloads and the endpoints.
struct LogContents {
  PayloadArena arena;
  RecordIndex records;
  std::map<EndpointId, EndpointInfo> endpoints;
  /// The real lengths of every record's payload, kept or truncated.
  std::uint64_t payload_bytes = 0;
  /// Payload bytes kept plus kRecordCost a record (see the top of this file;
  /// arena.abandoned_bytes() is added where the limit is checked).
  std::uint64_t held_bytes = 0;
  std::uint64_t truncated_records = 0;
  /// Records the full log only counted, and their payload bytes.
  std::uint64_t dropped_records = 0;
  std::uint64_t dropped_bytes = 0;

  /// Throws std::invalid_argument for flag bits a caller may not pass and
  /// for a bad direction, std::length_error for a payload longer than a
  /// record can describe.
  static void check(Direction direction, std::size_t length, std::uint8_t flags);
  /// Checks, stores the payload and the record and returns its row. If it
  /// throws, nothing was added. `reserve` (may be null) prepares memory ahead.
  std::uint64_t append(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                       std::uint8_t flags, std::int64_t time_ns, MemoryReserve* reserve = nullptr) {
    check(direction, payload.size(), flags);
    return append_checked(endpoint, direction, payload, flags, time_ns, reserve);
  }
  /// append() for arguments check() accepted.
  std::uint64_t append_checked(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                               std::uint8_t flags, std::int64_t time_ns, MemoryReserve* reserve);
  /// Appends a record of `length` bytes without keeping them; flagged
  /// truncated unless the length is 0 (then nothing is missing). May throw
  /// std::bad_alloc or std::length_error when the index cannot grow, and then
  /// adds nothing.
  std::uint64_t append_unkept(EndpointId endpoint, Direction direction, std::uint32_t length, std::uint8_t flags,
                              std::int64_t time_ns, MemoryReserve* reserve);
  /// The bytes kept for a record: none for a truncated one.
  [[nodiscard]] std::span<const std::byte> payload(const Record& record) const {
    if ((record.flags & record_flags::truncated) != 0) return {};
    return arena.view(record.offset, record.length);
  }
  /// What the memory limit compares with.
  [[nodiscard]] std::uint64_t limited_bytes() const noexcept { return held_bytes + arena.abandoned_bytes(); }
  void clear();
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept {
    return arena.memory_bytes() + records.memory_bytes();
  }
};

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
