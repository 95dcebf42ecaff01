// Engine::inspect on POSIX: what PeekNamedPipe, GetNamedPipeInfo,
// GetNamedPipeHandleState and the process-id calls tell on Windows, read from
// the socket (FIONREAD, MSG_PEEK | MSG_TRUNC, SO_RCVBUF/SO_SNDBUF,
// SO_PEERCRED), from the engine's own server and from the socket file. What
// a Unix socket has no counterpart for stays -1 or empty, and the notes say
// so.
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "posix_backend.hpp"

namespace pipescope::detail::posix {

namespace {

std::int64_t socket_buffer(int fd, int option) {
  int size = 0;
  socklen_t len = sizeof size;
  if (::getsockopt(fd, SOL_SOCKET, option, &size, &len) != 0) return -1;
  return size;
}

void add_note(PipeInspection& result, const std::string& note) {
  if (!result.notes.empty()) result.notes += ' ';
  result.notes += note;
}

}  // namespace

std::string socket_security(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  const std::string name = user_name(st.st_uid);
  std::string text = fmt::format("mode {:04o}, owner uid {}", st.st_mode & 07777, st.st_uid);
  if (!name.empty()) text += fmt::format(" ({})", name);
  return text;
}

PipeInspection PosixBackend::inspect_connection(const Connection& c) const {
  PipeInspection result;
  const Channel& ch = c.channel;
  const bool is_instance = c.kind == EndpointKind::instance;
  const bool connected = ch.fd >= 0;
  result.server_end = is_instance;

  // Type and read mode: the socket type is the pipe type; the read mode is
  // how this end cuts what it reads. A listening instance has no socket yet,
  // so its server's options tell.
  if (connected) {
    result.type = ch.message_type ? "message" : "byte";
    result.read_mode = ch.message_reads ? "message" : "byte";
  } else if (is_instance && c.server != nullptr) {
    result.type = c.server->options.type == PipeType::message ? "message" : "byte";
    result.read_mode = c.server->options.read_mode == ReadMode::message ? "message" : "byte";
  }
  // The wait mode belongs to each handle. On Windows the engine creates a
  // PIPE_NOWAIT instance and switches its own handle back to PIPE_WAIT at
  // once, and a client's handle starts in PIPE_WAIT, so GetNamedPipeHandleState
  // shows "wait" on both ends whatever --nowait said; this side says the same.
  result.wait_mode = "wait";

  // PeekNamedPipe. The engine reads eagerly, so what is still waiting is
  // usually nothing: the log already holds it.
  if (connected) {
    int available = 0;
    if (::ioctl(ch.fd, FIONREAD, &available) == 0) {
      result.bytes_available = available;
    } else {
      add_note(result, fmt::format("FIONREAD failed (errno {}).", errno));
    }
    if (ch.message_type) {
      const ssize_t next = ::recv(ch.fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
      if (next >= 0) {
        result.message_bytes_left = next;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        result.message_bytes_left = 0;
      }
    } else {
      // As PeekNamedPipe reports for a byte pipe: there are no messages.
      result.message_bytes_left = 0;
    }
  } else {
    add_note(result, "No client is connected, so there is no data to peek at.");
  }

  // GetNamedPipeInfo: instances and limits are known for our own servers.
  const Server* server = c.server;
  if (server == nullptr) {
    for (const auto& [id, s] : servers_) {
      if (s->path == c.path) server = s.get();
    }
  }
  if (server != nullptr) {
    result.current_instances = static_cast<std::int64_t>(server->connected.size()) + (server->listening != 0 ? 1 : 0);
    result.max_instances = server->options.max_instances;
  } else {
    add_note(result, "The server is another process: a Unix socket does not tell its instance counts.");
  }
  // The socket's kernel buffers stand for the pipe's buffer sizes (Windows
  // takes them from CreateNamedPipe's nInBufferSize and nOutBufferSize).
  const int buffer_fd = connected ? ch.fd : (server != nullptr ? server->listen_fd : -1);
  if (buffer_fd >= 0) {
    result.in_buffer_size = socket_buffer(buffer_fd, SO_RCVBUF);
    result.out_buffer_size = socket_buffer(buffer_fd, SO_SNDBUF);
  }
  add_note(result,
           "Collect-data settings exist only for remote byte pipes on Windows; a Unix socket is always local, "
           "so it has no computer name either. Unix has no Windows sessions.");

  // Process ids: SO_PEERCRED gives the peer; our own end is this process.
  const std::int64_t self = ::getpid();
  if (is_instance) {
    result.server_pid = self;
    if (connected) {
      result.client_pid = c.peer.pid;
      result.user_name = c.peer_user;
    }
  } else {
    result.client_pid = self;
    if (connected) result.server_pid = c.peer.pid;
  }

  const std::string& path = server != nullptr ? server->path : c.path;
  result.security_descriptor = socket_security(path);
  if (result.security_descriptor.empty()) {
    add_note(result, fmt::format("The socket file {} could not be read.", path));
  }
  return result;
}

Result<PipeInspection> PosixBackend::inspect(EndpointId endpoint) const {
  return loop_.call([&]() -> Result<PipeInspection> {
    if (children_.contains(endpoint)) {
      return make_error(Errc::invalid_parameter, "inspect",
                        fmt::format("endpoint {} is a child's anonymous pipes; inspect works on pipe instances "
                                    "and clients",
                                    endpoint));
    }
    auto it = connections_.find(endpoint);
    if (it == connections_.end()) {
      if (context_.endpoint(endpoint)) {
        return make_error(Errc::pipe_not_connected, "inspect", fmt::format("endpoint {} is closed", endpoint));
      }
      return make_error(Errc::unknown_endpoint, "inspect", fmt::format("endpoint {}", endpoint));
    }
    const Connection& c = *it->second;
    if (c.kind == EndpointKind::client && c.channel.fd < 0) {
      return make_error(Errc::pipe_not_connected, "inspect",
                        fmt::format("endpoint {} is still connecting", endpoint));
    }
    return inspect_connection(c);
  });
}

}  // namespace pipescope::detail::posix
