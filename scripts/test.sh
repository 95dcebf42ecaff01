#!/usr/bin/env bash
# Installs what is missing, builds and runs every test suite: the engine's
# unit and conformance tests, the console tool's end-to-end tests and the GUI's
# Qt Test suites natively, then (for the dev preset) the Windows lane: the same
# engine tests cross-compiled with mingw-w64 and run under Wine.
#
# Usage: scripts/test.sh [preset]   (dev - the default -, asan, tsan, release,
#                                    fuzz: the libFuzzer targets, scripts/fuzz.sh)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

preset="${1:-dev}"
# The fuzz targets have no ctest suite: each runs for a bounded time.
[ "$preset" != fuzz ] || exec bash scripts/fuzz.sh
ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_GUI_PACKAGES[@]}" "${PIPESCOPE_TEST_PACKAGES[@]}"
use_compiler_cache

log "configure ($preset)"
cmake --preset "$preset" >/dev/null
log "build ($preset)"
cmake --build --preset "$preset" -j "$(build_jobs)"
log "test ($preset)"
if [ "$preset" = tsan ]; then
  # Every ThreadSanitizer report, a background server's too, is written to
  # build/tsan/reports (the test preset's log_path), and any report fails
  # the lane even where the process that found it was not the test's own.
  reports=build/tsan/reports
  rm -rf "$reports" && mkdir -p "$reports"
  status=0
  ctest --preset tsan -j "$(build_jobs)" || status=$?
  if compgen -G "$reports/tsan.*" >/dev/null; then
    for report in "$reports"/tsan.*; do
      echo "--- $report" >&2
      cat "$report" >&2
    done
    echo "ThreadSanitizer reported $(ls "$reports" | wc -l) time(s): see above and $reports" >&2
    exit 1
  fi
  exit "$status"
fi
ctest --preset "$preset" -j "$(build_jobs)"

if [ "$preset" = dev ] && [ "${PIPESCOPE_SKIP_WINDOWS:-0}" != 1 ]; then
  log "Windows lane (mingw-w64 + Wine)"
  bash scripts/test-windows.sh
fi
