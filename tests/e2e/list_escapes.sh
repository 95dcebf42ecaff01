#!/usr/bin/env bash
# Other users' socket paths are text from strangers: `pipescope-cli list`
# shows a name holding terminal escapes (ESC ] 0 ; ... BEL retitles the
# window, ESC [ 2 J clears it) and a newline escaped, on one line, and never
# sends the raw bytes to the terminal. The foreign server is a plain perl
# socket (perl-base is part of every Debian system).
source "$(dirname "$0")/lib.sh" "$@"

command -v perl >/dev/null || { echo "perl is not installed; skipping"; exit 77; }

esc=$'\e'
bel=$'\a'
leaf="evil-$$-${esc}]0;owned${bel}${esc}[2J"$'\n'"second-line"
path="$(socket_path "$leaf")"

# listen_foreign PATH TAG: a plain perl listener at PATH that accepts and
# closes every connection, started in the background; returns once it
# listens.
listen_foreign() {
  local socket="$1" ready="$WORK/$2.ready" ready_fd
  mkfifo "$ready"
  perl -MIO::Socket::UNIX -e '
    my $server = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 5)
      or die "bind: $!\n";
    open(my $ready, ">", $ARGV[1]) or die "ready: $!\n";
    print $ready "listening\n";
    close($ready);
    while (accept(my $client, $server)) { close($client); }
  ' "$socket" "$ready" &
  BACKGROUND_PIDS+=("$!")
  exec {ready_fd}<"$ready"
  wait_for_line "$ready_fd" listening >/dev/null || fail "the foreign perl server at $socket did not start"
}

listen_foreign "$path" foreign

expect_exit 0 "$CLI" list
LC_ALL=C grep -q "$esc" "$WORK/last.out" && fail "list printed a raw ESC: $(od -c "$WORK/last.out" | head -20)"
LC_ALL=C grep -q "$bel" "$WORK/last.out" && fail "list printed a raw BEL"
assert_contains "$WORK/last.out" 'evil-'"$$"'-\e]0;owned\x07\e[2J\nsecond-line' "list output"
grep -q '^second-line' "$WORK/last.out" && fail "a newline in the name cut the row in two: $(cat "$WORK/last.out")"
pass "list shows a foreign name with escapes and a newline escaped, on one line"

# The exact name is still there for scripts: --json keeps every byte.
expect_exit 0 "$CLI" --json list
assert_contains "$WORK/last.out" 'evil-'"$$"'-\u001b]0;owned\u0007\u001b[2J\nsecond-line' "list --json"
pass "list --json keeps the exact name (JSON escapes)"

# An error that quotes the name: a client of a pipe nobody serves.
missing="gone-$$-${esc}[2J"
expect_exit_any() { "$@" >"$WORK/last.out" 2>"$WORK/last.err" || true; }
expect_exit_any "$CLI" send "$missing" hi
LC_ALL=C grep -q "$esc" "$WORK/last.err" && fail "an error printed a raw ESC: $(od -c "$WORK/last.err" | head)"
assert_contains "$WORK/last.err" 'gone-'"$$"'-\e[2J' "the error text"
pass "an error quoting a hostile name shows it escaped"

# A socket outside the pipe layout (an X server's, a bus's) is not a pipe:
# list leaves it out unless --all-sockets asks for every socket.
other="$WORK/not-a-pipe-$$.sock"
listen_foreign "$other" other
expect_exit 0 "$CLI" list
grep -qF "not-a-pipe-$$.sock" "$WORK/last.out" && fail "list showed a socket outside the pipe layout: $(cat "$WORK/last.out")"
assert_contains "$WORK/last.out" 'evil-'"$$" "list without --all-sockets still shows the layout's pipes"
expect_exit 0 "$CLI" list --all-sockets
assert_contains "$WORK/last.out" "$other" "list --all-sockets"
pass "list leaves out sockets outside the pipe layout unless --all-sockets asks"
