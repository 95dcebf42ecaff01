// The message log: appending, reading, assembling messages, endpoints.
// Saving, loading and exporting live in log_io.cpp.
#include "pipescope/log.hpp"

#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>

#include "log_store.hpp"

namespace pipescope {

static_assert(sizeof(Record) == 32, "the index relies on 32-byte records");

namespace detail {

std::uint64_t PayloadArena::store(std::span<const std::byte> payload) {
  // An empty payload needs no bytes; view() answers every zero length with an
  // empty span, whatever the offset.
  if (payload.empty()) return 0;

  const std::size_t length = payload.size();
  std::size_t chunk_index = kNoChunk;
  std::byte* destination = nullptr;

  if (filling_ != kNoChunk && chunks_[filling_].capacity - chunks_[filling_].used >= length) {
    chunk_index = filling_;
    destination = chunks_[filling_].data.get() + chunks_[filling_].used;
  } else if (length >= kDedicatedThreshold) {
    if (chunks_.size() >= kMaxChunks) throw std::length_error("message log: too many arena chunks");
    chunks_.reserve(chunks_.size() + 1);
    Chunk chunk;
    chunk.data = std::make_unique_for_overwrite<std::byte[]>(length);
    chunk.capacity = length;
    chunk.dedicated = true;
    memory_bytes_ += length;
    chunk_index = chunks_.size();
    destination = chunk.data.get();
    chunks_.push_back(std::move(chunk));
  } else {
    destination = start_regular_chunk();
    chunk_index = filling_;
  }

  Chunk& chunk = chunks_[chunk_index];
  const std::uint64_t offset = (std::uint64_t{chunk_index} << kChunkOffsetBits) | chunk.used;
  std::memcpy(destination, payload.data(), length);
  chunk.used += length;
  return offset;
}

std::byte* PayloadArena::start_regular_chunk() {
  if (chunks_.size() >= kMaxChunks) throw std::length_error("message log: too many arena chunks");
  chunks_.reserve(chunks_.size() + 1);
  Chunk chunk;
  if (spare_.empty()) {
    // Not zeroed: the pages are faulted in only as payloads are written.
    chunk.data = std::make_unique_for_overwrite<std::byte[]>(kChunkBytes);
    memory_bytes_ += kChunkBytes;
  } else {
    chunk.data = std::move(spare_.back());
    spare_.pop_back();
  }
  chunk.capacity = kChunkBytes;
  filling_ = chunks_.size();
  chunks_.push_back(std::move(chunk));
  return chunks_.back().data.get();
}

std::span<const std::byte> PayloadArena::view(std::uint64_t offset, std::uint32_t length) const {
  if (length == 0) return {};
  const std::uint64_t chunk_index = offset >> kChunkOffsetBits;
  const std::uint64_t position = offset & kChunkOffsetMask;
  if (chunk_index >= chunks_.size() || position > chunks_[chunk_index].used ||
      length > chunks_[chunk_index].used - position) {
    throw std::out_of_range("message log: the record's offset and length name no stored payload");
  }
  return {chunks_[chunk_index].data.get() + position, length};
}

void PayloadArena::clear() {
  // Reserving first means nothing below can throw, so a failed clear leaves
  // the arena whole.
  spare_.reserve(spare_.size() + chunks_.size());
  for (Chunk& chunk : chunks_) {
    if (chunk.dedicated) {
      memory_bytes_ -= chunk.capacity;
    } else {
      spare_.push_back(std::move(chunk.data));
    }
  }
  chunks_.clear();
  filling_ = kNoChunk;
}

void RecordIndex::reserve_one() {
  if (size_ < std::uint64_t{blocks_.size()} * kRecordsPerBlock) return;
  blocks_.reserve(blocks_.size() + 1);
  // Not value-initialised: a slot is always written before it is read.
  blocks_.push_back(std::make_unique_for_overwrite<Record[]>(kRecordsPerBlock));
}

std::uint64_t LogContents::append(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                                  std::uint8_t flags, std::int64_t time_ns) {
  if ((flags & ~kKnownRecordFlags) != 0) {
    throw std::invalid_argument("message log: unknown record flag bits " + std::to_string(flags & ~kKnownRecordFlags));
  }
  if (payload.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("message log: a record's payload is limited to 4 GiB");
  }
  if (direction != Direction::in && direction != Direction::out) {
    throw std::invalid_argument("message log: direction is neither in nor out");
  }
  // The record slot first, the payload second: if either allocation fails,
  // no record has been added.
  records.reserve_one();
  Record record;
  record.time_ns = time_ns;
  record.offset = arena.store(payload);
  record.length = static_cast<std::uint32_t>(payload.size());
  record.endpoint = endpoint;
  record.direction = direction;
  record.flags = flags;
  records.push_back(record);
  payload_bytes += payload.size();
  return records.size() - 1;
}

void LogContents::clear() {
  arena.clear();
  records.clear();
  endpoints.clear();
  payload_bytes = 0;
}

}  // namespace detail

MessageLog::MessageLog() : impl_(std::make_unique<Impl>()) {}

MessageLog::~MessageLog() = default;

std::uint64_t MessageLog::append(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                                 std::uint8_t flags, std::int64_t time_ns) {
  std::unique_lock lock(impl_->mutex);
  const std::uint64_t row = impl_->contents.append(endpoint, direction, payload, flags, time_ns);
  impl_->publish_counters();
  return row;
}

std::uint64_t MessageLog::size() const noexcept { return impl_->size.load(std::memory_order_acquire); }

Record MessageLog::record(std::uint64_t row) const {
  std::shared_lock lock(impl_->mutex);
  if (row >= impl_->contents.records.size()) {
    throw std::out_of_range("message log: row " + std::to_string(row) + " is past the end (" +
                            std::to_string(impl_->contents.records.size()) + " rows)");
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
  if (first_row >= contents.records.size()) {
    throw std::out_of_range("message log: row " + std::to_string(first_row) + " is past the end (" +
                            std::to_string(contents.records.size()) + " rows)");
  }
  const Record& first = contents.records[first_row];
  const auto first_part = contents.payload(first);
  std::vector<std::byte> message(first_part.begin(), first_part.end());
  bool more = (first.flags & record_flags::more_data) != 0;
  // Other endpoints, and this endpoint's other direction, may have records in
  // between the parts; they belong to other messages. A message whose last
  // part has not arrived yet is returned as far as it goes.
  for (std::uint64_t row = first_row + 1; more && row < contents.records.size(); ++row) {
    const Record& part = contents.records[row];
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
  std::unique_lock lock(impl_->mutex);
  impl_->contents.clear();
  ++impl_->generation;
  impl_->publish_counters();
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

std::string_view to_string(Direction d) noexcept {
  switch (d) {
    case Direction::in:
      return "in";
    case Direction::out:
      return "out";
  }
  return "unknown";
}

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
