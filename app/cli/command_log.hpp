// log FILE: read a saved message log and print the records a query matches,
// in one of the export formats. The command declares its own options.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace pipescope::cli {

enum class Command : std::uint8_t;

struct LogSettings {
  std::string file;
  std::vector<std::uint32_t> endpoints;  ///< empty: every endpoint
  std::string direction;                 ///< "in", "out" or empty for both
  std::string grep;                      ///< a substring of the payload
  std::string regex;                     ///< an RE2 regular expression over the payload (Latin-1)
  std::string hex;                       ///< bytes in hex, a substring of the payload
  bool ignore_case = false;
  std::string format = "text";           ///< an export format's id (export_formats())
};

/// Adds the `log` subcommand to `app`; parsing it sets `command` to
/// Command::log and fills `settings`.
void add_log_command(CLI::App& app, LogSettings& settings, Command& command);

}  // namespace pipescope::cli
