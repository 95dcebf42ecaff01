#!/usr/bin/env bash
# .NET and PipeScope across two users (root here, nobody = uid 65534 on the
# other side): PipeOptions.CurrentUserOnly on each side, the socket's file
# mode, RunAsClient with another user's PipeScope client and PipeScope
# impersonating another user's .NET client. Only root can start a process
# as another user, so the script skips otherwise.
source "$(dirname "$0")/dotnet_lib.sh" "$@"

[ "$(id -u)" -eq 0 ] || { echo "needs root to run a peer as uid 65534 (setpriv); skipping"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv (util-linux) is not installed; skipping"; exit 77; }
AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK")
# The other user must reach the socket folder, the console tool and the peer.
chmod 0755 "$WORK"
"${AS_NOBODY[@]}" test -x "$CLI" -a -r "$PEER_DLL" ||
  { echo "uid 65534 cannot read $CLI or $PEER_DLL (a private build folder); skipping"; exit 77; }

echo secret >"$WORK/root-only.txt"
chmod 0600 "$WORK/root-only.txt"

# --- a root .NET server, a PipeScope client of another user -----------------------
# Under umask 022 the socket is 0755: the other user may not connect at all.
name="$(unique_name dn-umask)"
start_dotnet_server umask_out dn-umask "$name"
expect_exit 5 "${AS_NOBODY[@]}" "$CLI" connect "$name"
assert_contains "$WORK/last.err" "ERROR_ACCESS_DENIED" "connect as nobody to a 0755 socket"
pass "a root .NET server under umask 022 (socket 0755): nobody's PipeScope client gets ERROR_ACCESS_DENIED (exit 5)"

# Under umask 000 (socket 0777) only CurrentUserOnly keeps the other user out.
name="$(unique_name dn-open)"
PEER_UMASK=000 start_dotnet_server open_out dn-open "$name"
printf 'open\n' | "${AS_NOBODY[@]}" "$CLI" connect "$name" >"$WORK/open.out" 2>&1 ||
  fail "nobody could not use a 0777 .NET socket: $(cat "$WORK/open.out")"
assert_contains "$WORK/open.out" '<- "nepo\n"' "nobody's connect to the open .NET server"
pass "a root .NET server without CurrentUserOnly, socket 0777: nobody's PipeScope client is answered"

name="$(unique_name dn-cuo)"
PEER_UMASK=000 start_dotnet_server cuo_out dn-cuo "$name" --current-user-only
[ "$(file_mode "$(socket_path "$name")")" = "0777" ] || fail "the CurrentUserOnly socket is not 0777 under umask 000"
status=0
printf 'let me in\n' | "${AS_NOBODY[@]}" "$CLI" connect "$name" >"$WORK/cuo.out" 2>&1 || status=$?
refusal="$(wait_for_line "$cuo_out" 'exception ')" || fail "the CurrentUserOnly server did not refuse nobody"
[ "$refusal" = "exception System.UnauthorizedAccessException: Client connection (user id 65534) was refused because it was not owned by the current user (id 0)." ] ||
  fail "the CurrentUserOnly server said: $refusal"
[ "$status" -eq 7 ] || fail "nobody's connect exited $status, not 7 (broken pipe): $(cat "$WORK/cuo.out")"
assert_contains "$WORK/cuo.out" "ERROR_BROKEN_PIPE" "nobody's connect to the CurrentUserOnly server"
pass "CurrentUserOnly .NET server, socket 0777: nobody's PipeScope client connects, then WaitForConnection throws UnauthorizedAccessException and hangs up (client: ERROR_BROKEN_PIPE, exit 7)"
wait_for_line "$cuo_out" 'listening 2' >/dev/null || fail "the CurrentUserOnly server stopped waiting after the refusal"

# --- a root PipeScope server, a .NET client of another user ------------------------
name="$(unique_name dn-owner)"
start_server owner_out "$name" --reverse
PEER_AS="${AS_NOBODY[*]}" run_peer "$WORK/owner.out" $'x\n' client "$name" --timeout 5000
[ "$PEER_STATUS" -eq 3 ] || fail "nobody's .NET client exited $PEER_STATUS on an owner-only pipe: $(cat "$WORK/owner.out")"
assert_contains "$WORK/owner.out" "exception System.Net.Sockets.SocketException: Permission denied" "nobody's .NET client"
pass "PipeScope's default --security owner (0600): nobody's .NET client gets SocketException 'Permission denied'"

name="$(unique_name dn-everyone)"
start_server everyone_out "$name" --reverse --security everyone
[ "$(file_mode "$(socket_path "$name")")" = "0666" ] || fail "serve --security everyone's socket is not 0666"
PEER_AS="${AS_NOBODY[*]}" run_peer "$WORK/everyone.out" $'abc\n' client "$name"
[ "$PEER_STATUS" -eq 0 ] || fail "nobody's .NET client failed on an everyone pipe: $(cat "$WORK/everyone.out")"
assert_contains "$WORK/everyone.out" "reply cba" "nobody's .NET client"
PEER_AS="${AS_NOBODY[*]}" run_peer "$WORK/everyone-cuo.out" $'abc\n' client "$name" --current-user-only
[ "$PEER_STATUS" -eq 3 ] || fail "nobody's CurrentUserOnly .NET client exited $PEER_STATUS: $(cat "$WORK/everyone-cuo.out")"
assert_contains "$WORK/everyone-cuo.out" \
  "exception System.UnauthorizedAccessException: Could not connect to the pipe because it was not owned by the current user." \
  "nobody's CurrentUserOnly .NET client"
pass "PipeScope --security everyone (0666): nobody's .NET client is answered; with CurrentUserOnly it refuses root's server (UnauthorizedAccessException)"

# --- RunAsClient: a root .NET server, nobody's PipeScope client ---------------------
name="$(unique_name dn-rac)"
PEER_UMASK=000 start_dotnet_server rac_out dn-rac "$name" --run-as-client "$WORK/root-only.txt"
printf 'x\n' | "${AS_NOBODY[@]}" "$CLI" connect "$name" >"$WORK/rac.out" 2>&1 ||
  fail "nobody's connect to the RunAsClient server failed: $(cat "$WORK/rac.out")"
[ "$(wait_for_line "$rac_out" 'impersonation-user ')" = "impersonation-user nobody" ] ||
  fail "GetImpersonationUserName() did not say nobody: $(cat "$WORK/lines.log")"
ran="$(wait_for_line "$rac_out" 'run-as-client ')" || fail "RunAsClient's callback did not run"
[[ "$ran" =~ ^run-as-client\ euid\ 65534\ user\ nobody\ probe\ denied\ threads-as-client\ ([0-9]+)/([0-9]+)$ ]] ||
  fail "RunAsClient saw: $ran"
[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
  echo "note: only ${BASH_REMATCH[1]} of ${BASH_REMATCH[2]} threads ran as the client"
after="$(wait_for_line "$rac_out" 'after-run-as-client ')" || fail "RunAsClient did not return"
[ "$after" = "after-run-as-client euid 0 (before 0)" ] || fail "after RunAsClient: $after"
pass "RunAsClient with nobody's PipeScope client: the callback ran as euid 65534 (nobody), the root-only file was denied, ${BASH_REMATCH[1]} of ${BASH_REMATCH[2]} threads had switched (seteuid is per process), euid 0 again after"

# --- PipeScope impersonating nobody's .NET client -----------------------------------
name="$(unique_name dn-imp)"
start_server imp_out "$name" --reverse --security everyone --impersonate "$WORK/root-only.txt"
PEER_AS="${AS_NOBODY[*]}" start_peer imp_client dn-imp-client client "$name"
printf 'abc\n' >&"$dn_imp_client_IN"
imp="$(wait_for_line "$imp_out" '"event":"impersonated"')" ||
  fail "serve --impersonate printed no result; stderr: $(cat "$WORK/$name.err")"
exec {dn_imp_client_IN}>&-
wait_for_line "$imp_client" 'done' >/dev/null || fail "nobody's .NET client did not end"
for field in '"impersonated":true' '"user":"nobody"' '"sid":"uid 65534 gid 65534"' '"probe_granted":false' \
             '"symbol":"ERROR_ACCESS_DENIED"' '"reverted":true'; do
  [[ "$imp" == *"$field"* ]] || fail "the impersonation result lacks $field: $imp"
done
pass "serve --impersonate (root) with nobody's .NET client: switched to uid 65534, the root-only file was refused (ERROR_ACCESS_DENIED), reverted"
