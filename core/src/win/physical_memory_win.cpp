// Physical memory on Windows, as GlobalMemoryStatusEx reports it.
#include <windows.h>

#include <cstdint>

#include "physical_memory.hpp"

namespace pipescope::detail {

std::uint64_t physical_memory_bytes() noexcept {
  MEMORYSTATUSEX status{};
  status.dwLength = sizeof(status);
  if (GlobalMemoryStatusEx(&status) == 0) return 0;
  return status.ullTotalPhys;
}

}  // namespace pipescope::detail
