#include "socket_util.hpp"

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

/// Bigger than the largest message Linux carries (4 MiB, see
/// message_limit.hpp), so that limit is the one that applies; a larger
/// message fails with a clear error rather than a hang.
constexpr int kSocketBuffer = 8 * 1024 * 1024;

}  // namespace

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

}  // namespace pipescope::detail::posix
