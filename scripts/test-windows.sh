#!/usr/bin/env bash
# The Windows lane, in two parts, both cross-compiled with mingw-w64 and run
# under Wine:
#   1. the engine (preset "mingw"): the conformance and unit suites of the
#      Win32 backend and the console tool, linked statically;
#   2. the GUI (preset "mingw-gui"): Qt 6 for Windows is built once from
#      Debian's qt6-base source (scripts/qt-mingw.sh, cached per user), then
#      pipescope.exe and the Qt Test suites are built against it and run, and
#      the ZIP for Windows users (pipescope-<version>-win64.zip) is made,
#      unpacked into a clean folder and started.
# Installs the Debian packages it needs when they are missing.
#
# Usage: scripts/test-windows.sh [extra ctest arguments for both parts...]
# Environment: PIPESCOPE_SKIP_WINDOWS_GUI=1 runs the engine part only;
#              PIPESCOPE_JOBS sets the parallel jobs (default 2).
# Exits non-zero when configuring, building or any test fails.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

jobs="${PIPESCOPE_JOBS:-2}"
with_gui=1
[[ "${PIPESCOPE_SKIP_WINDOWS_GUI:-0}" == 1 ]] && with_gui=0

# The engine part: the project's build packages (their headers and
# GoogleTest's sources serve the cross build too), the cross compiler, Wine;
# for RE2 built from Debian's source (scripts/re2-mingw.sh): dpkg-source to
# unpack it, perl, python3 with six and the Unicode data for its tables.
packages=("${PIPESCOPE_BUILD_PACKAGES[@]}" mingw-w64 g++-mingw-w64-x86-64-posix wine
          dpkg-dev perl python3 python3-six unicode-data)
if ((with_gui)); then
  # Building Qt: Debian's host Qt of the same version (moc, rcc, uic and their
  # CMake packages), dpkg-source to unpack the source package, perl for Qt's
  # header generator. Running it: an X server for the real windows platform
  # plugin, Wine's fonts, and the X libraries Wine's display driver loads at
  # run time (libwine only recommends them, and packages are installed
  # without recommendations).
  packages+=(qt6-base-dev qt6-base-dev-tools dpkg-dev perl xvfb xauth fonts-wine
             libxrender1 libxrandr2 libxi6 libxcursor1 libxinerama1 libxcomposite1 libxfixes3)
fi
ensure_packages "${packages[@]}"
use_compiler_cache

# Wall time of every step, printed at the end.
timings=()
step_started=0
step_begin() { step_started=$SECONDS; log "$1"; }
step_end() { timings+=("$(printf '%-36s %5d s' "$1" $((SECONDS - step_started)))"); }

# Wine keeps its registry and fake C: drive in a prefix inside each build
# folder; scripts/wine-run.sh (the tests' emulator) finds the same one.
prefixes=()
stop_wine() {
  local prefix
  for prefix in "${prefixes[@]}"; do
    WINEPREFIX="$prefix" wineserver -k >/dev/null 2>&1 || true
  done
}
trap stop_wine EXIT

# Creates the prefix once, then starts the Wine server and Wine's background
# services before ctest. If the first test started them, they would inherit
# that test's output pipe and ctest would wait for them; every test would
# also pay their start-up time. (wineserver -p exits with 2 when this
# prefix's server is already running, which is just as good.)
start_wine() {
  local prefix="$1"
  prefixes+=("$prefix")
  export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d
  if [[ ! -f "$prefix/system.reg" ]]; then
    log "initialising the Wine prefix in $prefix"
    mkdir -p "$prefix"
    wineboot -i >/dev/null 2>&1
    wineserver -w
  fi
  wineserver -p >/dev/null 2>&1 || true
  wine cmd /c exit >/dev/null 2>&1 </dev/null
}

# Runs one test preset, keeps its output, and remembers a failure without
# stopping: the GUI part still runs when an engine test fails.
status=0
run_tests() {
  local preset="$1"
  shift
  local output="build/$preset/ctest-output.txt"
  set +e
  ctest --preset "$preset" -j "$jobs" "$@" 2>&1 | tee "$output"
  local result=${PIPESTATUS[0]}
  set -e
  if ((result != 0)); then status=$result; fi
}

started=$SECONDS
rm -f build/mingw/ctest-output.txt build/mingw-gui/ctest-output.txt

step_begin "RE2 for mingw-w64 (cached after the first build)"
PIPESCOPE_JOBS="$jobs" bash scripts/re2-mingw.sh >/dev/null
step_end "RE2 for mingw-w64 (scripts/re2-mingw.sh)"

step_begin "engine: configure and build (mingw)"
cmake --preset mingw >/dev/null
cmake --build --preset mingw -j "$jobs"
step_end "engine build (mingw)"

step_begin "engine: tests under Wine"
start_wine "$PIPESCOPE_ROOT/build/mingw/wine-prefix"
run_tests mingw "$@"
stop_wine
prefixes=()
step_end "engine tests under Wine"

if ((with_gui)); then
  step_begin "Qt $(grep -m1 -o 'qt_version=[0-9.]*' scripts/qt-mingw.sh | cut -d= -f2) for mingw-w64 (cached after the first build)"
  # Qt builds as its recipe was measured, without the compiler cache: it is
  # built once per machine and kept whole in its own cache folder.
  env -u CMAKE_CXX_COMPILER_LAUNCHER PIPESCOPE_JOBS="$jobs" bash scripts/qt-mingw.sh >/dev/null
  step_end "Qt for mingw-w64 (scripts/qt-mingw.sh)"

  step_begin "GUI: configure and build (mingw-gui)"
  cmake --preset mingw-gui >/dev/null
  cmake --build --preset mingw-gui -j "$jobs"
  step_end "GUI build (mingw-gui)"

  step_begin "GUI: Qt Test suites and the ZIP under Wine"
  start_wine "$PIPESCOPE_ROOT/build/mingw-gui/wine-prefix"
  run_tests mingw-gui "$@"
  step_end "GUI tests and ZIP under Wine"
fi

log "summary (Windows lane, $((SECONDS - started)) s)"
printf '  %s\n' "${timings[@]}"
for output in build/mingw/ctest-output.txt build/mingw-gui/ctest-output.txt; do
  [[ -f "$output" ]] || continue
  echo "$output:"
  grep -E "tests passed|tests failed|The following tests FAILED|^\s+[0-9]+ - " "$output" || true
done
exit "$status"
