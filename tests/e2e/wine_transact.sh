#!/usr/bin/env bash
# The Windows console tool under Wine on both ends: `serve --type message
# --reverse` answers `transact` (the engine's write + read of one message,
# since Wine breaks the overlapped TransactNamedPipe) and `call`
# (CallNamedPipeW), and `inspect` reads the pipe's SDDL back.
#
# Usage: wine_transact.sh PATH/TO/pipescope-cli.exe
source "$(dirname "$0")/lib.sh" "$@"

WINE_RUN="$(cd "$(dirname "$0")/../.." && pwd)/scripts/wine-run.sh"

name="$(unique_name winetransact)"
fifo="$WORK/serve.out"
mkfifo "$fifo"
"$WINE_RUN" "$CLI" --json serve "$name" --type message --reverse >"$fifo" 2>"$WORK/serve.err" &
SERVER_PID=$!
BACKGROUND_PIDS+=("$SERVER_PID")
exec {server_out}<"$fifo"
wait_for_line "$server_out" '"event":"listening"' >/dev/null ||
  fail "serve did not report listening; stderr: $(cat "$WORK/serve.err")"

expect_exit 0 "$WINE_RUN" "$CLI" transact "$name" --no-newline hello
[ "$(tr -d '\r' <"$WORK/last.out")" = "olleh" ] || fail "transact printed '$(cat "$WORK/last.out")', not 'olleh'"
pass "transact under Wine printed the reversed message"

expect_exit 0 "$WINE_RUN" "$CLI" --json call "$name" --no-newline world
assert_contains "$WORK/last.out" '"flags":["message","transact"]' "call --json output"
assert_contains "$WORK/last.out" '"text":"dlrow"' "call --json output"
pass "call (CallNamedPipeW) under Wine got the reversed message, logged as a transact"

expect_exit 0 "$WINE_RUN" "$CLI" --json inspect "$name" --read-mode message
assert_contains "$WORK/last.out" '"type":"message"' "inspect --json output"
assert_contains "$WORK/last.out" '"security_descriptor":"O:' "inspect --json output"
assert_contains "$WORK/last.out" 'D:P(A;;' "inspect --json output"
pass "inspect under Wine read the pipe's SDDL back"

expect_exit 4 "$WINE_RUN" "$CLI" call "$(unique_name missing)" x
pass "call to a missing pipe exits 4 (ERROR_FILE_NOT_FOUND)"
