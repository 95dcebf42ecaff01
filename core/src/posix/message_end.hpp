// Telling an empty message from the end of the stream on a SOCK_SEQPACKET
// socket, where recv() returns 0 for both.
#pragma once

namespace pipescope::detail::posix {

/// After a zero-length peek on a message socket whose peer has hung up: is
/// an empty message still queued (true), or is this the end of the stream?
/// On a message pipe a zero-length message is a message, as on Windows;
/// the end is the hang-up once every queued message has been read.
[[nodiscard]] bool empty_message_waits(int fd);

}  // namespace pipescope::detail::posix
