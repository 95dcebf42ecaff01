// pipescope-cli: the PipeScope engine for terminals and scripts.
#include "commands.hpp"
#include "options_cli.hpp"

int main(int argc, char** argv) {
  pipescope::cli::CommandLine command_line;
  if (const auto finished = command_line.parse(argc, argv)) {
    return *finished;
  }
  return pipescope::cli::run_command(command_line.settings());
}
