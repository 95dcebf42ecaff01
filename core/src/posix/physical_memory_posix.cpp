// Physical memory on POSIX: pages times page size, as sysconf reports them.
#include <unistd.h>

#include <cstdint>
#include <limits>

#include "physical_memory.hpp"

namespace pipescope::detail {

std::uint64_t physical_memory_bytes() noexcept {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  const auto page_count = static_cast<std::uint64_t>(pages);
  const auto page_bytes = static_cast<std::uint64_t>(page_size);
  // No machine has 16 EiB, but a broken report must not wrap around to a
  // small number.
  if (page_count > std::numeric_limits<std::uint64_t>::max() / page_bytes) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return page_count * page_bytes;
}

}  // namespace pipescope::detail
