// The child program of the GUI flow test: copies its standard input to its
// standard output as soon as bytes arrive, until end of input, then exits
// with 0. The test sees a line come back while the child still runs, then
// closes the child's input and sees the exit code.
//
// `cat` did this job, but Windows has no `cat`; this program is built with
// the tests for every platform, so the test means the same everywhere.
// It reads with the OS-level read() rather than fread(), which on a pipe
// would wait until its whole buffer is full.
#include <cstddef>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#else
#include <unistd.h>
#endif

namespace {

#if defined(_WIN32)
// The C runtime's text mode would turn "\n" into "\r\n" and stop at 0x1A.
void useBinaryStreams() {
  _setmode(0, _O_BINARY);
  _setmode(1, _O_BINARY);
}
long readSome(char* buffer, std::size_t size) { return _read(0, buffer, static_cast<unsigned>(size)); }
long writeSome(const char* buffer, std::size_t size) { return _write(1, buffer, static_cast<unsigned>(size)); }
#else
void useBinaryStreams() {}
long readSome(char* buffer, std::size_t size) { return static_cast<long>(read(0, buffer, size)); }
long writeSome(const char* buffer, std::size_t size) { return static_cast<long>(write(1, buffer, size)); }
#endif

}  // namespace

int main() {
  useBinaryStreams();
  char buffer[4096];
  for (;;) {
    const long got = readSome(buffer, sizeof buffer);
    if (got == 0) {
      return 0;
    }
    if (got < 0) {
      return 1;
    }
    std::size_t written = 0;
    while (written < static_cast<std::size_t>(got)) {
      const long put = writeSome(buffer + written, static_cast<std::size_t>(got) - written);
      if (put <= 0) {
        return 1;
      }
      written += static_cast<std::size_t>(put);
    }
  }
}
