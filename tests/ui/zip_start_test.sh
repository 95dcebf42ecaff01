#!/usr/bin/env bash
# The Windows ZIP works on its own: unpacks pipescope-<version>-win64.zip into
# a fresh, empty folder, starts the unpacked pipescope.exe under Wine on a
# virtual X screen (Xvfb) with Qt's real windows platform plugin, lets it run
# the demo and save a picture of its window (--screenshot), and checks that
# the picture shows a full-size window with content.
#
# Nothing from the build tree is on the DLL search path: a DLL or plugin the
# ZIP lacks makes the program fail to start (under Wine often silently, with
# exit code 53), so this test fails. The Wine prefix is a fresh one too, like
# a Windows user who never ran PipeScope: no settings from other runs.
#
# Usage: zip_start_test.sh ZIP WINE_RUNNER
#   WINE_RUNNER is scripts/wine-run.sh.
set -euo pipefail

zip="$1"
wine_runner="$2"

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[[ -f "$zip" ]] || fail "$zip does not exist (the test package.zip makes it)"
command -v xvfb-run >/dev/null 2>&1 || fail "xvfb-run is missing (Debian package xvfb)"

folder="$(mktemp -d)"
export WINEPREFIX="$folder/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap cleanup EXIT
(cd "$folder" && cmake -E tar xf "$zip")
top="$folder/$(basename "$zip" .zip)"
[[ -d "$top" ]] || fail "the ZIP has no top folder $(basename "$top"): $(ls "$folder")"
echo "unpacked into $top:"
(cd "$top" && find . -type f | sort)

for file in bin/pipescope.exe bin/pipescope-cli.exe bin/Qt6Core.dll bin/Qt6Gui.dll bin/Qt6Widgets.dll \
            bin/platforms/qwindows.dll bin/libstdc++-6.dll bin/libgcc_s_seh-1.dll bin/libwinpthread-1.dll; do
  [[ -f "$top/$file" ]] || fail "the ZIP lacks $file"
done
ls "$top"/bin/styles/*.dll >/dev/null 2>&1 || fail "the ZIP has no widget style plugin in bin/styles"

echo "creating a fresh Wine prefix"
mkdir -p "$WINEPREFIX"
wineboot -i >/dev/null 2>&1
wineserver -w
# Wine's server and services start here, with their output sent away: if the
# program started them, they would hold this test's output open after it ends.
wineserver -p >/dev/null 2>&1 || true

picture="$folder/main.png"
echo "starting pipescope.exe --screenshot under Wine and Xvfb"
set +e
# The window is resized to 1600 x 1000 for its picture; the screen is larger
# so nothing is clipped. At Xvfb's default resolution Wine reports about 72
# dpi and Qt shrinks the window to three quarters; 96 dpi is Windows' 100 %.
# Wine's desktop process, started by the program, is stopped while the X
# server still runs, so it does not die complaining about a lost display.
xvfb-run --auto-servernum --server-args="-screen 0 1700x1100x24 -dpi 96" \
  bash -c '"$@"; status=$?; wineserver -k; exit $status' run-in-xvfb \
  "$wine_runner" "$top/bin/pipescope.exe" --screenshot "$picture"
status=$?
set -e
[[ $status -eq 0 ]] || fail "pipescope.exe --screenshot exited with $status"
[[ -f "$picture" ]] || fail "pipescope.exe exited with 0 but wrote no $picture"

# A PNG starts with an 8-byte signature and the IHDR chunk, whose first two
# fields are the width and height as 32-bit big-endian numbers.
signature="$(od -An -tx1 -N8 "$picture" | tr -d ' \n')"
[[ "$signature" == 89504e470d0a1a0a ]] || fail "$picture is not a PNG (starts with $signature)"
width=$((16#$(od -An -tx1 -j16 -N4 "$picture" | tr -d ' \n')))
height=$((16#$(od -An -tx1 -j20 -N4 "$picture" | tr -d ' \n')))
size=$(stat -c %s "$picture")
echo "picture: ${width} x ${height}, $size bytes"
[[ $width -eq 1600 && $height -eq 1000 ]] || fail "the picture is ${width} x ${height}, not the window's 1600 x 1000"
# An empty window of one colour compresses to a few kilobytes; the demo's
# tables, log and plot make far more.
[[ $size -ge 40000 ]] || fail "the picture has only $size bytes: the window shows almost nothing"
for extra in hex-view.png new-server-dialog.png run-child-dialog.png; do
  [[ -s "$folder/$extra" ]] || fail "the screenshot mode did not write $extra"
done
echo "PASS: the unpacked ZIP started, ran the demo and drew its window"
