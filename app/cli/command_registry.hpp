// The console tool's commands register themselves here. Each command_*.cpp
// declares its own subcommand (its options, how they map onto its settings,
// and what runs it) and registers it with one static CommandRegistrar, so
// adding a command is one new file and touches nothing else.
//
// The registry is read only after main() has begun (CommandLine's
// constructor), when every registrar of the executable has run; the list
// itself is a function-local static, so the order in which the files'
// registrars run does not matter. The tool is an executable built from its
// source files directly (app/cli/CMakeLists.txt), so no linker drops a
// registrar's object file.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace pipescope::cli {

struct Session;

/// Runs the command the command line chose; returns the process exit code
/// (exit_codes.hpp).
using CommandRunner = std::function<int(Session& session)>;

/// Adds a command's arguments and options to its subcommand and returns what
/// runs it. The runner owns the settings the options are parsed into.
using CommandDeclaration = CommandRunner (*)(CLI::App& subcommand);

struct CommandEntry {
  std::string_view name;
  /// What the help pages say the command does.
  std::string_view description;
  /// Where the command stands in the list of the main help page: lowest
  /// first. It keeps that list in an order that teaches (serve before
  /// connect), which the order of static initialisation would not.
  int help_rank = 0;
  CommandDeclaration declare = nullptr;
};

/// Registers one command. Meant for one static object per command, in the
/// command's own file:
///   const CommandRegistrar kServe{{.name = "serve", .description = "...", .help_rank = 10, .declare = &declare}};
class CommandRegistrar {
 public:
  explicit CommandRegistrar(const CommandEntry& entry);
};

/// Every registered command, ordered by help_rank.
[[nodiscard]] std::vector<CommandEntry> registered_commands();

}  // namespace pipescope::cli
