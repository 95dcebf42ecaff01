// TransactNamedPipe and CallNamedPipe on POSIX.
//
// Windows writes the request and reads the one message that answers it in
// a single call, on a message pipe in message read mode. Here the client's
// socket is taken away from the ordinary reader for the duration: the loop
// thread writes the request (logged, flagged transact), and the next whole
// message that arrives is logged once, flagged transact, and handed to the
// waiting caller instead of being read as an ordinary message. Then the
// socket goes back to the ordinary reader. Only the caller's wait happens
// off the loop thread.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <future>

#include <fmt/format.h>

#include "message_end.hpp"
#include "posix_backend.hpp"
#include "socket_util.hpp"

namespace pipescope::detail::posix {

namespace {

constexpr const char* kTransact = "TransactNamedPipe";

Error closed_before_reply() {
  return make_error(Errc::broken_pipe, kTransact, "the pipe closed before the reply arrived");
}

Error engine_thread_refused(const char* operation) {
  return make_error(Errc::invalid_function, operation,
                    "called on the engine's own thread (from an event sink), where the reply could never be read");
}

}  // namespace

TransactSlot::~TransactSlot() {
  if (waiter) waiter->finish(closed_before_reply());
}

void TransactWaiter::finish(Result<Bytes> outcome) {
  {
    std::lock_guard lock(mutex_);
    if (outcome_) return;
    outcome_.emplace(std::move(outcome));
  }
  done_.notify_all();
}

std::optional<Result<Bytes>> TransactWaiter::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  // A wait longer than a year counts as forever: adding it to the clock
  // could overflow.
  if (waits_forever(timeout)) {
    done_.wait(lock, [this] { return outcome_.has_value(); });
  } else {
    done_.wait_for(lock, timeout, [this] { return outcome_.has_value(); });
  }
  return outcome_;
}

bool TransactWaiter::finished() const {
  std::lock_guard lock(mutex_);
  return outcome_.has_value();
}

Result<std::shared_ptr<TransactWaiter>> PosixBackend::begin_transact(EndpointId id, Bytes request) {
  auto it = connections_.find(id);
  if (it == connections_.end()) {
    if (children_.contains(id)) {
      return make_error(Errc::invalid_parameter, kTransact,
                        fmt::format("endpoint {} is a child's anonymous pipes; only a client of a message pipe "
                                    "can transact",
                                    id));
    }
    if (context_.endpoint(id)) {
      return make_error(Errc::pipe_not_connected, kTransact, fmt::format("endpoint {} is closed", id));
    }
    return make_error(Errc::unknown_endpoint, kTransact, fmt::format("endpoint {}", id));
  }
  Connection& c = *it->second;
  Channel& ch = c.channel;
  if (c.kind != EndpointKind::client) {
    return make_error(Errc::invalid_parameter, kTransact,
                      fmt::format("endpoint {} is a server instance; the engine transacts on clients", id));
  }
  if (ch.fd < 0 || c.closing_after_flush) {
    return make_error(Errc::pipe_not_connected, kTransact, fmt::format("endpoint {} is not connected", id));
  }
  if (!ch.message_type) {
    // What Windows answers (STATUS_INVALID_PIPE_STATE) for a byte pipe.
    return make_error(Errc::bad_pipe, kTransact,
                      fmt::format("{} is a byte pipe; a transact needs a message pipe",
                                  context_.endpoint(id)->pipe_name));
  }
  if (!ch.message_reads) {
    return make_error(Errc::bad_pipe, kTransact,
                      "this client reads in byte mode; a transact needs message read mode (PIPE_READMODE_MESSAGE)");
  }
  if (!ch.can_write || !ch.can_read) {
    return make_error(Errc::access_denied, kTransact, "a transact writes and reads, so the client needs both");
  }
  if (c.transact.waiter) {
    return make_error(Errc::pipe_busy, kTransact, "another transact on this client is still waiting for its reply");
  }

  // Messages that arrived before the request are ordinary messages: read
  // them as such now, so that the reply is the first message after the
  // request. (Windows refuses a transact while unread data waits, with
  // ERROR_PIPE_BUSY; the engine has always read it already.)
  for (;;) {
    const ssize_t waiting = ::recv(ch.fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
    if (waiting < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    std::error_code end_reason = make_error_code(Errc::broken_pipe);
    if (!read_channel(id, ch, end_reason)) {
      connection_ended(id, end_reason);
      return closed_before_reply();
    }
  }

  auto waiter = std::make_shared<TransactWaiter>();
  c.transact.waiter = waiter;
  // From here until the reply, this handler alone reads the socket.
  loop_.remove(ch.token, ch.fd);
  ch.watched = EPOLLIN | EPOLLRDHUP;
  auto token = loop_.add(
      ch.fd, ch.watched, [this, id](std::uint32_t events) { on_transact_ready(id, events); },
      closes_on_fault(id, &ch));
  if (!token) {
    // The ordinary reader takes the socket back; the transact is refused.
    c.transact.waiter.reset();
    ch.token = 0;
    ch.watched = 0;
    watch(ch);
    return std::move(token).error();
  }
  ch.token = *token;
  enqueue(ch, std::move(request), record_flags::transact);
  if (!flush_channel(id, ch)) {
    waiter->finish(make_error(Errc::no_data, kTransact, "the request could not be written: the server has gone"));
    connection_ended(id, make_error_code(Errc::no_data));
    return waiter;
  }
  watch(ch);  // asks for EPOLLOUT if the request did not fit at once; the handler stays ours
  return waiter;
}

void PosixBackend::on_transact_ready(EndpointId id, std::uint32_t events) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  Channel& ch = c.channel;
  if ((events & EPOLLOUT) != 0 && !flush_channel(id, ch)) {
    end_transact(c, make_error(Errc::no_data, kTransact, "the request could not be written: the server has gone"));
    connection_ended(id, make_error_code(Errc::no_data));
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0) {
    watch(ch);
    return;
  }
  // The whole size first: SOCK_SEQPACKET drops what does not fit.
  const ssize_t size = ::recv(ch.fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
    watch(ch);
    return;
  }
  if (size < 0 || (size == 0 && peer_has_closed(ch.fd) && !empty_message_waits(ch.fd))) {
    const std::error_code reason =
        size < 0 ? error_from_errno(errno, IoContext::read, "read").code : make_error_code(Errc::broken_pipe);
    end_transact(c, closed_before_reply());
    connection_ended(id, reason);
    return;
  }
  Bytes reply(static_cast<std::size_t>(size));
  const ssize_t got = ::recv(ch.fd, reply.data(), reply.size(), MSG_DONTWAIT);
  if (got < 0) {
    if (errno == EAGAIN || errno == EINTR) {
      watch(ch);
      return;
    }
    const std::error_code reason = error_from_errno(errno, IoContext::read, "read").code;
    end_transact(c, closed_before_reply());
    connection_ended(id, reason);
    return;
  }
  reply.resize(static_cast<std::size_t>(got));
  await_peer_records(ch, reply.size());
  // Logged once, in read-buffer parts as every message is, flagged transact.
  std::size_t offset = 0;
  do {
    const std::size_t part = std::min<std::size_t>(ch.read_buffer, reply.size() - offset);
    const bool last = offset + part == reply.size();
    std::uint8_t flags = ch.extra_flags | record_flags::message | record_flags::transact;
    if (!last) flags |= record_flags::more_data;
    context_.record(id, Direction::in, std::span<const std::byte>(reply).subspan(offset, part), flags);
    offset += part;
  } while (offset < reply.size());
  end_transact(c, std::move(reply));
}

void PosixBackend::end_transact(Connection& c, Result<Bytes> outcome) {
  std::shared_ptr<TransactWaiter> waiter = std::move(c.transact.waiter);
  Channel& ch = c.channel;
  if (ch.fd >= 0 && ch.token != 0) {
    // Back to the ordinary reader, which also picks up anything that came
    // after the reply (level-triggered epoll reports it again).
    loop_.remove(ch.token, ch.fd);
    ch.token = 0;
    ch.watched = 0;
    watch(ch);
  }
  // The exchange's records reach the sink before the caller wakes: a caller
  // that shows the events it has (the console tool) must find them there.
  context_.flush();
  if (waiter) waiter->finish(std::move(outcome));
}

Result<Bytes> PosixBackend::transact(EndpointId client, std::span<const std::byte> request,
                                     std::chrono::milliseconds timeout) {
  if (loop_.on_loop_thread()) return engine_thread_refused(kTransact);
  auto begun = loop_.call([&] { return begin_transact(client, Bytes(request.begin(), request.end())); });
  if (!begun) return std::move(begun).error();
  std::shared_ptr<TransactWaiter> waiter = *begun;
  if (auto outcome = waiter->wait_for(timeout)) return std::move(*outcome);
  // The time ran out: give the socket back to the ordinary reader (a reply
  // that comes later is an ordinary message, as after a cancelled
  // TransactNamedPipe), unless the reply won the race.
  loop_.call([&] {
    auto it = connections_.find(client);
    if (it != connections_.end() && it->second->transact.waiter == waiter) {
      end_transact(*it->second,
                   make_error(Errc::sem_timeout, kTransact,
                              fmt::format("no reply within {} ms; a reply that comes later is read as an ordinary "
                                          "message",
                                          timeout.count())));
    }
  });
  auto outcome = waiter->wait_for(std::chrono::milliseconds{0});
  if (outcome) return std::move(*outcome);
  return make_error(Errc::sem_timeout, kTransact, fmt::format("no reply within {} ms", timeout.count()));
}

Result<Bytes> PosixBackend::call(const ClientOptions& options, const PipeName& name, std::span<const std::byte> request,
                                 std::chrono::milliseconds timeout) {
  if (loop_.on_loop_thread()) return engine_thread_refused("CallNamedPipe");
  // CallNamedPipe is CreateFile (waiting while busy) + TransactNamedPipe +
  // CloseHandle; here the same three steps on a short-lived client.
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto connected = promise->get_future();
  auto client = connect_async(options, name, [promise](const Result<void>& r) { promise->set_value(r); });
  if (!client) return std::move(client).error();
  if (auto outcome = connected.get(); !outcome) return std::move(outcome).error();
  auto reply = transact(*client, request, timeout);
  static_cast<void>(disconnect(*client));
  // CallNamedPipe reads the reply into one buffer and closes the pipe before
  // it returns, so a longer reply fails with ERROR_MORE_DATA and its rest is
  // lost (CallNamedPipeW, learn.microsoft.com/windows/win32/api/namedpipeapi/
  // nf-namedpipeapi-callnamedpipew). The whole reply was read and logged
  // here; the caller gets what Windows gives it.
  if (reply && reply->size() > options.read_buffer_size) {
    Error more = make_error(Errc::more_data, kTransact,
                            fmt::format("{}: the reply is larger than the {}-byte read buffer; the call closed the "
                                        "pipe and the rest is lost",
                                        name.full(), options.read_buffer_size));
    context_.report(*client, 0, more);
    context_.flush();
    return more;
  }
  return reply;
}

}  // namespace pipescope::detail::posix
