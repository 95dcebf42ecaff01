// Where a listing finds the listening sockets of this machine, each with
// the file that reaches it (see listing_sources.hpp).
#include "listing_sources.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
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

}  // namespace

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

// The fallback where sock_diag is unavailable: listening rows of
// /proc/net/unix, each kept only when the file at its path is a socket the
// kernel has a socket bound to (a datagram connect that sends nothing), so
// a forged row naming a free or stale path shows nothing.
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

}  // namespace pipescope::detail::posix
