#include "log/log_contents.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace pipescope::detail {

void LogContents::refuse(Direction direction, std::size_t length, std::uint8_t flags) {
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
  throw std::logic_error("message log: check() found no fault");
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
