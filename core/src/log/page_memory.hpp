// Making the system back freshly allocated memory now, on the thread that
// prepares memory ahead (MemoryReserve), rather than page by page later on
// the thread that appends. One file per OS does it its own way
// (page_memory_posix.cpp, page_memory_win.cpp, chosen by CMake); writing
// every page once works everywhere and is page_memory.cpp's.
#pragma once

#include <cstddef>

namespace pipescope::detail {

/// Makes the system back every page of `memory` now.
void back_every_page(std::byte* memory, std::size_t bytes);

/// The smallest page size of the systems PipeScope runs on; writing one byte
/// every this many bytes touches every page, whatever the real page size.
inline constexpr std::size_t kTouchStride = 4096;

/// Backs every page by writing one byte of each: what works on every system.
void touch_every_page(std::byte* memory, std::size_t bytes);

}  // namespace pipescope::detail
