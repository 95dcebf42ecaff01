# Shared by scripts/run.sh and scripts/test.sh: package lists and helpers.
# Sourced, not run.

PIPESCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What a fresh Debian 12 lacks to build and test the engine and console tool.
PIPESCOPE_BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config ccache
  googletest libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libre2-dev
)
# The GUI: Qt 6 Widgets (its CMake package needs the GL headers).
PIPESCOPE_GUI_PACKAGES=(qt6-base-dev qt6-base-dev-tools libgl-dev)
# Real peers for the end-to-end tests, and the validators of the desktop
# entry and the AppStream metainfo (tests/resources).
PIPESCOPE_TEST_PACKAGES=(socat desktop-file-utils appstream)
# The libFuzzer targets (the fuzz preset): clang and its runtime libraries,
# libFuzzer's among them.
PIPESCOPE_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Debian packages that are missing, with one apt-get update at
# most. Works as root (CI) or through sudo.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Every compile goes through ccache when it is there (call this after
# ensure_packages, which installs it): CI builds a fresh clone in a new folder
# each time, and the base folder makes the objects cached for one clone serve
# the next, as paths inside the tree are then taken as relative. A build
# folder remembers its launcher from its first configure.
use_compiler_cache() {
  command -v ccache >/dev/null 2>&1 || return 0
  export CMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}"
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PIPESCOPE_ROOT}"
}

build_jobs() { nproc 2>/dev/null || echo 2; }

# True when a window can be shown: an X or Wayland display is set.
have_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }

# Debian source packages for the mingw-w64 builds (scripts/qt-mingw.sh,
# scripts/re2-mingw.sh) come from the Debian mirror this machine already
# uses, through a temporary deb-src list handed to apt-get with -o options;
# the machine's apt configuration, lists and caches are not touched.
#
# The mirror is the first enabled "deb" entry for the release itself (not
# -updates or -security) in /etc/apt/sources.list or sources.list.d (one-line
# *.list or deb822 *.sources), with its keyring, so the source index is
# verified the same way as the machine's binary index. Prints "URI<TAB>KEYRING".
debian_mirror() {
  local codename="$1"
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$file" ]] || continue
    awk -v suite="$codename" '
      $1 == "deb" {
        opts = ""; i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
        uri = $i; s = $(i + 1)
        if (s != suite) next
        signed = ""
        if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
        print uri "\t" signed; exit
      }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    # deb822: paragraphs separated by blank lines; comments start with '#'.
    awk -v suite="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled != "no" && uris != "") {
          split(uris, u, " "); print u[1] "\t" signed; found = 1; exit
        }
        types = ""; uris = ""; suites = ""; signed = ""; enabled = ""
      }
      /^#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
        if (key == "types") types = $0
        else if (key == "uris") uris = $0
        else if (key == "suites") suites = $0
        else if (key == "signed-by") signed = $0
        else if (key == "enabled") enabled = tolower($0)
      }
      END { if (!found) flush() }' "$file"
  done
}

# Downloads and unpacks Debian's source package PACKAGE into WORK/src (WORK is
# emptied first; apt's logs stay in WORK). Returns non-zero, with apt's output
# on stderr, when anything fails.
fetch_debian_source() {
  local package="$1" work="$2"
  local codename mirror_line mirror_uri mirror_keyring
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  if [[ -z "$codename" ]]; then
    echo "VERSION_CODENAME missing from /etc/os-release" >&2
    return 1
  fi
  mirror_line="$(debian_mirror "$codename" | head -n 1)"
  if [[ -z "$mirror_line" ]]; then
    echo "no enabled 'deb' entry for $codename in /etc/apt/sources.list or /etc/apt/sources.list.d" >&2
    return 1
  fi
  mirror_uri="${mirror_line%%$'\t'*}"
  mirror_keyring="${mirror_line#*$'\t'}"

  rm -rf "$work"
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
  if [[ -n "$mirror_keyring" ]]; then
    echo "deb-src [signed-by=$mirror_keyring] $mirror_uri $codename main" >"$work/apt/sources.list"
  else
    echo "deb-src $mirror_uri $codename main" >"$work/apt/sources.list"
  fi
  local apt_options=(
    -o "Dir::Etc::SourceList=$work/apt/sources.list"
    -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$work/apt/lists"
    -o "Dir::Cache=$work/apt/cache"
  )
  # apt drops to the _apt user for downloads when run as root; that user
  # cannot write into a private cache folder. The downloads are checked
  # against the mirror's signed index either way.
  if [[ $(id -u) -eq 0 ]]; then
    apt_options+=(-o "APT::Sandbox::User=root")
  fi
  log "reading the source index: $(cat "$work/apt/sources.list")"
  apt-get "${apt_options[@]}" -q update >"$work/apt-update.log" 2>&1 ||
    { cat "$work/apt-update.log" >&2; echo "apt-get update of the temporary deb-src list failed" >&2; return 1; }
  log "downloading and unpacking Debian's $package source package"
  (cd "$work/src" && apt-get "${apt_options[@]}" -q source "$package") >"$work/apt-source.log" 2>&1 ||
    { cat "$work/apt-source.log" >&2; echo "apt-get source $package failed" >&2; return 1; }
}

# For the scripts that build a library into the cache (qt-mingw.sh,
# re2-mingw.sh): handles their one argument (--prefix: print the install
# folder; --check: exit 0 when a usable build is cached; nothing: go on and
# build) and ends the script when a usable build is cached. Uses the
# script's $prefix, is_usable, say and die. WHAT names the build.
handle_cached_build() {
  local what="$1" argument="${2:-}"
  case "$argument" in
    --prefix) echo "$prefix"; exit 0 ;;
    --check) is_usable; exit $? ;;
    "") ;;
    *) die "unknown argument '$argument' (use --prefix, --check or nothing)" ;;
  esac
  if is_usable; then
    say "$what is cached in $prefix"
    echo "$prefix"
    exit 0
  fi
}
