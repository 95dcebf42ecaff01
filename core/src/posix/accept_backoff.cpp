// Accepting without descriptors.
//
// A client that reaches a listening socket is queued by the kernel at once;
// accept() then needs a descriptor for it. With none free (EMFILE, ENFILE)
// or no memory (ENOBUFS, ENOMEM), accept fails and the client stays queued,
// so the level-triggered listener is ready again at once: a loop that only
// retried spun a core and reported the same error a hundred thousand times
// in seconds. Instead the server stops watching its listener, says so once,
// and tries again when one of our descriptors closes, or else after a delay
// that grows from 5 ms to 1 s. The queued clients keep waiting (as a Windows
// client waits for a free instance) and are accepted in order once
// descriptors are free. No descriptor is kept in reserve to refuse them:
// they are served late, not turned away.
#include "accept_backoff.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "posix_backend.hpp"

namespace pipescope::detail::posix {

bool AcceptBackoff::is_exhaustion(int err) noexcept {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

AcceptBackoff::Pause AcceptBackoff::pause() noexcept {
  paused_ = true;
  Pause pause{delay_, !reported_};
  reported_ = true;
  delay_ = std::min(delay_ * 2, kLongestDelay);
  return pause;
}

namespace {

std::string what_is_missing(int err) {
  if (err == EMFILE) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
      return fmt::format("no file descriptor is free in this process (its limit, RLIMIT_NOFILE or ulimit -n, is {})",
                         limit.rlim_cur);
    }
    return "no file descriptor is free in this process";
  }
  if (err == ENFILE) return "the system's table of open files is full";
  return "the kernel is short of memory for a new connection";
}

}  // namespace

void PosixBackend::pause_accepting(Server& server, int err) {
  const AcceptBackoff::Pause pause = server.backoff.pause();
  if (server.token != 0) loop_.remove(server.token, server.listen_fd);
  server.token = 0;
  const ServerId id = server.id;
  server.backoff.timer =
      loop_.add_timer(EventLoop::Clock::now() + pause.retry_after, [this, id] { resume_accepting(id); });
  if (!pause.first) return;
  context_.report(
      0, id,
      error_from_errno(err, IoContext::accept, "accept",
                       fmt::format("{}: {} instances are connected. Clients that connect now wait in the queue and "
                                   "are accepted as soon as a descriptor frees up; this is reported once until then",
                                   what_is_missing(err), server.connected.size())));
}

void PosixBackend::resume_accepting(ServerId id) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  Server& server = *it->second;
  if (!server.backoff.paused()) return;
  if (server.backoff.timer != 0) loop_.cancel_timer(server.backoff.timer);
  server.backoff.timer = 0;
  server.backoff.resume();
  if (server.listen_fd < 0) return;  // being stopped
  // Level-triggered: a client still queued makes the listener ready at once.
  if (auto watched = watch_listener(server); !watched) post_stop(id, std::move(watched).error());
}

void PosixBackend::descriptor_freed() {
  for (auto& [id, server] : servers_) {
    if (server->backoff.paused()) resume_accepting(id);
  }
}

}  // namespace pipescope::detail::posix
