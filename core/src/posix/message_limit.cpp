#include "message_limit.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace pipescope::detail::posix {

// ENOBUFS from sending one message on AF_UNIX SOCK_SEQPACKET means the
// kernel could not allocate the buffer that holds it. Above the limit above
// that never succeeds, however often it is tried: the allocation is larger
// than the kernel makes in one piece. Below it, it fails only when memory
// is short or too fragmented for a large contiguous piece, which may last.
// A retry would hold every later message of the pipe behind one that may
// never leave (messages keep their order), so the message is treated like
// one beyond the send buffer (EMSGSIZE): dropped, with an error that names
// the limit, and the pipe stays connected.
bool message_cannot_be_carried(int err) noexcept { return err == EMSGSIZE || err == ENOBUFS; }

Error unsendable_message(int fd, int err, std::size_t size) {
  int buffer = 0;
  socklen_t len = sizeof buffer;
  ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, &len);
  const auto send_buffer = static_cast<std::size_t>(std::max(buffer, 0));
  const std::size_t limit = std::min(kLargestMessage, send_buffer);
  std::string why;
  if (err == EMSGSIZE) {
    why = fmt::format("a {}-byte message does not fit this socket's send buffer of {} bytes", size, send_buffer);
  } else if (size > kLargestMessage) {
    why = fmt::format("Linux cannot carry a {}-byte message on a message pipe: it needs one buffer for the whole "
                      "message and cannot allocate one that large",
                      size);
  } else {
    why = fmt::format("the kernel could not allocate a buffer for this {}-byte message (memory is short or "
                      "fragmented)",
                      size);
  }
  const std::string rounded = limit % (1024 * 1024) == 0 ? fmt::format("{} MiB", limit / (1024 * 1024))
                                                          : fmt::format("{} KiB", limit / 1024);
  Error error = make_error(Errc::message_too_large, "write",
                           fmt::format("{}; a message on this pipe may be at most {} bytes (about {}); nothing was "
                                       "sent and the pipe stays connected",
                                       why, limit, rounded));
  error.os_domain = OsDomain::posix_errno;
  error.os_code = err;
  return error;
}

}  // namespace pipescope::detail::posix
