// The pipes a machine has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pipescope {

struct PipeInfo {
  std::string name;              ///< "\\.\pipe\demo" (or the socket path, for sockets not in the pipe layout)
  std::string os_path;           ///< "/tmp/CoreFxPipe_demo" or "\\.\pipe\demo"
  std::int32_t current_instances = -1;  ///< -1 where unknown
  std::int32_t max_instances = -1;      ///< -1 where unknown; 255 = unlimited
  std::string type;              ///< "byte", "message" or "" where unknown
  std::vector<std::int64_t> server_pids;  ///< processes that hold the server end, where visible
};

/// What a listing shows.
struct ListOptions {
  /// POSIX: every listening Unix socket that has a file, such as an X
  /// server's under /tmp/.X11-unix. Otherwise only the pipes of the pipe
  /// layout ($TMPDIR/CoreFxPipe_Name, where .NET looks too) and this
  /// engine's own servers wherever they are: other programs' sockets are
  /// not pipes, and listed as byte pipes they misled. Windows lists every
  /// named pipe either way.
  bool every_socket = false;
};

}  // namespace pipescope
