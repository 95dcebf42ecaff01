// Asking a socket path what is there. The kernel finds the socket of a path
// by the file's inode, whatever name the socket was bound with (a relative
// path, a name since renamed) and in whichever network namespace it lives;
// so connecting is the one question no forged table row and no odd name can
// answer wrongly.
#include "socket_probe.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "posix_backend.hpp"

namespace pipescope::detail::posix {

namespace {

/// A socket closed when it goes out of scope.
class ProbeSocket {
 public:
  explicit ProbeSocket(int type)
      : fd_(::socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)), socket_errno_(fd_ < 0 ? errno : 0) {}
  ~ProbeSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  ProbeSocket(const ProbeSocket&) = delete;
  ProbeSocket& operator=(const ProbeSocket&) = delete;

  /// 0 when connected, else the errno of socket() or connect().
  int connect_to(const std::string& path) const {
    if (fd_ < 0) return socket_errno_;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return ENAMETOOLONG;
    std::memcpy(addr.sun_path, path.data(), path.size());
    return ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
  }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_;
  int socket_errno_;
};

/// 0 or EPROTOTYPE when a socket is bound to the file at the path,
/// ECONNREFUSED when none is, or the errno that stood in the way.
int bound_probe(const std::string& path) {
  // A datagram connect looks the socket up by the file's inode and checks
  // its type after finding it: a stream or message listener answers
  // EPROTOTYPE, a datagram socket accepts (which sends nothing), and a file
  // with no socket bound to it is refused. A busy pipe, shut down for
  // reading, is still found, so it is never mistaken for a stale file.
  const ProbeSocket probe(SOCK_DGRAM);
  return probe.connect_to(path);
}

}  // namespace

std::optional<bool> socket_file_is_bound(const std::string& path) {
  switch (bound_probe(path)) {
    case 0:
    case EPROTOTYPE: return true;
    case ECONNREFUSED:
    case ENOENT: return false;
    default: return std::nullopt;
  }
}

PathProbe probe_socket_path(const std::string& path) {
  PathProbe probe;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return probe;
    probe.state = PathProbe::State::undecided;
    probe.why = fmt::format("lstat: {}", std::strerror(errno));
    return probe;
  }
  probe.owner_uid = st.st_uid;
  probe.file_type = st.st_mode & S_IFMT;
  probe.dev = st.st_dev;
  probe.ino = st.st_ino;
  if (!S_ISSOCK(st.st_mode)) {
    probe.state = PathProbe::State::not_a_socket;
    return probe;
  }

  const int bound_err = bound_probe(path);
  if (bound_err == ECONNREFUSED) {
    probe.state = PathProbe::State::stale;
    return probe;
  }
  if (bound_err == ENOENT) {
    probe.state = PathProbe::State::missing;  // removed since the lstat
    return probe;
  }
  if (bound_err != 0 && bound_err != EPROTOTYPE) {
    probe.state = PathProbe::State::undecided;
    probe.why = fmt::format("a connect to see whether a socket is bound there failed: {}", std::strerror(bound_err));
    return probe;
  }

  // Bound. A connect of the right type says whether it listens and, with
  // SO_PEERCRED, whose it is. The probe is closed at once and sends
  // nothing; a server sees a client that came and left.
  probe.state = PathProbe::State::bound;
  for (const int type : {SOCK_STREAM, SOCK_SEQPACKET}) {
    const ProbeSocket stream(type);
    const int err = stream.connect_to(path);
    if (err == EPROTOTYPE) continue;
    if (err == 0 || err == EAGAIN) probe.state = PathProbe::State::listening;
    if (err == 0) probe.server = peer_of(stream.fd());
    break;
  }
  return probe;
}

bool is_symbolic_link(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

std::string describe_user(uid_t uid) {
  const std::string name = user_name(uid);
  return name.empty() ? fmt::format("uid {}", uid) : fmt::format("uid {} ({})", uid, name);
}

Result<void> check_socket_folder(const std::string& folder) {
  const uid_t me = ::geteuid();
  const auto trusted = [me](uid_t owner) { return owner == me || owner == 0; };
  struct stat link {};
  if (::lstat(folder.c_str(), &link) != 0) {
    return error_from_errno(errno, IoContext::create, "socket folder", folder);
  }
  // A link is followed only when we or root made it (as /tmp may be a link
  // on some systems); one planted by another user would send our sockets
  // into a folder that user controls.
  if (S_ISLNK(link.st_mode) && !trusted(link.st_uid)) {
    return make_error(Errc::access_denied, "socket folder",
                      fmt::format("{} is a symbolic link owned by {}; PipeScope does not follow another user's "
                                  "links. Set TMPDIR to a folder of your own",
                                  folder, describe_user(link.st_uid)));
  }
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) {
    return error_from_errno(errno, IoContext::create, "socket folder", folder);
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error(Errc::access_denied, "socket folder", fmt::format("{} is not a folder", folder));
  }
  if (!trusted(st.st_uid)) {
    return make_error(Errc::access_denied, "socket folder",
                      fmt::format("{} belongs to {}, who could replace PipeScope's sockets in it. Set TMPDIR to a "
                                  "folder of your own",
                                  folder, describe_user(st.st_uid)));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return make_error(Errc::access_denied, "socket folder",
                      fmt::format("{} may be written by others and is not sticky (mode {:04o}), so anyone could "
                                  "replace PipeScope's sockets in it. Set TMPDIR to a folder of your own",
                                  folder, st.st_mode & 07777));
  }
  return {};
}

Result<void> check_path_free(const std::string& path, const std::string& pipe_name, bool first_instance) {
  const auto slash = path.rfind('/');
  if (slash != std::string::npos) {
    if (auto folder = check_socket_folder(slash == 0 ? std::string("/") : path.substr(0, slash)); !folder) {
      return folder;
    }
  }
  const PathProbe probe = probe_socket_path(path);
  switch (probe.state) {
    case PathProbe::State::missing: return {};
    case PathProbe::State::not_a_socket:
      return make_error(Errc::access_denied, "create",
                        probe.file_type == S_IFLNK
                            ? fmt::format("{} is a symbolic link; PipeScope never follows or replaces a link", path)
                            : fmt::format("{} exists and is not a socket; PipeScope will not replace it", path));
    case PathProbe::State::listening:
    case PathProbe::State::bound: {
      // Windows would let a second server add instances to a live pipe
      // unless it asked to be first; a Unix socket has one owner, so we
      // refuse either way and never take over a live pipe.
      std::string who = probe.server ? fmt::format(" (server pid {}, {})", probe.server->pid,
                                                   describe_user(static_cast<uid_t>(probe.server->uid)))
                                     : fmt::format(" (socket file of {})", describe_user(probe.owner_uid));
      if (probe.state == PathProbe::State::bound) {
        who += "; it refuses connects now: every instance is busy, or its server does not listen";
      }
      return make_error(Errc::access_denied, "create",
                        first_instance
                            ? fmt::format("{} is already served by a live server{} (FILE_FLAG_FIRST_PIPE_INSTANCE)",
                                          pipe_name, who)
                            : fmt::format("{} is already served by another server{}; on POSIX a pipe name has one "
                                          "owner, so PipeScope cannot add instances to it",
                                          pipe_name, who));
    }
    case PathProbe::State::stale:
      if (probe.owner_uid != ::geteuid()) {
        return make_error(Errc::access_denied, "create",
                          fmt::format("{} is a stale socket (nobody listens) owned by {}; PipeScope replaces only "
                                      "stale sockets of its own user. If nobody uses it, its owner (or root) may "
                                      "remove it: rm -- '{}'",
                                      path, describe_user(probe.owner_uid), path));
      }
      return {};  // our own stale socket: the new one replaces it
    case PathProbe::State::undecided: break;
  }
  return make_error(Errc::access_denied, "create",
                    fmt::format("{} is a socket of {} that PipeScope cannot judge ({}); it may be live, so "
                                "PipeScope will not replace it",
                                path, describe_user(probe.owner_uid), probe.why));
}

}  // namespace pipescope::detail::posix
