# Shared by the end-to-end scripts: a private socket folder, background
# processes that are always cleaned up, and waiting for a line of output
# (with a timeout) instead of sleeping. Sourced, not run.
#
# Usage in a script:  source "$(dirname "$0")/lib.sh" "$@"
# The first argument is the pipescope-cli executable.

set -euo pipefail

CLI="${1:?usage: $0 PATH/TO/pipescope-cli}"
[ -x "$CLI" ] || { echo "not executable: $CLI" >&2; exit 1; }

# How long any single wait may take before the test fails. Generous: the
# machine may be busy; a passing run never waits this long.
WAIT_SECONDS="${PIPESCOPE_E2E_WAIT:-20}"

# The engine puts sockets in $TMPDIR (as CoreFxPipe_NAME); a folder of our
# own keeps parallel test runs and stale sockets apart.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pipescope-e2e.XXXXXX")"
export TMPDIR="$WORK"

BACKGROUND_PIDS=()
cleanup() {
  local pid
  for pid in "${BACKGROUND_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BACKGROUND_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

pass() {
  echo "ok: $*"
}

# A pipe name no other test run uses.
unique_name() {
  echo "e2e-$1-$$-$RANDOM"
}

# The socket path the POSIX backend uses for a pipe name.
socket_path() {
  echo "$TMPDIR/CoreFxPipe_$1"
}

# start_server FD_VAR NAME [serve options...]
# Starts `pipescope-cli --json serve NAME ...` in the background with its
# standard output on a FIFO opened as a new file descriptor (stored in the
# variable FD_VAR), its standard error in $WORK/NAME.err, and waits for the
# "listening" line. Sets SERVER_PID.
start_server() {
  local fd_var="$1" name="$2"
  shift 2
  local fifo="$WORK/$name.out"
  mkfifo "$fifo"
  "$CLI" --json serve "$name" "$@" >"$fifo" 2>"$WORK/$name.err" &
  SERVER_PID=$!
  BACKGROUND_PIDS+=("$SERVER_PID")
  local fd
  exec {fd}<"$fifo"
  printf -v "$fd_var" '%s' "$fd"
  wait_for_line "$fd" '"event":"listening"' >/dev/null ||
    fail "server $name did not report listening; stderr: $(cat "$WORK/$name.err")"
}

# hold_instance SERVER_FD NAME: takes one instance of the server NAME (its
# output on SERVER_FD, as start_server gives it) with a `pipescope-cli
# connect` whose input stays open, and waits until the server reports that
# client. Sets HOLDER_PID and HOLD_FD; closing HOLD_FD ends the client.
hold_instance() {
  local server_fd="$1" name="$2"
  mkfifo "$WORK/$name.holder.in"
  "$CLI" connect "$name" <"$WORK/$name.holder.in" >/dev/null 2>&1 &
  HOLDER_PID=$!
  BACKGROUND_PIDS+=("$HOLDER_PID")
  exec {HOLD_FD}>"$WORK/$name.holder.in"
  wait_for_line "$server_fd" "\"pid\":$HOLDER_PID," >/dev/null || fail "the holding client never connected"
}

# wait_for_line FD PATTERN: reads lines from FD until one contains PATTERN
# (a fixed string), prints that line and returns 0; returns 1 if no such
# line came within WAIT_SECONDS or the writer closed its end. Every line
# read is also appended to $WORK/lines.log for failure messages.
wait_for_line() {
  local fd="$1" pattern="$2" line
  local deadline=$((SECONDS + WAIT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! IFS= read -r -t "$WAIT_SECONDS" -u "$fd" line; then
      return 1
    fi
    printf '%s\n' "$line" >>"$WORK/lines.log"
    if [[ "$line" == *"$pattern"* ]]; then
      printf '%s\n' "$line"
      return 0
    fi
  done
  return 1
}

# expect_exit CODE COMMAND...: runs the command, fails unless it exits CODE.
# Its standard output and error are kept in $WORK/last.out and last.err.
expect_exit() {
  local expected="$1" status=0
  shift
  "$@" >"$WORK/last.out" 2>"$WORK/last.err" || status=$?
  if [ "$status" -ne "$expected" ]; then
    fail "expected exit $expected, got $status from: $* 
stdout: $(cat "$WORK/last.out")
stderr: $(cat "$WORK/last.err")"
  fi
}

# assert_contains FILE TEXT [what]
assert_contains() {
  grep -qF -- "$2" "$1" || fail "${3:-$1} does not contain '$2'; it has: $(cat "$1")"
}
