// A tiny child program for the anonymous-pipe tests of the conformance suite.
// It is built with the tests for every platform, so the suite never depends on
// what shell tools a machine happens to have.
//
//   child_helper echo-args A B ...  writes "A B ...\n" to standard output
//   child_helper exit N             exits with code N, writing nothing
//   child_helper cat                copies standard input to standard output until end of input
//   child_helper stderr TEXT        writes TEXT to standard error only
//
// Any other use prints the usage to standard error and exits with 2.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
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
  std::fputs("usage: child_helper echo-args ARG... | exit N | cat | stderr TEXT\n", stderr);
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
  if (mode == "exit" && argc == 3) {
    return exit_with(argv[2]);
  }
  if (mode == "cat" && argc == 2) {
    return cat();
  }
  if (mode == "stderr" && argc == 3) {
    return to_stderr(argv[2]);
  }
  return usage();
}
