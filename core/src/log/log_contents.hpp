// Everything a message log holds: the arena, the index, the endpoints and
// the counts the memory limit needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <span>

#include "log/memory_reserve.hpp"
#include "log/payload_arena.hpp"
#include "log/record_flags.hpp"
#include "log/record_index.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"

namespace pipescope::detail {

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
  static void check(Direction direction, std::size_t length, std::uint8_t flags) {
    // Inline: it runs for every record; refuse() says what is wrong.
    if ((flags & ~kCallerRecordFlags) != 0 || length > std::numeric_limits<std::uint32_t>::max() ||
        (direction != Direction::in && direction != Direction::out)) {
      refuse(direction, length, flags);
    }
  }
  /// Throws the error check() found.
  [[noreturn]] static void refuse(Direction direction, std::size_t length, std::uint8_t flags);
  /// Checks, stores the payload and the record and returns its row. If it
  /// throws, nothing was added. `reserve` (may be null) prepares memory ahead.
  std::uint64_t append(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                       std::uint8_t flags, std::int64_t time_ns, MemoryReserve* reserve = nullptr) {
    check(direction, payload.size(), flags);
    return append_checked(endpoint, direction, payload, flags, time_ns, reserve);
  }
  /// append() for arguments check() accepted. Inline, as the calls it makes
  /// are: it is the append path of every record.
  std::uint64_t append_checked(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                               std::uint8_t flags, std::int64_t time_ns, MemoryReserve* reserve) {
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

}  // namespace pipescope::detail
