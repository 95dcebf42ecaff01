// libFuzzer target: the JSON-lines log loader. Any input gives an error or a
// log, never a crash; a log that loaded saves, loads again and saves to the
// same bytes (load -> save -> load -> save is stable).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "pipescope/log.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipescope;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  MessageLog log;
  const auto loaded = log.load_jsonl(in);
  if (!loaded) {
    require(loaded.error().errc() == Errc::bad_input);
    require(loaded.error().detail.starts_with("line "));
    require(log.size() == 0);
    return 0;
  }
  std::ostringstream first;
  require(log.save_jsonl(first).ok());
  std::istringstream saved(first.str());
  MessageLog reloaded;
  const auto again = reloaded.load_jsonl(saved);
  require(again.ok());
  require(reloaded.size() == log.size());
  std::ostringstream second;
  require(reloaded.save_jsonl(second).ok());
  require(first.str() == second.str());
  return 0;
}
