// What this build of PipeScope is: its version and those of the libraries
// the engine was built with, for --version and the GUI's About box.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipescope {

/// PipeScope's version (the project version of the build, e.g. "0.1.0").
[[nodiscard]] std::string_view version() noexcept;

struct ComponentVersion {
  std::string name;     ///< e.g. "fmt"
  std::string version;  ///< e.g. "9.1.0"
};

/// The libraries the engine was built with and the compiler that built it,
/// in a fixed order. (RE2 is not among them: it has no version of its own
/// to ask, only the date of its release in the package's name.)
[[nodiscard]] std::vector<ComponentVersion> component_versions();

}  // namespace pipescope
