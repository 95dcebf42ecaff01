#!/usr/bin/env bash
# The Windows lane: cross-compiles PipeScope with mingw-w64 (preset "mingw")
# and runs its tests under Wine. Installs mingw-w64 and Wine when missing.
#
# Usage: scripts/test-windows.sh [extra ctest arguments...]
# Exits non-zero when configuring, building or any test fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

jobs="${PIPESCOPE_JOBS:-2}"
build_dir="$root/build/mingw"

need_packages=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null 2>&1 || need_packages+=(mingw-w64 g++-mingw-w64-x86-64-posix)
command -v wine >/dev/null 2>&1 || need_packages+=(wine)
if ((${#need_packages[@]} > 0)); then
  echo "== installing ${need_packages[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${need_packages[@]}"
fi

started=$SECONDS
echo "== configure and build (mingw-w64)"
cmake --preset mingw
cmake --build --preset mingw -j "$jobs"

# Wine keeps its registry and fake C: drive in this prefix; every program the
# tests start (through scripts/wine-run.sh) uses the same one.
export WINEPREFIX="$build_dir/wine-prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES=winedbg.exe=d

# The Wine server of this prefix must go away however the run ends, or it
# keeps the prefix (and this script's caller's output pipe) busy.
stop_wine() { wineserver -k >/dev/null 2>&1 || true; }
trap stop_wine EXIT

if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  echo "== initialising the Wine prefix in $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  wineboot -i >/dev/null 2>&1
  wineserver -w
fi

# Start the Wine server and Wine's background services before ctest. If the
# first test started them, they would inherit that test's output pipe and
# ctest would wait for them; every test would also pay their start-up time.
# (wineserver -p exits with 2 when this prefix's server is already running,
# which is just as good.)
wineserver -p >/dev/null 2>&1 || true
wine cmd /c exit >/dev/null 2>&1 </dev/null

echo "== tests under Wine"
set +e
ctest --preset mingw -j "$jobs" "$@" 2>&1 | tee "$build_dir/ctest-output.txt"
status=${PIPESTATUS[0]}
set -e

echo "== summary (Windows lane, $((SECONDS - started)) s)"
grep -E "tests passed|tests failed|The following tests FAILED|^\s+[0-9]+ - " "$build_dir/ctest-output.txt" || true
exit "$status"
