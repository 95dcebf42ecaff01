// libFuzzer target: the Run child dialog's command line splitter and its
// quoting (pipescope/command_words.hpp). The first byte picks the rules
// (bit 0: POSIX shell or Windows) and what the rest is (bit 1): a line a
// person typed, or a list of words separated by NUL bytes.
//
// A typed line gives words, or an error with a message at a position inside
// the line and no words; no word holds a NUL; quoting the words gives a line
// that splits into the same words, and quoting those again gives the same
// line. A list of words quotes into a line that splits back into exactly
// those words; only a Windows program name with a " may refuse, and it must.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/command_words.hpp"

namespace {

void require(bool condition) {
  // A broken property is a crash, which libFuzzer saves as a reproducer.
  if (!condition) std::abort();
}

void check_line(std::string_view line, pipescope::CommandRules rules) {
  using namespace pipescope;
  const CommandSplit split = split_command_line(line, rules);
  if (!split.ok) {
    require(split.words.empty());
    require(!split.error.message.empty());
    require(split.error.position < line.size());
    return;
  }
  for (const std::string& word : split.words) require(word.find('\0') == std::string::npos);
  auto quoted = quote_command_line(split.words, rules);
  require(quoted.ok());
  const CommandSplit again = split_command_line(*quoted, rules);
  require(again.ok && again.words == split.words);
  auto requoted = quote_command_line(again.words, rules);
  require(requoted.ok() && *requoted == *quoted);
}

void check_words(std::string_view data, pipescope::CommandRules rules) {
  using namespace pipescope;
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= data.size()) {
    const std::size_t end = std::min(data.find('\0', start), data.size());
    words.emplace_back(data.substr(start, end - start));
    start = end + 1;
  }
  auto quoted = quote_command_line(words, rules);
  const bool program_has_quote = words.front().find('"') != std::string::npos;
  if (rules == CommandRules::windows && program_has_quote) {
    require(!quoted.ok());
    return;
  }
  require(quoted.ok());
  const CommandSplit split = split_command_line(*quoted, rules);
  require(split.ok && split.words == words);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto rules = (data[0] & 1) != 0 ? pipescope::CommandRules::windows : pipescope::CommandRules::posix_shell;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 2) != 0) {
    check_words(rest, rules);
  } else {
    check_line(rest, rules);
  }
  return 0;
}
