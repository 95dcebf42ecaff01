// What is at a socket path, asked of the socket itself rather than read from
// a text table: is a server there, who owns it, may PipeScope replace the
// file. Also the socket identity (the file's device and inode) that lets a
// bound socket be matched with its file, and the sock_diag dump that lists
// every bound socket of this network namespace.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"

namespace pipescope::detail::posix {

/// What a probe of a socket path found.
struct PathProbe {
  enum class State : std::uint8_t {
    missing,       ///< nothing at the path
    not_a_socket,  ///< a file, folder or symbolic link: never ours to replace
    listening,     ///< a server accepts connects (or its queue is full)
    bound,         ///< a socket is bound to the file but refuses connects: a busy pipe or a server not listening
    stale,         ///< the kernel has no socket bound to the file: nobody can ever answer there
    undecided,     ///< the probe could not tell (see why)
  };
  State state = State::missing;
  uid_t owner_uid = 0;  ///< the file's owner (lstat), when there is a file
  mode_t file_type = 0; ///< S_IFMT bits of the file, when there is one
  dev_t dev = 0;
  ino_t ino = 0;
  /// The listening server's credentials when a connect succeeded (SO_PEERCRED).
  std::optional<PeerInfo> server;
  std::string why;  ///< for undecided: what stood in the way
};

/// Looks at the path without following a link at its end, then asks the
/// kernel: a non-blocking connect (closed at once, never sending a byte)
/// says whether a server listens; when it is refused, a datagram connect
/// says whether any socket is bound to that very file (the kernel finds
/// sockets by the file's inode, in every network namespace), which tells a
/// busy pipe from a stale file without reading any name.
[[nodiscard]] PathProbe probe_socket_path(const std::string& path);

/// Whether the kernel has a socket bound to the file at this path: true,
/// false, or nullopt when it could not be asked (e.g. no write permission).
/// Harmless to the owner: a datagram connect that sends nothing.
[[nodiscard]] std::optional<bool> socket_file_is_bound(const std::string& path);

/// Whether a server may bind this socket path: free, or a stale socket file
/// of the current (effective) user, which may then be replaced. Refuses a
/// live or busy server (never taken over), anything that is not a socket
/// (links included), another user's stale socket (naming the owner and how
/// to remove it), and a file the probe could not judge.
[[nodiscard]] Result<void> check_path_free(const std::string& path, const std::string& pipe_name,
                                           bool first_instance);

/// Whether the path names a symbolic link (never followed to a socket).
[[nodiscard]] bool is_symbolic_link(const std::string& path);

/// "uid 65534 (nobody)" or "uid 1234" when the user database has no name.
[[nodiscard]] std::string describe_user(uid_t uid);

/// Checks that PipeScope may create sockets in this folder: a real folder
/// (not a link), owned by us or root, and if others may write to it, sticky
/// (as /tmp is), so nobody else can rename or replace our sockets there.
[[nodiscard]] Result<void> check_socket_folder(const std::string& folder);

/// One socket of the sock_diag dump (NETLINK_SOCK_DIAG, AF_UNIX).
struct DiagSocket {
  std::uint32_t inode = 0;  ///< the socket's own inode (socket:[N])
  std::uint8_t type = 0;    ///< SOCK_STREAM, SOCK_SEQPACKET, ...
  std::uint8_t state = 0;   ///< TCP_LISTEN (10), TCP_ESTABLISHED (1), ...
  std::string name;         ///< bound name, raw bytes (abstract ones start with '\0'); empty if unbound
  bool has_file = false;    ///< UDIAG_SHOW_VFS: bound to a file
  std::uint32_t file_dev = 0;  ///< the file's device, in the kernel's encoding (new_encode_dev)
  std::uint32_t file_ino = 0;
  std::uint32_t peer_inode = 0;
};

/// Every AF_UNIX socket of this network namespace, or an error when netlink
/// sock_diag is unavailable (no unix_diag module, a seccomp filter, ...).
[[nodiscard]] Result<std::vector<DiagSocket>> dump_unix_sockets();

/// The one socket with this inode (fstat of its descriptor), as sock_diag sees it.
[[nodiscard]] Result<DiagSocket> diag_unix_socket(std::uint32_t inode);

/// Whether a stat() device number is the one sock_diag reports.
[[nodiscard]] bool same_device(dev_t stat_dev, std::uint32_t diag_dev);

}  // namespace pipescope::detail::posix
