#!/usr/bin/env bash
# Builds the GUI and photographs it with live traffic for the README:
# runs `pipescope --screenshot` (which starts the demo, waits for traffic,
# saves the pictures with Qt's own grab and quits) under Xvfb, so it works on
# a machine without a display. Writes docs/screenshots/main.png,
# hex-view.png, impersonation.png, new-server-dialog.png, run-child-dialog.png
# and, with the dark palette, main-dark.png.
#
# Then does the same with the Windows build (preset mingw-gui, Qt from
# scripts/qt-mingw.sh): pipescope.exe runs under Wine on Xvfb in a fresh
# Wine prefix (so with the default layout), and its main window becomes
# docs/screenshots/windows-main.png.
#
# Usage: scripts/screenshot.sh [native|windows]   (both when not given)
#        PIPESCOPE_BUILD_DIR=... scripts/screenshot.sh   (native build folder, default build/gui)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

which="${1:-all}"
case "$which" in
  all | native | windows) ;;
  *) echo "usage: scripts/screenshot.sh [native|windows]" >&2; exit 2 ;;
esac

# What the GUI needs on top of the engine's build packages.
PIPESCOPE_GUI_PACKAGES=(qt6-base-dev qt6-base-dev-tools libgl-dev xvfb xauth)
ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_GUI_PACKAGES[@]}"

out_dir="$PIPESCOPE_ROOT/docs/screenshots"
mkdir -p "$out_dir"
# A fresh settings folder: the picture shows the default layout, not
# whatever the person running the script arranged.
settings_dir="$(mktemp -d)"
cleanup() {
  # The Windows part's Wine server belongs to a prefix inside this folder.
  if [ -d "$settings_dir/wine-prefix" ]; then
    WINEPREFIX="$settings_dir/wine-prefix" wineserver -k >/dev/null 2>&1 || true
  fi
  rm -rf "$settings_dir"
}
trap cleanup EXIT

if [ "$which" != windows ]; then
  build_dir="${PIPESCOPE_BUILD_DIR:-build/gui}"
  log "configure ($build_dir)"
  cmake --preset dev -B "$build_dir" >/dev/null
  log "build pipescope"
  cmake --build "$build_dir" -j "${PIPESCOPE_JOBS:-2}" --target pipescope

  log "running pipescope --screenshot under Xvfb"
  XDG_CONFIG_HOME="$settings_dir" QT_QPA_PLATFORM=xcb \
    xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" \
    "$build_dir/app/gui/pipescope" --screenshot "$out_dir/main.png"
  log "wrote $out_dir/main.png, hex-view.png, impersonation.png, new-server-dialog.png, run-child-dialog.png"

  # The same with the dark palette, in a folder of its own; only the main
  # window is kept, as main-dark.png.
  log "running pipescope --dark --screenshot under Xvfb"
  mkdir -p "$settings_dir/dark"
  XDG_CONFIG_HOME="$settings_dir/dark" QT_QPA_PLATFORM=xcb \
    xvfb-run --auto-servernum --server-args="-screen 0 1600x1000x24" \
    "$build_dir/app/gui/pipescope" --dark --screenshot "$settings_dir/dark/main.png"
  cp "$settings_dir/dark/main.png" "$out_dir/main-dark.png"
  log "wrote $out_dir/main-dark.png"
fi

if [ "$which" != native ]; then
  log "Windows build (mingw-gui) for windows-main.png"
  ensure_packages mingw-w64 g++-mingw-w64-x86-64-posix wine dpkg-dev perl fonts-wine
  bash scripts/qt-mingw.sh >/dev/null
  cmake --preset mingw-gui >/dev/null
  cmake --build --preset mingw-gui -j "${PIPESCOPE_JOBS:-2}" --target pipescope

  # A fresh Wine prefix: Qt on Windows keeps the window layout in the
  # registry, and the picture shows the default one. Wine's server starts
  # before the program, with its output sent away, so that it does not keep
  # this script's output open.
  export WINEPREFIX="$settings_dir/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d
  mkdir -p "$WINEPREFIX"
  log "creating a Wine prefix"
  wineboot -i >/dev/null 2>&1
  wineserver -w
  wineserver -p >/dev/null 2>&1 || true

  # The program saves its other pictures beside the main one; only the main
  # window's is kept, under its own name, so the native pictures stay.
  windows_out="$settings_dir/windows-pictures"
  mkdir -p "$windows_out"
  log "running pipescope.exe --screenshot under Wine and Xvfb"
  # The screen is larger than the 1600 x 1000 window, which Windows would
  # otherwise fit into the work area. 96 dpi is Windows' 100 %; at Xvfb's
  # default Wine reports about 72 dpi and Qt shrinks the window. Wine's
  # desktop process stops while the X server still runs, so it does not die
  # complaining about a lost display.
  xvfb-run --auto-servernum --server-args="-screen 0 1700x1100x24 -dpi 96" \
    bash -c '"$@"; status=$?; wineserver -k; exit $status' run-in-xvfb \
    scripts/wine-run.sh build/mingw-gui/bin/pipescope.exe --screenshot "$windows_out/main.png"
  cp "$windows_out/main.png" "$out_dir/windows-main.png"
  log "wrote $out_dir/windows-main.png"
fi
