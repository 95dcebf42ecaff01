// The command line: the options every command shares (--json,
// --log-memory-limit) and one subcommand per registered command
// (command_registry.hpp). Parsing is CLI11's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

namespace pipescope::cli {

class CommandLine {
 public:
  CommandLine();
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  /// Parses the arguments. Returns the exit code if the tool is already done
  /// (help was printed: 0; the arguments were wrong: 2, after saying why).
  [[nodiscard]] std::optional<int> parse(int argc, const char* const* argv);

  /// Runs the command parse() chose and returns the process exit code.
  [[nodiscard]] int run();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace pipescope::cli
