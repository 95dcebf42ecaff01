// The raw baselines of `pipescope-cli bench`: pipe ends opened and used with
// bare operating-system calls and nothing of the engine, so that every engine
// figure can be put next to what the pipe itself does in the same run.
//
// Each platform implements this header in its own folder (posix/bench_raw_posix.cpp
// with socketpair(2), AF_UNIX connect(2) and pipe(2); win/bench_raw_win.cpp with
// CreateNamedPipeW, CreateFileW, ReadFile and WriteFile); CMake compiles
// exactly one of them. The timing loops that drive these ends are portable
// and live in raw_runs.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipescope/error.hpp"
#include "pipescope/options.hpp"

namespace pipescope::cli {

/// One end of a pipe opened with bare OS calls. It has a handle to read from
/// and one to write to: the same duplex handle for a socket or a named pipe,
/// two one-way handles for an anonymous pipe pair. Blocking I/O; each end is
/// meant to be used by one thread at a time.
class RawEnd {
 public:
  /// A file descriptor on POSIX, a HANDLE on Windows; -1 for none.
  using Handle = std::intptr_t;
  static constexpr Handle kNoHandle = -1;

  RawEnd() = default;
  RawEnd(Handle read_handle, Handle write_handle) noexcept : read_(read_handle), write_(write_handle) {}
  ~RawEnd() { close(); }
  RawEnd(RawEnd&& other) noexcept
      : read_(std::exchange(other.read_, kNoHandle)), write_(std::exchange(other.write_, kNoHandle)) {}
  RawEnd& operator=(RawEnd&& other) noexcept {
    if (this != &other) {
      close();
      read_ = std::exchange(other.read_, kNoHandle);
      write_ = std::exchange(other.write_, kNoHandle);
    }
    return *this;
  }
  RawEnd(const RawEnd&) = delete;
  RawEnd& operator=(const RawEnd&) = delete;

  /// Waits for data and reads what has arrived, at most `into.size()` bytes;
  /// on a message pipe one message, which must fit. 0 means end of stream.
  [[nodiscard]] Result<std::size_t> read_some(std::span<std::byte> into);
  /// Writes every byte, waiting while the pipe is full; on a message pipe the
  /// bytes are one message.
  [[nodiscard]] Result<void> write_all(std::span<const std::byte> bytes);
  void close() noexcept {
    if (read_ != write_) close_handle(write_);
    close_handle(read_);
    read_ = kNoHandle;
    write_ = kNoHandle;
  }

 private:
  /// close(2) or CloseHandle, in the platform's file; kNoHandle is ignored.
  static void close_handle(Handle handle) noexcept;

  Handle read_ = kNoHandle;
  Handle write_ = kNoHandle;
};

/// Two ends of one bare pipe: what `a` writes, `b` reads, and the other way.
struct RawPair {
  RawEnd a;
  RawEnd b;
};

/// A kind of bare pipe this platform has.
struct RawTransport {
  std::string name;          ///< what the tables print: "socketpair SOCK_STREAM", "pipe(2)"
  std::string id;            ///< for JSON: "socket", "pipe2", "named-pipe"
  bool message_type = false; ///< keeps message boundaries
};

/// The bare transports that carry a pipe of this type here. The first is the
/// one the engine's backend is built on, so the engine's ratios are taken
/// against it; any others are shown for comparison.
[[nodiscard]] std::vector<RawTransport> raw_transports(PipeType type);

/// A connected pair of the given transport, with the buffers the engine's
/// backend gives a server made with `like` (the server of the comparison), so
/// both sides of a comparison get the same room.
[[nodiscard]] Result<RawPair> open_raw_pair(const RawTransport& transport, const ServerOptions& like);

/// Opens, for reading and writing, a pipe that a server (here: the engine's)
/// serves, as any foreign client program would. `os_path` is what the OS
/// calls the pipe (ServerStarted::os_path): "\\.\pipe\x" or a socket path.
[[nodiscard]] Result<RawEnd> connect_raw(const std::string& os_path, PipeType type);

}  // namespace pipescope::cli
