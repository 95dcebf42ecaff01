#!/usr/bin/env bash
# serve ends by itself when asked to: after N messages (--max-messages,
# lines on a byte pipe, whole messages on a message pipe) or when the first
# client leaves (--once) - in both cases with exit code 0 and after its
# responder has answered.
source "$(dirname "$0")/lib.sh" "$@"

# --- --max-messages on a byte pipe counts lines ---------------------------------
name="$(unique_name max-byte)"
start_server server_out "$name" --reverse --max-messages 3
# Three lines, two of them in one write: still three messages.
expect_exit 0 "$CLI" send "$name" 'a' --reply
printf 'bc\nde\n' >"$WORK/two-lines.txt"
expect_exit 0 "$CLI" send "$name" --file "$WORK/two-lines.txt" --reply
wait_for_line "$server_out" '"event":"stopping"' >/dev/null || fail "the server did not announce stopping"
status=0
wait "$SERVER_PID" || status=$?
[ "$status" -eq 0 ] || fail "serve --max-messages 3 exited $status"
pass "byte pipe: serve --max-messages 3 exited 0 after three lines"

# --- --max-messages on a message pipe counts messages ---------------------------
name="$(unique_name max-message)"
start_server server_out "$name" --echo --type message --max-messages 2
expect_exit 0 "$CLI" send "$name" 'one' --read-mode message --reply
[ "$(cat "$WORK/last.out")" = "one" ] || fail "the echo was '$(cat "$WORK/last.out")'"
expect_exit 0 "$CLI" send "$name" 'two' --read-mode message --reply
status=0
wait "$SERVER_PID" || status=$?
[ "$status" -eq 0 ] || fail "serve --max-messages 2 (message pipe) exited $status"
pass "message pipe: serve --max-messages 2 --echo exited 0 after two messages, both answered"

# --- --once -------------------------------------------------------------------
name="$(unique_name once)"
start_server server_out "$name" --reverse --once
printf 'x1\ny2\n' | "$CLI" connect "$name" >"$WORK/once.out" 2>&1 || fail "connect failed: $(cat "$WORK/once.out")"
status=0
wait "$SERVER_PID" || status=$?
[ "$status" -eq 0 ] || fail "serve --once exited $status"
wait_for_line "$server_out" '"reason":"the first client disconnected (--once)"' >/dev/null ||
  fail "the server did not say why it stopped"
pass "serve --once exited 0 when its first client left"
