// Servers and their instances on AF_UNIX sockets (the listener).
//
// Windows meaning, POSIX means: a server is one listening socket; each
// accepted connection is an instance; SOCK_SEQPACKET carries message pipes,
// SOCK_STREAM byte pipes. While every instance is busy the listening socket
// is shut down for reading, so connects fail with ECONNREFUSED on a path that
// exists (= ERROR_PIPE_BUSY); when an instance frees up, a fresh listening
// socket bound to a temporary name is renamed over the path, so the name is
// never missing for a moment.
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

constexpr int kListenBacklog = 128;

}  // namespace

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
  set_send_target(c->id, false, Errc::pipe_listening, "listening");
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
    set_send_target(c.id, c.channel.can_write, Errc::access_denied,
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

}  // namespace pipescope::detail::posix
