// close_all_but_standard_streams with glibc's closefrom action (glibc 2.34
// and later): the child closes every descriptor from 3 up itself, after the
// dup2 actions, so none can slip in between a listing and the spawn.
#include "posix/spawn_descriptors.hpp"

#include <unistd.h>

namespace pipescope::detail::posix {

int close_all_but_standard_streams(posix_spawn_file_actions_t& actions) {
  return ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
}

}  // namespace pipescope::detail::posix
