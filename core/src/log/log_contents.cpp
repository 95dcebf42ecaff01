#include "log/log_contents.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace pipescope::detail {

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

}  // namespace pipescope::detail
