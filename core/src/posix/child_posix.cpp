// Children with anonymous pipes on their standard streams: pipe2(O_CLOEXEC)
// and posix_spawn with redirected stdio, the POSIX form of CreatePipe +
// CreateProcess with inheritable handles.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>

#include "pipescope/command_words.hpp"
#include "posix_backend.hpp"
#include "spawn_descriptors.hpp"

extern char** environ;

namespace pipescope::detail::posix {

namespace {

/// How long a child's output may stay open after the child exited (a
/// grandchild can hold it) before the child is reported finished anyway.
constexpr auto kOutputGrace = std::chrono::seconds(2);

struct PipePair {
  int read = -1;
  int write = -1;
  void close_both() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
    read = write = -1;
  }
};

std::unique_ptr<Channel> make_channel(EndpointId id, int fd, bool reads, std::uint32_t read_buffer,
                                      std::uint8_t extra_flags) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  auto ch = std::make_unique<Channel>();
  ch->id = id;
  ch->fd = fd;
  ch->can_read = reads;
  ch->can_write = !reads;
  ch->read_buffer = read_buffer;
  ch->extra_flags = extra_flags;
  return ch;
}

}  // namespace

Result<EndpointId> PosixBackend::run_child(const ChildOptions& options) {
  // The line the log and the events show: the words quoted as a shell
  // would need them, so that it can be pasted into one (and into the Run
  // child dialog) and means the same words.
  auto command_line = quote_command_line(options.argv, CommandRules::posix_shell);
  if (!command_line) return std::move(command_line).error();
  return loop_.call([&]() -> Result<EndpointId> {
    std::array<PipePair, 3> pipes{};
    for (auto& p : pipes) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) {
        const int err = errno;
        for (auto& q : pipes) q.close_both();
        return error_from_errno(err, IoContext::spawn, "pipe", options.argv.front());
      }
      p.read = fds[0];
      p.write = fds[1];
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 onto 0/1/2 clears close-on-exec on the copies only, so none of
    // the engine's descriptors reaches the child. Those the host program
    // opened without close-on-exec are closed by the action after them.
    posix_spawn_file_actions_adddup2(&actions, pipes[0].read, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipes[1].write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipes[2].write, STDERR_FILENO);
    if (const int err = close_all_but_standard_streams(actions); err != 0) {
      posix_spawn_file_actions_destroy(&actions);
      for (auto& p : pipes) p.close_both();
      return error_from_errno(err, IoContext::spawn, "posix_spawn_file_actions", options.argv.front());
    }
    if (!options.working_dir.empty()) {
      posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The I/O thread blocks SIGPIPE; the child must start with the ordinary
    // signal mask and dispositions.
    sigset_t empty;
    sigemptyset(&empty);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(pipes[0].read);
    ::close(pipes[1].write);
    ::close(pipes[2].write);
    if (rc != 0) {
      ::close(pipes[0].write);
      ::close(pipes[1].read);
      ::close(pipes[2].read);
      return error_from_errno(rc, IoContext::spawn, "start process", options.argv.front());
    }

    auto child = std::make_unique<Child>();
    child->pid = pid;
    child->command_line = std::move(*command_line);
    child->id = context_.add_endpoint(EndpointKind::child, 0, child->command_line,
                                      fmt::format("child {} ({})", pid, options.argv.front()),
                                      EndpointState::connected);
    const EndpointId id = child->id;
    child->in = make_channel(id, pipes[0].write, false, options.read_buffer_size, 0);
    child->out = make_channel(id, pipes[1].read, true, options.read_buffer_size, 0);
    child->err = make_channel(id, pipes[2].read, true, options.read_buffer_size, record_flags::stderr_stream);
    watch(*child->out);
    watch(*child->err);
    set_send_target(id, true);

    child->pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (child->pidfd >= 0) {
      auto token = loop_.add(child->pidfd, EPOLLIN, [this, id](std::uint32_t) {
        auto it = children_.find(id);
        if (it == children_.end()) return;
        Child& c = *it->second;
        if (::waitpid(c.pid, &c.status, WNOHANG) == c.pid) {
          c.exited = true;
          loop_.remove(c.pid_token, c.pidfd);
          ::close(c.pidfd);
          c.pidfd = -1;
          c.pid_token = 0;
          maybe_finish_child(c);
        }
      }, closes_on_fault(id, nullptr));
      if (token) {
        child->pid_token = *token;
      } else {
        // Unwatched, the pidfd is no use: the end of the output tells the
        // exit instead, as on a kernel without pidfds.
        ::close(child->pidfd);
        child->pidfd = -1;
      }
    }
    context_.emit(ChildStarted{id, pid, child->command_line});
    children_.emplace(id, std::move(child));
    return id;
  });
}

void PosixBackend::child_stream_ended(Child& child, Channel& ch) {
  const EndpointId id = child.id;
  loop_.remove(ch.token, ch.fd);
  ::close(ch.fd);
  if (&ch == child.in.get()) {
    child.in.reset();
    forget_send_target(id);
    return;
  }
  if (&ch == child.out.get()) child.out.reset();
  if (&ch == child.err.get()) child.err.reset();
  if (!child.out && !child.err && child.pidfd < 0 && !child.exited) {
    // Without a pidfd (very old kernels) the end of the output is the only
    // sign; wait for the exit status here.
    child.exited = ::waitpid(child.pid, &child.status, 0) == child.pid;
  }
  maybe_finish_child(child);
}

void PosixBackend::maybe_finish_child(Child& child) {
  if (!child.exited) return;
  if (!child.out && !child.err) {
    finish_child(child.id);
    return;
  }
  if (child.grace_timer == 0) {
    const EndpointId id = child.id;
    child.grace_timer = loop_.add_timer(EventLoop::Clock::now() + kOutputGrace, [this, id] { finish_child(id); });
  }
}

void PosixBackend::finish_child(EndpointId id) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  std::unique_ptr<Child> child = std::move(it->second);
  children_.erase(it);
  if (child->grace_timer != 0) loop_.cancel_timer(child->grace_timer);
  // Output still open here means the grace period ran out: a process the
  // child started holds the stream. The person is told why reading stopped.
  const bool output_outlived_child = child->out != nullptr || child->err != nullptr;
  for (auto* ch : {child->in.get(), child->out.get(), child->err.get()}) {
    if (ch == nullptr) continue;
    if (ch->can_read) {
      // Whatever the child wrote before it ended still belongs in the log.
      std::error_code ignored;
      read_channel(id, *ch, ignored);
    }
    loop_.remove(ch->token, ch->fd);
    ::close(ch->fd);
  }
  if (child->pidfd >= 0) {
    loop_.remove(child->pid_token, child->pidfd);
    ::close(child->pidfd);
  }
  forget_send_target(id);
  if (output_outlived_child) {
    context_.report(id, 0,
                    make_error(Errc::operation_aborted, "read",
                               fmt::format("child {} exited but its output stayed open (a process it started holds "
                                           "it); reading stopped",
                                           child->pid)));
  }
  ChildExited exited;
  exited.endpoint = id;
  exited.pid = child->pid;
  if (WIFEXITED(child->status)) {
    exited.exit_code = WEXITSTATUS(child->status);
  } else if (WIFSIGNALED(child->status)) {
    exited.signal = WTERMSIG(child->status);
  }
  context_.emit(exited);
  context_.set_state(id, EndpointState::closed);
}

Result<void> PosixBackend::kill_child(EndpointId id) {
  return loop_.call([&]() -> Result<void> {
    auto it = children_.find(id);
    if (it == children_.end()) {
      return make_error(Errc::unknown_endpoint, "end child", fmt::format("no running child {}", id));
    }
    const Child& child = *it->second;
    // Only the loop thread reaps children and sets `exited`, and this runs on
    // it, so no reap can come between this check and the signal below. A
    // reaped child's pid is free for the kernel to give to another process,
    // which a signal would then reach: a child that has ended is left alone.
    // Ending it is done, as on Windows, where TerminateProcess on a process
    // that has exited fails with ERROR_ACCESS_DENIED and the Win32 backend
    // answers success; so does this.
    if (child.exited) {
      return {};
    }
    if (child.pidfd >= 0) {
      // The pidfd names this very process even after it ended; ESRCH means
      // it has exited and waits to be reaped, which is done as well.
      if (::syscall(SYS_pidfd_send_signal, child.pidfd, SIGTERM, nullptr, 0) == 0 || errno == ESRCH) {
        return {};
      }
      return error_from_errno(errno, IoContext::generic, "pidfd_send_signal", std::to_string(child.pid));
    }
    // Without a pidfd (kernels before 5.3) the child has not been reaped
    // (`exited` is false), so its pid is still its own, a zombie at worst.
    if (::kill(child.pid, SIGTERM) != 0) {
      return error_from_errno(errno, IoContext::generic, "kill", std::to_string(child.pid));
    }
    return {};
  });
}

}  // namespace pipescope::detail::posix
