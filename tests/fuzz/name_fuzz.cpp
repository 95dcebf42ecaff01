// libFuzzer target: pipe names and where the POSIX backend puts them. A name
// that parses has a canonical form that parses to the same name; a local
// pipe name maps to exactly one socket path directly under the socket folder
// (never a '/' that climbs out, never "." or "..", never past sun_path's
// limit), and that path names the pipe alone: its file name is the prefix
// and the name, byte for byte.
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipescope/name.hpp"
#include "posix/posix_backend.hpp"

namespace {

constexpr std::string_view kFolder = "/tmp/pipescope-fuzz";
constexpr std::string_view kPrefix = "CoreFxPipe_";

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The socket folder comes from TMPDIR; a fixed one makes the paths checkable.
  setenv("TMPDIR", std::string(kFolder).c_str(), 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipescope;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = PipeName::parse(text);
  if (!parsed) return 0;
  const PipeName& name = *parsed;

  auto again = PipeName::parse(name.full());
  require(again.ok() && *again == name && again->full() == name.full());

  auto path = detail::posix::socket_path_for(name);
  if (!path) return 0;
  require(path->size() < sizeof(sockaddr_un::sun_path));
  require(path->find('\0') == std::string::npos);
  // The same name always gives the same path.
  auto second = detail::posix::socket_path_for(name);
  require(second.ok() && *second == *path);
  if (name.kind() == PipeName::Kind::path) {
    require(*path == name.leaf() && path->front() == '/');
    return 0;
  }
  require(path->starts_with(kFolder) && (*path)[kFolder.size()] == '/');
  const std::string_view file = std::string_view(*path).substr(kFolder.size() + 1);
  require(file.find('/') == std::string_view::npos);
  require(file != "." && file != "..");
  require(file.starts_with(kPrefix) && file.substr(kPrefix.size()) == name.leaf());
  return 0;
}
