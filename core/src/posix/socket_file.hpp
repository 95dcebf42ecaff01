// A server's socket file, made without following or clobbering a link
// (socket_file.cpp).
#pragma once

#include <sys/types.h>

#include <string>

#include "pipescope/error.hpp"

namespace pipescope::detail::posix {

/// A socket file's identity (lstat's device and inode).
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
};

struct BoundSocket {
  std::string path;    ///< the name bound
  bool temporary = false;  ///< a temporary name, to be renamed over the pipe's path
};

/// Binds the socket to a fresh temporary name beside `path`, deleting
/// nothing; binds `path` itself only when no temporary name fits in
/// sun_path, then removing a socket there only if it is `own` (the one this
/// server bound before; null for a new server).
[[nodiscard]] Result<BoundSocket> bind_socket_file(int fd, const std::string& path, unsigned& temp_counter,
                                                   const FileId* own);
/// Gives the bound file exactly `mode` when the umask narrowed it, through a
/// descriptor of the file itself, after checking it is this socket's file.
[[nodiscard]] Result<void> widen_socket_mode(int fd, const std::string& bound_path, mode_t mode);
/// Renames the temporary name over `path` when `path` is missing or is a
/// socket we may replace: `own` for a server re-opening, else (a new
/// server) a socket of our user that start_server found stale.
[[nodiscard]] Result<void> move_socket_into_place(const std::string& temp, const std::string& path,
                                                  const FileId* own);

}  // namespace pipescope::detail::posix
