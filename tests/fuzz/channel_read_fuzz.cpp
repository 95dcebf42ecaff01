// libFuzzer target: the POSIX backend's channel read path
// (core/src/posix/channel_read.cpp), which turns what a socket holds into
// records: byte reads on SOCK_STREAM, and on SOCK_SEQPACKET messages in
// read-buffer parts flagged more-data, as ReadFile returns them. Transact
// reads through it too. The fuzzer's bytes go through a real socketpair:
//
//   byte 0     bit 0: SOCK_SEQPACKET (else SOCK_STREAM); bit 1: message read mode
//   byte 1     the read buffer, 1 + 4 * value bytes (small, so messages come in parts)
//   the rest   writes: a length byte, then up to that many bytes (0 is an
//              empty message on SOCK_SEQPACKET)
//
// Whatever the input: every byte written is in the records, in order, and
// nothing else is; in message read mode each message is its records up to
// the first one without more-data, exactly as written; after the writer
// closes, the read path reports the end. The process never crashes.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <system_error>
#include <vector>

#include "engine_context.hpp"
#include "posix/posix_backend.hpp"

namespace pipescope::detail::posix {

/// The fuzz target's way to the backend's private read path.
struct ChannelReadProbe {
  static bool read(PosixBackend& backend, EndpointId id, Channel& ch, std::error_code& end_reason) {
    return backend.read_channel(id, ch, end_reason);
  }
};

}  // namespace pipescope::detail::posix

namespace {

using pipescope::Bytes;
using pipescope::Direction;
using pipescope::detail::EngineContext;
using pipescope::detail::posix::Channel;
using pipescope::detail::posix::ChannelReadProbe;
using pipescope::detail::posix::PosixBackend;

void require(bool condition) {
  if (!condition) std::abort();
}

/// One socketpair, closed however the input ends.
struct SocketPair {
  int reader = -1;
  int writer = -1;
  ~SocketPair() {
    if (reader >= 0) ::close(reader);
    if (writer >= 0) ::close(writer);
  }
};

/// What the engine's log holds for `id`: the bytes joined, and each
/// message (records up to the first one without more-data).
struct Logged {
  Bytes bytes;
  std::vector<Bytes> messages;
};

Logged logged(EngineContext& context, pipescope::EndpointId id) {
  Logged out;
  Bytes message;
  auto& log = context.log();
  for (std::uint64_t row = 0; row < log.size(); ++row) {
    const pipescope::Record record = log.record(row);
    if (record.endpoint != id || record.direction != Direction::in) continue;
    const auto payload = log.payload(record);
    out.bytes.insert(out.bytes.end(), payload.begin(), payload.end());
    message.insert(message.end(), payload.begin(), payload.end());
    if ((record.flags & pipescope::record_flags::more_data) == 0) {
      out.messages.push_back(std::move(message));
      message.clear();
    }
  }
  require(message.empty());  // no message ends with a more-data part
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool seqpacket = (data[0] & 1U) != 0;
  const bool message_reads = seqpacket && (data[0] & 2U) != 0;
  const std::uint32_t read_buffer = 1U + 4U * data[1];

  std::vector<Bytes> writes;
  for (std::size_t at = 2; at < size;) {
    const std::size_t length = std::min<std::size_t>(data[at], size - at - 1);
    const auto* begin = reinterpret_cast<const std::byte*>(data + at + 1);
    writes.emplace_back(begin, begin + length);
    at += 1 + length;
  }

  SocketPair pair;
  int fds[2];
  require(::socketpair(AF_UNIX, (seqpacket ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0, fds) == 0);
  pair.reader = fds[0];
  pair.writer = fds[1];
  // The backend's sockets are nonblocking: a read never waits.
  require(::fcntl(pair.reader, F_SETFL, ::fcntl(pair.reader, F_GETFL) | O_NONBLOCK) == 0);

  EngineContext context(nullptr);
  PosixBackend backend(context);
  Channel ch;
  ch.id = context.add_endpoint(pipescope::EndpointKind::client, 0, "fuzz", "fuzz",
                               pipescope::EndpointState::connected);
  ch.fd = pair.reader;
  ch.message_type = seqpacket;
  ch.message_reads = message_reads;
  ch.can_write = false;
  ch.read_buffer = read_buffer;

  std::error_code end_reason;
  std::size_t reads = 0;
  // Reads whenever the socket's buffer is full, as the loop would on EPOLLIN.
  const auto read_some = [&] {
    require(ChannelReadProbe::read(backend, ch.id, ch, end_reason));
    require(++reads < 1'000'000);
  };
  Bytes written;
  for (const Bytes& piece : writes) {
    if (!seqpacket && piece.empty()) continue;  // nothing to write on a stream
    for (std::size_t sent = 0;;) {
      const ssize_t n = ::send(pair.writer, piece.data() + sent, piece.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        require(errno == EAGAIN || errno == EINTR);
        read_some();
        continue;
      }
      sent += static_cast<std::size_t>(n);
      // A message leaves whole or not at all.
      require(!seqpacket || sent == piece.size());
      if (sent == piece.size()) break;
    }
    written.insert(written.end(), piece.begin(), piece.end());
  }
  ::close(pair.writer);
  pair.writer = -1;

  // Until the read path says the stream ended: each call reads at least
  // one record or the end, so the count of calls is bounded.
  const std::size_t bound = written.size() + writes.size() + 4;
  for (std::size_t call = 0;; ++call) {
    require(call <= bound);
    if (!ChannelReadProbe::read(backend, ch.id, ch, end_reason)) break;
  }

  const Logged got = logged(context, ch.id);
  require(got.bytes == written);
  if (message_reads) {
    std::vector<Bytes> expected;
    for (const Bytes& piece : writes) expected.push_back(piece);
    require(got.messages == expected);
  }
  return 0;
}
