# Shared by the .NET end-to-end scripts, the start of each of them:
#   source "$(dirname "$0")/dotnet_lib.sh" "$@"
# The first argument is the pipescope-cli executable (for lib.sh, sourced
# here first); the second is the built PipePeer.dll (tests/e2e/dotnet/),
# empty when CMake found no .NET SDK; then the script skips (77), saying why.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-}"
PEER_DLL="${2:-}"
if [ -z "$PEER_DLL" ] || ! command -v dotnet >/dev/null; then
  echo "the .NET SDK (dotnet) is not installed, so there is no .NET peer; skipping"
  exit 77
fi
[ -f "$PEER_DLL" ] || fail "the .NET peer was not built: $PEER_DLL (build the pipescope_dotnet_peer target)"

# The .NET runtime's own files (debugger pipes, the diagnostics socket) also
# land in $TMPDIR; they do not disturb the tests, and turning them off keeps
# the socket folder holding only pipes.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_EnableDiagnostics=0
export DOTNET_CLI_HOME="$WORK"

# start_peer FD_VAR LABEL ROLE NAME [peer options...]
# Starts the C# peer (dotnet PipePeer.dll ROLE NAME ...) in the background,
# with standard input from the FIFO $WORK/LABEL.in (kept open on a new
# descriptor, stored in LABEL_IN), its standard output on a FIFO opened as a
# new descriptor (stored in FD_VAR), its standard error in $WORK/LABEL.err.
# PEER_UMASK (default 022) is the umask it runs with; PEER_AS, if set, is a
# command prefix (setpriv ...) it runs under. Sets PEER_PID: the .NET
# process itself (the subshell execs into it).
start_peer() {
  local fd_var="$1" label="$2"
  shift 2
  local out="$WORK/$label.out" in="$WORK/$label.in"
  mkfifo "$out" "$in"
  # shellcheck disable=SC2086  # PEER_AS is a command prefix, split on purpose
  (umask "${PEER_UMASK:-022}"; exec ${PEER_AS:-} dotnet "$PEER_DLL" "$@") <"$in" >"$out" 2>"$WORK/$label.err" &
  PEER_PID=$!
  BACKGROUND_PIDS+=("$PEER_PID")
  local in_fd out_fd
  exec {in_fd}>"$in"
  exec {out_fd}<"$out"
  printf -v "$fd_var" '%s' "$out_fd"
  printf -v "${label//-/_}_IN" '%s' "$in_fd"
}

# start_dotnet_server FD_VAR LABEL NAME [server options...]
# A C# server, waited for until it prints "listening 1" (just before it
# blocks in WaitForConnection; its socket exists since "created"). Its first
# line, Path.GetTempPath(), is checked against $TMPDIR.
start_dotnet_server() {
  local fd_var="$1" label="$2" name="$3"
  shift 3
  start_peer "$fd_var" "$label" server "$name" "$@"
  local fd="${!fd_var}" temp
  temp="$(wait_for_line "$fd" 'temp-path ')" || fail "the .NET server printed nothing; stderr: $(cat "$WORK/$label.err")"
  [ "$temp" = "temp-path $TMPDIR/" ] || fail ".NET's Path.GetTempPath() is '${temp#temp-path }', not \$TMPDIR ($TMPDIR/)"
  wait_for_line "$fd" 'listening 1' >/dev/null ||
    fail "the .NET server $name never waited for a client; stderr: $(cat "$WORK/$label.err"); output: $(cat "$WORK/lines.log")"
}

# run_peer OUT_FILE INPUT ROLE NAME [options...]: runs the C# peer in the
# foreground (under PEER_AS if set) with INPUT as its standard input; its
# output goes to OUT_FILE, its exit code to PEER_STATUS.
run_peer() {
  local out="$1" input="$2"
  shift 2
  PEER_STATUS=0
  # shellcheck disable=SC2086
  printf '%s' "$input" | timeout "$WAIT_SECONDS" ${PEER_AS:-} dotnet "$PEER_DLL" "$@" >"$out" 2>"$out.err" ||
    PEER_STATUS=$?
}

# connect_line LABEL NAME LINE REPLY WHAT: `pipescope-cli connect NAME`
# types LINE (and a newline) to a server that answers every line, and must
# show REPLY (and a newline) as received. Its output is in $WORK/LABEL.out,
# its errors in $WORK/LABEL.err; WHAT names the client in the messages.
connect_line() {
  local label="$1" name="$2" line="$3" reply="$4" what="$5"
  printf '%s\n' "$line" | "$CLI" connect "$name" >"$WORK/$label.out" 2>"$WORK/$label.err" ||
    fail "$what failed: $(cat "$WORK/$label.err")"
  assert_contains "$WORK/$label.out" "<- \"$reply\\n\"" "$what's output"
}

# The mode of a file as four octal digits.
file_mode() {
  stat -c '%04a' "$1"
}
