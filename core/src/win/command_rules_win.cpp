// The rules a typed command line is split by on Windows: CommandLineToArgvW's,
// which the child's C runtime applies again to the command line the engine
// gives CreateProcessW (command_words.hpp).
#include "pipescope/command_words.hpp"

namespace pipescope {

CommandRules native_command_rules() noexcept { return CommandRules::windows; }

}  // namespace pipescope
