// The few things the console tool must ask the operating system itself.
// Each platform implements them in its own folder (posix/platform_posix.cpp,
// win/platform_win.cpp); CMake compiles exactly one of them.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace pipescope::cli {

/// Calls `on_stop` (on a thread of its own, never inside a signal handler)
/// when the user asks the tool to stop: Ctrl-C or SIGTERM on POSIX, Ctrl-C or
/// Ctrl-Break on Windows. The argument names what arrived ("SIGINT").
/// A second request ends the process at once, the usual way out of a tool
/// whose clean stop hangs. Call once, before the engine starts its threads.
void watch_stop_requests(std::function<void(std::string_view what)> on_stop);

/// Opens a file for reading bytes unchanged, so that no child process
/// inherits it: O_CLOEXEC (and O_NOCTTY, so a terminal device never becomes
/// the tool's controlling terminal) on POSIX, _O_NOINHERIT on Windows. A
/// std::ifstream can ask for neither. nullptr (with errno) if it cannot.
[[nodiscard]] std::FILE* open_for_reading(const std::string& path);

/// Makes standard output and error carry bytes unchanged. Windows otherwise
/// turns "\n" into "\r\n"; POSIX has nothing to change.
void use_binary_output();

/// Makes standard input deliver bytes unchanged (Windows otherwise turns
/// "\r\n" into "\n", which is right for typed lines but not for data that
/// is passed on).
void use_binary_input();

}  // namespace pipescope::cli
