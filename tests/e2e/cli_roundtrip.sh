#!/usr/bin/env bash
# The console tool on both ends, in separate processes: `serve --reverse
# --json` as the server, `send --reply` and `connect` as clients.
source "$(dirname "$0")/lib.sh" "$@"

name="$(unique_name roundtrip)"
start_server server_out "$name" --reverse

# send: one line, its reversed reply on standard output, nothing else.
expect_exit 0 "$CLI" send "$name" hello --reply
[ "$(cat "$WORK/last.out")" = "olleh" ] || fail "send --reply printed '$(cat "$WORK/last.out")', not 'olleh'"
pass "send --reply got the reversed line"

# The server reported what it read, with the payload as hex and text, and
# what its responder wrote back.
data_line="$(wait_for_line "$server_out" '"event":"data"')" || fail "no data event from the server"
[[ "$data_line" == *'"direction":"in"'* ]] || fail "first data event is not incoming: $data_line"
[[ "$data_line" == *'"hex":"68656c6c6f0a"'* ]] || fail "data event lacks the hex of hello\\n: $data_line"
[[ "$data_line" == *'"text":"hello\\n"'* ]] || fail "data event lacks the escaped text: $data_line"
reply_line="$(wait_for_line "$server_out" '"event":"data"')" || fail "no responder data event"
[[ "$reply_line" == *'"direction":"out"'* && "$reply_line" == *'"responder"'* &&
   "$reply_line" == *'"hex":"6f6c6c65680a"'* ]] || fail "unexpected responder event: $reply_line"
pass "server printed the data events (in and responder out)"

# send --json: the reply as a result object.
expect_exit 0 "$CLI" --json send "$name" abc --reply
assert_contains "$WORK/last.out" '"event":"reply"' "send --json output"
assert_contains "$WORK/last.out" '"text":"cba\\n"' "send --json output"
pass "send --json printed a reply object"

# connect: every input line is a message; at the end of input the replies
# still arrive (--linger) before it exits 0.
printf 'one\ntwo\nthree\n' >"$WORK/lines.txt"
expect_exit 0 "$CLI" --json connect "$name" --linger 2000 <"$WORK/lines.txt"
# Replies may arrive in one read or in several: joined, the incoming bytes
# must be the three reversed lines, in order.
received_hex="$(grep '"direction":"in"' "$WORK/last.out" | grep -o '"hex":"[0-9a-f]*"' | cut -d'"' -f4 | tr -d '\n')"
# "eno\n" "owt\n" "eerht\n"
[ "$received_hex" = "656e6f0a6f77740a65657268740a" ] ||
  fail "connect received $received_hex; output: $(cat "$WORK/last.out")"
pass "connect sent three lines and printed three reversed replies"

# Text mode of connect prints the replies as escaped text with the label.
printf 'abc\n' | "$CLI" connect "$name" >"$WORK/text.out" 2>"$WORK/text.err" || fail "connect (text) failed: $(cat "$WORK/text.err")"
assert_contains "$WORK/text.out" '<- "cba\n"' "connect text output"
pass "connect text mode shows the reply"

# A client whose server goes away exits with the broken-pipe code (7).
mkfifo "$WORK/client.in"
"$CLI" connect "$name" <"$WORK/client.in" >"$WORK/held.out" 2>"$WORK/held.err" &
client_pid=$!
BACKGROUND_PIDS+=("$client_pid")
exec {hold}>"$WORK/client.in"  # keeps the client's standard input open
# The server names each client by its process id: wait for this one.
wait_for_line "$server_out" "\"pid\":$client_pid," >/dev/null || fail "the held client never connected"
kill -TERM "$SERVER_PID"
wait_for_line "$server_out" '"event":"server_stopped"' >/dev/null || fail "the server did not report stopping"
server_status=0
wait "$SERVER_PID" || server_status=$?
[ "$server_status" -eq 0 ] || fail "serve exited $server_status after SIGTERM, not 0"
pass "serve stopped cleanly on SIGTERM"
client_status=0
wait "$client_pid" || client_status=$?
exec {hold}>&-
[ "$client_status" -eq 7 ] || fail "connect exited $client_status when the server left, not 7: $(cat "$WORK/held.err")"
assert_contains "$WORK/held.err" "ERROR_BROKEN_PIPE" "connect's error output"
pass "connect reported the broken pipe and exited 7"
