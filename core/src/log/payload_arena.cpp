#include "log/payload_arena.hpp"

#include <cstring>
#include <new>
#include <stdexcept>
#include <utility>

namespace pipescope::detail {

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

std::uint64_t PayloadArena::store_in_new_chunk(std::span<const std::byte> payload, MemoryReserve* reserve) {
  const std::size_t length = payload.size();
  std::size_t chunk_index = kNoChunk;
  if (length >= kDedicatedThreshold) {
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
  return store_at(chunk, chunk_index, chunk.used.load(std::memory_order_relaxed), payload, reserve);
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

}  // namespace pipescope::detail
