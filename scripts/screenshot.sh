#!/usr/bin/env bash
# Builds the GUI and photographs it with live traffic for the README:
# runs `pipescope --screenshot` (which starts the demo, waits for traffic,
# saves the pictures with Qt's own grab and quits) under Xvfb, so it works on
# a machine without a display. Writes docs/screenshots/main.png,
# hex-view.png and new-server-dialog.png.
#
# Usage: scripts/screenshot.sh            (build folder: build/gui)
#        PIPESCOPE_BUILD_DIR=... scripts/screenshot.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

# What the GUI needs on top of the engine's build packages.
PIPESCOPE_GUI_PACKAGES=(qt6-base-dev qt6-base-dev-tools libgl-dev xvfb xauth)
ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_GUI_PACKAGES[@]}"

build_dir="${PIPESCOPE_BUILD_DIR:-build/gui}"
log "configure ($build_dir)"
cmake --preset dev -B "$build_dir" >/dev/null
log "build pipescope"
cmake --build "$build_dir" -j "${PIPESCOPE_JOBS:-2}" --target pipescope

out_dir="$PIPESCOPE_ROOT/docs/screenshots"
mkdir -p "$out_dir"
# A fresh settings folder: the picture shows the default layout, not
# whatever the person running the script arranged.
settings_dir="$(mktemp -d)"
trap 'rm -rf "$settings_dir"' EXIT

log "running pipescope --screenshot under Xvfb"
XDG_CONFIG_HOME="$settings_dir" QT_QPA_PLATFORM=xcb \
  xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" \
  "$build_dir/app/gui/pipescope" --screenshot "$out_dir/main.png"
log "wrote $(ls "$out_dir"/*.png | tr '\n' ' ')"
