// Windows half of platform.hpp.
//
// Windows delivers Ctrl-C and Ctrl-Break to a console handler that runs on a
// thread the system creates for it, so the handler may call on_stop directly.
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <atomic>
#include <cstdio>
#include <utility>

#include "platform.hpp"

namespace pipescope::cli {
namespace {

std::function<void(std::string_view)> stop_callback;
std::atomic<bool> stop_requested_once{false};

BOOL WINAPI on_console_control(DWORD control_type) {
  if (control_type != CTRL_C_EVENT && control_type != CTRL_BREAK_EVENT) {
    return FALSE;
  }
  if (stop_requested_once.exchange(true)) {
    // A second request: let the default handler end the process at once.
    return FALSE;
  }
  stop_callback(control_type == CTRL_C_EVENT ? "Ctrl-C" : "Ctrl-Break");
  return TRUE;
}

}  // namespace

void watch_stop_requests(std::function<void(std::string_view what)> on_stop) {
  stop_callback = std::move(on_stop);
  ::SetConsoleCtrlHandler(on_console_control, TRUE);
}

std::FILE* open_for_reading(const std::string& path) {
  const int fd = ::_open(path.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT);
  if (fd < 0) {
    return nullptr;
  }
  std::FILE* file = ::_fdopen(fd, "rb");
  if (file == nullptr) {
    ::_close(fd);
  }
  return file;
}

void use_binary_output() {
  std::fflush(stdout);
  std::fflush(stderr);
  ::_setmode(::_fileno(stdout), _O_BINARY);
  ::_setmode(::_fileno(stderr), _O_BINARY);
}

void use_binary_input() { ::_setmode(::_fileno(stdin), _O_BINARY); }

}  // namespace pipescope::cli
