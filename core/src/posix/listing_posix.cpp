// Listing the pipes of this machine: every listening socket with a file
// that reaches it, from sock_diag (or, where that is unavailable,
// /proc/net/unix checked against the sockets themselves). Sockets in the
// .NET layout ($TMPDIR/CoreFxPipe_Name) are shown by their pipe name;
// accepted connections share the listener's file, which gives the number of
// connected instances. Unless every socket is asked for, only those and this
// engine's own servers are listed (ListOptions).
#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "listing_sources.hpp"
#include "posix_backend.hpp"
#include "socket_probe.hpp"

namespace pipescope::detail::posix {

namespace {

/// socket inode -> pids holding it, for the inodes asked for.
std::map<unsigned long, std::vector<std::int64_t>> owners_of(const std::map<unsigned long, std::size_t>& inodes) {
  std::map<unsigned long, std::vector<std::int64_t>> owners;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return owners;
  while (dirent* d = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(d->d_name, &end, 10);
    if (end == d->d_name || *end != '\0') continue;
    const std::string fd_dir = fmt::format("/proc/{}/fd", pid);
    DIR* fds = ::opendir(fd_dir.c_str());
    if (fds == nullptr) continue;  // another user's process, or gone
    while (dirent* f = ::readdir(fds)) {
      if (f->d_name[0] == '.') continue;
      char target[64] = {};
      const auto link = fmt::format("{}/{}", fd_dir, f->d_name);
      const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string_view t(target, static_cast<std::size_t>(n));
      if (!t.starts_with("socket:[")) continue;
      const unsigned long inode = std::strtoul(target + 8, nullptr, 10);
      if (inodes.contains(inode)) {
        auto& list = owners[inode];
        if (std::find(list.begin(), list.end(), pid) == list.end()) list.push_back(pid);
      }
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return owners;
}

}  // namespace

Result<std::vector<PipeInfo>> PosixBackend::list_pipes(const ListOptions& options) const {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string prefix = dir + "/CoreFxPipe_";

  auto diag = dump_unix_sockets();
  if (!diag && !std::ifstream("/proc/net/unix")) {
    return make_error(Errc::unsupported_on_platform, "list pipes",
                      fmt::format("neither sock_diag ({}) nor /proc/net/unix can be read here", diag.error().summary()));
  }
  const auto listeners = diag ? listeners_from_diag(*diag, dir) : listeners_from_table(dir);
  std::map<std::string, PipeInfo> pipes;
  std::map<unsigned long, std::size_t> listener_inodes;
  std::map<unsigned long, std::string> inode_path;
  for (const auto& [path, l] : listeners) {
    PipeInfo& info = pipes[path];
    info.os_path = path;
    info.name = path.starts_with(prefix) ? "\\\\.\\pipe\\" + path.substr(prefix.size()) : path;
    info.type = l.type;
    // A listening socket stands for one listening instance, as a Windows
    // server keeps one instance waiting for the next client.
    info.current_instances = 1 + l.connected;
    if (l.inode != 0) {
      listener_inodes[l.inode] = 0;
      inode_path[l.inode] = path;
    }
  }
  for (auto& [inode, pids] : owners_of(listener_inodes)) {
    auto& list = pipes[inode_path[inode]].server_pids;
    list.insert(list.end(), pids.begin(), pids.end());
  }
  // Our own servers: we know the exact count and the maximum.
  struct Known {
    std::int32_t current = 0;
    std::int32_t max = 0;
  };
  auto own = const_cast<EventLoop&>(loop_).call([this] {
    std::map<std::string, Known> known;
    for (const auto& [id, s] : servers_) {
      known[s->path] = Known{static_cast<std::int32_t>(s->connected.size() + (s->listening != 0 ? 1 : 0)),
                             static_cast<std::int32_t>(s->options.max_instances)};
    }
    return known;
  });
  for (auto& [path, k] : own) {
    if (auto it = pipes.find(path); it != pipes.end()) {
      it->second.current_instances = k.current;
      it->second.max_instances = k.max;
    }
  }
  std::vector<PipeInfo> result;
  for (auto& [path, info] : pipes) {
    if (options.every_socket || path.starts_with(prefix) || own.contains(path)) result.push_back(std::move(info));
  }
  return result;
}

}  // namespace pipescope::detail::posix
