// The rules a typed command line is split by on POSIX: a shell's quoting,
// which is what a person at a terminal here expects (command_words.hpp).
#include "pipescope/command_words.hpp"

namespace pipescope {

CommandRules native_command_rules() noexcept { return CommandRules::posix_shell; }

}  // namespace pipescope
