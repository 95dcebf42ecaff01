#!/usr/bin/env bash
# Installs what is missing, builds PipeScope and launches it.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}"
log "configure (release)"
cmake --preset release -DBUILD_TESTING=OFF >/dev/null
log "build (release)"
cmake --build --preset release -j "$(build_jobs)" --target pipescope-cli
log "launching the console demo: a reverse server and a client talking over a real pipe"
exec ./build/release/app/cli/pipescope-cli demo "$@"
