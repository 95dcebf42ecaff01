#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, the `fuzz` preset: clang with
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each one for a
# bounded time. `scripts/test.sh fuzz` calls this.
#
# Usage: scripts/fuzz.sh [target...]   (codec, name, log, log_query, channel_read, command_words; all by default)
#
#   PIPESCOPE_FUZZ_SECONDS  how long each target runs (60 by default; CI: 20)
#
# Each target first replays its seed corpus (tests/fuzz/corpus/<target>), so
# an input that once crashed it and was added there stays a failing test
# until the fix; then it mutates from a working copy of that corpus in
# build/fuzz/corpus/<target>, which grows across runs on one machine and is
# never written back to the tree. A crash, a leak, a timeout or an
# out-of-memory ends the lane with a failure, and its reproducer is kept in
# build/fuzz/artifacts/<target>/; tests/fuzz/README.md says what to do next.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

seconds="${PIPESCOPE_FUZZ_SECONDS:-60}"
case "$seconds" in
  ''|*[!0-9]*) echo "PIPESCOPE_FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2; exit 2 ;;
esac
all_targets=(codec name log log_query channel_read command_words)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [ -f "tests/fuzz/${target}_fuzz.cpp" ] || {
    echo "no fuzz target '$target' (there are: ${all_targets[*]})" >&2
    exit 2
  }
done

ensure_packages "${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_FUZZ_PACKAGES[@]}"
use_compiler_cache

log "configure (fuzz)"
cmake --preset fuzz >/dev/null
log "build (fuzz)"
cmake --build --preset fuzz -j "$(build_jobs)"

build=build/fuzz
# The sanitizers' reports end the run with the reproducer written; leaks
# count as failures too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/pipescope_fuzz_$target"
  seeds="tests/fuzz/corpus/$target"
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  log "fuzz $target: replay the seed corpus ($(find "$seeds" -type f | wc -l) inputs)"
  if ! "$binary" -artifact_prefix="$artifacts/" -rss_limit_mb=2048 -timeout=10 \
      "$seeds"/* >"$artifacts/replay.log" 2>&1; then
    tail -n 40 "$artifacts/replay.log" >&2
    echo "fuzz $target: an input of tests/fuzz/corpus/$target fails (log: $artifacts/replay.log)" >&2
    failed+=("$target")
    continue
  fi

  log "fuzz $target: ${seconds} s"
  if ! "$binary" -artifact_prefix="$artifacts/" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
      "$corpus" "$seeds" >"$artifacts/run.log" 2>&1; then
    tail -n 60 "$artifacts/run.log" >&2
    reproducer=$(ls -t "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* \
      "$artifacts"/oom-* "$artifacts"/slow-unit-* 2>/dev/null | head -n 1 || true)
    echo "fuzz $target: failed; reproducer: ${reproducer:-none written} (log: $artifacts/run.log)" >&2
    [ -z "$reproducer" ] || echo "  rerun it: $binary $reproducer" >&2
    failed+=("$target")
    continue
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$artifacts/run.log" \
    | sed "s/^/  $target /" >&2 || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]} (see tests/fuzz/README.md)" >&2
  exit 1
fi
log "fuzzing passed: ${targets[*]}, ${seconds} s each"
