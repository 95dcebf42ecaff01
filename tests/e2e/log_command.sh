#!/usr/bin/env bash
# `pipescope-cli log FILE`: a saved log read back and filtered by endpoint,
# direction, text, regular expression and hex pattern, written in each
# export format; a missing file, a crafted file and a bad pattern each fail
# with their own exit code and say why.
source "$(dirname "$0")/lib.sh" "$@"

saved="$WORK/saved.jsonl"
# The log's own file format (core/src/log_io.cpp): two endpoints, five records.
cat >"$saved" <<'LOG'
{"type":"pipescope-log","version":1}
{"type":"endpoint","id":1,"kind":"instance","server":1,"pipe":"\\\\.\\pipe\\demo","label":"demo #1"}
{"type":"endpoint","id":2,"kind":"client","server":0,"pipe":"\\\\.\\pipe\\demo","label":"client 2"}
{"type":"record","time_ns":1700000000000000000,"endpoint":2,"direction":"out","flags":["message"],"hex":"48454c4c4f"}
{"type":"record","time_ns":1700000000000000001,"endpoint":1,"direction":"in","flags":["message"],"hex":"48454c4c4f"}
{"type":"record","time_ns":1700000000000000002,"endpoint":1,"direction":"out","flags":["message"],"hex":"6f6c6c6568"}
{"type":"record","time_ns":1700000000000000003,"endpoint":2,"direction":"in","flags":["message"],"hex":"6f6c6c6568"}
{"type":"record","time_ns":1700000000000000004,"endpoint":2,"direction":"out","flags":[],"hex":"00ff1020"}
LOG

# count_lines FILE: the number of lines in FILE.
count_lines() { wc -l <"$1" | tr -d ' '; }

expect_exit 0 "$CLI" log "$saved"
[ "$(count_lines "$WORK/last.out")" = 5 ] || fail "no filter: expected 5 records, got: $(cat "$WORK/last.out")"
pass "log FILE: every record"

expect_exit 0 "$CLI" log "$saved" --endpoint 1
[ "$(count_lines "$WORK/last.out")" = 2 ] || fail "--endpoint 1: $(cat "$WORK/last.out")"
assert_contains "$WORK/last.out" "demo #1" "--endpoint 1"
if grep -q "client 2" "$WORK/last.out"; then fail "--endpoint 1 printed endpoint 2: $(cat "$WORK/last.out")"; fi
pass "--endpoint 1: only its two records"

expect_exit 0 "$CLI" log "$saved" --endpoint 2 --direction out
[ "$(count_lines "$WORK/last.out")" = 2 ] || fail "--endpoint 2 --direction out: $(cat "$WORK/last.out")"
pass "--endpoint 2 --direction out: two records"

expect_exit 0 "$CLI" log "$saved" --grep hello -i --direction in
[ "$(count_lines "$WORK/last.out")" = 1 ] || fail "--grep hello -i --direction in: $(cat "$WORK/last.out")"
assert_contains "$WORK/last.out" "HELLO" "--grep hello -i"
pass "--grep -i with --direction: one record"

expect_exit 0 "$CLI" log "$saved" --regex '^o.*h$'
[ "$(count_lines "$WORK/last.out")" = 2 ] || fail "--regex: $(cat "$WORK/last.out")"
pass "--regex: the two replies"

expect_exit 0 "$CLI" log "$saved" --hex 'ff 10' --format jsonl
assert_contains "$WORK/last.out" '"hex":"00ff1020"' "--hex --format jsonl"
[ "$(grep -c '"type":"record"' "$WORK/last.out")" = 1 ] || fail "--hex ff10: $(cat "$WORK/last.out")"
# The jsonl output is itself a saved log: reading it back gives the record.
cp "$WORK/last.out" "$WORK/filtered.jsonl"
expect_exit 0 "$CLI" log "$WORK/filtered.jsonl" --format hexdump
assert_contains "$WORK/last.out" "00 ff 10 20" "the filtered log as a hex dump"
pass "--hex with --format jsonl, read back with --format hexdump"

# --- errors ---------------------------------------------------------------------
expect_exit 2 "$CLI" log "$saved" --regex 'a[z-b]'
assert_contains "$WORK/last.err" "invalid character class range" "the bad regex"
assert_contains "$WORK/last.err" "position 2" "the bad regex"  # z-b starts at a[z-b]'s third character
pass "an invalid --regex: exit 2 with its position and reason"

expect_exit 2 "$CLI" log "$saved" --hex 'f'
assert_contains "$WORK/last.err" "hex pattern" "the bad hex pattern"
pass "an invalid --hex: exit 2"

expect_exit 2 "$CLI" log "$saved" --grep a --regex b
pass "--grep with --regex: exit 2"

expect_exit 8 "$CLI" log "$WORK/no-such-file.jsonl"
assert_contains "$WORK/last.err" "no-such-file.jsonl" "the missing file"
pass "a missing file: exit 8, naming it"

cat >"$WORK/crafted.jsonl" <<'LOG'
{"type":"pipescope-log","version":1}
{"type":"endpoint","id":1,"kind":"client","server":0,"pipe":"\\\\.\\pipe\\x","label":"x"}
{"type":"record","time_ns":1,"endpoint":1,"direction":"sideways","flags":[],"hex":""}
LOG
expect_exit 8 "$CLI" log "$WORK/crafted.jsonl"
assert_contains "$WORK/last.err" "line 3" "the crafted file"
assert_contains "$WORK/last.err" "sideways" "the crafted file"
pass "a crafted file: exit 8 with the loader's line and reason"
