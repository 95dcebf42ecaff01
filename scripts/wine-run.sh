#!/usr/bin/env bash
# Runs a Windows program under Wine with the settings PipeScope's tests need.
# CMake uses it as CMAKE_CROSSCOMPILING_EMULATOR in the mingw lane, so ctest,
# gtest_discover_tests and people run test executables the same way.
#
# The Wine prefix lives in the build folder of the program being run (found
# by walking up to the folder that holds CMakeCache.txt), unless WINEPREFIX
# is already set, so that builds never share or touch ~/.wine.
set -euo pipefail

if [[ -z "${WINEPREFIX:-}" ]]; then
  dir="$(cd "$(dirname "$1")" && pwd)"
  while [[ "$dir" != "/" && ! -f "$dir/CMakeCache.txt" ]]; do
    dir="$(dirname "$dir")"
  done
  if [[ "$dir" == "/" ]]; then
    dir="$(pwd)"
  fi
  export WINEPREFIX="$dir/wine-prefix"
fi
# Quiet Wine's own diagnostics; they are not the program's output.
export WINEDEBUG="${WINEDEBUG:--all}"
# Without the debugger a crashing test fails instead of sometimes exiting 0.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-winedbg.exe=d}"
exec /usr/bin/wine "$@"
