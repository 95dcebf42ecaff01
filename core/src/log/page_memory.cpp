#include "log/page_memory.hpp"

namespace pipescope::detail {

void touch_every_page(std::byte* memory, std::size_t bytes) {
  // Written through a volatile pointer, so that the compiler keeps every
  // store: each one is what makes the OS back the page.
  volatile std::byte* page = memory;
  for (std::size_t i = 0; i < bytes; i += kTouchStride) page[i] = std::byte{0};
}

}  // namespace pipescope::detail
