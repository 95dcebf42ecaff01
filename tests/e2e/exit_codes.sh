#!/usr/bin/env bash
# Bad input and the distinct exit codes: nothing is sent when data does not
# parse, the error points at the bad position, and each failure class has
# its own code.
source "$(dirname "$0")/lib.sh" "$@"

name="$(unique_name codes)"
start_server server_out "$name" --reverse --max-instances 1

# --- bad input data: exit 8, a caret under the bad character, nothing sent --
expect_exit 8 "$CLI" send "$name" "zz" --format hex
assert_contains "$WORK/last.err" "PIPESCOPE_BAD_INPUT" "the error"
assert_contains "$WORK/last.err" "column 1 (byte 0)" "the error"
# The line after the echoed input has the caret in the first column.
grep -A1 -x '  zz' "$WORK/last.err" | tail -1 | grep -qx '  \^' ||
  fail "no caret under the z: $(cat "$WORK/last.err")"
pass "send --format hex zz: exit 8 with a caret at byte 0"

expect_exit 8 "$CLI" send "$name" '48 65 6c 6c 6f 2' --format hex
grep -A1 -x '  48 65 6c 6c 6f 2' "$WORK/last.err" | tail -1 | grep -qx '                 \^' ||
  fail "the caret is not under the odd digit: $(cat "$WORK/last.err")"
pass "send --format hex with an odd digit: the caret points at it"

expect_exit 8 "$CLI" --json send "$name" 'ok\q' --format escaped
assert_contains "$WORK/last.err" '"event":"error"' "the JSON error"
assert_contains "$WORK/last.err" '"symbol":"PIPESCOPE_BAD_INPUT"' "the JSON error"
assert_contains "$WORK/last.err" '"position":2' "the JSON error"
pass "send --json --format escaped with \\q: exit 8, JSON error with position 2"

expect_exit 8 "$CLI" send "$name" --file "$WORK/no-such-file"
pass "send --file with a missing file: exit 8"

# None of those connected: the next client the server sees is this one, and
# the first data it reads is this message.
expect_exit 0 "$CLI" send "$name" good --reply
first_data="$(wait_for_line "$server_out" '"event":"data"')" || fail "no data event"
[[ "$first_data" == *'"hex":"676f6f640a"'* ]] || fail "the server read something before 'good': $first_data"
pass "the bad sends sent nothing"

# --- the other codes -------------------------------------------------------------
expect_exit 4 "$CLI" send "$(unique_name missing)" hello
assert_contains "$WORK/last.err" "ERROR_FILE_NOT_FOUND" "the error"
pass "a missing pipe: exit 4"

expect_exit 3 "$CLI" send 'bad\name' hello
pass "an invalid pipe name: exit 3"

expect_exit 2 "$CLI" serve "$name" --access sideways
expect_exit 2 "$CLI" send "$name"
expect_exit 2 "$CLI" serve "$name" --type byte --read-mode message
pass "bad arguments: exit 2"

expect_exit 5 "$CLI" serve "$name" --first-instance
assert_contains "$WORK/last.err" "ERROR_ACCESS_DENIED" "the error"
pass "--first-instance on a live name: exit 5"

# Busy: hold the only instance with a connect whose input stays open.
hold_instance "$server_out" "$name"
expect_exit 6 "$CLI" send "$name" hello --busy-timeout 0
assert_contains "$WORK/last.err" "ERROR_PIPE_BUSY" "the error"
pass "every instance busy, --busy-timeout 0: exit 6"
exec {HOLD_FD}>&-
wait "$HOLDER_PID" || fail "the holding client did not end cleanly at the end of its input"
