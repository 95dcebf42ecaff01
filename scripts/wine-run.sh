#!/usr/bin/env bash
# Runs a Windows program under Wine with the settings PipeScope's tests need.
# CMake uses it as CMAKE_CROSSCOMPILING_EMULATOR in the mingw lane, so ctest,
# gtest_discover_tests and people run test executables the same way.
#
# The Wine prefix lives in the build folder of the program being run (found
# by walking up to the folder that holds CMakeCache.txt), unless WINEPREFIX
# is already set, so that builds never share or touch ~/.wine.
set -euo pipefail

# The build folder at or above a folder, or nothing.
build_folder_of() {
  local dir="$1"
  while [[ "$dir" != "/" && ! -f "$dir/CMakeCache.txt" ]]; do
    dir="$(dirname "$dir")"
  done
  [[ "$dir" != "/" ]] && echo "$dir"
}

if [[ -z "${WINEPREFIX:-}" ]]; then
  # The program's own folder first ("cmd.exe" has none worth asking), then
  # the current folder (ctest runs tests inside the build tree).
  build_dir=""
  if [[ "$1" == */* ]]; then
    build_dir="$(build_folder_of "$(cd "$(dirname "$1")" && pwd)" || true)"
  fi
  [[ -n "$build_dir" ]] || build_dir="$(build_folder_of "$(pwd)" || true)"
  if [[ -z "$build_dir" ]]; then
    echo "wine-run.sh: $1 is not in a build folder and WINEPREFIX is not set;" \
         "set WINEPREFIX (e.g. build/mingw/wine-prefix) rather than creating a prefix here" >&2
    exit 2
  fi
  export WINEPREFIX="$build_dir/wine-prefix"
fi
# Quiet Wine's own diagnostics; they are not the program's output.
export WINEDEBUG="${WINEDEBUG:--all}"
# Without the debugger a crashing test fails instead of sometimes exiting 0.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-winedbg.exe=d}"
exec /usr/bin/wine "$@"
