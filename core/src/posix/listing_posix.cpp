// Listing the pipes of this machine: every listening socket with a file
// that reaches it, from sock_diag (or, where that is unavailable,
// /proc/net/unix checked against the sockets themselves). Sockets in the
// .NET layout ($TMPDIR/CoreFxPipe_Name) are shown by their pipe name;
// accepted connections share the listener's file, which gives the number of
// connected instances.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "posix_backend.hpp"
#include "socket_probe.hpp"

namespace pipescope::detail::posix {

namespace {

constexpr std::uint8_t kListenState = 10;      // TCP_LISTEN, as sock_diag reports a listening socket
constexpr std::uint8_t kEstablishedState = 1;  // TCP_ESTABLISHED: an accepted connection
constexpr unsigned long kAcceptCon = 0x10000;  // __SO_ACCEPTCON in /proc/net/unix: a listening socket

/// A listening socket and the file that reaches it.
struct Listener {
  unsigned long inode = 0;  // the socket's own inode, to find the processes holding it
  std::string type;
  std::int32_t connected = 0;
};

std::string type_name(unsigned long type) { return type == 1 ? "byte" : type == 5 ? "message" : ""; }

/// Where a listener's file may be: its bound name, and (while a PipeScope
/// server re-opens) the pipe's path its temporary name was renamed over.
void add_candidates(std::string_view name, std::set<std::string>& candidates) {
  if (name.empty() || name.front() != '/') return;  // unnamed, abstract or relative: found by the folder scan
  candidates.emplace(name);
  if (const auto temp = name.find(kTempSuffix); temp != std::string_view::npos) {
    candidates.emplace(name.substr(0, temp));
  }
}

/// The sockets in the pipe layout ($TMPDIR/CoreFxPipe_*), whatever name
/// their servers bound them with.
void add_folder_entries(const std::string& dir, std::set<std::string>& candidates) {
  DIR* folder = ::opendir(dir.c_str());
  if (folder == nullptr) return;
  while (const dirent* d = ::readdir(folder)) {
    const std::string_view entry = d->d_name;
    if (entry.starts_with("CoreFxPipe_") && entry.find(kTempSuffix) == std::string_view::npos) {
      candidates.emplace(fmt::format("{}/{}", dir, entry));
    }
  }
  ::closedir(folder);
}

/// The socket file at a path (never through a link), or nullopt.
std::optional<struct stat> socket_file_at(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return std::nullopt;
  return st;
}

/// Listening sockets by the file that reaches them, from sock_diag: each
/// candidate path is matched with a listener by the file's device and inode,
/// so a listing shows only names that really reach a listening socket.
std::map<std::string, Listener> listeners_from_diag(const std::vector<DiagSocket>& sockets, const std::string& dir) {
  std::set<std::string> candidates;
  add_folder_entries(dir, candidates);
  for (const DiagSocket& s : sockets) {
    if (s.state == kListenState && s.has_file) add_candidates(s.name, candidates);
  }
  std::map<std::string, Listener> found;
  for (const std::string& path : candidates) {
    const auto st = socket_file_at(path);
    if (!st) continue;
    const auto reaches = [&st](const DiagSocket& s) {
      return s.has_file && s.file_ino == st->st_ino && same_device(st->st_dev, s.file_dev);
    };
    const auto listener = std::find_if(sockets.begin(), sockets.end(), [&](const DiagSocket& s) {
      return s.state == kListenState && reaches(s);
    });
    if (listener == sockets.end()) continue;
    Listener l;
    l.inode = listener->inode;
    l.type = type_name(listener->type);
    // Accepted connections share their listener's file.
    l.connected = static_cast<std::int32_t>(std::count_if(sockets.begin(), sockets.end(), [&](const DiagSocket& s) {
      return s.state == kEstablishedState && reaches(s);
    }));
    found.emplace(path, std::move(l));
  }
  return found;
}

/// One row of /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path".
struct TableRow {
  unsigned long flags = 0;
  unsigned long type = 0;
  unsigned long state = 0;
  unsigned long inode = 0;
  std::string path;
};

/// The path is everything after the seventh field and the one space the
/// kernel writes before it, so it may hold spaces. A path holding a newline
/// is split into two rows here, and the second may read like any row: no
/// row is believed until the socket itself confirms it (see below).
std::optional<TableRow> parse_row(const std::string& line) {
  std::istringstream fields(line);
  std::string num, refcount, protocol, flags, type, state, inode;
  if (!(fields >> num >> refcount >> protocol >> flags >> type >> state >> inode) || num.back() != ':') {
    return std::nullopt;
  }
  TableRow row;
  row.flags = std::strtoul(flags.c_str(), nullptr, 16);
  row.type = std::strtoul(type.c_str(), nullptr, 16);
  row.state = std::strtoul(state.c_str(), nullptr, 16);
  row.inode = std::strtoul(inode.c_str(), nullptr, 10);
  const auto end_of_inode = static_cast<std::size_t>(fields.tellg());
  if (fields.tellg() >= 0 && end_of_inode + 1 < line.size()) row.path = line.substr(end_of_inode + 1);
  return row;
}

/// The fallback where sock_diag is unavailable: listening rows of
/// /proc/net/unix, each kept only when the file at its path is a socket the
/// kernel has a socket bound to (a datagram connect that sends nothing), so
/// a forged row naming a free or stale path shows nothing.
std::map<std::string, Listener> listeners_from_table(const std::string& dir) {
  std::vector<TableRow> rows;
  std::ifstream table("/proc/net/unix");
  std::string line;
  std::getline(table, line);  // header
  while (std::getline(table, line)) {
    if (auto row = parse_row(line)) rows.push_back(std::move(*row));
  }
  std::set<std::string> candidates;
  add_folder_entries(dir, candidates);
  for (const TableRow& row : rows) {
    if ((row.flags & kAcceptCon) != 0) add_candidates(row.path, candidates);
  }
  std::map<std::string, Listener> found;
  for (const std::string& path : candidates) {
    if (!socket_file_at(path) || socket_file_is_bound(path) != true) continue;
    Listener l;
    for (const TableRow& row : rows) {
      std::string_view name = row.path;
      if (const auto temp = name.find(kTempSuffix); temp != std::string_view::npos) name = name.substr(0, temp);
      if (name != path) continue;
      if ((row.flags & kAcceptCon) != 0) {
        l.inode = row.inode;
        l.type = type_name(row.type);
      } else if (row.state == 3) {  // SS_CONNECTED
        ++l.connected;
      }
    }
    found.emplace(path, std::move(l));
  }
  return found;
}

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

Result<std::vector<PipeInfo>> PosixBackend::list_pipes() const {
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
  for (auto& [path, info] : pipes) result.push_back(std::move(info));
  return result;
}

}  // namespace pipescope::detail::posix
