// How much physical memory this machine has: the base of the message log's
// default memory limit. Each backend folder provides the one function
// (core/src/posix/physical_memory_posix.cpp, core/src/win/physical_memory_win.cpp),
// chosen by CMake with the rest of the backend.
#pragma once

#include <cstdint>

namespace pipescope::detail {

/// Bytes of physical memory, or 0 when the system does not say.
[[nodiscard]] std::uint64_t physical_memory_bytes() noexcept;

}  // namespace pipescope::detail
