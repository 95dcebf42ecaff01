// "Impersonating" a client on POSIX: the peer's identity comes from
// SO_PEERCRED and its groups from SO_PEERGROUPS; where this process may
// change ids (CAP_SETUID and CAP_SETGID), the access probe runs on a
// dedicated thread switched to the client's uid and gids with raw per-thread
// setresuid/setresgid/setgroups system calls (glibc's wrappers would switch
// every thread), then switches back.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "posix_backend.hpp"

namespace pipescope::detail::posix {

namespace {

/// The groups the client's process has: its gid (SO_PEERCRED) and the
/// supplementary groups the kernel recorded when it connected
/// (SO_PEERGROUPS, Linux 4.13). The groups a user database configures for
/// the user (getgrouplist) may differ from what the process holds: it may
/// have dropped some, or been given others with setgroups. nullopt when the
/// kernel cannot tell.
std::optional<std::vector<gid_t>> groups_of_peer(int fd, gid_t gid) {
  std::vector<gid_t> groups(64);
  for (;;) {
    auto len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      break;
    }
    // ERANGE: the list is longer; `len` now says how long.
    if (errno != ERANGE || len <= groups.size() * sizeof(gid_t)) return std::nullopt;
    groups.resize(len / sizeof(gid_t));
  }
  if (std::find(groups.begin(), groups.end(), gid) == groups.end()) groups.insert(groups.begin(), gid);
  return groups;
}

/// Whether the calling thread may switch its uid and gids: CAP_SETUID and
/// CAP_SETGID in its effective set. Being root is not the same: root may have
/// dropped them (a container, a service with a capability bounding set),
/// and a non-root process may have been given them. Capabilities belong to
/// threads, and the probe's thread starts with this (the loop's) thread's.
bool may_switch_ids() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0) return false;
  const auto has = [&data](unsigned capability) {
    return (data[capability / 32].effective & (1U << (capability % 32))) != 0;
  };
  return has(CAP_SETUID) && has(CAP_SETGID);
}

std::string group_name(gid_t gid) {
  group gr{};
  group* found = nullptr;
  std::array<char, 4096> buffer{};
  if (::getgrgid_r(gid, &gr, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return fmt::format("{} ({})", found->gr_name, gid);
  }
  return fmt::format("gid {}", gid);
}

/// Switches the calling thread (only) to another identity and back. The
/// destructor switches back on every path, like RevertToSelf in an RAII guard.
class ThreadIdentity {
 public:
  ThreadIdentity() : uid_(::geteuid()), gid_(::getegid()) {
    const int n = static_cast<int>(::syscall(SYS_getgroups, 0, nullptr));
    saved_groups_.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    if (n > 0) ::syscall(SYS_getgroups, n, saved_groups_.data());
  }
  ThreadIdentity(const ThreadIdentity&) = delete;
  ThreadIdentity& operator=(const ThreadIdentity&) = delete;
  ~ThreadIdentity() { revert(); }

  /// Groups first, then the gid, then the uid: once the uid changed, this
  /// thread could no longer change its groups.
  int become(uid_t uid, gid_t gid, const std::vector<gid_t>& groups) {
    switched_ = true;
    if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0) return errno;
    if (::syscall(SYS_setresgid, -1, gid, -1) != 0) return errno;
    if (::syscall(SYS_setresuid, -1, uid, -1) != 0) return errno;
    return 0;
  }

  bool revert() {
    if (!switched_) return true;
    switched_ = false;
    bool ok = ::syscall(SYS_setresuid, -1, uid_, -1) == 0;
    ok = ::syscall(SYS_setresgid, -1, gid_, -1) == 0 && ok;
    ok = ::syscall(SYS_setgroups, saved_groups_.size(), saved_groups_.data()) == 0 && ok;
    reverted_ = ok && ::geteuid() == uid_ && ::getegid() == gid_;
    return reverted_;
  }
  [[nodiscard]] bool reverted() const noexcept { return reverted_; }

 private:
  uid_t uid_;
  gid_t gid_;
  std::vector<gid_t> saved_groups_;
  bool switched_ = false;
  bool reverted_ = true;
};

}  // namespace

Result<void> PosixBackend::impersonate(EndpointId instance, const ImpersonationRequest& request) {
  return loop_.call([&]() -> Result<void> {
    auto it = connections_.find(instance);
    if (it == connections_.end() || it->second->kind != EndpointKind::instance) {
      return make_error(Errc::unknown_endpoint, "impersonate", fmt::format("no instance {}", instance));
    }
    Connection& c = *it->second;
    if (c.channel.fd < 0) {
      return make_error(Errc::pipe_listening, "impersonate",
                        "no client is connected to this instance, so there is nobody to impersonate");
    }
    const PeerInfo peer = c.peer;
    const std::string peer_user = c.peer_user;
    ImpersonationResult result;
    if (peer.uid < 0) {
      result.error = make_error(Errc::not_supported, "SO_PEERCRED", "the peer's credentials are not available");
      context_.emit(Impersonated{instance, std::move(result)});
      return {};
    }
    const auto uid = static_cast<uid_t>(peer.uid);
    const auto gid = static_cast<gid_t>(peer.gid);
    const std::optional<std::vector<gid_t>> peer_groups = groups_of_peer(c.channel.fd, gid);
    const std::vector<gid_t> groups = peer_groups.value_or(std::vector<gid_t>{gid});
    result.user = peer_user.empty() ? fmt::format("uid {}", uid) : peer_user;
    result.sid = fmt::format("uid {} gid {}", uid, gid);
    for (gid_t g : groups) result.groups.push_back(group_name(g));
    result.probe_path = request.probe_path;

    // Without the client's real groups a switched thread would hold too few
    // or too many rights, and the probe would answer for somebody else.
    const bool can_switch = may_switch_ids() && peer_groups.has_value();
    // The client's SECURITY_SQOS level never reaches a POSIX server: the
    // level says what this server can do instead of naming one it cannot see.
    result.level = can_switch ? "not visible on POSIX; ids switched per thread (setresuid), as Impersonation would"
                              : "not visible on POSIX; identity read only (SO_PEERCRED), as Identification would";
    result.notes =
        "POSIX has no impersonation levels or integrity levels: the identity comes from SO_PEERCRED. "
        "The client's chosen SECURITY_SQOS level cannot be seen on this platform.";
    if (!peer_groups) {
      result.notes +=
          " The kernel did not tell the client's groups (SO_PEERGROUPS needs Linux 4.13), so only its gid is "
          "shown and the access probe runs as the server.";
    } else if (!can_switch) {
      result.notes +=
          " This process may not change ids (it lacks CAP_SETUID and CAP_SETGID), so the access probe runs as "
          "the server.";
    }
    // A thread of its own, so no other engine work ever runs with the
    // client's identity.
    std::thread worker([&] {
      ThreadIdentity identity;
      if (can_switch) {
        if (const int err = identity.become(uid, gid, groups); err != 0) {
          result.error = error_from_errno(err, IoContext::generic, "setresuid", result.user);
          identity.revert();
          result.reverted = identity.reverted();
          return;
        }
      }
      result.impersonated = true;
      if (!request.probe_path.empty()) {
        const int fd = ::open(request.probe_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        result.probe_granted = fd >= 0;
        if (fd >= 0) {
          ::close(fd);
        } else {
          result.probe_error = error_from_errno(errno, IoContext::open, "open", request.probe_path);
        }
      }
      result.reverted = identity.revert();
    });
    worker.join();
    context_.emit(Impersonated{instance, std::move(result)});
    return {};
  });
}

}  // namespace pipescope::detail::posix
