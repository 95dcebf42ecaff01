// The console tool's exit codes. Scripts branch on them, so each failure
// class has its own number and the numbers never change meaning.
#pragma once

#include <string>

#include "pipescope/error.hpp"

namespace pipescope::cli {

enum class ExitCode : int {
  ok = 0,
  bad_arguments = 2,       ///< the command line could not be understood
  invalid_name = 3,        ///< the pipe name breaks the naming rules
  not_found = 4,           ///< no pipe by that name (ERROR_FILE_NOT_FOUND)
  access_denied = 5,       ///< the pipe's security refused us (ERROR_ACCESS_DENIED)
  busy_or_timeout = 6,     ///< every instance busy, or a wait ran out (ERROR_PIPE_BUSY, ERROR_SEM_TIMEOUT)
  peer_disconnected = 7,   ///< the other end went away (ERROR_BROKEN_PIPE, ERROR_NO_DATA)
  bad_input = 8,           ///< data to send could not be parsed or read (hex, escapes, file)
  engine_error = 9,        ///< any other failure the engine reported
};

[[nodiscard]] constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

/// The exit code that tells a script which class of failure an engine error is.
[[nodiscard]] ExitCode exit_code_for(Errc errc) noexcept;
[[nodiscard]] inline ExitCode exit_code_for(const Error& error) noexcept { return exit_code_for(error.errc()); }

/// The table of exit codes, as printed at the end of every --help page.
[[nodiscard]] std::string exit_codes_help();

}  // namespace pipescope::cli
