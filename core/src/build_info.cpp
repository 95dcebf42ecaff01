#include "pipescope/build_info.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

namespace pipescope {

namespace {

// FMT_VERSION is major * 10000 + minor * 100 + patch.
std::string fmt_version() {
  return fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
}

std::string compiler_version() {
#if defined(__clang__)
  return fmt::format("Clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("GCC {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

}  // namespace

std::string_view version() noexcept { return PIPESCOPE_VERSION; }

std::vector<ComponentVersion> component_versions() {
  return {
      {"fmt", fmt_version()},
      {"nlohmann-json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                    NLOHMANN_JSON_VERSION_PATCH)},
      {"compiler", compiler_version()},
  };
}

}  // namespace pipescope
