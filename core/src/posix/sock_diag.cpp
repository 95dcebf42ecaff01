// Every AF_UNIX socket of this network namespace from the kernel's
// sock_diag netlink interface: binary records with the bound name as raw
// bytes and the identity (device, inode) of the file it is bound to, so a
// name holding spaces or newlines is read as it is and no socket can forge
// another's record, as it could with /proc/net/unix.
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "socket_probe.hpp"

namespace pipescope::detail::posix {

namespace {

class NetlinkSocket {
 public:
  NetlinkSocket() : fd_(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) {}
  ~NetlinkSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

DiagSocket decode(const nlmsghdr* header) {
  const auto* msg = static_cast<const unix_diag_msg*>(NLMSG_DATA(header));
  DiagSocket socket;
  socket.inode = msg->udiag_ino;
  socket.type = msg->udiag_type;
  socket.state = msg->udiag_state;
  auto length = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
  for (auto* attr = reinterpret_cast<const rtattr*>(msg + 1); RTA_OK(attr, length); attr = RTA_NEXT(attr, length)) {
    const auto* data = static_cast<const char*>(RTA_DATA(attr));
    const auto size = static_cast<std::size_t>(RTA_PAYLOAD(attr));
    switch (attr->rta_type) {
      case UNIX_DIAG_NAME:
        socket.name.assign(data, size);
        // A path name comes with the terminating NUL the kernel keeps.
        if (!socket.name.empty() && socket.name.front() != '\0') {
          while (!socket.name.empty() && socket.name.back() == '\0') socket.name.pop_back();
        }
        break;
      case UNIX_DIAG_VFS:
        if (size >= sizeof(unix_diag_vfs)) {
          unix_diag_vfs vfs{};
          std::memcpy(&vfs, data, sizeof vfs);
          socket.has_file = true;
          socket.file_dev = vfs.udiag_vfs_dev;
          socket.file_ino = vfs.udiag_vfs_ino;
        }
        break;
      case UNIX_DIAG_PEER:
        if (size >= sizeof(std::uint32_t)) std::memcpy(&socket.peer_inode, data, sizeof socket.peer_inode);
        break;
      default: break;
    }
  }
  return socket;
}

}  // namespace

namespace {

/// Sends one AF_UNIX query and collects the answers: a dump of every socket,
/// or the one socket with the given inode.
Result<std::vector<DiagSocket>> query_unix_sockets(std::optional<std::uint32_t> only_inode) {
  const NetlinkSocket nl;
  if (nl.fd() < 0) return error_from_errno(errno, IoContext::generic, "sock_diag", "netlink socket");

  struct {
    nlmsghdr header;
    unix_diag_req request;
  } query{};
  query.header.nlmsg_len = sizeof query;
  query.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  query.header.nlmsg_flags = NLM_F_REQUEST | (only_inode ? 0 : NLM_F_DUMP);
  query.request.sdiag_family = AF_UNIX;
  query.request.udiag_states = ~0U;
  query.request.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER;
  if (only_inode) {
    query.request.udiag_ino = *only_inode;
    query.request.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
    query.request.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(nl.fd(), &query, sizeof query, 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0) {
    return error_from_errno(errno, IoContext::generic, "sock_diag", "send query");
  }

  std::vector<DiagSocket> sockets;
  alignas(nlmsghdr) std::array<char, 32768> buffer{};
  for (;;) {
    const ssize_t got = ::recv(nl.fd(), buffer.data(), buffer.size(), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return error_from_errno(errno, IoContext::generic, "sock_diag", "receive");
    }
    if (got == 0) break;
    auto length = static_cast<unsigned>(got);
    for (auto* header = reinterpret_cast<const nlmsghdr*>(buffer.data()); NLMSG_OK(header, length);
         header = NLMSG_NEXT(header, length)) {
      if (header->nlmsg_type == NLMSG_DONE) return sockets;
      if (header->nlmsg_type == NLMSG_ERROR) {
        const auto* failure = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
        if (failure->error == 0) return sockets;  // an acknowledgement
        return error_from_errno(-failure->error, IoContext::generic, "sock_diag",
                                "the kernel refused the AF_UNIX query (is unix_diag available?)");
      }
      if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
          header->nlmsg_len < NLMSG_LENGTH(sizeof(unix_diag_msg))) {
        continue;
      }
      sockets.push_back(decode(header));
    }
    // A single socket's answer is one message, with no NLMSG_DONE after it.
    if (only_inode && !sockets.empty()) return sockets;
  }
  return sockets;
}

}  // namespace

Result<std::vector<DiagSocket>> dump_unix_sockets() { return query_unix_sockets(std::nullopt); }

Result<DiagSocket> diag_unix_socket(std::uint32_t inode) {
  auto found = query_unix_sockets(inode);
  if (!found) return std::move(found).error();
  if (found->empty()) {
    return make_error(Errc::file_not_found, "sock_diag", fmt::format("no socket with inode {}", inode));
  }
  return found->front();
}

bool same_device(dev_t stat_dev, std::uint32_t diag_dev) {
  // sock_diag reports the superblock's device in the kernel's own encoding
  // (major in the top 12 bits, minor in the low 20).
  return major(stat_dev) == (diag_dev >> 20) && minor(stat_dev) == (diag_dev & 0xFFFFFU);
}

}  // namespace pipescope::detail::posix
