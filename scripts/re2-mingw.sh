#!/usr/bin/env bash
# Builds RE2 (the linear-time regular expression engine of core's log
# queries) for 64-bit Windows with mingw-w64 (posix threads, as the rest of
# the cross build), from Debian's own re2 source package: the same version as
# the native build's libre2-dev. A static library, installed into a per-user
# cache folder keyed by the version; the presets "mingw" and "mingw-gui" find
# it there (cmake/toolchains/mingw-w64.cmake).
#
# A finished build is reused: the cache folder holds a stamp with the recipe
# it was built from and is checked for RE2's CMake package and library.
#
# Usage: scripts/re2-mingw.sh            build when needed, print the prefix last
#        scripts/re2-mingw.sh --prefix   print the prefix only (no build)
#        scripts/re2-mingw.sh --check    exit 0 when a usable build is cached
# Environment: PIPESCOPE_RE2_MINGW_PREFIX overrides the install folder,
#              PIPESCOPE_JOBS the number of parallel compile jobs (default 2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Keep in step with cmake/toolchains/mingw-w64.cmake.
re2_version=20220601
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pipescope"
prefix="${PIPESCOPE_RE2_MINGW_PREFIX:-$cache_root/re2-$re2_version-mingw}"
jobs="${PIPESCOPE_JOBS:-2}"
triple=x86_64-w64-mingw32
stamp="$prefix/pipescope-re2-build.stamp"

say() { printf '[re2-mingw] %s\n' "$*" >&2; }
die() { printf '[re2-mingw] error: %s\n' "$*" >&2; exit 1; }

# Only the library: RE2's tests and benchmarks would need GoogleTest and
# Google Benchmark built for Windows.
cmake_flags=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=OFF
  -DRE2_BUILD_TESTING=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=OFF
)
recipe="re2=$re2_version triple=$triple flags=${cmake_flags[*]}"

is_usable() {
  [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$recipe" ]] &&
    [[ -f "$prefix/lib/cmake/re2/re2Config.cmake" ]] && [[ -f "$prefix/lib/libre2.a" ]]
}

handle_cached_build "RE2 $re2_version for $triple" "$@"

started=$SECONDS
missing=()
for tool in "$triple-gcc-posix" "$triple-g++-posix" cmake ninja perl python3 apt-get dpkg-source; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
((${#missing[@]} == 0)) ||
  die "missing tools: ${missing[*]} (packages: mingw-w64 g++-mingw-w64-x86-64-posix cmake ninja-build perl python3 dpkg-dev)"
[[ -f /usr/share/unicode/UnicodeData.txt ]] || die "/usr/share/unicode/UnicodeData.txt not found: install unicode-data"
python3 -c 'import six' 2>/dev/null || die "python3's six module is missing: install python3-six"

work="$cache_root/re2-$re2_version-mingw-work"
say "working folder: $work"
fetch_debian_source re2 "$work" || die "could not fetch Debian's re2 source package"
src_dir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name "re2-*" | head -n 1)"
[[ -n "$src_dir" && -f "$src_dir/CMakeLists.txt" ]] || die "no unpacked re2 source in $work/src"
case "$(basename "$src_dir")" in
  "re2-$re2_version" | "re2-$re2_version+"*) ;;
  *) die "the mirror offers $(basename "$src_dir"), not RE2 $re2_version" ;;
esac

# Debian's source leaves out the tables that RE2's scripts generate (from
# the Unicode data of the unicode-data package); make them as debian/rules
# does (REBUILD_TABLES=1 in RE2's Makefile).
say "generating RE2's Perl and Unicode tables"
(
  cd "$src_dir"
  perl re2/make_perl_groups.pl >re2/perl_groups.cc
  python3 re2/make_unicode_casefold.py >re2/unicode_casefold.cc
  python3 re2/make_unicode_groups.py >re2/unicode_groups.cc
) 2>"$work/tables.log" || { cat "$work/tables.log" >&2; die "generating RE2's tables failed"; }

# A half-finished earlier install must not mix with this one.
rm -rf "$prefix"
build_dir="$work/build"
say "configuring for $triple into $prefix"
cmake -S "$src_dir" -B "$build_dir" -G Ninja "${cmake_flags[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$PIPESCOPE_ROOT/cmake/toolchains/mingw-w64.cmake" \
  -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/configure.log" 2>&1 ||
  { tail -n 40 "$work/configure.log" >&2; die "RE2's configure failed (full log: $work/configure.log)"; }
say "building with $jobs jobs (log: $work/build.log)"
cmake --build "$build_dir" --parallel "$jobs" >"$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log" >&2; die "building RE2 failed (full log: $work/build.log)"; }
cmake --install "$build_dir" >"$work/install.log" 2>&1 ||
  { tail -n 40 "$work/install.log" >&2; die "installing RE2 failed (full log: $work/install.log)"; }
is_usable_files=("$prefix/lib/cmake/re2/re2Config.cmake" "$prefix/lib/libre2.a")
for needed in "${is_usable_files[@]}"; do
  [[ -f "$needed" ]] || die "the build finished but $needed is missing"
done
echo "$recipe" >"$stamp"
rm -rf "$work"
say "done in $((SECONDS - started)) s"
echo "$prefix"
