#!/usr/bin/env bash
# Installs what is missing, builds and runs every test suite.
# Usage: scripts/test.sh [preset]   (default: dev; also asan, tsan, release)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

preset="${1:-dev}"
ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_TEST_PACKAGES[@]}"

log "configure ($preset)"
cmake --preset "$preset" >/dev/null
log "build ($preset)"
cmake --build --preset "$preset" -j "$(build_jobs)"
log "test ($preset)"
ctest --preset "$preset" -j "$(build_jobs)"
