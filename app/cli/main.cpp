// pipescope-cli: the PipeScope engine for terminals and scripts.
#include "command_line.hpp"

int main(int argc, char** argv) {
  pipescope::cli::CommandLine command_line;
  if (const auto finished = command_line.parse(argc, argv)) {
    return *finished;
  }
  return command_line.run();
}
