#!/usr/bin/env bash
# Hostile input to the console tool: a file without end, a file larger than
# one message may carry, and stop requests (SIGTERM) while the tool waits in
# a read or for a reply. Every case must end promptly, with a clear message
# and the exit code of its class, never by running out of memory.
source "$(dirname "$0")/lib.sh" "$@"

# The most one message may carry (app/cli/input_data.hpp, docs/cli.md).
LIMIT=$((4 * 1024 * 1024))
# A bound on the tool's memory, so that a regression fails this test instead
# of exhausting the machine: four times the limit and the program itself.
MEMORY_KIB=$((512 * 1024))

name="$(unique_name limits)"
start_server server_out "$name"
# The server prints every byte it reads; nobody needs those lines here. The
# FIFO is left to the draining cat alone: were this shell to keep it open,
# the server's last lines at cleanup (after cat is gone) would wait forever.
cat <&"$server_out" >/dev/null &
BACKGROUND_PIDS+=("$!")
exec {server_out}<&-

# bounded COMMAND...: the command with its memory and its time bounded; a
# hang ends in exit 124 from timeout (137 after KILL).
# AddressSanitizer and ThreadSanitizer reserve terabytes of address space
# for their shadow memory at start, so under them an address-space limit
# (ulimit -v) kills every program before main. There the sanitizer bounds the
# tool's resident memory itself (hard_rss_limit_mb, with room for its own
# shadow: ASan's quarantine, TSan's shadow of about four times what the
# program touches) and refuses any single allocation larger than the limit.
sanitizer=$(ldd "$CLI" 2>/dev/null | grep -o 'lib[at]san' | head -n 1 || true)
if [ "$sanitizer" = libasan ]; then
  bounded() {
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=$((MEMORY_KIB / 1024 + 512)):max_allocation_size_mb=$((MEMORY_KIB / 1024)):allocator_may_return_null=0" \
      timeout -s KILL "$WAIT_SECONDS" "$@"
  }
elif [ "$sanitizer" = libtsan ]; then
  bounded() {
    TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}hard_rss_limit_mb=$((MEMORY_KIB / 1024 * 5 + 512)):max_allocation_size_mb=$((MEMORY_KIB / 1024)):allocator_may_return_null=0" \
      timeout -s KILL "$WAIT_SECONDS" "$@"
  }
else
  bounded() {
    (ulimit -v "$MEMORY_KIB" && exec timeout -s KILL "$WAIT_SECONDS" "$@")
  }
fi

# --- a file without end ----------------------------------------------------------
expect_exit 8 bounded "$CLI" send "$name" --file /dev/zero
assert_contains "$WORK/last.err" "PIPESCOPE_BAD_INPUT" "the error"
assert_contains "$WORK/last.err" "more than 4 MiB (4194304 bytes)" "the error"
pass "send --file /dev/zero: refused at once, exit 8, the limit named"

expect_exit 8 bounded "$CLI" send "$name" --file /dev/zero --format hex
assert_contains "$WORK/last.err" "PIPESCOPE_BAD_INPUT" "the error"
pass "send --file /dev/zero --format hex: refused, exit 8"

# --- just over and just under the limit ----------------------------------------
head -c $((LIMIT + 1)) /dev/zero >"$WORK/over"
expect_exit 8 bounded "$CLI" send "$name" --file "$WORK/over"
assert_contains "$WORK/last.err" "more than 4 MiB (4194304 bytes)" "the error"
pass "a file of limit + 1 bytes: refused, exit 8"

head -c "$LIMIT" /dev/zero >"$WORK/under"
expect_exit 0 bounded "$CLI" send "$name" --file "$WORK/under"
assert_contains "$WORK/last.out" "sent $LIMIT bytes" "the result"
pass "a file of exactly the limit: sent"

# Hex that spells one byte more than the limit is refused after parsing.
head -c $((LIMIT + 1)) /dev/zero | od -An -v -tx1 | tr -d '\n' >"$WORK/over.hex"
expect_exit 8 bounded "$CLI" send "$name" --file "$WORK/over.hex" --format hex
assert_contains "$WORK/last.err" "more than 4 MiB (4194304 bytes)" "the error"
pass "hex spelling limit + 1 bytes: refused, exit 8"

# A connect line longer than one message is refused whole; the next is sent.
{ head -c "$LIMIT" /dev/zero | tr '\0' 'a'; printf 'a\nshort\n'; } >"$WORK/long-line"
expect_exit 8 bounded "$CLI" connect "$name" --linger 200 <"$WORK/long-line"
assert_contains "$WORK/last.err" "stdin line 1 is more than 4 MiB (4194304 bytes)" "the error"
pass "connect: a line of more than 4 MiB is refused, exit 8"

# --- stop requests while the tool waits --------------------------------------------

# wait_for_open PATH PID: waits until the tool that `timeout` PID runs has
# PATH open (a descriptor whose link reads PATH), the sign that it is past
# its start (its stop handler is in place) and blocked reading it. The tool is looked for as timeout's child:
# timeout itself must not be the one looked at, and the caller starts it
# with PATH's descriptor closed, so that only the tool's own open counts.
wait_for_open() {
  local path="$1" pid="$2" deadline=$((SECONDS + WAIT_SECONDS)) tool fd
  while [ "$SECONDS" -lt "$deadline" ]; do
    tool="$(pgrep -P "$pid" || true)"
    for fd in /proc/"${tool:-none}"/fd/*; do
      [ "$(readlink "$fd" 2>/dev/null)" = "$path" ] && return 0
    done
    kill -0 "$pid" 2>/dev/null || return 1
  done
  return 1
}

# wait_for_engine PID: the tool prints nothing while it waits for a busy
# pipe; its engine's epoll descriptor says it is past reading its data and
# inside the wait (a stop that comes just before the wait is taken when the
# wait begins). As in wait_for_open, the tool is timeout's child.
wait_for_engine() {
  wait_for_open "anon_inode:[eventpoll]" "$1"
}

# wait_for_data FD PID: waits until the server whose output is on FD has
# read the tool's request (PID is not needed: the server's line says it).
wait_for_data() {
  wait_for_line "$1" '"event":"data"' >/dev/null
}

# stop_and_wait PID: sends SIGTERM to PID and sets STATUS to its exit
# status; a tool that ignores the signal is killed by its own timeout (137).
# PID is a `timeout --foreground`, which passes the signal on to the tool
# once; without --foreground it would also signal its process group, and
# the tool would see a second SIGTERM, which ends it at once (by design).
stop_and_wait() {
  STATUS=0
  kill -TERM "$1"
  wait "$1" || STATUS=$?
}

# expect_stopped CASE STATUS WHAT WAITER [WAITER_ARGS...] -- TOOL_ARGS...
# Starts `pipescope-cli TOOL_ARGS` under `timeout --foreground` with its
# output in $WORK/CASE.out and its errors in $WORK/CASE.err, runs
# WAITER WAITER_ARGS... PID (PID: the timeout's), which returns once the tool
# waits where the stop must find it, stops it (stop_and_wait) and fails
# unless it ended with STATUS. WHAT says what the tool waits for. The
# caller checks the text of the errors.
# STOP_INPUT is the tool's standard input (default /dev/null, which a
# command in the background reads anyway); STOP_CLOSE_FD, if set, is a
# descriptor of this shell that the tool must not inherit. The subshell
# execs into timeout, so PID is timeout's and the tool is its child.
expect_stopped() {
  local case="$1" status="$2" what="$3" waiter=()
  shift 3
  while [ "$1" != "--" ]; do
    waiter+=("$1")
    shift
  done
  shift
  (
    if [ -n "${STOP_CLOSE_FD:-}" ]; then exec {STOP_CLOSE_FD}>&-; fi
    exec timeout --foreground -s KILL "$WAIT_SECONDS" "$CLI" "$@" \
      <"${STOP_INPUT:-/dev/null}" >"$WORK/$case.out" 2>"$WORK/$case.err"
  ) &
  local tool=$!
  "${waiter[@]}" "$tool" || fail "the tool never came to wait ($what): $(cat "$WORK/$case.err")"
  stop_and_wait "$tool"
  [ "$STATUS" -eq "$status" ] ||
    fail "SIGTERM while $what: exit $STATUS, not $status (137: it ignored the signal); $(cat "$WORK/$case.err")"
}

# A file that never ends and never sends anything: a FIFO whose writer stays.
# Not under ThreadSanitizer: it runs a signal's handler at once only while
# the thread is inside a blocking call it intercepts, and fread's read of
# the FIFO happens inside libc, out of its sight; so it defers SIGTERM until
# fread returns, which here is never. The dev and asan lanes run this case.
if [ "$sanitizer" = libtsan ]; then
  echo "skip: SIGTERM while send reads a FIFO (ThreadSanitizer defers signals during fread; the dev and asan lanes run it)"
else
  mkfifo "$WORK/endless"
  exec {endless}<>"$WORK/endless"
  STOP_CLOSE_FD=$endless expect_stopped fifo 8 "send reads a FIFO" wait_for_open "$WORK/endless" -- \
    send "$name" --file "$WORK/endless"
  assert_contains "$WORK/fifo.err" "interrupted by SIGTERM" "the error"
  assert_contains "$WORK/fifo.err" "nothing was sent" "the error"
  pass "SIGTERM while send reads a FIFO: ends at once, exit 8, nothing sent"
  exec {endless}>&-
fi

# connect waiting for standard input that never comes. Its output is a
# FIFO, read here for the line that says it reads standard input now.
mkfifo "$WORK/connect.in" "$WORK/connect.out"
exec {connect_in}<>"$WORK/connect.in"
connect_ready() {
  exec {connect_out}<"$WORK/connect.out"
  wait_for_line "$connect_out" "Each line you type is sent" >/dev/null
}
STOP_INPUT="$WORK/connect.in" expect_stopped connect 0 "connect waits for input" connect_ready -- connect "$name"
assert_contains "$WORK/connect.err" "stopping: SIGTERM" "the note"
pass "SIGTERM while connect waits on standard input: ends at once, exit 0"
exec {connect_in}>&- {connect_out}<&-

# send --reply to a server that never answers. The server prints its data
# events on the FIFO drained above, so a second server is watched here.
quiet="$(unique_name quiet)"
start_server quiet_out "$quiet"
expect_stopped reply 6 "send waits for a reply" wait_for_data "$quiet_out" -- \
  send "$quiet" hello --reply --timeout 60000
assert_contains "$WORK/reply.err" "interrupted by SIGTERM" "the error"
pass "SIGTERM while send --reply waits: ends at once, exit 6"

# transact waiting for a reply that never comes (TransactNamedPipe blocks
# the tool's main thread, which does not look at its inbox meanwhile).
silent="$(unique_name silent)"
start_server silent_out "$silent" --type message
expect_stopped transact 6 "transact waits" wait_for_data "$silent_out" -- \
  transact "$silent" hello --timeout 60000
assert_contains "$WORK/transact.err" "interrupted by SIGTERM while waiting on" "the error"
pass "SIGTERM while transact waits for the reply: ends at once, exit 6"

# send waiting for a busy pipe: the only instance is held by a connect.
# Not under ThreadSanitizer either: there the tool did not see the SIGTERM
# and was killed by its timeout (exit 137), as in the FIFO case; TSan runs a
# signal's handler late when the thread is not in a call it intercepts. The
# dev and asan lanes run this case.
if [ "$sanitizer" = libtsan ]; then
  echo "skip: SIGTERM while send waits for a busy pipe (ThreadSanitizer defers the signal; the dev and asan lanes run it)"
else
  busy="$(unique_name busy)"
  start_server busy_out "$busy" --max-instances 1
  hold_instance "$busy_out" "$busy"
  expect_stopped busy 6 "send waits for a busy pipe" wait_for_engine -- send "$busy" hello --busy-timeout 60000
  assert_contains "$WORK/busy.err" "interrupted by SIGTERM while connecting" "the error"
  pass "SIGTERM while send waits for a busy pipe: ends at once, exit 6"
  exec {HOLD_FD}>&-
fi
