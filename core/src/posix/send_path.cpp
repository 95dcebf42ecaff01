// The send path: queued writes flushed with writev / sendmmsg on the loop
// thread, direct writes from the caller's thread, send batching, and the
// rule that keeps a record's out entry ahead of its peer's in entry when both
// ends are ours (await_peer_records).
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

/// Queued entries written with one writev or sendmmsg.
constexpr std::size_t kMaxWriteBatch = 64;
/// The smallest send to a byte pipe written from the caller's thread (see
/// send()). Smaller ones go the loop's way: a stream keeps no boundaries, so
/// the loop writes every small send waiting with one writev, which beat one
/// system call per send from the caller (measured with 64-byte sends: 1.1-1.6
/// times the raw rate, against 0.5-0.7 times written one by one). A message
/// pipe needs a call per message either way, so its sends are written
/// directly whatever their size.
constexpr std::size_t kDirectStreamWrite = 8 * 1024;

}  // namespace

void PosixBackend::enqueue(Channel& ch, Bytes bytes, std::uint8_t flags) {
  if (ch.direct) {
    // Waits for a direct write under way, which then leaves first.
    const std::lock_guard gate(ch.direct->mutex);
    ++ch.direct->backlog;
  }
  ch.out.push_back(Channel::Pending{std::move(bytes), 0, flags});
}

void PosixBackend::settle_backlog(Channel& ch, std::size_t finished) {
  if (finished == 0 || !ch.direct) return;
  const std::lock_guard gate(ch.direct->mutex);
  ch.direct->backlog -= std::min(finished, ch.direct->backlog);
}

void PosixBackend::pair_instance(Connection& instance) {
  sockaddr_un peer{};
  socklen_t len = sizeof peer;
  if (::getpeername(instance.channel.fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return;
  const auto name_length = static_cast<std::size_t>(len) - offsetof(sockaddr_un, sun_path);
  if (len <= offsetof(sockaddr_un, sun_path) || name_length == 0) return;  // unnamed: not one of ours
  const auto it = unpaired_clients_.find(std::string(peer.sun_path, name_length));
  if (it == unpaired_clients_.end()) return;
  auto client = connections_.find(it->second);
  unpaired_clients_.erase(it);
  if (client == connections_.end()) return;
  Connection& c = *client->second;
  c.pair_key.clear();
  allow_direct_writes(instance);
  allow_direct_writes(c);
  // Set before this thread reads either socket again, so no read of bytes a
  // caller wrote directly is logged without waiting for that caller.
  instance.channel.peer = c.channel.direct;
  c.channel.peer = instance.channel.direct;
}

void PosixBackend::allow_direct_writes(Connection& c) {
  if (!c.channel.can_write) return;
  auto direct = std::make_shared<DirectWrite>();
  direct->fd = c.channel.fd;
  direct->message_type = c.channel.message_type;
  // What this thread wrote before may be logged as read at once.
  direct->settled.store(c.channel.written_total, std::memory_order_relaxed);
  std::lock_guard lock(send_mutex_);
  auto target = targets_.find(c.id);
  if (target == targets_.end() || !target->second.writable) return;
  // Sends queued so far are still ahead of any direct write: those the loop
  // holds and those not yet handed to it. No caller can reach `direct` yet,
  // so its fields are set without its mutex.
  const auto waiting = static_cast<std::size_t>(std::count_if(
      queued_sends_.begin(), queued_sends_.end(), [&](const QueuedSend& q) { return q.endpoint == c.id; }));
  direct->backlog = c.channel.out.size() + waiting;
  c.channel.direct = direct;
  target->second.direct = std::move(direct);
}

void PosixBackend::await_peer_records(Channel& ch, std::size_t got) {
  ch.read_total += got;
  if (!ch.peer) return;
  // A caller that wrote these bytes records them right after its write
  // returned, so this waits for one log append at most: a spin, with the
  // CPU given up if that caller is not running.
  unsigned spins = 0;
  while (ch.peer->settled.load(std::memory_order_acquire) < ch.read_total) spin_wait_step(spins);
}

void PosixBackend::close_direct_writes(Channel& ch) {
  if (!ch.direct) return;
  // A caller writing now holds the mutex: the socket is not closed (and its
  // number not reused) under its write.
  const std::lock_guard gate(ch.direct->mutex);
  ch.direct->fd = -1;
}

bool PosixBackend::flush_channel(EndpointId id, Channel& ch) {
  std::array<iovec, kMaxWriteBatch> pieces{};
  std::array<mmsghdr, kMaxWriteBatch> messages{};
  // Entries written or dropped leave the backlog that keeps send() queueing,
  // however this returns.
  struct Settle {
    Channel& ch;
    std::size_t finished = 0;
    ~Settle() { settle_backlog(ch, finished); }
  } settle{ch};
  // Bytes this thread wrote: it records them before it reads anything, so a
  // peer on this thread need not wait for them.
  const auto settle_written = [&](std::uint64_t bytes) {
    ch.written_total += bytes;
    if (ch.direct) ch.direct->settled.fetch_add(bytes, std::memory_order_release);
  };
  // The front entry is written; it is recorded as one record with all its
  // bytes, as one WriteFile completing.
  const auto complete_front = [&] {
    Channel::Pending& p = ch.out.front();
    std::uint8_t flags = p.flags | ch.extra_flags;
    if (ch.message_type) flags |= record_flags::message;
    context_.record(id, Direction::out, p.bytes, flags);
    ch.out.pop_front();
    ++settle.finished;
  };
  while (!ch.out.empty()) {
    const std::size_t batch = std::min(ch.out.size(), kMaxWriteBatch);
    for (std::size_t i = 0; i < batch; ++i) {
      Channel::Pending& p = ch.out[i];
      pieces[i].iov_base = p.bytes.data() + p.written;
      pieces[i].iov_len = p.bytes.size() - p.written;
    }
    if (ch.message_type) {
      // One message per entry, all in one call; a message goes whole or not
      // at all.
      for (std::size_t i = 0; i < batch; ++i) {
        messages[i] = mmsghdr{};
        messages[i].msg_hdr.msg_iov = &pieces[i];
        messages[i].msg_hdr.msg_iovlen = 1;
      }
      const int sent =
          ::sendmmsg(ch.fd, messages.data(), static_cast<unsigned>(batch), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) {
        std::uint64_t bytes = 0;
        for (int i = 0; i < sent; ++i) bytes += messages[static_cast<std::size_t>(i)].msg_len;
        settle_written(bytes);
        for (int i = 0; i < sent; ++i) complete_front();
        continue;
      }
    } else {
      // A byte stream keeps no boundaries: every queued entry goes out in
      // one call, as far as the socket or pipe takes it.
      const ssize_t n = ::writev(ch.fd, pieces.data(), static_cast<int>(batch));
      if (n >= 0) {
        settle_written(static_cast<std::uint64_t>(n));
        auto left = static_cast<std::size_t>(n);
        for (std::size_t i = 0; i < batch; ++i) {
          Channel::Pending& p = ch.out.front();
          const std::size_t taken = std::min(left, p.bytes.size() - p.written);
          p.written += taken;
          left -= taken;
          if (p.written < p.bytes.size()) break;
          complete_front();
        }
        // Nothing taken although bytes wait: the socket is full.
        if (n == 0 && !ch.out.empty() && ch.out.front().written < ch.out.front().bytes.size()) return true;
        continue;
      }
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;  // EPOLLOUT will call again
    Channel::Pending& p = ch.out.front();
    if (ch.message_type && message_cannot_be_carried(errno)) {
      // Too large for one message (see message_limit.cpp): that message is
      // dropped with an error naming the limit; the pipe and the messages
      // behind it go on.
      context_.report(id, 0, unsendable_message(ch.fd, errno, p.bytes.size()));
      ch.out.pop_front();
      ++settle.finished;
      continue;
    }
    const int err = errno;
    if (p.written > 0) {
      context_.record(id, Direction::out, std::span(p.bytes.data(), p.written), p.flags | record_flags::partial);
    }
    std::size_t unsent = 0;
    for (const auto& q : ch.out) unsent += q.bytes.size() - q.written;
    context_.report(id, 0,
                    error_from_errno(err, IoContext::write, "write",
                                     fmt::format("{} bytes could not be written", unsent)));
    settle.finished += ch.out.size();
    ch.out.clear();
    return false;
  }
  if (auto it = connections_.find(id); it != connections_.end() && it->second->closing_after_flush) {
    // Everything was handed to the socket (its data survives the close), as
    // FlushFileBuffers before DisconnectNamedPipe would ensure on Windows.
    loop_.post([this, id] { close_connection(id, {}); });
  }
  return true;
}

Result<void> PosixBackend::send(EndpointId endpoint, std::span<const std::byte> bytes) {
  std::shared_ptr<DirectWrite> direct;
  {
    std::lock_guard lock(send_mutex_);
    auto it = targets_.find(endpoint);
    if (it == targets_.end()) {
      return make_error(Errc::unknown_endpoint, "send", fmt::format("endpoint {}", endpoint));
    }
    if (!it->second.writable) {
      return make_error(it->second.refusal, "send", fmt::format("endpoint {}: {}", endpoint, it->second.why_not));
    }
    direct = it->second.direct;
  }
  if (direct == nullptr) {
    queue_send(endpoint, bytes);
    return {};
  }
  // A connected socket with nothing waiting for the loop is written here, on
  // the caller's thread, as libuv's uv_try_write does: the copy into the
  // kernel then runs beside the loop's reading instead of after it. Only
  // when both ends are ours (see allow_direct_writes): then the peer's in
  // record waits for this send's out record (DirectWrite::settled). With a
  // foreign peer, an answer it sends could be read and recorded by the loop
  // before this thread had recorded the send that caused it.
  // What does not fit (a full socket), what fails (the loop then reports it,
  // as for any write) and empty sends go the loop's way; so does every send
  // while earlier ones wait there, to keep their order.
  {
    const std::lock_guard gate(direct->mutex);
    const bool worth_it = direct->message_type || bytes.size() >= kDirectStreamWrite;
    if (direct->fd >= 0 && direct->backlog == 0 && !bytes.empty() && worth_it) {
      const std::size_t written = write_directly(endpoint, *direct, bytes);
      // Events recorded on this thread reach the sink with the loop's next
      // round; the nudge makes sure there is one.
      if (written > 0) loop_.nudge();
      if (written == bytes.size()) return {};
      bytes = bytes.subspan(written);
    }
    // Counted before the gate is released, so later sends queue behind it.
    ++direct->backlog;
  }
  queue_send(endpoint, bytes);
  return {};
}

std::size_t PosixBackend::write_directly(EndpointId id, DirectWrite& direct, std::span<const std::byte> bytes) {
  const ssize_t n = ::send(direct.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n <= 0) return 0;
  const auto written = static_cast<std::size_t>(n);
  // The peer, if ours, waits for this before recording these bytes as read;
  // so it is done however the record returns.
  struct Settle {
    DirectWrite& direct;
    std::size_t bytes;
    ~Settle() { direct.settled.fetch_add(bytes, std::memory_order_release); }
  } settle{direct, written};
  // A part of a byte stream is a record of its own; the rest is recorded
  // when the loop has written it. (A message leaves whole or not at all.)
  const std::uint8_t flags = direct.message_type ? record_flags::message : 0;
  context_.record(id, Direction::out, bytes.first(written), flags);
  return written;
}

void PosixBackend::queue_send(EndpointId endpoint, std::span<const std::byte> bytes) {
  // Copied before the lock, so the lock is held only to queue.
  Bytes data(bytes.begin(), bytes.end());
  bool post_drain = false;
  {
    std::lock_guard lock(send_mutex_);
    queued_sends_.push_back(QueuedSend{endpoint, std::move(data)});
    post_drain = !std::exchange(drain_posted_, true);
  }
  // Work posted later (a disconnect, say) runs after this drain, so it sees
  // these bytes queued, as it would have seen them one task per send.
  if (post_drain) loop_.post([this] { drain_sends(); });
}

Channel* PosixBackend::channel_for_send(EndpointId id) {
  if (auto it = connections_.find(id); it != connections_.end() && it->second->channel.fd >= 0) {
    return &it->second->channel;
  }
  if (auto child = children_.find(id); child != children_.end() && child->second->in) {
    return child->second->in.get();
  }
  return nullptr;
}

void PosixBackend::drain_sends() {
  {
    std::lock_guard lock(send_mutex_);
    draining_.swap(queued_sends_);
    drain_posted_ = false;
  }
  // Emptied however this returns, so a failure here (reported by the loop)
  // never leaves old sends to be handed out again behind newer ones.
  struct Emptied {
    std::vector<QueuedSend>& batch;
    ~Emptied() { batch.clear(); }
  } emptied{draining_};
  // Every send joins its channel's queue, in order; then each channel that
  // got some is flushed once, so a batch of sends to one endpoint leaves in
  // as few system calls as the socket allows.
  const std::uint64_t round = ++send_round_;
  std::vector<EndpointId> touched;
  EndpointId last_id = 0;
  Channel* last = nullptr;
  for (QueuedSend& queued : draining_) {
    Channel* ch = queued.endpoint == last_id ? last : channel_for_send(queued.endpoint);
    last_id = queued.endpoint;
    last = ch;
    if (ch == nullptr) {
      context_.report(queued.endpoint, 0,
                      make_error(Errc::pipe_not_connected, "send",
                                 fmt::format("endpoint {} closed before {} bytes could be written", queued.endpoint,
                                             queued.bytes.size())));
      continue;
    }
    // Already in the backlog: send() counted it.
    ch->out.push_back(Channel::Pending{std::move(queued.bytes), 0, 0});
    if (ch->send_round != round) {
      ch->send_round = round;
      touched.push_back(queued.endpoint);
    }
  }
  draining_.clear();
  for (const EndpointId id : touched) {
    // Looked up again: flushing an earlier channel may have ended a child
    // or connection.
    Channel* ch = channel_for_send(id);
    if (ch == nullptr) continue;
    bool flushed = false;
    try {
      flushed = flush_channel(id, *ch);
    } catch (...) {
      // Logging what was written failed (out of memory, say): that endpoint
      // ends, the other channels of the batch are still flushed.
      endpoint_work_failed(id, std::current_exception());
      continue;
    }
    if (!flushed) {
      if (auto child = children_.find(id); child != children_.end()) {
        child_stream_ended(*child->second, *ch);
      } else {
        connection_ended(id, make_error_code(Errc::no_data));
      }
      continue;
    }
    watch(*ch);
  }
}

}  // namespace pipescope::detail::posix
