// Small facts about sockets that several parts of the POSIX backend need: a
// path's address, buffer sizes, the socket's own name, whether the peer hung
// up, the mode a server's socket file gets, and why a client's access does
// not fit a pipe's direction.
#pragma once

#include <sys/stat.h>
#include <sys/un.h>

#include <string>

#include "pipescope/error.hpp"
#include "pipescope/options.hpp"

namespace pipescope::detail::posix {

[[nodiscard]] sockaddr_un address_of(const std::string& path);
/// Raises a socket's send and receive buffers to kSocketBuffer.
void raise_socket_buffers(int fd);
/// The name a socket is bound to (a client's autobind name), empty if none.
[[nodiscard]] std::string own_socket_name(int fd);
/// The peer hung up (POLLRDHUP, POLLHUP or POLLERR without waiting).
[[nodiscard]] bool peer_has_closed(int fd);
/// The file mode a server's socket gets from its security options.
[[nodiscard]] Result<mode_t> socket_mode(const ServerOptions& options);
/// Why a client with `access` may not open the pipe at `path` (empty: it may).
[[nodiscard]] std::string direction_mismatch(const std::string& path, ClientAccess access);

}  // namespace pipescope::detail::posix
