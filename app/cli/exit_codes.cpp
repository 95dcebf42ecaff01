#include "exit_codes.hpp"

namespace pipescope::cli {

ExitCode exit_code_for(Errc errc) noexcept {
  switch (errc) {
    case Errc::success:
      return ExitCode::ok;
    case Errc::invalid_name:
    case Errc::bad_pathname:
    case Errc::filename_exceeds_range:
    case Errc::name_empty:
    case Errc::name_bad_prefix:
    case Errc::name_has_backslash:
    case Errc::name_server_empty:
    case Errc::name_remote_unsupported:
      return ExitCode::invalid_name;
    case Errc::file_not_found:
    case Errc::path_not_found:
      return ExitCode::not_found;
    case Errc::access_denied:
      return ExitCode::access_denied;
    case Errc::pipe_busy:
    case Errc::sem_timeout:
      return ExitCode::busy_or_timeout;
    case Errc::broken_pipe:
    case Errc::no_data:
    case Errc::pipe_not_connected:
      return ExitCode::peer_disconnected;
    case Errc::bad_input:
      return ExitCode::bad_input;
    case Errc::invalid_parameter:
      // The engine says ERROR_INVALID_PARAMETER for option combinations it
      // refuses before touching the OS (a byte pipe read in message mode):
      // that is a mistake on the command line.
      return ExitCode::bad_arguments;
    default:
      return ExitCode::engine_error;
  }
}

std::string exit_codes_help() {
  return "Exit codes:\n"
         "  0  success\n"
         "  2  bad arguments (unknown option, value out of range, options that do not go together)\n"
         "  3  invalid pipe name\n"
         "  4  pipe not found (no server has created that name)\n"
         "  5  access denied (the pipe's security does not admit you)\n"
         "  6  busy or timed out (every instance in use, or a wait ran out)\n"
         "  7  peer disconnected (broken pipe: the other end closed)\n"
         "  8  bad input data (hex, escapes or a file that cannot be read; nothing was sent)\n"
         "  9  any other engine error\n"
         "  run: the child's own exit code (128 + N if signal N ended it; 127 if the program was not\n"
         "       found, 126 if it could not be executed, as shells do)";
}

}  // namespace pipescope::cli
