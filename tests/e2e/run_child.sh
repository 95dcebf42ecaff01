#!/usr/bin/env bash
# run: a child process on anonymous pipes. Its output streams come back on
# ours, our input goes to it, and its exit code becomes ours.
source "$(dirname "$0")/lib.sh" "$@"

expect_exit 3 "$CLI" run -- sh -c 'echo out; echo err >&2; exit 3' </dev/null
[ "$(cat "$WORK/last.out")" = "out" ] || fail "stdout was '$(cat "$WORK/last.out")', not 'out'"
[ "$(cat "$WORK/last.err")" = "err" ] || fail "stderr was '$(cat "$WORK/last.err")', not 'err'"
pass "run: stdout and stderr passed through, exit code 3 passed on"

printf 'first\nsecond\nno newline' >"$WORK/input.txt"
expect_exit 0 "$CLI" run -- cat <"$WORK/input.txt"
cmp -s "$WORK/input.txt" "$WORK/last.out" || fail "cat returned '$(cat "$WORK/last.out")'"
pass "run: standard input forwarded byte for byte and closed at its end"

expect_exit 3 "$CLI" --json run -- sh -c 'echo out; echo err >&2; exit 3' </dev/null
assert_contains "$WORK/last.out" '"event":"child_started"' "run --json output"
grep '"event":"data"' "$WORK/last.out" | grep '"stream":"stdout"' | grep -qF '"text":"out\\n"' ||
  fail "no stdout data event: $(cat "$WORK/last.out")"
grep '"event":"data"' "$WORK/last.out" | grep '"stream":"stderr"' | grep -qF '"text":"err\\n"' ||
  fail "no stderr data event: $(cat "$WORK/last.out")"
assert_contains "$WORK/last.out" '"exit_code":3' "run --json output"
pass "run --json: child_started, stdout and stderr data events, child_exited with code 3"

expect_exit 127 "$CLI" run -- "$WORK/no-such-program"
pass "run: a missing program exits 127, as in a shell"
