#!/usr/bin/env bash
# Installs what is missing, builds PipeScope and launches the GUI with its
# demo (an echo server and a client exchanging messages over a real pipe).
# Arguments are passed to pipescope; e.g. scripts/run.sh --help.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_GUI_PACKAGES[@]}"
use_compiler_cache
log "configure (release)"
cmake --preset release -DBUILD_TESTING=OFF >/dev/null
log "build (release)"
cmake --build --preset release -j "$(build_jobs)" --target pipescope pipescope-cli

if ! have_display; then
  log "no display (DISPLAY and WAYLAND_DISPLAY are unset): the GUI needs one."
  log "running the console demo instead; scripts/screenshot.sh shows the GUI headless under Xvfb."
  exec ./build/release/app/cli/pipescope-cli demo
fi
log "launching PipeScope"
if [ $# -eq 0 ]; then set -- --demo; fi
exec ./build/release/app/gui/pipescope "$@"
