# Shared by scripts/run.sh and scripts/test.sh: package lists and helpers.
# Sourced, not run.

PIPESCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What a fresh Debian 12 lacks to build and test the engine and console tool.
PIPESCOPE_BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config ccache
  googletest libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
)
# The GUI: Qt 6 Widgets (its CMake package needs the GL headers).
PIPESCOPE_GUI_PACKAGES=(qt6-base-dev qt6-base-dev-tools libgl-dev)
# Real peers for the end-to-end tests.
PIPESCOPE_TEST_PACKAGES=(socat)
# The libFuzzer targets (the fuzz preset): clang and its runtime libraries,
# libFuzzer's among them.
PIPESCOPE_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Debian packages that are missing, with one apt-get update at
# most. Works as root (CI) or through sudo.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Every compile goes through ccache when it is there (call this after
# ensure_packages, which installs it): CI builds a fresh clone in a new folder
# each time, and the base folder makes the objects cached for one clone serve
# the next, as paths inside the tree are then taken as relative. A build
# folder remembers its launcher from its first configure.
use_compiler_cache() {
  command -v ccache >/dev/null 2>&1 || return 0
  export CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}"
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PIPESCOPE_ROOT}"
}

build_jobs() { nproc 2>/dev/null || echo 2; }

# True when a window can be shown: an X or Wayland display is set.
have_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }
