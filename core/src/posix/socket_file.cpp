// Making a server's socket file without following or clobbering a link:
// bind a fresh temporary name (never deleting what is there), give the file
// its mode through a descriptor of that very file, and rename it over the
// pipe's path only while that path is missing or still our own socket.
#include "socket_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "posix_backend.hpp"
#include "socket_probe.hpp"

namespace pipescope::detail::posix {

namespace {

/// How many temporary names are tried when others are taken.
constexpr unsigned kTempAttempts = 16;

/// The process's umask, read without changing it (changing it, even for a
/// moment, would change the mode of files other threads create).
std::optional<mode_t> current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("Umask:")) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
  }
  return std::nullopt;
}

/// A descriptor closed when it goes out of scope.
struct ScopedFd {
  int fd = -1;
  explicit ScopedFd(int f) : fd(f) {}
  ~ScopedFd() {
    if (fd >= 0) ::close(fd);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
};

int bind_to(int fd, const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  return ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
}

}  // namespace

Result<BoundSocket> bind_socket_file(int fd, const std::string& path, unsigned& temp_counter, const FileId* own) {
  for (unsigned attempt = 0; attempt < kTempAttempts; ++attempt) {
    std::string temp = fmt::format("{}{}{}-{}", path, kTempSuffix, ::getpid(), ++temp_counter);
    if (temp.size() >= sizeof(sockaddr_un::sun_path)) break;
    // bind() never follows or replaces what is at the name: a name taken
    // (by anyone, for any reason) just moves us on to the next one.
    const int err = bind_to(fd, temp);
    if (err == 0) return BoundSocket{std::move(temp), true};
    if (err != EADDRINUSE) return error_from_errno(err, IoContext::create, "bind", temp);
  }
  if (fmt::format("{}{}{}-{}", path, kTempSuffix, ::getpid(), temp_counter).size() < sizeof(sockaddr_un::sun_path)) {
    return make_error(Errc::access_denied, "bind",
                      fmt::format("every temporary name beside {} is taken; PipeScope deletes none of them", path));
  }
  // The temporary name would not fit in sun_path: bind the path itself. A
  // socket there may be removed only if it is the one this server bound.
  if (own != nullptr) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == own->dev && st.st_ino == own->ino) {
      ::unlink(path.c_str());
    }
  }
  if (const int err = bind_to(fd, path); err != 0) return error_from_errno(err, IoContext::create, "bind", path);
  return BoundSocket{path, false};
}

Result<void> widen_socket_mode(int fd, const std::string& bound_path, mode_t mode) {
  // bind() gave the file the socket's mode less the umask. Only when the
  // umask took bits away is the mode set again, on the file itself.
  const auto mask = current_umask();
  if (mask && (mode & ~*mask) == mode) return {};

  // O_PATH | O_NOFOLLOW holds the file at the name (never a link's target),
  // and the kernel's record of our socket says whether that file is ours.
  const ScopedFd file(::open(bound_path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (file.fd < 0) return error_from_errno(errno, IoContext::create, "open socket file", bound_path);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    return make_error(Errc::access_denied, "chmod",
                      fmt::format("{} is no longer a socket; PipeScope will not change its mode", bound_path));
  }
  struct stat self {};
  if (::fstat(fd, &self) == 0) {
    if (auto diag = diag_unix_socket(static_cast<std::uint32_t>(self.st_ino)); diag && diag->has_file) {
      if (!same_device(st.st_dev, diag->file_dev) || st.st_ino != diag->file_ino) {
        return make_error(Errc::access_denied, "chmod",
                          fmt::format("{} is no longer the socket this server bound; PipeScope will not change "
                                      "its mode",
                                      bound_path));
      }
    } else if (st.st_uid != ::geteuid()) {
      // Without sock_diag the owner is the check: in a folder that passed
      // check_socket_folder nobody else can put their file at our name.
      return make_error(Errc::access_denied, "chmod",
                        fmt::format("{} belongs to {}, not to us; PipeScope will not change its mode", bound_path,
                                    describe_user(st.st_uid)));
    }
  }
  // fchmod() does not work on an O_PATH descriptor and chmod() by name could
  // meet a link put there since; /proc/self/fd/N is the file we hold.
  const std::string held = fmt::format("/proc/self/fd/{}", file.fd);
  if (::chmod(held.c_str(), mode) != 0) return error_from_errno(errno, IoContext::create, "chmod", bound_path);
  return {};
}

Result<void> move_socket_into_place(const std::string& temp, const std::string& path, const FileId* own) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    // Whatever is there was checked by start_server (our own stale socket)
    // or, for a server re-opening, must still be the socket it bound:
    // anything else (a link, someone else's file) is never clobbered.
    const bool ours = own == nullptr ? S_ISSOCK(st.st_mode) && st.st_uid == ::geteuid()
                                     : S_ISSOCK(st.st_mode) && st.st_dev == own->dev && st.st_ino == own->ino;
    if (!ours) {
      return make_error(Errc::access_denied, "rename",
                        fmt::format("{} was replaced by a file PipeScope did not make (owner {}); PipeScope will "
                                    "not overwrite it",
                                    path, describe_user(st.st_uid)));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) return error_from_errno(errno, IoContext::create, "rename", path);
    return {};
  }
  // Nothing there: RENAME_NOREPLACE keeps it so if someone is quicker.
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    return error_from_errno(errno, IoContext::create, "rename", path);
  }
  return {};
}

}  // namespace pipescope::detail::posix
