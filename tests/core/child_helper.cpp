// A tiny child program for the anonymous-pipe tests of the conformance suite.
// It is built with the tests for every platform, so the suite never depends on
// what shell tools a machine happens to have.
//
//   child_helper echo-args A B ...  writes "A B ...\n" to standard output
//   child_helper print-args A ...   writes each argument on a line of its own, between < and >
//   child_helper exit N             exits with code N, writing nothing
//   child_helper cat                copies standard input to standard output until end of input
//   child_helper stderr TEXT        writes TEXT to standard error only
//   child_helper spawn-holder       starts "child_helper cat" with its own standard input
//                                   and output, writes "spawned\n" and exits at once
//   child_helper idle SECONDS       waits SECONDS without reading its standard input, then exits
//   child_helper spawn-idle-holder  starts "child_helper idle 20" with its own standard input
//                                   and output, writes "spawned\n" and exits at once
//   child_helper list-fds           writes the numbers of its open file descriptors, one line,
//                                   ascending ("0 1 2\n"), leaving out the one it lists them with
//                                   (POSIX only: it reads /proc/self/fd)
//
// Any other use prints the usage to standard error and exits with 2.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#else
#include <dirent.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <vector>
#endif

namespace {

// The Windows C runtime opens the standard streams in text mode, which turns
// "\n" into "\r\n" on output and stops reading input at byte 0x1A. The tests
// compare bytes exactly, so every stream is switched to binary.
void use_binary_streams() {
#if defined(_WIN32)
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
#endif
}

int usage() {
  std::fputs(
      "usage: child_helper echo-args ARG... | print-args ARG... | exit N | cat | stderr TEXT | idle SECONDS | spawn-holder | "
      "spawn-idle-holder | list-fds\n",
      stderr);
  return 2;
}

int echo_args(int argc, char** argv) {
  std::string line;
  for (int i = 2; i < argc; ++i) {
    if (i > 2) {
      line += ' ';
    }
    line += argv[i];
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// Each word marked, so that blanks, quotes and empty words show exactly.
int print_args(int argc, char** argv) {
  std::string text;
  for (int i = 2; i < argc; ++i) {
    text += '<';
    text += argv[i];
    text += ">\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int exit_with(const char* text) {
  char* end = nullptr;
  const long code = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || code < 0 || code > 255) {
    return usage();
  }
  return static_cast<int>(code);
}

int cat() {
  char buffer[4096];
  for (;;) {
    const std::size_t got = std::fread(buffer, 1, sizeof buffer, stdin);
    if (got > 0 && std::fwrite(buffer, 1, got, stdout) != got) {
      return 1;
    }
    // fread returns a short count only at end of input (or on an error), so
    // each full buffer is passed on and flushed as soon as it is read.
    if (got > 0 && std::fflush(stdout) != 0) {
      return 1;
    }
    if (got < sizeof buffer) {
      if (std::ferror(stdin) != 0) {
        return 1;
      }
      if (std::feof(stdin) != 0) {
        return 0;
      }
    }
  }
}

int to_stderr(const char* text) {
  std::fputs(text, stderr);
  return std::fflush(stderr) == 0 ? 0 : 1;
}

int idle(const char* text) {
  char* end = nullptr;
  const long seconds = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || seconds < 0 || seconds > 600) {
    return usage();
  }
#if defined(_WIN32)
  Sleep(static_cast<DWORD>(seconds) * 1000);
#else
  ::sleep(static_cast<unsigned>(seconds));
#endif
  return 0;
}

// A grandchild that inherits the child's standard output keeps the pipe
// open after the child exits; the engine must report the child's exit anyway.
// With "cat" the grandchild reads the same input, so it ends by itself once
// the engine gives up and closes the child's input, and never outlives the
// test. With "idle 20" it holds the input without reading it (a write into
// it never completes) and ends after 20 seconds.
int spawn_holder(const char* self, bool reads) {
#if defined(_WIN32)
  wchar_t path[MAX_PATH];
  if (GetModuleFileNameW(nullptr, path, MAX_PATH) == 0) return 1;
  std::wstring command_line = L"\"" + std::wstring(path) + (reads ? L"\" cat" : L"\" idle 20");
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  startup.hStdError = nullptr;
  PROCESS_INFORMATION process{};
  // The inherited standard handles are inheritable in this process too, so
  // passing TRUE hands them on to the grandchild.
  if (!CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW, nullptr, nullptr,
                      &startup, &process)) {
    return 1;
  }
  CloseHandle(process.hThread);
  CloseHandle(process.hProcess);
#else
  char cat_mode[] = "cat";
  char idle_mode[] = "idle";
  char idle_seconds[] = "20";
  char* const cat_argv[] = {const_cast<char*>(self), cat_mode, nullptr};
  char* const idle_argv[] = {const_cast<char*>(self), idle_mode, idle_seconds, nullptr};
  char* const* grandchild_argv = reads ? cat_argv : idle_argv;
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, grandchild_argv, environ) != 0) return 1;
#endif
  static_cast<void>(self);
  std::fputs("spawned\n", stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// The descriptors a started program inherited, for the test that nothing
// of its parent's leaks into it.
int list_fds() {
#if defined(_WIN32)
  std::fputs("list-fds needs /proc/self/fd\n", stderr);
  return 2;
#else
  DIR* folder = ::opendir("/proc/self/fd");
  if (folder == nullptr) return 1;
  const int listing_fd = ::dirfd(folder);
  std::vector<long> fds;
  while (const dirent* entry = ::readdir(folder)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == listing_fd) continue;
    fds.push_back(fd);
  }
  ::closedir(folder);
  std::sort(fds.begin(), fds.end());
  std::string line;
  for (const long fd : fds) {
    if (!line.empty()) line += ' ';
    line += std::to_string(fd);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  use_binary_streams();
  if (argc < 2) {
    return usage();
  }
  const std::string mode = argv[1];
  if (mode == "echo-args") {
    return echo_args(argc, argv);
  }
  if (mode == "print-args") {
    return print_args(argc, argv);
  }
  if (mode == "exit" && argc == 3) {
    return exit_with(argv[2]);
  }
  if (mode == "cat" && argc == 2) {
    return cat();
  }
  if (mode == "stderr" && argc == 3) {
    return to_stderr(argv[2]);
  }
  if (mode == "idle" && argc == 3) {
    return idle(argv[2]);
  }
  if (mode == "spawn-holder" && argc == 2) {
    return spawn_holder(argv[0], true);
  }
  if (mode == "spawn-idle-holder" && argc == 2) {
    return spawn_holder(argv[0], false);
  }
  if (mode == "list-fds" && argc == 2) {
    return list_fds();
  }
  return usage();
}
