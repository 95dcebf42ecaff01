#include "message_end.hpp"

#include <sys/socket.h>

#include <array>
#include <cstring>

namespace pipescope::detail::posix {

// recv() on SOCK_SEQPACKET returns 0 both for a queued empty message and at
// the end of the stream, and nothing else in the answer differs: measured on
// Linux 6.18, a peek of an empty message sets no flag in msg_flags (no
// MSG_EOR, which AF_UNIX never sets), and FIONREAD counts bytes, so queued
// empty messages add nothing to it. What does differ is whether a message
// was there to carry ancillary data: with SO_PASSCRED on the receiving
// socket, the kernel attaches SCM_CREDENTIALS to every message it hands out
// (also to messages queued before the option was set, also when peeking),
// and has nothing to attach at the end of the stream. Measured: a peer sends
// '', 'mid', '', '' and closes; each of the four peeks returns a 32-byte
// control message, the fifth (the end) returns none.
//
// The option is set here, on the rare path where a zero-length read meets a
// hang-up, rather than on every socket: with SO_PASSCRED set the kernel
// takes a reference to the sender's credentials for every message sent, and
// after the hang-up no further message can come.
bool empty_message_waits(int fd) {
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) return false;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(ucred))> control{};
  msghdr header{};
  header.msg_control = control.data();
  header.msg_controllen = control.size();
  if (::recvmsg(fd, &header, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT) < 0) return false;
  return header.msg_controllen > 0 && CMSG_FIRSTHDR(&header) != nullptr;
}

}  // namespace pipescope::detail::posix
