#include "command_line.hpp"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "command_registry.hpp"
#include "commands.hpp"
#include "console.hpp"
#include "exit_codes.hpp"
#include "pipescope/build_info.hpp"
#include "pipescope/log.hpp"

namespace pipescope::cli {

namespace {

// "pipescope-cli 0.1.0 (fmt 9.1.0, nlohmann-json 3.11.2, compiler GCC 12.2.0)":
// what a bug report needs to name this build.
std::string version_text() {
  std::string text = "pipescope-cli " + std::string(version()) + " (";
  bool first = true;
  for (const ComponentVersion& component : component_versions()) {
    text += (first ? "" : ", ") + component.name + " " + component.version;
    first = false;
  }
  return text + ")";
}

}  // namespace

struct CommandLine::Parts {
  CLI::App app{
      "PipeScope console tool: create, connect to, watch and learn Windows named pipes (on POSIX: the same "
      "engine over AF_UNIX sockets at $TMPDIR/CoreFxPipe_NAME).",
      "pipescope-cli"};
  bool json = false;
  /// The most memory the message log keeps (MessageLog::set_memory_limit);
  /// 0 until --log-memory-limit is given: the log's default then holds.
  std::uint64_t log_memory_limit = 0;

  struct Declared {
    CLI::App* subcommand = nullptr;
    CommandRunner run;
  };
  std::vector<Declared> commands;
};

CommandLine::CommandLine() : parts_(std::make_unique<Parts>()) {
  CLI::App& app = parts_->app;
  // Set before the subcommands are added, so that every help page inherits it.
  app.footer(exit_codes_help());
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(), "Print the version of PipeScope and its libraries, and exit.");
  // Lets the global --json also follow the subcommand's own arguments.
  app.fallthrough();
  app.add_flag("--json", parts_->json,
               "Print one JSON object per line for every engine event and result, instead of sentences. "
               "Errors go to standard error as {\"event\":\"error\",...} objects.");
  app.add_option("--log-memory-limit", parts_->log_memory_limit,
                 "The most memory the message log keeps for payloads and records, with a suffix: 512MiB, 4G. "
                 "Beyond it the pipes work on and every byte is counted, but records keep only their time, "
                 "endpoint, direction and length (flagged truncated), and one PIPESCOPE_LOG_FULL warning says "
                 "so. At least 1MiB; default: a quarter of physical memory (" +
                     std::to_string(MessageLog::default_memory_limit() >> 20) + " MiB here).")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1} << 20, std::numeric_limits<std::uint64_t>::max()))
      ->option_text("BYTES");

  for (const CommandEntry& entry : registered_commands()) {
    CLI::App* subcommand = app.add_subcommand(std::string(entry.name), std::string(entry.description));
    parts_->commands.push_back({subcommand, entry.declare(*subcommand)});
  }
}

CommandLine::~CommandLine() = default;

std::optional<int> CommandLine::parse(int argc, const char* const* argv) {
  try {
    parts_->app.parse(argc, argv);
  } catch (const CLI::ParseError& failure) {
    const bool is_help = failure.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success);
    if (is_help || !parts_->json) {
      const int code = parts_->app.exit(failure);
      return code == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::bad_arguments);
    }
    Console(true).error(make_error(Errc::invalid_parameter, "parse the command line", failure.what()));
    return to_int(ExitCode::bad_arguments);
  }
  return std::nullopt;
}

int CommandLine::run() {
  Session session(parts_->json);
  session.log_memory_limit = parts_->log_memory_limit;
  for (const Parts::Declared& command : parts_->commands) {
    if (command.subcommand->parsed()) {
      return command.run(session);
    }
  }
  // CLI11 requires exactly one subcommand, so this is not reached.
  return to_int(ExitCode::bad_arguments);
}

}  // namespace pipescope::cli
