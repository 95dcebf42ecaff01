// POSIX half of bench_raw.hpp: the bare calls the POSIX backend is built on.
//
// A byte pipe is a SOCK_STREAM socket pair and a message pipe a SOCK_SEQPACKET
// one, as the engine maps them; pipe(2) is shown beside the byte socket
// because it is what a POSIX program would reach for first. The sockets get
// the same send buffer the engine asks for, so a comparison measures the
// engine's own work and not a difference in buffering.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "bench_raw.hpp"

namespace pipescope::cli {
namespace {

int fd_of(RawEnd::Handle handle) noexcept { return static_cast<int>(handle); }

/// The send buffer the POSIX backend asks for on every socket, whatever the
/// server's advisory buffer sizes (posix_backend.cpp, kSocketBuffer).
constexpr int kEngineSocketBuffer = 8 * 1024 * 1024;

/// As the engine does for its own sockets: a privileged process may force
/// the size; otherwise the kernel caps it at net.core.wmem_max.
void set_send_buffer(int fd) {
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &kEngineSocketBuffer, sizeof kEngineSocketBuffer) != 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kEngineSocketBuffer, sizeof kEngineSocketBuffer);
  }
}

/// write(2) on a socket or pipe whose reader has gone raises SIGPIPE, which
/// would end the tool; ignored, the write fails with EPIPE and is reported.
/// The baselines use write(2) rather than send(MSG_NOSIGNAL) because it is
/// the one call that serves sockets and pipes alike.
void ignore_broken_pipe_signal() {
  static const bool ignored = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)ignored;
}

}  // namespace

Result<std::size_t> RawEnd::read_some(std::span<std::byte> into) {
  for (;;) {
    const ssize_t got = ::read(fd_of(read_), into.data(), into.size());
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) return error_from_errno(errno, IoContext::read, "read");
  }
}

Result<void> RawEnd::write_all(std::span<const std::byte> bytes) {
  // A message (SOCK_SEQPACKET) goes out whole in one call or fails; a byte
  // stream may take several calls.
  std::size_t done = 0;
  do {
    const ssize_t n = ::write(fd_of(write_), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error_from_errno(errno, IoContext::write, "write");
    done += static_cast<std::size_t>(n);
  } while (done < bytes.size());
  return {};
}

void RawEnd::close_handle(Handle handle) noexcept {
  if (handle != kNoHandle) ::close(fd_of(handle));
}

std::vector<RawTransport> raw_transports(PipeType type) {
  if (type == PipeType::message) {
    return {RawTransport{"socketpair SOCK_SEQPACKET", "socket", true}};
  }
  return {RawTransport{"socketpair SOCK_STREAM", "socket", false}, RawTransport{"pipe(2)", "pipe2", false}};
}

Result<RawPair> open_raw_pair(const RawTransport& transport, const ServerOptions& /*like*/) {
  ignore_broken_pipe_signal();
  if (transport.id == "pipe2") {
    // One pipe for each direction: a pipe carries bytes one way only.
    int forward[2] = {-1, -1};
    int backward[2] = {-1, -1};
    if (::pipe2(forward, O_CLOEXEC) != 0) return error_from_errno(errno, IoContext::create, "pipe2");
    if (::pipe2(backward, O_CLOEXEC) != 0) {
      const int err = errno;
      ::close(forward[0]);
      ::close(forward[1]);
      return error_from_errno(err, IoContext::create, "pipe2");
    }
    RawPair pair;
    pair.a = RawEnd(backward[0], forward[1]);
    pair.b = RawEnd(forward[0], backward[1]);
    return pair;
  }
  int fds[2] = {-1, -1};
  const int type = transport.message_type ? SOCK_SEQPACKET : SOCK_STREAM;
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) {
    return error_from_errno(errno, IoContext::create, "socketpair");
  }
  set_send_buffer(fds[0]);
  set_send_buffer(fds[1]);
  RawPair pair;
  pair.a = RawEnd(fds[0], fds[0]);
  pair.b = RawEnd(fds[1], fds[1]);
  return pair;
}

Result<RawEnd> connect_raw(const std::string& os_path, PipeType type) {
  ignore_broken_pipe_signal();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (os_path.size() >= sizeof address.sun_path) {
    return make_error(Errc::invalid_name, "connect", fmt::format("{}: too long for a socket path", os_path));
  }
  std::memcpy(address.sun_path, os_path.data(), os_path.size());
  const int fd = ::socket(AF_UNIX, (type == PipeType::message ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return error_from_errno(errno, IoContext::connect, "socket");
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int err = errno;
    ::close(fd);
    return error_from_errno(err, IoContext::connect, "connect", os_path);
  }
  set_send_buffer(fd);
  return RawEnd(fd, fd);
}

}  // namespace pipescope::cli
