#include "command_registry.hpp"

#include <algorithm>

namespace pipescope::cli {
namespace {

/// A function-local static, so that it exists before the first registrar
/// of any file uses it, whatever order the files' static objects are made in.
std::vector<CommandEntry>& registry() {
  static std::vector<CommandEntry> entries;
  return entries;
}

}  // namespace

CommandRegistrar::CommandRegistrar(const CommandEntry& entry) { registry().push_back(entry); }

std::vector<CommandEntry> registered_commands() {
  std::vector<CommandEntry> entries = registry();
  std::stable_sort(entries.begin(), entries.end(),
                   [](const CommandEntry& a, const CommandEntry& b) { return a.help_rank < b.help_rank; });
  return entries;
}

}  // namespace pipescope::cli
