#!/usr/bin/env bash
# transact, call and inspect against `serve --type message --reverse` in
# another process: the reply on standard output, the exchange flagged
# transact in the JSON events, the pipe's security in the inspection, and the
# exit codes of the ways it can go wrong.
source "$(dirname "$0")/lib.sh" "$@"

name="$(unique_name transact)"
start_server server_out "$name" --type message --reverse

expect_exit 0 "$CLI" transact "$name" hello
[ "$(cat "$WORK/last.out")" = "olleh" ] || fail "transact printed '$(cat "$WORK/last.out")', not 'olleh'"
pass "transact printed the reversed message"

expect_exit 0 "$CLI" --json transact "$name" --format hex "61 62 63"
assert_contains "$WORK/last.out" '"flags":["message","transact"]' "transact --json output"
assert_contains "$WORK/last.out" '"event":"reply"' "transact --json output"
assert_contains "$WORK/last.out" '"text":"cba"' "transact --json output"
pass "transact --json shows both records flagged transact and the reply"

expect_exit 0 "$CLI" call "$name" --no-newline world
[ "$(cat "$WORK/last.out")" = "dlrow" ] || fail "call printed '$(cat "$WORK/last.out")', not 'dlrow'"
pass "call printed the reversed message"

expect_exit 0 "$CLI" --json inspect "$name" --read-mode message
assert_contains "$WORK/last.out" '"event":"inspection"' "inspect --json output"
assert_contains "$WORK/last.out" '"type":"message"' "inspect --json output"
assert_contains "$WORK/last.out" '"read_mode":"message"' "inspect --json output"
assert_contains "$WORK/last.out" "\"security_descriptor\":\"mode 0600, owner uid $(id -u)" "inspect --json output"
assert_contains "$WORK/last.out" "\"server_pid\":$SERVER_PID," "inspect --json output"
pass "inspect shows the type, read mode, owner-only security and the server's pid"

# Bad input is refused before anything is sent; a missing pipe is not found;
# byte read mode cannot transact.
expect_exit 8 "$CLI" transact "$name" --format hex "4x"
expect_exit 4 "$CLI" call "$(unique_name missing)" x
expect_exit 2 "$CLI" transact "$name" x --read-mode byte
pass "bad hex (8), a missing pipe (4) and byte read mode (2) are refused"

# On a byte pipe the transact never starts: its client cannot read in message
# mode (ERROR_INVALID_PARAMETER, a bad-arguments exit). The engine's own
# ERROR_BAD_PIPE for a transact on a byte pipe is asserted in the conformance
# suite.
byte_name="$(unique_name transact-byte)"
start_server byte_out "$byte_name"
expect_exit 2 "$CLI" transact "$byte_name" x
assert_contains "$WORK/last.err" "ERROR_INVALID_PARAMETER" "transact on a byte pipe"
pass "transact on a byte pipe is refused"
