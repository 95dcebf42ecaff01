// The message log: appending, reading, assembling messages, endpoints.
// Saving, loading and exporting live in log_io.cpp; what the log does once a
// record does not fit under its memory limit lives in log_limit.cpp.
#include "pipescope/log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <system_error>

#include "log_store.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace pipescope {

namespace detail {

// ----------------------------------------------------------- memory reserve

namespace {
/// The smallest page size of the systems PipeScope runs on; writing one byte
/// every this many bytes touches every page, whatever the real page size.
constexpr std::size_t kTouchStride = 4096;

/// Makes the system back every page of `memory` now.
void back_every_page(std::byte* memory, std::size_t bytes) {
#if defined(MADV_POPULATE_WRITE)
  // Linux 5.14 and later fault a whole range in with one call, which cost
  // 0.77-0.92 µs a page on the benchmark machine against 1.0-1.35 µs for a
  // fault per page. The range is the whole pages inside the allocation; two
  // stores back the partial pages at its ends. If the kernel is older (or
  // its pages are not 4 KiB) and refuses, the loop below touches every page.
  const auto start = (reinterpret_cast<std::uintptr_t>(memory) + kTouchStride - 1) & ~(kTouchStride - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(memory) + bytes) & ~(kTouchStride - 1);
  if (end > start && ::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE) == 0) {
    volatile std::byte* first = memory;
    first[0] = std::byte{0};
    first[bytes - 1] = std::byte{0};
    return;
  }
#endif
  // Written through a volatile pointer, so that the compiler keeps every
  // store: each one is what makes the OS back the page.
  volatile std::byte* page = memory;
  for (std::size_t i = 0; i < bytes; i += kTouchStride) page[i] = std::byte{0};
}
}  // namespace

MemoryReserve::~MemoryReserve() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t MemoryReserve::prepare(unsigned slot, std::size_t bytes) {
  const std::lock_guard lock(mutex_);
  Slot& s = slots_[slot];
  if (s.bytes != 0) return 0;
  if (!thread_.joinable()) {
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
      // No thread: the appender simply allocates as it goes, as it would
      // without a reserve.
      return 0;
    }
  }
  s.bytes = bytes;
  held_.fetch_add(bytes, std::memory_order_relaxed);
  changed_.notify_all();
  return bytes;
}

std::unique_ptr<std::byte[]> MemoryReserve::take(unsigned slot) {
  std::unique_lock lock(mutex_);
  Slot& s = slots_[slot];
  // Waiting for a buffer on its way costs the appender no more than faulting
  // the same pages in itself, and usually much less.
  changed_.wait(lock, [&] { return s.bytes == 0 || s.ready != nullptr; });
  if (s.bytes == 0) return nullptr;
  held_.fetch_sub(s.bytes, std::memory_order_relaxed);
  s.bytes = 0;
  return std::move(s.ready);
}

void MemoryReserve::run() {
  std::unique_lock lock(mutex_);
  const auto wanted = [this] {
    return std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.bytes != 0 && !s.ready; });
  };
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || wanted(); });
    if (stopping_) return;
    for (Slot& s : slots_) {
      if (s.bytes == 0 || s.ready) continue;
      const std::size_t bytes = s.bytes;
      lock.unlock();
      std::unique_ptr<std::byte[]> memory;
      try {
        memory = std::make_unique_for_overwrite<std::byte[]>(bytes);
        back_every_page(memory.get(), bytes);
      } catch (const std::bad_alloc&) {
        memory.reset();
      }
      lock.lock();
      if (memory) {
        s.ready = std::move(memory);
      } else {
        // Out of memory: give the request back; the appender allocates for
        // itself and meets the failure there, where it is reported.
        held_.fetch_sub(s.bytes, std::memory_order_relaxed);
        s.bytes = 0;
      }
      changed_.notify_all();
    }
  }
}

// ------------------------------------------------------------- payload arena

void PayloadArena::swap(PayloadArena& other) noexcept {
  std::swap(chunks_, other.chunks_);
  const std::size_t count = chunk_count_.load(std::memory_order_relaxed);
  chunk_count_.store(other.chunk_count_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  other.chunk_count_.store(count, std::memory_order_relaxed);
  std::swap(spare_, other.spare_);
  std::swap(filling_, other.filling_);
  std::swap(asked_ahead_, other.asked_ahead_);
  std::swap(memory_bytes_, other.memory_bytes_);
  std::swap(abandoned_bytes_, other.abandoned_bytes_);
}

void PayloadArena::check_allocation(std::size_t bytes) const {
  if (bytes > allocation_limit || memory_bytes_ > allocation_limit - bytes) throw std::bad_alloc();
}

PayloadArena::Chunk& PayloadArena::new_chunk() {
  const std::size_t index = chunk_count_.load(std::memory_order_relaxed);
  if (index >= kMaxChunks) throw std::length_error("message log: too many arena chunks");
  chunks_->ensure(index);
  return (*chunks_)[index];
}

std::uint64_t PayloadArena::store(std::span<const std::byte> payload, MemoryReserve* reserve) {
  // An empty payload needs no bytes; view() answers every zero length with an
  // empty span, whatever the offset.
  if (payload.empty()) return 0;

  const std::size_t length = payload.size();
  std::size_t chunk_index = kNoChunk;

  if (filling_ != kNoChunk &&
      (*chunks_)[filling_].capacity - (*chunks_)[filling_].used.load(std::memory_order_relaxed) >= length) {
    chunk_index = filling_;
  } else if (length >= kDedicatedThreshold) {
    check_allocation(length);
    Chunk& chunk = new_chunk();
    chunk.data = std::make_unique_for_overwrite<std::byte[]>(length);
    chunk.capacity = length;
    chunk.used.store(0, std::memory_order_relaxed);
    chunk.dedicated = true;
    memory_bytes_ += length;
    chunk_index = chunk_count_.load(std::memory_order_relaxed);
    chunk_count_.store(chunk_index + 1, std::memory_order_release);
  } else {
    start_regular_chunk(reserve);
    chunk_index = filling_;
  }

  Chunk& chunk = (*chunks_)[chunk_index];
  const std::size_t position = chunk.used.load(std::memory_order_relaxed);
  std::memcpy(chunk.data.get() + position, payload.data(), length);
  // Release: a reader that sees the new length also sees the bytes.
  chunk.used.store(position + length, std::memory_order_release);
  if (reserve != nullptr && chunk_index == filling_ && !asked_ahead_ && spare_.empty() &&
      position + length >= kPrepareAt) {
    reserve->prepare(0, kChunkBytes);
    asked_ahead_ = true;
  }
  return (std::uint64_t{chunk_index} << kChunkOffsetBits) | position;
}

std::byte* PayloadArena::start_regular_chunk(MemoryReserve* reserve) {
  Chunk& chunk = new_chunk();
  std::unique_ptr<std::byte[]> data;
  if (!spare_.empty()) {
    data = std::move(spare_.back());
    spare_.pop_back();
  } else if (asked_ahead_ && reserve != nullptr) {
    data = reserve->take(0);
    asked_ahead_ = false;
    if (data) {
      check_allocation(kChunkBytes);
      memory_bytes_ += kChunkBytes;
    }
  }
  if (!data) {
    check_allocation(kChunkBytes);
    // Not zeroed: the pages are faulted in only as payloads are written.
    data = std::make_unique_for_overwrite<std::byte[]>(kChunkBytes);
    memory_bytes_ += kChunkBytes;
  }
  if (filling_ != kNoChunk) {
    const Chunk& full = (*chunks_)[filling_];
    abandoned_bytes_ += full.capacity - full.used.load(std::memory_order_relaxed);
  }
  chunk.data = std::move(data);
  chunk.capacity = kChunkBytes;
  chunk.used.store(0, std::memory_order_relaxed);
  chunk.dedicated = false;
  filling_ = chunk_count_.load(std::memory_order_relaxed);
  chunk_count_.store(filling_ + 1, std::memory_order_release);
  return chunk.data.get();
}

std::span<const std::byte> PayloadArena::view(std::uint64_t offset, std::uint32_t length) const {
  if (length == 0) return {};
  const std::uint64_t chunk_index = offset >> kChunkOffsetBits;
  const std::uint64_t position = offset & kChunkOffsetMask;
  if (chunk_index >= chunk_count_.load(std::memory_order_acquire)) {
    throw std::out_of_range("message log: the record's offset and length name no stored payload");
  }
  const Chunk& chunk = (*chunks_)[chunk_index];
  const std::size_t used = chunk.used.load(std::memory_order_acquire);
  if (position > used || length > used - position) {
    throw std::out_of_range("message log: the record's offset and length name no stored payload");
  }
  return {chunk.data.get() + position, length};
}

void PayloadArena::clear() {
  // Reserving first means nothing below can throw, so a failed clear leaves
  // the arena whole.
  const std::size_t count = chunk_count_.load(std::memory_order_relaxed);
  spare_.reserve(spare_.size() + count);
  for (std::size_t i = 0; i < count; ++i) {
    Chunk& chunk = (*chunks_)[i];
    if (chunk.dedicated) {
      memory_bytes_ -= chunk.capacity;
    } else {
      spare_.push_back(std::move(chunk.data));
    }
    chunk.data.reset();
    chunk.capacity = 0;
    chunk.used.store(0, std::memory_order_relaxed);
  }
  chunk_count_.store(0, std::memory_order_release);
  filling_ = kNoChunk;
  abandoned_bytes_ = 0;
}

// -------------------------------------------------------------- record index

IndexEntry IndexEntry::from(const Record& record) noexcept {
  IndexEntry entry;
  entry.time_ns = record.time_ns;
  entry.length = record.length;
  entry.endpoint = record.endpoint;
  const std::uint64_t chunk = record.offset >> PayloadArena::kChunkOffsetBits;
  const std::uint64_t position = record.offset & PayloadArena::kChunkOffsetMask;
  entry.place = chunk << 40 | (position & 0xFFFF'FFFFU) << 8 |
                std::uint64_t{record.direction == Direction::out ? 1U : 0U} << 7 | (record.flags & 0x7FU);
  return entry;
}

Record IndexEntry::to_record() const noexcept {
  Record record;
  record.time_ns = time_ns;
  record.offset = (place >> 40) << PayloadArena::kChunkOffsetBits | (place >> 8 & 0xFFFF'FFFFU);
  record.length = length;
  record.endpoint = endpoint;
  record.direction = (place >> 7 & 1U) != 0 ? Direction::out : Direction::in;
  record.flags = static_cast<std::uint8_t>(place & 0x7FU);
  return record;
}

void RecordIndex::swap(RecordIndex& other) noexcept {
  std::swap(blocks_, other.blocks_);
  std::swap(owned_, other.owned_);
  std::swap(block_count_, other.block_count_);
  std::swap(size_, other.size_);
  std::swap(asked_ahead_, other.asked_ahead_);
}

void RecordIndex::reserve_one(MemoryReserve* reserve) {
  if (size_ < std::uint64_t{block_count_} * kRecordsPerBlock) {
    // A quarter into the last block, the next one is asked for ahead.
    if (reserve != nullptr && !asked_ahead_ && size_ / kRecordsPerBlock + 1 == block_count_ &&
        size_ % kRecordsPerBlock == kPrepareAt) {
      reserve->prepare(1, kBlockBytes);
      asked_ahead_ = true;
    }
    return;
  }
  if (kBlockBytes > allocation_limit || memory_bytes() > allocation_limit - kBlockBytes) throw std::bad_alloc();
  blocks_->ensure(block_count_);
  owned_.reserve(owned_.size() + 1);
  std::unique_ptr<std::byte[]> memory;
  if (asked_ahead_ && reserve != nullptr) {
    memory = reserve->take(1);
    asked_ahead_ = false;
  }
  // Not value-initialised: a slot is always written before it is read.
  if (!memory) memory = std::make_unique_for_overwrite<std::byte[]>(kBlockBytes);
  // The entries' lifetime begins here (a no-op for this trivial type).
  IndexEntry* entries = std::uninitialized_default_construct_n(reinterpret_cast<IndexEntry*>(memory.get()),
                                                               kRecordsPerBlock) -
                        kRecordsPerBlock;
  (*blocks_)[block_count_] = entries;
  owned_.push_back(std::move(memory));
  ++block_count_;
}

// ------------------------------------------------------------------ contents

void LogContents::check(Direction direction, std::size_t length, std::uint8_t flags) {
  if ((flags & ~kCallerRecordFlags) != 0) {
    if ((flags & record_flags::truncated) != 0) {
      throw std::invalid_argument("message log: the truncated flag is set by the log, not by a caller");
    }
    throw std::invalid_argument("message log: unknown record flag bits " + std::to_string(flags & ~kKnownRecordFlags));
  }
  if (length > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("message log: a record's payload is limited to 4 GiB");
  }
  if (direction != Direction::in && direction != Direction::out) {
    throw std::invalid_argument("message log: direction is neither in nor out");
  }
}

std::uint64_t LogContents::append_checked(EndpointId endpoint, Direction direction,
                                          std::span<const std::byte> payload, std::uint8_t flags,
                                          std::int64_t time_ns, MemoryReserve* reserve) {
  // The record slot first, the payload second: if either allocation fails,
  // no record has been added.
  records.reserve_one(reserve);
  Record record;
  record.time_ns = time_ns;
  record.offset = arena.store(payload, reserve);
  record.length = static_cast<std::uint32_t>(payload.size());
  record.endpoint = endpoint;
  record.direction = direction;
  record.flags = flags;
  records.push_back(record);
  payload_bytes += payload.size();
  held_bytes += payload.size() + kRecordCost;
  return records.size() - 1;
}

void LogContents::clear() {
  arena.clear();
  records.clear();
  endpoints.clear();
  payload_bytes = 0;
  held_bytes = 0;
  truncated_records = 0;
  dropped_records = 0;
  dropped_bytes = 0;
}

LogContents& MessageLogAccess::contents(MessageLog& log) noexcept { return log.impl_->contents; }

}  // namespace detail

MessageLog::MessageLog() : impl_(std::make_unique<Impl>()) {
  impl_->apply_memory_limit(default_memory_limit());
}

MessageLog::~MessageLog() = default;

AppendResult MessageLog::append_record(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                                       std::uint8_t flags, std::int64_t time_ns) {
  detail::LogContents::check(direction, payload.size(), flags);
  const std::lock_guard lock(impl_->append_mutex);
  Impl& impl = *impl_;
  detail::FullReason reason = detail::FullReason::limit;
  // The whole cost of the limit on the common path: a flag, a sum and a
  // comparison.
  if (impl.keeping_payloads &&
      impl.contents.limited_bytes() + detail::kRecordCost + payload.size() <= impl.payload_limit) {
    try {
      AppendResult result;
      result.row = impl.contents.append_checked(endpoint, direction, payload, flags, time_ns, &impl.reserve);
      result.flags = flags;
      impl.publish_counters();
      return result;
    } catch (const std::bad_alloc&) {
      // The system (or the arena's own bounds, as length_error) refused
      // memory below the limit; append_checked() added nothing. The log
      // treats it as full rather than let the exception end the engine's
      // I/O thread, and keeps no payloads from here on, so it does not ask
      // a short system for memory again at every record.
      reason = detail::FullReason::allocation_failed;
    } catch (const std::length_error&) {
      reason = detail::FullReason::allocation_failed;
    }
  }
  return impl.append_without_payload(endpoint, direction, payload, flags, time_ns, reason);
}

std::uint64_t MessageLog::size() const noexcept { return impl_->published_rows(); }

Record MessageLog::record(std::uint64_t row) const {
  std::shared_lock lock(impl_->mutex);
  const std::uint64_t rows = impl_->published_rows();
  if (row >= rows) {
    throw std::out_of_range("message log: row " + std::to_string(row) + " is past the end (" + std::to_string(rows) +
                            " rows)");
  }
  return impl_->contents.records[row];
}

std::span<const std::byte> MessageLog::payload(const Record& record) const {
  std::shared_lock lock(impl_->mutex);
  return impl_->contents.payload(record);
}

std::vector<std::byte> MessageLog::assemble_message(std::uint64_t first_row) const {
  std::shared_lock lock(impl_->mutex);
  const detail::LogContents& contents = impl_->contents;
  const std::uint64_t rows = impl_->published_rows();
  if (first_row >= rows) {
    throw std::out_of_range("message log: row " + std::to_string(first_row) + " is past the end (" +
                            std::to_string(rows) + " rows)");
  }
  const Record first = contents.records[first_row];
  const auto first_part = contents.payload(first);
  std::vector<std::byte> message(first_part.begin(), first_part.end());
  bool more = (first.flags & record_flags::more_data) != 0;
  // Other endpoints, and this endpoint's other direction, may have records in
  // between the parts; they belong to other messages. A message whose last
  // part has not arrived yet is returned as far as it goes.
  for (std::uint64_t row = first_row + 1; more && row < rows; ++row) {
    const Record part = contents.records[row];
    if (part.endpoint != first.endpoint || part.direction != first.direction) continue;
    const auto bytes = contents.payload(part);
    message.insert(message.end(), bytes.begin(), bytes.end());
    more = (part.flags & record_flags::more_data) != 0;
  }
  return message;
}

std::uint64_t MessageLog::payload_bytes() const noexcept {
  return impl_->payload_bytes.load(std::memory_order_relaxed);
}

std::uint64_t MessageLog::memory_bytes() const noexcept {
  return impl_->memory_bytes.load(std::memory_order_relaxed);
}

void MessageLog::clear() {
  const std::lock_guard appending(impl_->append_mutex);
  std::unique_lock lock(impl_->mutex);
  impl_->contents.clear();
  ++impl_->generation;
  impl_->keeping_payloads = true;
  impl_->publish_counters();
  impl_->publish_limit_counters();
}

void MessageLog::register_endpoint(const EndpointInfo& info) {
  std::unique_lock lock(impl_->mutex);
  impl_->contents.endpoints.insert_or_assign(info.id, info);
}

std::optional<EndpointInfo> MessageLog::endpoint(EndpointId id) const {
  std::shared_lock lock(impl_->mutex);
  const auto found = impl_->contents.endpoints.find(id);
  if (found == impl_->contents.endpoints.end()) return std::nullopt;
  return found->second;
}

std::vector<EndpointInfo> MessageLog::endpoints() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<EndpointInfo> result;
  result.reserve(impl_->contents.endpoints.size());
  for (const auto& [id, info] : impl_->contents.endpoints) result.push_back(info);
  return result;
}

std::int64_t MessageLog::now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view to_string(Direction d) noexcept { return word_of(d); }

std::string flags_to_string(std::uint8_t flags) {
  std::string text;
  for (const auto& [bit, name] : detail::kRecordFlagNames) {
    if ((flags & bit) == 0) continue;
    if (!text.empty()) text += '|';
    text += name;
  }
  // Bits without a meaning cannot be in a log (append() rejects them), but a
  // caller may still pass them here; show them rather than hide them.
  if (const unsigned unknown = flags & ~detail::kKnownRecordFlags; unknown != 0) {
    static constexpr char kHexDigits[] = "0123456789abcdef";
    if (!text.empty()) text += '|';
    text += "0x";
    text += kHexDigits[unknown >> 4];
    text += kHexDigits[unknown & 0xF];
  }
  return text;
}

}  // namespace pipescope
