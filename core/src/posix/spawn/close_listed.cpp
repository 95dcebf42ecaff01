// close_all_but_standard_streams for C libraries without a closefrom spawn
// action (glibc before 2.34): every descriptor above 2 that is open when the
// child is started gets its own close action. A descriptor another thread of
// the host opens without close-on-exec in the moment between this listing
// and the spawn would still reach the child; every descriptor the engine
// opens has close-on-exec, so only careless host code can hit that window.
// A close action for a descriptor closed meanwhile is harmless: glibc
// reports errors of close actions only for numbers out of range.
#include "posix/spawn_descriptors.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace pipescope::detail::posix {

int close_all_but_standard_streams(posix_spawn_file_actions_t& actions) {
  DIR* folder = ::opendir("/proc/self/fd");
  if (folder == nullptr) return errno;
  const int listing_fd = ::dirfd(folder);
  int result = 0;
  while (const dirent* entry = ::readdir(folder)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd <= STDERR_FILENO || fd == listing_fd) continue;
    result = ::posix_spawn_file_actions_addclose(&actions, static_cast<int>(fd));
    if (result != 0) break;
  }
  ::closedir(folder);
  return result;
}

}  // namespace pipescope::detail::posix
