// What a child started with posix_spawn inherits: its three standard streams
// and nothing else. The host program (the GUI saving a log through a
// std::ofstream, a library of the host) may hold descriptors without
// close-on-exec at the moment a child starts; they must not leak into it.
// CMake picks the implementation by what the C library offers (see
// core/CMakeLists.txt): one file in core/src/posix/spawn/.
#pragma once

#include <spawn.h>

namespace pipescope::detail::posix {

/// Adds to `actions`, after the dup2 actions that put the child's pipe ends
/// on 0, 1 and 2, the closing of every other descriptor. 0 or an errno.
[[nodiscard]] int close_all_but_standard_streams(posix_spawn_file_actions_t& actions);

}  // namespace pipescope::detail::posix
