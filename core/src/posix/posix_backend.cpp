// Servers, instances and clients on AF_UNIX sockets.
//
// Windows meaning, POSIX means: a server is one listening socket; each
// accepted connection is an instance; SOCK_SEQPACKET carries message pipes,
// SOCK_STREAM byte pipes. While every instance is busy the listening socket
// is shut down for reading, so connects fail with ECONNREFUSED on a path that
// exists (= ERROR_PIPE_BUSY); when an instance frees up, a fresh listening
// socket bound to a temporary name is renamed over the path, so the name is
// never missing for a moment.
#include "posix_backend.hpp"

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

constexpr int kListenBacklog = 128;
constexpr int kMaxReadsPerWakeup = 64;
/// Queued entries written with one writev or sendmmsg.
constexpr std::size_t kMaxWriteBatch = 64;
/// The most queued message bytes read with one recv each; beyond that, each
/// message's size is asked first so the read buffer stays this small. A
/// queue of small messages a sender filled its 8 MiB send buffer with holds
/// a few MiB of payload.
constexpr std::size_t kMaxQueuedRead = 4 * 1024 * 1024;
/// Bigger than the largest message Linux carries (4 MiB, see
/// message_limit.hpp), so that limit is the one that applies; a larger
/// message fails with a clear error rather than a hang.
constexpr int kSocketBuffer = 8 * 1024 * 1024;
/// The smallest send to a byte pipe written from the caller's thread (see
/// send()). Smaller ones go the loop's way: a stream keeps no boundaries, so
/// the loop writes every small send waiting with one writev, which beat one
/// system call per send from the caller (measured with 64-byte sends: 1.1-1.6
/// times the raw rate, against 0.5-0.7 times written one by one). A message
/// pipe needs a call per message either way, so its sends are written
/// directly whatever their size.
constexpr std::size_t kDirectStreamWrite = 8 * 1024;
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(50);

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  return addr;
}

void raise_socket_buffers(int fd) {
  // SO_SNDBUFFORCE works for a privileged process; otherwise the kernel caps
  // SO_SNDBUF at net.core.wmem_max. Either way EMSGSIZE tells the rest.
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBuffer, sizeof kSocketBuffer);
  }
}

/// A socket's own abstract name (see try_connect), or empty.
std::string own_socket_name(int fd) {
  sockaddr_un own{};
  socklen_t len = sizeof own;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&own), &len) != 0 || len <= offsetof(sockaddr_un, sun_path)) {
    return {};
  }
  const auto name_length = static_cast<std::size_t>(len) - offsetof(sockaddr_un, sun_path);
  if (own.sun_path[0] != '\0') return {};  // only an autobound name is unique to this socket
  return std::string(own.sun_path, name_length);
}

bool peer_has_closed(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// A socket file's execute and sticky bits mean nothing to the kernel
// (connect needs write permission only), so they carry the pipe's direction
// to clients: Windows refuses a client whose access does not fit a one-way
// pipe at CreateFile, and our clients do the same after a stat(). The sticky
// bit says "marked by PipeScope": a foreign server's socket never has it
// (bind applies the umask to 0777), while its execute bits are often set.
constexpr mode_t kInboundMark = S_ISVTX | S_IXUSR;   // the server only reads: clients may only write
constexpr mode_t kOutboundMark = S_ISVTX | S_IXGRP;  // the server only writes: clients may only read

Result<mode_t> socket_mode(const ServerOptions& options) {
  mode_t mode = 0600;
  switch (options.security) {
    case SecurityPreset::owner_only: break;
    case SecurityPreset::everyone: mode = 0666; break;
    case SecurityPreset::custom: {
      const std::string& text = options.security_descriptor;
      char* end = nullptr;
      const unsigned long custom = std::strtoul(text.c_str(), &end, 8);
      if (text.empty() || end == nullptr || *end != '\0' || custom > 0777) {
        return make_error(Errc::invalid_parameter, "security descriptor",
                          fmt::format("\"{}\": on POSIX a custom descriptor is an octal file mode such as 0660",
                                      text));
      }
      // Execute bits are ours (see above); read and write are the person's.
      mode = static_cast<mode_t>(custom) & 0666;
      break;
    }
  }
  if (options.access == PipeAccess::inbound) mode |= kInboundMark;
  if (options.access == PipeAccess::outbound) mode |= kOutboundMark;
  return mode;
}

/// What a one-way pipe's marks say about a client's access; empty when it fits.
std::string direction_mismatch(const std::string& path, ClientAccess access) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  if ((st.st_mode & kInboundMark) == kInboundMark && access != ClientAccess::write) {
    return "this is an inbound pipe: the server only reads, so a client may open it for writing only";
  }
  if ((st.st_mode & kOutboundMark) == kOutboundMark && access != ClientAccess::read) {
    return "this is an outbound pipe: the server only writes, so a client may open it for reading only";
  }
  return {};
}

}  // namespace

std::string user_name(uid_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::array<char, 4096> buffer{};
  if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return {};
}

PeerInfo peer_of(int fd) {
  PeerInfo peer;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    peer.pid = cred.pid;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
  }
  return peer;
}

PosixBackend::PosixBackend(EngineContext& context)
    : context_(context),
      loop_([this] { context_.flush(); }, [this](std::exception_ptr failure) { engine_fault(std::move(failure)); }) {
  loop_.start();
  loop_.call([] {
    // Writing to a pipe whose reader left raises SIGPIPE, which would end the
    // whole program; blocked on the I/O thread, the write fails with EPIPE
    // instead and becomes ERROR_NO_DATA. (Sockets use MSG_NOSIGNAL.)
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  });
}

PosixBackend::~PosixBackend() {
  close_all();
  loop_.stop();
}

// ---------------------------------------------------------------- send targets

void PosixBackend::set_send_target(EndpointId id, bool writable, std::string why_not) {
  std::lock_guard lock(send_mutex_);
  targets_[id] = SendTarget{writable, std::move(why_not), nullptr};
}

void PosixBackend::forget_send_target(EndpointId id) {
  std::lock_guard lock(send_mutex_);
  targets_.erase(id);
}

// --------------------------------------------------------------------- servers

Result<int> PosixBackend::open_listener(Server& server, bool first) {
  auto mode = socket_mode(server.options);
  if (!mode) return std::move(mode).error();
  const int fd = ::socket(AF_UNIX, server.sock_type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return error_from_errno(errno, IoContext::create, "socket", server.name);
  // A socket file takes its mode from the socket inode (less the umask) at
  // bind time: setting it first means the name is never reachable with a
  // wider mode than chosen, not even for a moment.
  if (::fchmod(fd, *mode) != 0) {
    const int err = errno;
    ::close(fd);
    return error_from_errno(err, IoContext::create, "fchmod", server.name);
  }
  // A fresh socket takes over the path by rename(), so clients never see the
  // name missing; no link is followed or clobbered (see socket_file.cpp).
  const FileId own{server.dev, server.ino};
  auto bound = bind_socket_file(fd, server.path, server.temp_counter, first ? nullptr : &own);
  if (!bound) {
    ::close(fd);
    return std::move(bound).error();
  }
  auto placed = ::listen(fd, kListenBacklog) == 0
                    ? widen_socket_mode(fd, bound->path, *mode)
                    : Result<void>{error_from_errno(errno, IoContext::create, "listen", bound->path)};
  if (placed && bound->temporary) placed = move_socket_into_place(bound->path, server.path, first ? nullptr : &own);
  if (!placed) {
    ::close(fd);
    if (bound->temporary) ::unlink(bound->path.c_str());
    return std::move(placed).error();
  }
  struct stat st {};
  if (::lstat(server.path.c_str(), &st) == 0) {
    server.dev = st.st_dev;
    server.ino = st.st_ino;
  }
  return fd;
}

Result<ServerId> PosixBackend::start_server(ServerId id, const ServerOptions& options, const PipeName& name) {
  auto path = socket_path_for(name);
  if (!path) return std::move(path).error();
  return loop_.call([&]() -> Result<ServerId> {
    // Asked of the socket, never read from a table (see socket_probe.cpp).
    if (auto free = check_path_free(*path, name.full(), options.first_instance); !free) {
      return std::move(free).error();
    }
    auto server = std::make_unique<Server>();
    server->id = id;
    server->options = options;
    server->name = name.full();
    server->short_name = name.kind() == PipeName::Kind::path ? name.full() : name.leaf();
    server->path = *path;
    server->sock_type = options.type == PipeType::message ? SOCK_SEQPACKET : SOCK_STREAM;
    auto fd = open_listener(*server, true);
    if (!fd) return std::move(fd).error();
    server->listen_fd = *fd;
    Server* s = server.get();
    if (auto watched = watch_listener(*s); !watched) {
      // Nothing has seen the server yet: it is undone, name and all.
      struct stat bound {};
      if (::lstat(s->path.c_str(), &bound) == 0 && bound.st_dev == s->dev && bound.st_ino == s->ino) {
        ::unlink(s->path.c_str());
      }
      ::close(s->listen_fd);
      return std::move(watched).error();
    }
    servers_.emplace(s->id, std::move(server));
    context_.emit(ServerStarted{s->id, s->name, s->path, socket_security(s->path)});
    add_listening_instance(*s);
    return s->id;
  });
}

void PosixBackend::add_listening_instance(Server& server) {
  auto c = std::make_unique<Connection>();
  c->kind = EndpointKind::instance;
  c->server = &server;
  c->id = context_.add_endpoint(EndpointKind::instance, server.id, server.name,
                                fmt::format("{} #{}", server.short_name, ++server.instance_counter), EndpointState::listening);
  server.listening = c->id;
  set_send_target(c->id, false, "listening");
  connections_.emplace(c->id, std::move(c));

  // connect() on a Unix socket succeeds as soon as the kernel queues the
  // client, before we accept it. When this listening instance is the last one
  // allowed, a longer queue would let more clients in than there are
  // instances; a backlog of 0 queues exactly one (ours to accept), and the
  // kernel turns the others away (EAGAIN, or a blocking connect waits and is
  // then refused as busy), as Windows refuses clients beyond the last
  // instance with ERROR_PIPE_BUSY.
  const bool last = server.options.max_instances != kUnlimitedInstances &&
                    server.connected.size() + 1 >= server.options.max_instances;
  ::listen(server.listen_fd, last ? 0 : kListenBacklog);
}

void PosixBackend::on_listener_ready(Server& server) {
  while (server.listening != 0) {
    // Accepting the last allowed client: refuse first, then accept. The other
    // order leaves a moment in which the queue is empty and not yet shut, and
    // a client connecting then would be queued beyond the maximum.
    const bool last = server.options.max_instances != kUnlimitedInstances &&
                      server.connected.size() + 1 >= server.options.max_instances;
    if (last) ::shutdown(server.listen_fd, SHUT_RD);
    const int fd = ::accept4(server.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (AcceptBackoff::is_exhaustion(err)) {
        // The client stays queued (a listener shut for the last instance
        // stays shut) until descriptors are free: see accept_backoff.cpp.
        pause_accepting(server, err);
        return;
      }
      if (last) {
        // Nobody was there after all: listen again with a fresh socket, as a
        // shut-down one cannot be revived.
        server.refusing = true;
        loop_.remove(server.token, server.listen_fd);
        server.token = 0;
        reopen_listener(server);
      }
      if (err == EAGAIN) server.backoff.drained();
      if (err == EAGAIN || err == EINTR || err == ECONNABORTED) return;
      context_.report(0, server.id, error_from_errno(err, IoContext::accept, "accept", server.name));
      return;
    }
    server.backoff.accepted();
    raise_socket_buffers(fd);
    Connection& c = *connections_.at(server.listening);
    server.listening = 0;
    server.connected.push_back(c.id);
    c.peer = peer_of(fd);
    if (c.peer.uid >= 0) c.peer_user = user_name(static_cast<uid_t>(c.peer.uid));
    c.channel.id = c.id;
    c.channel.fd = fd;
    c.channel.message_type = server.options.type == PipeType::message;
    c.channel.message_reads = server.options.read_mode == ReadMode::message;
    c.channel.read_buffer = server.options.read_buffer_size;
    // One-way pipes: the server end of an inbound pipe never writes. It still
    // reads, also on an outbound pipe: a socket cannot refuse a direction at
    // open time as Windows does (a half-close would read as the end of the
    // pipe), and every byte a foreign peer sends belongs in the log.
    c.channel.can_write = server.options.access != PipeAccess::inbound;
    watch(c.channel);
    context_.set_state(c.id, EndpointState::connected, c.peer);
    context_.identify_peer(c.id, c.peer_user);
    // After the state change, so that no send's record can come before it.
    set_send_target(c.id, c.channel.can_write,
                    c.channel.can_write ? "" : "this is an inbound pipe: data flows from the client to the server only");
    pair_instance(c);

    const bool unlimited = server.options.max_instances == kUnlimitedInstances;
    if (unlimited || server.connected.size() < server.options.max_instances) {
      add_listening_instance(server);
    } else {
      refuse_clients(server);
    }
  }
}

void PosixBackend::refuse_clients(Server& server) {
  // Every instance is taken: from now on connects fail with ECONNREFUSED,
  // which our clients (and foreign ones) read as ERROR_PIPE_BUSY.
  ::shutdown(server.listen_fd, SHUT_RD);
  loop_.remove(server.token, server.listen_fd);
  server.token = 0;
  server.refusing = true;
  // Clients that reached the backlog before the shutdown already think they
  // are connected; Windows would have refused them, so close them now. They
  // read end of stream at once.
  for (int fd; (fd = ::accept4(server.listen_fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) {
    ::close(fd);
  }
}

void PosixBackend::instance_gone(Server& server, EndpointId id) {
  std::erase(server.connected, id);
  if (server.listening != 0 || server.listen_fd < 0) return;
  if (server.refusing && !reopen_listener(server)) return;
  add_listening_instance(server);
}

bool PosixBackend::reopen_listener(Server& server) {
  auto fd = open_listener(server, false);
  if (!fd) {
    context_.report(0, server.id, std::move(fd).error());
    return false;
  }
  ::close(server.listen_fd);
  server.listen_fd = *fd;
  server.refusing = false;
  if (auto watched = watch_listener(server); !watched) {
    post_stop(server.id, std::move(watched).error());
    return false;
  }
  return true;
}

void PosixBackend::close_server(Server& server) {
  if (server.token != 0) loop_.remove(server.token, server.listen_fd);
  server.token = 0;
  std::vector<EndpointId> instances = server.connected;
  if (server.listening != 0) instances.push_back(server.listening);
  server.listening = 0;
  const int fd = server.listen_fd;
  server.listen_fd = -1;  // instance_gone must not open a new listener now
  for (EndpointId id : instances) {
    close_connection(id, {});
  }
  if (fd >= 0) {
    // Remove the name only if the file is still the one we bound: never
    // delete the socket of a server that replaced ours.
    struct stat st {};
    if (::lstat(server.path.c_str(), &st) == 0 && st.st_dev == server.dev && st.st_ino == server.ino) {
      ::unlink(server.path.c_str());
    }
    ::close(fd);
  }
  context_.emit(ServerStopped{server.id});
}

Result<void> PosixBackend::stop_server(ServerId id) {
  return loop_.call([&]() -> Result<void> {
    auto it = servers_.find(id);
    if (it == servers_.end()) {
      return make_error(Errc::unknown_endpoint, "stop server", fmt::format("no server {}", id));
    }
    close_server(*it->second);
    servers_.erase(it);
    return {};
  });
}

// --------------------------------------------------------------------- clients

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
    set_send_target(c->id, false, "connecting");
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
    set_send_target(c.id, c.channel.can_write,
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
                         fmt::format("{}: every instance stayed busy for {} ms", context_.endpoint(id)->pipe_name,
                                     o.busy_timeout.count()));
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

// -------------------------------------------------------------------- channels

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
      if (conn != nullptr) run_taps(*conn, piece, ch.extra_flags, true);
      // A short read emptied the socket. The epoll loop is level-triggered,
      // so it reports the next data (or the end) when it comes; the read
      // that would only have said EAGAIN is saved.
      if (static_cast<std::size_t>(got) < ch.read_scratch.size()) return true;
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
      if (conn != nullptr) run_taps(*conn, piece, flags, last);
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

void PosixBackend::run_taps(Connection& c, std::span<const std::byte> data, std::uint8_t flags, bool message_end) {
  TapActions actions = context_.tap_read(TapRead{c.id, data, flags, c.channel.message_reads, message_end});
  if (actions.empty()) return;
  for (Bytes& reply : actions.replies()) {
    if (c.channel.can_write) enqueue(c.channel, std::move(reply), record_flags::responder);
  }
  flush_channel(c.id, c.channel);
}

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
      const std::string& why = it->second.why_not;
      const Errc code = why == "listening"    ? Errc::pipe_listening
                        : why == "connecting" ? Errc::pipe_not_connected
                                              : Errc::access_denied;
      return make_error(code, "send", fmt::format("endpoint {}: {}", endpoint, why));
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

void PosixBackend::connection_ended(EndpointId id, std::error_code reason) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (!c.channel.out.empty()) {
    std::size_t unsent = 0;
    for (const auto& q : c.channel.out) unsent += q.bytes.size() - q.written;
    context_.report(id, 0, make_error(Errc::no_data, "write",
                                      fmt::format("the peer left; {} queued bytes were never written", unsent)));
    c.channel.out.clear();
  }
  context_.set_state(id, EndpointState::disconnected, {}, reason);
  close_connection(id, reason);
}

void PosixBackend::close_connection(EndpointId id, std::error_code reason) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::unique_ptr<Connection> c = std::move(it->second);
  connections_.erase(it);
  forget_send_target(id);
  if (!c->pair_key.empty()) unpaired_clients_.erase(c->pair_key);
  if (c->retry_timer != 0) loop_.cancel_timer(c->retry_timer);
  if (c->channel.fd >= 0) {
    if (c->channel.token != 0) loop_.remove(c->channel.token, c->channel.fd);
    close_direct_writes(c->channel);
    ::close(c->channel.fd);
    context_.set_state(id, EndpointState::disconnected, {}, reason);
    descriptor_freed();
  }
  context_.set_state(id, EndpointState::closed, {}, reason);
  if (auto done = std::exchange(c->on_connected, nullptr)) {
    done(Result<void>{make_error(Errc::operation_aborted, "connect", "the client was closed while connecting")});
  }
  if (c->kind == EndpointKind::instance && c->server != nullptr) {
    if (c->server->listening == id) c->server->listening = 0;
    instance_gone(*c->server, id);
  }
}

Result<void> PosixBackend::disconnect(EndpointId endpoint) {
  return loop_.call([&]() -> Result<void> {
    if (auto child = children_.find(endpoint); child != children_.end()) {
      Child& ch = *child->second;
      if (ch.in) {
        loop_.remove(ch.in->token, ch.in->fd);
        ::close(ch.in->fd);
        ch.in.reset();
        forget_send_target(endpoint);
      }
      return {};
    }
    auto it = connections_.find(endpoint);
    if (it == connections_.end()) {
      return make_error(Errc::unknown_endpoint, "disconnect", fmt::format("endpoint {}", endpoint));
    }
    Connection& c = *it->second;
    if (c.channel.fd < 0 && c.kind == EndpointKind::instance) {
      return make_error(Errc::pipe_listening, "disconnect",
                        "no client is connected to this instance; stop the server to remove it");
    }
    if (!c.channel.out.empty()) {
      c.closing_after_flush = true;
      forget_send_target(endpoint);
      context_.set_state(endpoint, EndpointState::closing);
      return {};
    }
    close_connection(endpoint, {});
    return {};
  });
}

void PosixBackend::close_all() {
  loop_.call([this] {
    for (auto& [id, server] : servers_) close_server(*server);
    servers_.clear();
    std::vector<EndpointId> ids;
    for (auto& [id, c] : connections_) ids.push_back(id);
    for (EndpointId id : ids) close_connection(id, {});
    std::vector<EndpointId> kids;
    for (auto& [id, child] : children_) kids.push_back(id);
    for (EndpointId id : kids) {
      Child& child = *children_.at(id);
      if (!child.exited) {
        ::kill(child.pid, SIGKILL);
        ::waitpid(child.pid, &child.status, 0);
        child.exited = true;
      }
      finish_child(id);
    }
  });
}

}  // namespace pipescope::detail::posix

namespace pipescope::detail {
std::unique_ptr<Backend> make_backend(EngineContext& context) {
  return std::make_unique<posix::PosixBackend>(context);
}
}  // namespace pipescope::detail
