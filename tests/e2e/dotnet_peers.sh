#!/usr/bin/env bash
# .NET programs as real peers of the console tool: the PipesOfPiece example
# of the concepts notes (a C# server answering each line reversed through
# StreamReader/StreamWriter, a C# client printing the answers) against
# `pipescope-cli connect` and `pipescope-cli serve --reverse`. Both sides
# find each other at $TMPDIR/CoreFxPipe_NAME.
source "$(dirname "$0")/dotnet_lib.sh" "$@"

# --- the C# server, PipeScope's client ------------------------------------------
name="$(unique_name PipesOfPiece)"
start_dotnet_server server_out dn-server "$name"
pass ".NET's Path.GetTempPath() is \$TMPDIR ($TMPDIR/), where PipeScope puts its sockets too"
[ -S "$(socket_path "$name")" ] || fail "the .NET server made no socket at $(socket_path "$name"): $(ls -l "$TMPDIR")"
pass ".NET's NamedPipeServerStream(\"$name\") is the socket $(socket_path "$name")"

printf 'hello\nPipesOfPiece\n' >"$WORK/typed.txt"
expect_exit 0 "$CLI" --json connect "$name" --linger 2000 <"$WORK/typed.txt"
received_hex="$(grep '"direction":"in"' "$WORK/last.out" | grep -o '"hex":"[0-9a-f]*"' | cut -d'"' -f4 | tr -d '\n')"
# "olleh\n" "eceiPfOsepiP\n"
[ "$received_hex" = "6f6c6c65680a6563656950664f73657069500a" ] ||
  fail "connect received $received_hex from the .NET server; output: $(cat "$WORK/last.out")"
assert_contains "$WORK/last.out" "\"pid\":$PEER_PID," "connect's peer (the .NET process)"
pass "pipescope-cli connect: lines typed came back reversed from the C# server (peer pid $PEER_PID)"

# The C# server goes back to WaitForConnection for the next client.
wait_for_line "$server_out" 'listening 2' >/dev/null || fail "the .NET server did not wait for a second client"
connect_line text "$name" abc cba "the second connect"
pass "a second PipeScope client is served by the same .NET server instance"

# --- PipeScope's server, the C# client ------------------------------------------
name="$(unique_name PipesOfPiece-serve)"
start_server serve_out "$name" --reverse
run_peer "$WORK/client.out" $'hello\nPipesOfPiece\n' client "$name"
[ "$PEER_STATUS" -eq 0 ] || fail "the .NET client exited $PEER_STATUS: $(cat "$WORK/client.out" "$WORK/client.out.err")"
assert_contains "$WORK/client.out" "temp-path $TMPDIR/" "the .NET client's Path.GetTempPath()"
[ "$(grep '^reply ' "$WORK/client.out")" = "$(printf 'reply olleh\nreply eceiPfOsepiP')" ] ||
  fail "the .NET client got other replies: $(cat "$WORK/client.out")"
pass "pipescope-cli serve --reverse: the C# client's lines came back reversed"
data_line="$(wait_for_line "$serve_out" '"event":"data"')" || fail "the server logged no data from the .NET client"
# Exactly "hello\n": no byte order mark (ef bb bf) before it.
[[ "$data_line" == *'"direction":"in"'* && "$data_line" == *'"hex":"68656c6c6f0a"'* ]] ||
  fail "the server's first data event is not the .NET client's line: $data_line"
pass "serve logged what the C# client wrote (StreamWriter.WriteLine sends the text and \\n, no BOM)"

# --- the socket's mode follows the umask: .NET sets none of its own ------------
for mask in 022 000; do
  name="$(unique_name mode-$mask)"
  PEER_UMASK=$mask start_dotnet_server mode_out "mode-$mask" "$name"
  expected=$(printf '%04o' $((0777 & ~8#$mask)))
  [ "$(file_mode "$(socket_path "$name")")" = "$expected" ] ||
    fail "under umask $mask the .NET socket has mode $(file_mode "$(socket_path "$name")"), not $expected"
done
pass ".NET's socket mode is 0777 minus the umask (0755 under umask 022, 0777 under umask 000)"
