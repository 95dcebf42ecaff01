// The two sources of a pipe listing (listing_sources.cpp): sock_diag, and
// /proc/net/unix where sock_diag is unavailable. Either way a path is listed
// only when the file there reaches a listening socket.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "socket_probe.hpp"

namespace pipescope::detail::posix {

/// A listening socket and what the listing shows of it.
struct Listener {
  unsigned long inode = 0;  ///< the socket's own inode, to find the processes holding it; 0 if unknown
  std::string type;         ///< "byte", "message", or empty
  std::int32_t connected = 0;
};

/// Listening sockets by the file that reaches them: each candidate path
/// (the sockets in the pipe layout under `dir`, and the listeners' own
/// absolute names) is matched with a listener by the file's device and
/// inode, so a listing shows only names that really reach a listening socket.
[[nodiscard]] std::map<std::string, Listener> listeners_from_diag(const std::vector<DiagSocket>& sockets,
                                                                  const std::string& dir);
/// The same from /proc/net/unix, each row confirmed by the socket itself.
[[nodiscard]] std::map<std::string, Listener> listeners_from_table(const std::string& dir);

}  // namespace pipescope::detail::posix
