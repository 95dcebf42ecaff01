// Clients: connect() to a server's socket, with retries while every instance
// is busy (ERROR_PIPE_BUSY, WaitNamedPipe), the access check a socket cannot
// make, and the pairing with our own instance.
#include "posix_backend.hpp"
#include "socket_util.hpp"

#include "brief_mutex.hpp"
#include "busy_wait.hpp"
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

constexpr auto kMaxRetryDelay = std::chrono::milliseconds(50);

}  // namespace

Result<EndpointId> PosixBackend::connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done) {
  auto path = socket_path_for(name);
  if (!path) return std::move(path).error();
  return loop_.call([&]() -> Result<EndpointId> {
    auto c = std::make_unique<Connection>();
    c->kind = EndpointKind::client;
    c->client_options = options;
    c->path = *path;
    c->on_connected = std::move(done);
    c->busy_deadline = waits_forever(options.busy_timeout)
                           ? EventLoop::Clock::time_point::max()
                           : EventLoop::Clock::now() + options.busy_timeout;
    c->id = context_.add_endpoint(EndpointKind::client, 0, name.full(), fmt::format("client {{id}} → {}", name.kind() == PipeName::Kind::path ? name.full() : name.leaf()),
                                  EndpointState::connecting);
    set_send_target(c->id, false, Errc::pipe_not_connected, "connecting");
    const EndpointId id = c->id;
    connections_.emplace(id, std::move(c));
    // Connecting runs as posted work, so the caller gets the id before any
    // outcome is reported.
    loop_.post([this, id] { for_endpoint(id, [&] { try_connect(id); }); });
    return id;
  });
}

void PosixBackend::try_connect(EndpointId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  c.retry_timer = 0;
  const ClientOptions& o = c.client_options;

  // Unix sockets refuse a connect of the wrong type with EPROTOTYPE, which
  // tells us the pipe's type. A byte read mode works on either type, so try
  // byte first; message read mode needs a message pipe.
  std::vector<int> types{SOCK_SEQPACKET};
  if (o.read_mode == ReadMode::byte) types.insert(types.begin(), SOCK_STREAM);
  if (is_symbolic_link(c.path)) {
    connect_failed(c, make_error(Errc::access_denied, "connect",
                                 fmt::format("{} is a symbolic link; PipeScope never follows a link to another socket",
                                             c.path)));
    return;
  }
  if (auto why = direction_mismatch(c.path, o.access); !why.empty()) {
    connect_failed(c, make_error(Errc::access_denied, "connect", fmt::format("{}: {}", c.path, why)));
    return;
  }
  sockaddr_un addr = address_of(c.path);
  int fd = -1;
  int err = 0;
  int type = 0;
  for (int t : types) {
    fd = ::socket(AF_UNIX, t | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = errno;
      break;
    }
    // A bind with no name gives the socket a unique abstract one, which the
    // instance it reaches sees as its peer's address: when that instance is
    // ours, the two are paired by it (see pair_instance).
    sockaddr_un unnamed{};
    unnamed.sun_family = AF_UNIX;
    ::bind(fd, reinterpret_cast<sockaddr*>(&unnamed), sizeof unnamed.sun_family);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      err = 0;
      type = t;
      break;
    }
    err = errno;
    ::close(fd);
    fd = -1;
    if (err != EPROTOTYPE) break;
  }

  if (fd >= 0) {
    raise_socket_buffers(fd);
    c.peer = peer_of(fd);
    if (c.peer.uid >= 0) c.peer_user = user_name(static_cast<uid_t>(c.peer.uid));
    c.channel.id = c.id;
    c.channel.fd = fd;
    c.channel.message_type = type == SOCK_SEQPACKET;
    c.channel.message_reads = o.read_mode == ReadMode::message;
    c.channel.read_buffer = o.read_buffer_size;
    // The client's access is enforced here, on our side: the server cannot
    // learn it from a socket (see on_listener_ready).
    c.channel.can_write = o.access != ClientAccess::read;
    watch(c.channel);
    context_.set_state(c.id, EndpointState::connected, c.peer);
    context_.identify_peer(c.id, c.peer_user);
    // The instance this reaches, if ours, finds the client by its socket
    // name (see pair_instance).
    c.pair_key = own_socket_name(fd);
    if (!c.pair_key.empty()) unpaired_clients_[c.pair_key] = c.id;
    set_send_target(c.id, c.channel.can_write, Errc::access_denied,
                    c.channel.can_write ? "" : "this client was opened for reading only (no GENERIC_WRITE)");
    if (auto done = std::exchange(c.on_connected, nullptr)) done(Result<void>{});
    return;
  }

  if (err == EPROTOTYPE) {
    connect_failed(c, make_error(Errc::invalid_parameter, "connect",
                                 fmt::format("{} is a byte pipe; it cannot be read in message mode",
                                             context_.endpoint(id)->pipe_name)));
    return;
  }
  const bool maybe_busy = err == ECONNREFUSED || err == EAGAIN;
  if (err == ECONNREFUSED && socket_file_is_bound(c.path) == false) {
    connect_failed(c, make_error(Errc::file_not_found, "connect",
                                 fmt::format("{}: the socket file exists but no server listens on it (stale)",
                                             c.path)));
    return;
  }
  if (!maybe_busy) {
    Error e = error_from_errno(err, IoContext::connect, "connect", c.path);
    connect_failed(c, std::move(e));
    return;
  }
  // Every instance is busy: wait like WaitNamedPipe, retrying until an
  // instance listens again or the client's timeout runs out.
  if (o.busy_timeout.count() == 0) {
    connect_failed(c, error_from_errno(err, IoContext::connect, "connect", c.path));
    return;
  }
  const auto now = EventLoop::Clock::now();
  if (now >= c.busy_deadline) {
    Error e = make_error(Errc::sem_timeout, "wait for a free instance",
                         busy_wait_detail(context_.endpoint(id)->pipe_name, o.busy_timeout));
    e.os_domain = OsDomain::posix_errno;
    e.os_code = err;
    connect_failed(c, std::move(e));
    return;
  }
  const auto when = std::min(now + c.retry_delay, c.busy_deadline);
  c.retry_delay = std::min(c.retry_delay * 2, kMaxRetryDelay);
  c.retry_timer = loop_.add_timer(when, [this, id] { for_endpoint(id, [&] { try_connect(id); }); });
}

void PosixBackend::connect_failed(Connection& c, Error error) {
  const EndpointId id = c.id;
  const std::error_code code = error.code;
  auto done = std::exchange(c.on_connected, nullptr);
  context_.report(id, 0, error);
  context_.set_state(id, EndpointState::closed, {}, code);
  forget_send_target(id);
  connections_.erase(id);
  if (done) done(Result<void>{std::move(error)});
}

}  // namespace pipescope::detail::posix
