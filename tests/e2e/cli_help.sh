#!/usr/bin/env bash
# The console tool's help and option checks: every command registers itself
# (app/cli/command_registry.hpp) and is listed in the order that teaches;
# the options of the engine take their teaching text, range and default from
# the option catalogue (core/include/pipescope/option_catalogue.hpp).
source "$(dirname "$0")/lib.sh" "$@"

# --- every command is there, in its order -------------------------------------
expect_exit 0 "$CLI" --help
listed="$(sed -n '/^Subcommands:/,/^$/p' "$WORK/last.out" | awk '/^  [a-z]/ {print $1}' | tr '\n' ' ')"
[[ "$listed" == "serve connect send transact call inspect run list log demo bench " ]] ||
  fail "the commands listed are: $listed"
pass "--help lists serve connect send transact call inspect run list demo bench, in that order"

# --- the version names the build ----------------------------------------------
expect_exit 0 "$CLI" --version
grep -Eq '^pipescope-cli [0-9]+\.[0-9]+\.[0-9]+ \(fmt [0-9.]+, nlohmann-json [0-9.]+, compiler (GCC|Clang) [0-9.]+\)' \
  "$WORK/last.out" || fail "--version printed: $(cat "$WORK/last.out")"
pass "--version names PipeScope's version, its libraries' and the compiler's"

# --- the catalogue's teaching text and default on the help page ----------------
expect_exit 0 "$CLI" serve --help
# These sentences are the catalogue's (the text a GUI tooltip shows too).
assert_contains "$WORK/last.out" "255 (PIPE_UNLIMITED_INSTANCES) for no" "serve --help"
assert_contains "$WORK/last.out" "N|unlimited [unlimited]" "serve --help"
assert_contains "$WORK/last.out" "0 means the system's default of 50 ms." "serve --help"
assert_contains "$WORK/last.out" "MS [50]" "serve --help"
pass "serve --help: --max-instances and --timeout say the catalogue's text and default"

expect_exit 0 "$CLI" connect --help
# WaitNamedPipe: a wait that runs out is ERROR_SEM_TIMEOUT, not ERROR_PIPE_BUSY.
assert_contains "$WORK/last.out" "A wait that runs out ends with ERROR_SEM_TIMEOUT." "connect --help"
assert_contains "$WORK/last.out" "MS|forever [5000]" "connect --help"
assert_contains "$WORK/last.out" "--access" "connect --help"
pass "connect --help: --busy-timeout says the catalogue's text and default; --access is offered"

# --- per command: a transact and a call always read and write ---------------------
for command in transact call; do
  expect_exit 0 "$CLI" "$command" --help
  if grep -q -- "--access" "$WORK/last.out"; then
    fail "$command --help offers --access, which can only be duplex there"
  fi
done
pass "transact and call --help: no --access (they always open for reading and writing)"

# --- per command: the call's own texts (CallNamedPipe loses the rest) -------------
expect_exit 0 "$CLI" call --help
assert_contains "$WORK/last.out" "the rest of the message is lost" "call --help"
assert_contains "$WORK/last.out" "CallNamedPipe itself takes no such choice" "call --help"
if grep -q "arrives in parts" "$WORK/last.out"; then
  fail "call --help promises a reply in parts, which CallNamedPipe loses"
fi
expect_exit 0 "$CLI" transact --help
assert_contains "$WORK/last.out" "arrives in parts" "transact --help"
pass "call --help: --read-buffer and --impersonation say what they mean for CallNamedPipe"

# --- the catalogue's range --------------------------------------------------------
name="$(unique_name help)"
expect_exit 2 "$CLI" serve "$name" --max-instances 256
assert_contains "$WORK/last.err" "256 not in range 1 to 255" "serve --max-instances 256"
pass "serve --max-instances 256: exit 2, outside the catalogue's range 1 to 255"

expect_exit 2 "$CLI" connect "$name" --read-buffer 0
assert_contains "$WORK/last.err" "0 not in range 1 to 4294967295" "connect --read-buffer 0"
pass "connect --read-buffer 0: exit 2, outside the catalogue's range"
