#include "log/record_index.hpp"

#include <new>
#include <utility>

namespace pipescope::detail {

void RecordIndex::swap(RecordIndex& other) noexcept {
  std::swap(blocks_, other.blocks_);
  std::swap(owned_, other.owned_);
  std::swap(block_count_, other.block_count_);
  std::swap(size_, other.size_);
  std::swap(asked_ahead_, other.asked_ahead_);
}

void RecordIndex::add_block(MemoryReserve* reserve) {
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

}  // namespace pipescope::detail
