#!/usr/bin/env bash
# PipeTransmissionMode.Message on Unix: .NET refuses it (on both ends), it
# cannot open PipeScope's message pipes (SOCK_SEQPACKET), and PipeScope
# cannot read .NET's byte pipes in message mode. Byte pipes are what the two
# share (dotnet_peers.sh exchanges lines over them both ways).
source "$(dirname "$0")/dotnet_lib.sh" "$@"

not_supported="exception System.PlatformNotSupportedException: Message transmission mode is not supported on this platform."

# --- a .NET message server -----------------------------------------------------
name="$(unique_name dn-message-server)"
run_peer "$WORK/server.out" '' server "$name" --message
[ "$PEER_STATUS" -eq 3 ] || fail "the .NET message server exited $PEER_STATUS: $(cat "$WORK/server.out")"
assert_contains "$WORK/server.out" "$not_supported" "the .NET message server"
[ ! -e "$(socket_path "$name")" ] || fail "the refused .NET message server left a socket"
pass "NamedPipeServerStream(..., PipeTransmissionMode.Message) on Unix: PlatformNotSupportedException, no socket"

# --- a .NET client asking for message read mode, on PipeScope's byte pipe --------
name="$(unique_name dn-message-client)"
start_server byte_out "$name" --reverse
run_peer "$WORK/client.out" $'x\n' client "$name" --message
[ "$PEER_STATUS" -eq 3 ] || fail "the .NET client exited $PEER_STATUS: $(cat "$WORK/client.out")"
assert_contains "$WORK/client.out" "connected 1" "the .NET client"
assert_contains "$WORK/client.out" "$not_supported" "the .NET client"
pass "NamedPipeClientStream.ReadMode = Message on Unix: PlatformNotSupportedException (after connecting)"

# --- a .NET client on PipeScope's message pipe -----------------------------------
name="$(unique_name dn-seqpacket)"
start_server message_out "$name" --reverse --type message
run_peer "$WORK/seqpacket.out" $'x\n' client "$name" --timeout 5000
[ "$PEER_STATUS" -eq 3 ] || fail "the .NET client exited $PEER_STATUS on a message pipe: $(cat "$WORK/seqpacket.out")"
assert_contains "$WORK/seqpacket.out" "exception System.Net.Sockets.SocketException: Protocol wrong type for socket" \
  "the .NET client on a message pipe"
pass "a .NET client cannot open PipeScope's message pipe (SOCK_SEQPACKET): SocketException 'Protocol wrong type for socket' (EPROTOTYPE)"

# --- PipeScope asking for message read mode on .NET's byte pipe ------------------
name="$(unique_name dn-byte)"
start_dotnet_server dotnet_out dn-byte "$name"
expect_exit 2 "$CLI" send "$name" hello --read-mode message --reply
assert_contains "$WORK/last.err" "is a byte pipe; it cannot be read in message mode" "send --read-mode message"
assert_contains "$WORK/last.err" "ERROR_INVALID_PARAMETER" "send --read-mode message"
pass "pipescope-cli send --read-mode message on a .NET pipe: ERROR_INVALID_PARAMETER, as on a Windows byte pipe"
expect_exit 0 "$CLI" send "$name" hello --reply
[ "$(cat "$WORK/last.out")" = "olleh" ] || fail "send in byte mode got '$(cat "$WORK/last.out")'"
pass "the same pipe in byte mode: answered"
