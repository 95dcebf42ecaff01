// The read path of every connection: byte reads, and SOCK_SEQPACKET messages
// delivered as ReadFile does (in read-buffer parts, all but the last flagged
// more-data), each logged and then shown to the endpoint's taps.
#include "posix_backend.hpp"
#include "socket_util.hpp"

#include "brief_mutex.hpp"
#include "fault_injection.hpp"
#include "message_end.hpp"
#include "message_limit.hpp"
#include "socket_file.hpp"
#include "socket_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include <fmt/format.h>
namespace pipescope::detail::posix {

namespace {

constexpr int kMaxReadsPerWakeup = 64;
/// The most queued message bytes read with one recv each; beyond that, each
/// message's size is asked first so the read buffer stays this small. A
/// queue of small messages a sender filled its 8 MiB send buffer with holds
/// a few MiB of payload.
constexpr std::size_t kMaxQueuedRead = 4 * 1024 * 1024;

}  // namespace

void PosixBackend::watch(Channel& ch) {
  if (ch.watch_failed) return;
  std::uint32_t events = 0;
  if (ch.can_read) events |= EPOLLIN | EPOLLRDHUP;
  if (!ch.out.empty()) events |= EPOLLOUT;
  if (ch.token == 0) {
    const EndpointId id = ch.id;
    Channel* channel = &ch;
    auto token = loop_.add(
        ch.fd, events, [this, id, channel](std::uint32_t ev) { on_channel_ready(id, *channel, ev); },
        closes_on_fault(id, channel));
    if (!token) {
      // A channel nobody watches would never be read: it is closed, with
      // the reason. Posted, as the caller goes on using the channel.
      ch.watch_failed = true;
      loop_.post([this, id, channel, error = std::move(token).error()]() mutable {
        close_failed_endpoint(id, channel, std::move(error));
      });
      return;
    }
    ch.token = *token;
  } else if (events != ch.watched) {
    loop_.modify(ch.token, ch.fd, events);
  }
  ch.watched = events;
}

void PosixBackend::on_channel_ready(EndpointId id, Channel& ch, std::uint32_t events) {
  std::error_code end_reason = make_error_code(Errc::broken_pipe);
  bool alive = true;
  if ((events & EPOLLOUT) != 0) {
    alive = flush_channel(id, ch);
  }
  if (alive && ch.can_read && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
    alive = read_channel(id, ch, end_reason);
  } else if (alive && !ch.can_read && (events & (EPOLLHUP | EPOLLERR)) != 0) {
    alive = false;  // a write-only end learns of the peer's exit from the hang-up
  }
  if (alive) {
    watch(ch);
    return;
  }
  if (auto child = children_.find(id); child != children_.end()) {
    child_stream_ended(*child->second, ch);
  } else {
    connection_ended(id, end_reason);
  }
}

bool PosixBackend::read_channel(EndpointId id, Channel& ch, std::error_code& end_reason) {
  Connection* conn = nullptr;
  if (auto it = connections_.find(id); it != connections_.end()) conn = it->second.get();

  if (!ch.message_type) {
    for (int round = 0; round < kMaxReadsPerWakeup; ++round) {
      // Sized again each round: a relay's tap may have taken the buffer.
      ch.read_scratch.resize(ch.read_buffer);
      const ssize_t got = ::read(ch.fd, ch.read_scratch.data(), ch.read_scratch.size());
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) return true;
        end_reason = error_from_errno(errno, IoContext::read, "read").code;
        return false;
      }
      if (got == 0) return false;
      const std::span<const std::byte> piece(ch.read_scratch.data(), static_cast<std::size_t>(got));
      await_peer_records(ch, piece.size());
      fault_injection::before_record(piece);
      context_.record(id, Direction::in, piece, ch.extra_flags);
      if (conn != nullptr) run_taps(*conn, piece, ch.extra_flags, true, &ch.read_scratch);
      // A short read emptied the socket. The epoll loop is level-triggered,
      // so it reports the next data (or the end) when it comes; the read
      // that would only have said EAGAIN is saved.
      if (static_cast<std::size_t>(got) < ch.read_buffer) return true;
    }
    return true;
  }

  // One message as ReadFile returns it: in read-buffer parts, all but the
  // last flagged more-data (ERROR_MORE_DATA).
  const auto deliver = [&](std::span<const std::byte> message) {
    std::size_t offset = 0;
    do {
      const std::size_t part = std::min<std::size_t>(ch.read_buffer, message.size() - offset);
      const bool last = offset + part == message.size();
      std::uint8_t flags = ch.extra_flags;
      if (ch.message_reads) {
        flags |= record_flags::message;
        if (!last) flags |= record_flags::more_data;
      }
      const auto piece = message.subspan(offset, part);
      fault_injection::before_record(piece);
      context_.record(id, Direction::in, piece, flags);
      // A part ends a message for the taps only when the end reads messages:
      // in byte read mode every part stands alone, as ReadFile returns it.
      // The buffer is not handed to a tap's forward here: it is sized for
      // every queued message, and the one a tap would give in exchange had
      // to grow (and be zero-filled) again at every message, which made the
      // message relay slower than the copy it saved.
      if (conn != nullptr) run_taps(*conn, piece, flags, ch.message_reads ? last : true);
      offset += part;
    } while (offset < message.size());
  };

  // SOCK_SEQPACKET drops the tail of a message that does not fit the buffer.
  // FIONREAD (SIOCINQ) tells the bytes of every queued message together, so
  // a buffer that big holds whichever message comes next whole: the queued
  // messages are read with one recv each, without first asking each one's
  // size. Nothing is lost. The kernel walks the whole queue to answer, so the
  // answer is kept (less what has been read since) until it is used up
  // rather than asked again each wake-up: asked every 64 messages of a queue
  // thousands deep, the walks cost more than the reads (measured: 10 µs a
  // message). Only this function reads a message channel while the count
  // is not zero, so it stays exact.
  std::size_t left = ch.counted;
  if (left == 0) {
    int queued = 0;
    if (::ioctl(ch.fd, FIONREAD, &queued) == 0 && queued > 0 && static_cast<std::size_t>(queued) <= kMaxQueuedRead) {
      left = static_cast<std::size_t>(queued);
    }
  }
  if (left > 0) {
    if (ch.read_scratch.size() < left) ch.read_scratch.resize(left);
    for (int round = 0; left > 0 && round < kMaxReadsPerWakeup; ++round) {
      const ssize_t got = ::recv(ch.fd, ch.read_scratch.data(), left, MSG_DONTWAIT);
      if (got < 0) {
        ch.counted = 0;
        if (errno == EAGAIN || errno == EINTR) return true;
        end_reason = error_from_errno(errno, IoContext::read, "read").code;
        return false;
      }
      // Zero here is an empty message: the end of the stream comes only
      // after every queued byte has been read.
      left -= static_cast<std::size_t>(got);
      ch.counted = left;
      await_peer_records(ch, static_cast<std::size_t>(got));
      deliver(std::span<const std::byte>(ch.read_scratch.data(), static_cast<std::size_t>(got)));
    }
    return true;
  }

  // Nothing counted (an empty message, or the end), or more than one buffer
  // should hold: learn each message's size first, then read it in one go.
  for (int round = 0; round < kMaxReadsPerWakeup; ++round) {
    const ssize_t size = ::recv(ch.fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (size < 0) {
      if (errno == EAGAIN || errno == EINTR) return true;
      end_reason = error_from_errno(errno, IoContext::read, "read").code;
      return false;
    }
    if (size == 0 && peer_has_closed(ch.fd) && !empty_message_waits(ch.fd)) {
      // Zero from recv is either an empty message or the end of the stream;
      // after a hang-up, only the message's credentials tell them apart
      // (see message_end.cpp). Empty messages are messages, as on Windows.
      return false;
    }
    ch.read_scratch.resize(static_cast<std::size_t>(size));
    const ssize_t got = ::recv(ch.fd, ch.read_scratch.data(), ch.read_scratch.size(), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) return true;
      end_reason = error_from_errno(errno, IoContext::read, "read").code;
      return false;
    }
    await_peer_records(ch, static_cast<std::size_t>(got));
    deliver(std::span<const std::byte>(ch.read_scratch.data(), static_cast<std::size_t>(got)));
  }
  return true;
}

void PosixBackend::run_taps(Connection& c, std::span<const std::byte> data, std::uint8_t flags, bool message_end,
                            Bytes* buffer) {
  TapActions actions = context_.tap_read(TapRead{c.id, data, flags, c.channel.message_reads, message_end}, buffer);
  if (actions.empty()) return;
  for (Bytes& reply : actions.replies()) {
    if (c.channel.can_write) enqueue(c.channel, std::move(reply), record_flags::responder);
  }
  flush_channel(c.id, c.channel);
}

}  // namespace pipescope::detail::posix
