#!/usr/bin/env bash
# The Windows console tool under Wine with a peer nobody on this team wrote:
# cmd.exe's redirection writes into `pipescope-cli.exe serve`, and the
# server's --json output shows exactly those bytes.
#
# Usage: wine_cmd_peer.sh PATH/TO/pipescope-cli.exe
source "$(dirname "$0")/lib.sh" "$@"

WINE_RUN="$(cd "$(dirname "$0")/../.." && pwd)/scripts/wine-run.sh"

name="$(unique_name cmdpeer)"
fifo="$WORK/serve.out"
mkfifo "$fifo"
"$WINE_RUN" "$CLI" --json serve "$name" --once >"$fifo" 2>"$WORK/serve.err" &
SERVER_PID=$!
BACKGROUND_PIDS+=("$SERVER_PID")
exec {server_out}<"$fifo"
wait_for_line "$server_out" '"event":"listening"' >/dev/null ||
  fail "serve did not report listening; stderr: $(cat "$WORK/serve.err")"
pass "pipescope-cli.exe serves \\\\.\\pipe\\$name under Wine"

# cmd.exe writes "hello" and its CRLF, then closes the pipe.
"$WINE_RUN" cmd.exe /c "echo hello>\\\\.\\pipe\\$name" >"$WORK/cmd.out" 2>&1 </dev/null ||
  fail "cmd.exe could not write to the pipe: $(cat "$WORK/cmd.out")"
# --once: the server stops by itself when its client has gone. Every line
# read on the way is kept in $WORK/lines.log.
wait_for_line "$server_out" '"event":"server_stopped"' >/dev/null ||
  fail "serve --once did not stop after cmd.exe disconnected; output: $(cat "$WORK/lines.log")"
server_status=0
wait "$SERVER_PID" || server_status=$?
[ "$server_status" -eq 0 ] || fail "serve --once exited $server_status, not 0; stderr: $(cat "$WORK/serve.err")"
pass "serve --once exited 0 after cmd.exe disconnected"

# cmd.exe may write the text and the line end in separate writes: joined,
# the incoming bytes must be exactly "hello\r\n".
received_hex="$(grep '"event":"data"' "$WORK/lines.log" | grep '"direction":"in"' |
  grep -o '"hex":"[0-9a-f]*"' | cut -d'"' -f4 | tr -d '\n')"
[ "$received_hex" = "68656c6c6f0d0a" ] || fail "the server read $received_hex; output: $(cat "$WORK/lines.log")"
pass "the server logged exactly what cmd.exe wrote (hello\\r\\n)"
