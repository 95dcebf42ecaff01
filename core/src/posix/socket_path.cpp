// Where a pipe name lives on POSIX.
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>

#include <fmt/format.h>

#include "posix_backend.hpp"

namespace pipescope::detail::posix {

std::string socket_folder() {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

Result<std::string> socket_path_for(const PipeName& name) {
  std::string path;
  if (name.kind() == PipeName::Kind::path) {
    path = name.leaf();
  } else {
    if (!name.is_local()) {
      return make_error(Errc::name_remote_unsupported, "open", name.full());
    }
    if (name.leaf().find('/') != std::string::npos) {
      // Windows allows '/' in a pipe name; as a file name it would mean a
      // folder, so the POSIX backend says no rather than creating folders.
      return make_error(Errc::invalid_name, "open",
                        fmt::format("{}: the POSIX backend cannot use '/' inside a pipe name", name.full()));
    }
    // The layout .NET uses on Unix, so .NET programs can be our peers.
    path = fmt::format("{}/CoreFxPipe_{}", socket_folder(), name.leaf());
  }
  constexpr std::size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;
  if (path.size() > kMaxPath) {
    // Never truncate: a cut name would silently reach another pipe.
    return make_error(Errc::filename_exceeds_range, "open",
                      fmt::format("socket path \"{}\" is {} bytes; a Unix socket path may have at most {}", path,
                                  path.size(), kMaxPath));
  }
  return path;
}

}  // namespace pipescope::detail::posix
