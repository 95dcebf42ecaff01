// POSIX half of platform.hpp.
//
// A signal handler may only call async-signal-safe functions, so it cannot
// lock the mutex of the tool's inbox. It writes the signal's number into a
// pipe instead (the "self-pipe" pattern), and a watcher thread turns that
// byte into an ordinary call. Blocking the signals and using sigwait would be
// simpler, but a blocked signal mask is inherited by every child the engine
// spawns, which could then no longer be stopped with SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <utility>

#include "platform.hpp"

namespace pipescope::cli {
namespace {

int stop_pipe_write_end = -1;

extern "C" void on_stop_signal(int signal_number) {
  const int saved_errno = errno;
  const auto byte = static_cast<unsigned char>(signal_number);
  // If the pipe is full the stop is already on its way; nothing is lost.
  [[maybe_unused]] const ssize_t written = ::write(stop_pipe_write_end, &byte, 1);
  // The next such signal takes the default action and ends the process.
  ::signal(signal_number, SIG_DFL);
  errno = saved_errno;
}

std::string_view signal_name(unsigned char signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal";
  }
}

}  // namespace

void watch_stop_requests(std::function<void(std::string_view what)> on_stop) {
  int ends[2] = {-1, -1};
  // O_CLOEXEC keeps the pipe out of every child the engine starts.
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    return;  // Without the pipe the default signal actions stay: Ctrl-C still ends the tool.
  }
  stop_pipe_write_end = ends[1];

  struct sigaction action = {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a read of standard input interrupted by the signal carries on.
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);

  // Detached: it waits in read() for the life of the process, and the
  // process may end while it waits.
  std::thread([read_end = ends[0], on_stop = std::move(on_stop)] {
    for (;;) {
      unsigned char signal_number = 0;
      const ssize_t got = ::read(read_end, &signal_number, 1);
      if (got == 1) {
        on_stop(signal_name(signal_number));
      } else if (got < 0 && errno == EINTR) {
        continue;
      } else {
        return;
      }
    }
  }).detach();
}

std::FILE* open_for_reading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return nullptr;
  }
  std::FILE* file = ::fdopen(fd, "rb");
  if (file == nullptr) {
    const int saved_errno = errno;
    ::close(fd);
    errno = saved_errno;
  }
  return file;
}

void use_binary_output() {}

void use_binary_input() {}

}  // namespace pipescope::cli
