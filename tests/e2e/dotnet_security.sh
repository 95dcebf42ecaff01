#!/usr/bin/env bash
# .NET's security options against PipeScope's, between processes of one
# user: PipeOptions.CurrentUserOnly on both sides, RunAsClient on a .NET
# server with a PipeScope client, and PipeScope impersonating a .NET client.
# dotnet_other_user.sh does the same across two users (as root).
source "$(dirname "$0")/dotnet_lib.sh" "$@"

me="$(id -un)"
my_uid="$(id -u)"

# --- CurrentUserOnly ------------------------------------------------------------
name="$(unique_name dn-cuo-server)"
start_dotnet_server cuo_out dn-cuo "$name" --current-user-only
[ "$(file_mode "$(socket_path "$name")")" = "0755" ] ||
  fail "the CurrentUserOnly socket has mode $(file_mode "$(socket_path "$name")") under umask 022, not 0755"
connect_line cuo "$name" 'same user' 'resu emas' "connect to the CurrentUserOnly .NET server of its own user"
pass "a .NET server with PipeOptions.CurrentUserOnly answers a PipeScope client of the same user; its socket mode is still the umask's (0755)"

name="$(unique_name dn-cuo-client)"
start_server serve_out "$name" --reverse
[ "$(file_mode "$(socket_path "$name")")" = "0600" ] || fail "serve's default socket is not 0600"
run_peer "$WORK/cuo-client.out" $'abc\n' client "$name" --current-user-only
[ "$PEER_STATUS" -eq 0 ] || fail "a CurrentUserOnly .NET client was refused by our own server: $(cat "$WORK/cuo-client.out")"
assert_contains "$WORK/cuo-client.out" "reply cba" "the CurrentUserOnly .NET client"
pass "a .NET client with PipeOptions.CurrentUserOnly accepts PipeScope's server of the same user (socket mode 0600, --security owner)"

# --- RunAsClient on a .NET server, PipeScope the client ---------------------------
echo secret >"$WORK/probe.txt"
chmod 0600 "$WORK/probe.txt"
name="$(unique_name dn-run-as-client)"
start_dotnet_server rac_out dn-rac "$name" --run-as-client "$WORK/probe.txt"
printf 'x\n' | "$CLI" connect "$name" >"$WORK/rac-client.out" 2>&1 || fail "connect failed: $(cat "$WORK/rac-client.out")"
user_line="$(wait_for_line "$rac_out" 'impersonation-user ')" || fail "the .NET server did not impersonate"
[ "$user_line" = "impersonation-user $me" ] || fail "GetImpersonationUserName() said '$user_line', not $me"
ran="$(wait_for_line "$rac_out" 'run-as-client ')" || fail "RunAsClient's callback did not run: $(cat "$WORK/lines.log")"
[[ "$ran" == "run-as-client euid $my_uid user $me probe granted "* ]] || fail "RunAsClient saw: $ran"
pass "RunAsClient with a PipeScope client: GetImpersonationUserName() = $me, the callback ran as euid $my_uid"

# --- PipeScope impersonating a .NET client ----------------------------------------
name="$(unique_name dn-impersonate)"
start_server imp_out "$name" --reverse --impersonate "$WORK/probe.txt"
# .NET passes the TokenImpersonationLevel on to nobody on Unix: Anonymous
# hides nothing from the server. The client stays connected until the
# server has impersonated it, as a Windows server impersonates a connected
# client (serve does it after the first message it reads).
start_peer imp_client dn-imp-client client "$name" --impersonation Anonymous
printf 'abc\n' >&"$dn_imp_client_IN"
imp="$(wait_for_line "$imp_out" '"event":"impersonated"')" ||
  fail "serve --impersonate printed no result; stderr: $(cat "$WORK/$name.err")"
wait_for_line "$imp_client" 'reply cba' >/dev/null || fail "the .NET client got no answer"
exec {dn_imp_client_IN}>&-
wait_for_line "$imp_client" 'done' >/dev/null || fail "the .NET client did not end"
for field in '"impersonated":true' "\"user\":\"$me\"" "\"sid\":\"uid $my_uid " '"probe_granted":true' '"reverted":true'; do
  [[ "$imp" == *"$field"* ]] || fail "the impersonation result lacks $field: $imp"
done
pass "serve --impersonate with a .NET client (TokenImpersonationLevel.Anonymous): PipeScope still learnt $me from SO_PEERCRED and opened the probe as it"
