// Windows: writing every page once. (PrefetchVirtualMemory only reads pages
// in; a page of a fresh allocation is still faulted on its first write.)
#include "log/page_memory.hpp"

namespace pipescope::detail {

void back_every_page(std::byte* memory, std::size_t bytes) { touch_every_page(memory, bytes); }

}  // namespace pipescope::detail
