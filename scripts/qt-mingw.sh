#!/usr/bin/env bash
# Builds Qt 6 (qtbase only: Core, Gui, Widgets, Test and the windows,
# offscreen and style plugins) for 64-bit Windows with mingw-w64, from
# Debian's own qt6-base source package, and installs it into a per-user cache
# folder keyed by the Qt version. PipeScope's Windows GUI build (presets
# "mingw-gui") finds it there.
#
# The host tools (moc, rcc, uic) are Debian's: a cross-built Qt needs host
# tools of exactly the same version, so the source package must match the
# installed qt6-base-dev-tools.
#
# The sources come from the Debian mirror this machine already uses
# (fetch_debian_source in scripts/common.sh).
#
# A finished build is reused: the cache folder holds a stamp with the recipe
# it was built from, and is checked for Qt6Config.cmake and the windows
# platform plugin. Anything else (no stamp, another recipe, missing files)
# means building again from scratch.
#
# Usage: scripts/qt-mingw.sh            build when needed, print the prefix last
#        scripts/qt-mingw.sh --prefix   print the prefix only (no build)
#        scripts/qt-mingw.sh --check    exit 0 when a usable build is cached
# Environment: PIPESCOPE_QT_MINGW_PREFIX overrides the install folder,
#              PIPESCOPE_JOBS the number of parallel compile jobs (default 2).
set -euo pipefail

qt_version=6.4.2
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
root="$PIPESCOPE_ROOT"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pipescope"
prefix="${PIPESCOPE_QT_MINGW_PREFIX:-$cache_root/qt-$qt_version-mingw}"
jobs="${PIPESCOPE_JOBS:-2}"
triple=x86_64-w64-mingw32
host_cmake_dir=/usr/lib/x86_64-linux-gnu/cmake
stamp="$prefix/pipescope-qt-build.stamp"

say() { printf '[qt-mingw] %s\n' "$*" >&2; }
die() { printf '[qt-mingw] error: %s\n' "$*" >&2; exit 1; }

# Only what PipeScope's GUI and its Qt Test suites need, so the build stays
# near 15 minutes on two idle cores (about 1,700 CPU-seconds; longer when the
# cores are shared). Why some of these are needed:
# - no tabletevent: Debian's tarball lacks the bundled wintab.h it needs;
# - direct2d stays on: Qt 6.4's windows platform plugin fails to link
#   without it; direct2d1_1 only adds the separate "direct2d" platform
#   plugin, which compiles the whole windows plugin a second time and which
#   PipeScope does not ship;
# - no JPEG or ICO image plugins: PipeScope reads and writes only PNG, which
#   QtGui handles itself;
# - bundled third-party libraries: the mingw sysroot has none of them;
#   freetype is needed by the offscreen platform plugin the tests use.
configure_flags=(
  -release -shared
  -nomake examples -nomake tests
  -qt-host-path /usr
  -no-opengl -no-feature-vulkan -no-dbus
  -no-feature-network -no-feature-sql -no-feature-xml -no-feature-concurrent
  -no-feature-printsupport -no-icu -no-feature-zstd
  -no-feature-tabletevent -no-feature-direct2d1_1
  -no-libjpeg -no-ico
  -qt-zlib -qt-pcre -qt-libpng -qt-freetype -qt-harfbuzz
  -qt-doubleconversion
)
recipe="qt=$qt_version triple=$triple flags=${configure_flags[*]}"

is_usable() {
  [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$recipe" ]] &&
    [[ -f "$prefix/lib/cmake/Qt6/Qt6Config.cmake" ]] &&
    [[ -f "$prefix/plugins/platforms/qwindows.dll" ]]
}

handle_cached_build "Qt $qt_version for $triple" "$@"

started=$SECONDS

# --- What the build needs on this machine ---------------------------------
missing=()
for tool in "$triple-gcc-posix" "$triple-g++-posix" "$triple-windres" "$triple-strip" cmake ninja perl \
            apt-get dpkg-source; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
((${#missing[@]} == 0)) ||
  die "missing tools: ${missing[*]} (packages: mingw-w64 g++-mingw-w64-x86-64-posix cmake ninja-build perl dpkg-dev)"

host_moc=/usr/lib/qt6/libexec/moc
[[ -x "$host_moc" ]] || die "$host_moc not found: install qt6-base-dev-tools ($qt_version)"
host_version="$("$host_moc" -v | awk '{print $2}')"
[[ "$host_version" == "$qt_version" ]] ||
  die "host Qt tools are $host_version, but Qt $qt_version is being built: they must match"
[[ -f "$host_cmake_dir/Qt6CoreTools/Qt6CoreToolsConfig.cmake" ]] ||
  die "$host_cmake_dir/Qt6CoreTools not found: install qt6-base-dev-tools and qt6-base-dev"

# --- Download and unpack the source package --------------------------------
work="$cache_root/qt-$qt_version-mingw-work"
say "working folder: $work"
fetch_debian_source qt6-base "$work" || die "could not fetch Debian's qt6-base source package"
src_dir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name "qt6-base-*" | head -n 1)"
[[ -n "$src_dir" && -x "$src_dir/configure" ]] || die "no unpacked qt6-base source in $work/src"
case "$(basename "$src_dir")" in
  "qt6-base-$qt_version" | "qt6-base-$qt_version+"*) ;;
  *) die "the mirror offers $(basename "$src_dir"), not Qt $qt_version" ;;
esac
say "source: $(basename "$src_dir") ($(grep -m1 -o '^qt6-base ([^)]*)' "$src_dir/debian/changelog"))"

# --- Configure, build, install ---------------------------------------------
# A half-finished earlier install must not mix with this one.
rm -rf "$prefix"
build_dir="$work/build"
mkdir -p "$build_dir"
say "configuring for $triple into $prefix"
(
  cd "$build_dir"
  "$src_dir/configure" -prefix "$prefix" "${configure_flags[@]}" -- \
    -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/mingw-w64.cmake" \
    -DQT_HOST_PATH_CMAKE_DIR="$host_cmake_dir" \
    -DCMAKE_STRIP="$(command -v "$triple-strip")"
) >"$work/configure.log" 2>&1 ||
  { tail -n 60 "$work/configure.log" >&2; die "Qt's configure failed (full log: $work/configure.log)"; }
grep -E "^(Qt Gui|Qt Widgets|  Windows|Build type|Building for)" "$work/configure.log" >&2 || true

say "building with $jobs jobs (log: $work/build.log)"
build_started=$SECONDS
cmake --build "$build_dir" --parallel "$jobs" >"$work/build.log" 2>&1 ||
  { tail -n 60 "$work/build.log" >&2; die "building Qt failed (full log: $work/build.log)"; }
say "built in $((SECONDS - build_started)) s"

say "installing (stripped) into $prefix"
cmake --install "$build_dir" --strip >"$work/install.log" 2>&1 ||
  { tail -n 40 "$work/install.log" >&2; die "installing Qt failed (full log: $work/install.log)"; }

for needed in lib/cmake/Qt6/Qt6Config.cmake plugins/platforms/qwindows.dll \
              plugins/platforms/qoffscreen.dll bin/Qt6Core.dll bin/Qt6Gui.dll \
              bin/Qt6Widgets.dll bin/Qt6Test.dll; do
  [[ -f "$prefix/$needed" ]] || die "the build finished but $prefix/$needed is missing"
done
echo "$recipe" >"$stamp"
rm -rf "$work"
say "done in $((SECONDS - started)) s; $(du -sh "$prefix" | cut -f1) installed"
echo "$prefix"
