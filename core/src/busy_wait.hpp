// What a client that waited for a free instance is told when its wait runs
// out, in the same words on both backends. WaitNamedPipe's own
// ERROR_SEM_TIMEOUT ("The semaphore timeout period has expired.") never said
// that the pipe was busy, which is what the person needs to hear.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace pipescope::detail {

/// "\\.\pipe\x: all instances busy (ERROR_PIPE_BUSY); waited 5 s
/// (WaitNamedPipe → ERROR_SEM_TIMEOUT)"; whole seconds are said as seconds.
[[nodiscard]] inline std::string busy_wait_detail(std::string_view pipe, std::chrono::milliseconds waited) {
  const std::string how_long = waited.count() % 1000 == 0 ? fmt::format("{} s", waited.count() / 1000)
                                                          : fmt::format("{} ms", waited.count());
  return fmt::format("{}: all instances busy (ERROR_PIPE_BUSY); waited {} (WaitNamedPipe \u2192 ERROR_SEM_TIMEOUT)", pipe,
                     how_long);
}

}  // namespace pipescope::detail
