#!/usr/bin/env bash
# socat as a foreign peer of the console server: a byte pipe is a
# SOCK_STREAM socket, a message pipe a SOCK_SEQPACKET socket (type=5), both
# at $TMPDIR/CoreFxPipe_NAME - the layout .NET uses on Unix.
source "$(dirname "$0")/lib.sh" "$@"

command -v socat >/dev/null || { echo "socat is not installed; skipping"; exit 77; }

# socat ends when the server closes the connection, which the engine does
# when it reads socat's end of input; -t bounds the wait for the reply if
# that ever stopped being so.
SOCAT=(socat -t "$WAIT_SECONDS")

# --- byte pipe ---------------------------------------------------------------
name="$(unique_name socat-byte)"
start_server server_out "$name" --reverse
started="$(wait_for_line "$server_out" '"event":"server_started"')" || fail "no server_started event"
[[ "$started" == *"\"os_path\":\"$(socket_path "$name")\""* ]] ||
  fail "server_started names another socket than $(socket_path "$name"): $started"

reply="$(printf 'hello socat\n' | "${SOCAT[@]}" - "UNIX-CONNECT:$(socket_path "$name")")" ||
  fail "socat could not talk to the byte pipe"
[ "$reply" = "tacos olleh" ] || fail "socat got '$reply', not 'tacos olleh'"
data_line="$(wait_for_line "$server_out" '"event":"data"')" || fail "the server printed no data event"
[[ "$data_line" == *'"hex":"68656c6c6f20736f6361740a"'* ]] || fail "unexpected data event: $data_line"
pass "byte pipe: socat (SOCK_STREAM) got its line reversed and the server logged it"

# Two lines in one write still get two answers: the responder works on lines.
reply="$(printf 'ab\ncd\n' | "${SOCAT[@]}" - "UNIX-CONNECT:$(socket_path "$name")")" || fail "socat failed"
[ "$reply" = "$(printf 'ba\ndc')" ] || fail "socat got '$reply' for two lines"
pass "byte pipe: two lines in one write, two reversed lines back"

# --- message pipe --------------------------------------------------------------
name="$(unique_name socat-message)"
start_server server_out "$name" --reverse --type message
reply="$(printf 'hello' | "${SOCAT[@]}" - "UNIX-CONNECT:$(socket_path "$name"),type=5")" ||
  fail "socat could not talk to the message pipe"
[ "$reply" = "olleh" ] || fail "socat got '$reply' from the message pipe, not 'olleh'"
data_line="$(wait_for_line "$server_out" '"event":"data"')" || fail "the server printed no data event"
[[ "$data_line" == *'"flags":["message"]'* && "$data_line" == *'"hex":"68656c6c6f"'* ]] ||
  fail "the message was not logged as one message: $data_line"
pass "message pipe: socat (SOCK_SEQPACKET) got its message reversed, logged as one message"

# A byte-stream client cannot open a message pipe: the socket types differ.
status=0
printf 'x' | socat - "UNIX-CONNECT:$(socket_path "$name")" >/dev/null 2>&1 || status=$?
[ "$status" -ne 0 ] || fail "socat opened a message pipe as a stream socket"
pass "message pipe: a SOCK_STREAM peer is refused"
