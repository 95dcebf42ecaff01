#!/usr/bin/env bash
# Instances and owners of a name with .NET on one side: a .NET server of
# one instance and a second PipeScope server on the same name (PipeScope
# refuses, never takes over), what .NET itself does with a second server
# (on Unix it takes the name: dotnet/runtime#131203), and a .NET client
# connecting with a timeout to a busy PipeScope server.
source "$(dirname "$0")/dotnet_lib.sh" "$@"

# --- maxNumberOfServerInstances 1, then a PipeScope server on the name ----------
name="$(unique_name dn-single)"
start_dotnet_server first_out dn-first "$name" --max-instances 1
first_pid=$PEER_PID
socket="$(socket_path "$name")"
inode_before="$(stat -c %i "$socket")"

expect_exit 5 "$CLI" serve "$name" --reverse
assert_contains "$WORK/last.err" "already served by another server" "serve's refusal"
assert_contains "$WORK/last.err" "ERROR_ACCESS_DENIED" "serve's refusal"
[ "$(stat -c %i "$socket")" = "$inode_before" ] || fail "PipeScope replaced the .NET server's socket"
pass "a second (PipeScope) server on a live .NET pipe is refused with ERROR_ACCESS_DENIED (exit 5); the socket is untouched"

printf 'still mine\n' | "$CLI" --json connect "$name" >"$WORK/after.out" 2>"$WORK/after.err" ||
  fail "the .NET server no longer answers after the refusal: $(cat "$WORK/after.err")"
assert_contains "$WORK/after.out" "\"pid\":$first_pid," "the client's peer after the refusal"
assert_contains "$WORK/after.out" '"hex":"656e696d206c6c697473' "the reply after the refusal"
pass "the .NET server (pid $first_pid) still owns the name and answers"
# What the refusal looked like from the .NET side: our client is the .NET
# server's connection N; any before it were connections PipeScope made to
# decide whether the name was live. Shown, not asserted: both ways keep the
# name safe, and the .NET server goes back to waiting after each.
served="$(wait_for_line "$first_out" 'connected ')" || fail "the .NET server did not report our client"
echo "note: our client was the .NET server's connection ${served#connected }; the refused PipeScope server made $((${served#connected } - 1)) before it"

# --- .NET's own answer: a second .NET server takes the name -------------------
start_dotnet_server second_out dn-second "$name" --max-instances 1
second_pid=$PEER_PID
inode_after="$(stat -c %i "$socket")"
[ "$inode_after" != "$inode_before" ] ||
  fail "the second .NET server did not replace the socket (inode $inode_after); has dotnet/runtime#131203 been fixed?"
printf 'who\n' | "$CLI" --json connect "$name" >"$WORK/taken.out" 2>"$WORK/taken.err" ||
  fail "nobody answers on $name after the second .NET server: $(cat "$WORK/taken.err")"
assert_contains "$WORK/taken.out" "\"pid\":$second_pid," "the client's peer after the takeover"
kill -0 "$first_pid" 2>/dev/null || fail "the first .NET server ended"
pass ".NET on Unix: a second NamedPipeServerStream (maxNumberOfServerInstances 1, another process) replaced the live socket; clients now reach it (pid $second_pid), the first server (pid $first_pid) waits on a socket nobody can reach"

# Within one process .NET does keep count.
run_peer "$WORK/two.out" '' two-servers "$(unique_name dn-two)"
assert_contains "$WORK/two.out" "exception System.IO.IOException: All pipe instances are busy." "two-servers"
pass ".NET in one process: a second server beyond maxNumberOfServerInstances 1 throws IOException 'All pipe instances are busy.'"

# --- Connect(timeout) to a busy PipeScope server --------------------------------
name="$(unique_name dn-busy)"
start_server busy_out "$name" --reverse --max-instances 1
mkfifo "$WORK/held.in"
"$CLI" connect "$name" <"$WORK/held.in" >"$WORK/held.out" 2>"$WORK/held.err" &
held_pid=$!
BACKGROUND_PIDS+=("$held_pid")
exec {hold}>"$WORK/held.in"
wait_for_line "$busy_out" "\"pid\":$held_pid," >/dev/null || fail "the held client never connected"

run_peer "$WORK/timeout.out" $'x\n' client "$name" --timeout 1000
[ "$PEER_STATUS" -eq 4 ] || fail "the .NET client exited $PEER_STATUS, not 4 (timeout): $(cat "$WORK/timeout.out" "$WORK/timeout.out.err")"
assert_contains "$WORK/timeout.out" "exception System.TimeoutException: The operation has timed out." "the .NET client"
waited="$(sed -n 's/^waited-ms //p' "$WORK/timeout.out")"
# .NET counts the wait in ticks of its coarse clock: 999 ms is a full wait.
[ "$waited" -ge 900 ] || fail "the .NET client gave up after $waited ms, well before its 1000 ms"
pass "NamedPipeClientStream.Connect(1000) to a busy PipeScope server (--max-instances 1, one client): TimeoutException after $waited ms"

# Once the instance is free again, the same wait succeeds: .NET retries the
# refused connect until the time is up, as WaitNamedPipe would.
exec {hold}>&-
wait_for_line "$busy_out" '"state":"disconnected"' >/dev/null || fail "the held client did not leave"
run_peer "$WORK/later.out" $'abc\n' client "$name" --timeout 10000
[ "$PEER_STATUS" -eq 0 ] || fail "the .NET client exited $PEER_STATUS once the instance was free: $(cat "$WORK/later.out")"
assert_contains "$WORK/later.out" "reply cba" "the .NET client after the instance freed up"
pass "Connect(10000) once the instance is free: connected and answered"
