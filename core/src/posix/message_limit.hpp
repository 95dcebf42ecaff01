// How large one message on a message pipe (SOCK_SEQPACKET) may be on Linux,
// and the error a message beyond it gets.
#pragma once

#include <cstddef>

#include "pipescope/error.hpp"

namespace pipescope::detail::posix {

/// The largest message Linux carries whole on SOCK_SEQPACKET: the kernel
/// copies a message into one buffer that is contiguous except for 17 pages,
/// and cannot allocate more than 4 MiB in one piece (KMALLOC_MAX_SIZE).
/// Measured on Linux 6.18 with an 8 MiB send buffer: 4,263,616 bytes were
/// sent, one more byte failed with ENOBUFS. 4 MiB is the round figure that
/// fits; the socket's send buffer may set a lower limit (EMSGSIZE).
inline constexpr std::size_t kLargestMessage = 4 * 1024 * 1024;

/// Does this errno from sending one message say that the message cannot be
/// carried at all (so it is dropped with an error and the pipe goes on)?
[[nodiscard]] bool message_cannot_be_carried(int err) noexcept;

/// The error for a message of `size` bytes that `fd` refused with `err`
/// (EMSGSIZE or ENOBUFS): PIPESCOPE_MESSAGE_TOO_LARGE, naming the limit.
[[nodiscard]] Error unsendable_message(int fd, int err, std::size_t size);

}  // namespace pipescope::detail::posix
