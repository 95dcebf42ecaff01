// The POSIX backend's front: it owns the event loop and the tables of
// servers, connections and children, and routes the engine's calls to the
// parts, each in a file of its own: server.cpp (listening, the busy/rename
// technique), client.cpp (connecting), channel_read.cpp (the read path),
// send_path.cpp (writes and their order), child_posix.cpp, transact_posix.cpp,
// and teardown here.
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

void PosixBackend::set_send_target(EndpointId id, bool writable, Errc refusal, std::string why_not) {
  std::lock_guard lock(send_mutex_);
  targets_[id] = SendTarget{writable, refusal, std::move(why_not), nullptr};
}

void PosixBackend::forget_send_target(EndpointId id) {
  std::lock_guard lock(send_mutex_);
  targets_.erase(id);
}

// -------------------------------------------------------------------- teardown

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
