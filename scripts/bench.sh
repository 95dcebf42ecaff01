#!/usr/bin/env bash
# Runs every benchmark on the release build and writes docs/benchmarks.md:
# one table with each figure, its raw baseline, the ratio, the target and
# whether it was met, plus the machine it ran on and how busy it was.
#
#   1. pipescope-cli bench: the engine against bare OS calls, byte and
#      message pipes (throughput, message rate, round trip, relay).
#   2. tests/bench: the message log and the codecs (Google Benchmark), the
#      scale run (1,000 instances) and the GUI (the real main window fed
#      1 million rows a second, and its first paint).
#   3. Under Wine, pipescope-cli.exe bench: the Win32 engine against raw
#      CreateNamedPipeW, from a release cross build in build/bench-mingw.
#
# Usage: scripts/bench.sh [--quick]
#   --quick                      small sizes, to try the script in a minute
#   PIPESCOPE_BENCH_SKIP_WINE=1  leaves out the Wine figures
#   PIPESCOPE_JOBS               parallel build jobs (default: the CPU count)
# The figures of a busy machine are noisy: each table compares engine and
# raw runs that took turns in the same run, and the load is recorded.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$PIPESCOPE_ROOT"

quick=0
[[ "${1:-}" == --quick ]] && quick=1
with_wine=1
[[ "${PIPESCOPE_BENCH_SKIP_WINE:-0}" == 1 ]] && with_wine=0

packages=("${PIPESCOPE_BUILD_PACKAGES[@]}" "${PIPESCOPE_GUI_PACKAGES[@]}" python3)
((with_wine)) && packages+=(mingw-w64 g++-mingw-w64-x86-64-posix wine)
ensure_packages "${packages[@]}"
jobs="${PIPESCOPE_JOBS:-$(build_jobs)}"

build_dir="$PIPESCOPE_ROOT/build/release"
log "configure and build (release)"
cmake --preset release >/dev/null
targets=(pipescope-cli pipescope_bench_log pipescope_bench_scale)
# The GUI benchmark exists when CMake found Qt. (Read whole, not piped into
# grep -q, which would close the pipe early and fail it under pipefail.)
build_targets="$(cmake --build --preset release --target help)"
[[ "$build_targets" == *pipescope_bench_gui* ]] && targets+=(pipescope_bench_gui)
cmake --build --preset release -j "$jobs" --target "${targets[@]}"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

if ((quick)); then
  cli_args=(--total 8MiB --messages 20000 --round-trips 300 --repeat 3)
  log_args=(--messages=1000000)
  scale_args=(--instances=200 --messages=5)
  gui_args=(--rate=1000000 --seconds=1 --first-paint-runs=3)
  wine_args=(--total 4MiB --messages 2000 --round-trips 100 --repeat 1)
else
  cli_args=(--repeat 5)
  log_args=()
  scale_args=()
  gui_args=()
  wine_args=(--total 16MiB --messages 10000 --round-trips 500 --repeat 3)
fi

# What the machine is and how busy it was around the runs.
cat /proc/loadavg >"$results/load-before"
{
  echo "cpus=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel=$(uname -sr)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "quick=$quick"
} >"$results/machine"

cli="$build_dir/app/cli/pipescope-cli"
log "pipescope-cli bench, byte pipes"
"$cli" --json bench --type byte "${cli_args[@]}" >"$results/cli-byte.jsonl"
log "pipescope-cli bench, message pipes"
"$cli" --json bench --type message "${cli_args[@]}" >"$results/cli-message.jsonl"
# Waking a thread on the other CPU of this virtual machine, when that CPU
# sleeps, takes tens of microseconds and decides most round trips; with
# every thread on one CPU the figure shows the engine's own cost.
log "pipescope-cli bench, round trip with every thread on one CPU"
taskset -c 0 "$cli" --json bench --type byte --only latency "${cli_args[@]}" >"$results/cli-byte-one-cpu.jsonl"
taskset -c 0 "$cli" --json bench --type message --only latency "${cli_args[@]}" >"$results/cli-message-one-cpu.jsonl"

log "message log and codecs (Google Benchmark)"
"$build_dir/tests/bench/pipescope_bench_log" "${log_args[@]}" --summary-json="$results/log.jsonl" \
  --benchmark_out="$results/log-gbench.json" --benchmark_out_format=json

log "scale run"
"$build_dir/tests/bench/pipescope_bench_scale" "${scale_args[@]}"
"$build_dir/tests/bench/pipescope_bench_scale" "${scale_args[@]}" --json >"$results/scale.jsonl"

if [[ -x "$build_dir/tests/bench/pipescope_bench_gui" ]]; then
  log "GUI"
  QT_QPA_PLATFORM=offscreen "$build_dir/tests/bench/pipescope_bench_gui" "${gui_args[@]}" --json \
    >"$results/gui.jsonl" 2>"$results/gui-stderr"
fi

if ((with_wine)); then
  # A release cross build of the console tool only: the figures compare the
  # Win32 engine with raw Win32 calls in the same Wine.
  wine_dir="$PIPESCOPE_ROOT/build/bench-mingw"
  log "Win32 engine under Wine: build ($wine_dir)"
  # Core's log queries need RE2 for mingw-w64, built once from Debian's
  # source into the per-user cache (as scripts/test-windows.sh does).
  PIPESCOPE_JOBS="$jobs" bash scripts/re2-mingw.sh >/dev/null
  cmake -S . -B "$wine_dir" -G Ninja --toolchain cmake/toolchains/mingw-w64.cmake -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DPIPESCOPE_BUILD_GUI=OFF "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Werror" >/dev/null
  cmake --build "$wine_dir" -j "$jobs" --target pipescope-cli
  export WINEPREFIX="$wine_dir/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d
  trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$results"' EXIT
  if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    mkdir -p "$WINEPREFIX"
    wineboot -i >/dev/null 2>&1
    wineserver -w
  fi
  # The Wine server and its services start before the measured runs.
  wineserver -p >/dev/null 2>&1 || true
  wine cmd /c exit >/dev/null 2>&1 </dev/null
  exe="$(find "$wine_dir" -name pipescope-cli.exe -print -quit)"
  log "Win32 engine under Wine: pipescope-cli.exe bench"
  scripts/wine-run.sh "$exe" --json bench --type byte "${wine_args[@]}" >"$results/wine-byte.jsonl"
  scripts/wine-run.sh "$exe" --json bench --type message "${wine_args[@]}" >"$results/wine-message.jsonl"
fi
cat /proc/loadavg >"$results/load-after"

log "writing docs/benchmarks.md"
python3 - "$results" docs/benchmarks.md docs/benchmark-notes.md <<'PYTHON'
import json, os, sys

results, out_path, notes_path = sys.argv[1:4]

def lines(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip().startswith('{')]

def read(name):
    path = os.path.join(results, name)
    return open(path).read().strip() if os.path.exists(path) else ''

machine = dict(l.split('=', 1) for l in read('machine').splitlines())

def rate(v, unit):
    if unit == 'bytes/s':
        return f'{v / 1e9:.2f} GB/s' if v >= 1e9 else f'{v / 1e6:.1f} MB/s'
    if unit == 'messages/s':
        return f'{v / 1e6:.2f} M msg/s' if v >= 1e6 else f'{v / 1e3:.1f} k msg/s'
    if unit == 'ns':
        return f'{v / 1e3:.1f} µs'
    return f'{v:g} {unit}'

def result(p):
    return '-' if p is None else ('pass' if p else '**FAIL**')

rows = []  # (section, figure, measured, baseline, ratio, target, result)

def cli_rows(name, section, counted=True):
    events = lines(name)
    setup = next((e for e in events if e.get('event') == 'bench-setup'), None)
    if not setup:
        return
    labels = {
        'throughput': f"throughput, {setup['write_size'] // 1024} KiB writes",
        'message-rate': f"message rate, {setup['message_size']} B messages",
        'round-trip-median': f"round trip median, {setup['message_size']} B",
        'round-trip-p99': f"round trip p99, {setup['message_size']} B",
        'relay': f"relay with capture, {setup['write_size'] // 1024} KiB writes",
        'throughput-log-reused': '  the same, log memory reused (after clear())',
        'relay-log-reused': '  the same, log memory reused (after clear())',
    }
    targets = {
        'throughput': '≥ 0.80× raw', 'message-rate': '≥ 0.80× raw', 'round-trip-median': '≤ raw + 10 µs',
        'relay': '≥ 0.50× raw',
    }
    seen = set()
    for e in events:
        if e.get('event') != 'bench':
            continue
        # The first baseline of a figure is the transport the engine is built
        # on; the others are shown for comparison.
        primary = e['figure'] not in seen
        seen.add(e['figure'])
        figure = labels.get(e['figure'], e['figure'])
        if not primary:
            figure = f"  the same against {e['raw_transport_name']}"
        unit = e['unit']
        ratio = f"{(e['engine'] - e['raw']) / 1e3:+.1f} µs" if unit == 'ns' else f"{e['ratio']:.2f}×"
        target = targets.get(e['figure'], '-') if e['pass'] is not None else '-'
        verdict = result(e['pass'])
        if not counted:
            # The same figure measured another way: shown, not counted twice.
            target, verdict = '-', '-'
        rows.append((section, figure, rate(e['engine'], unit), f"{rate(e['raw'], unit)} ({e['raw_transport_name']})",
                     ratio, target, verdict))

cli_rows('cli-byte.jsonl', 'One hop and relay, byte pipes (POSIX engine)')
cli_rows('cli-message.jsonl', 'One hop and relay, message pipes (POSIX engine)')
cli_rows('cli-byte-one-cpu.jsonl', 'Round trip with every thread on one CPU (taskset -c 0), byte pipes (POSIX engine)',
         counted=False)
cli_rows('cli-message-one-cpu.jsonl', 'Round trip with every thread on one CPU (taskset -c 0), message pipes (POSIX engine)',
         counted=False)

for e in lines('log.jsonl'):
    names = {
        'log-append-fresh': 'append 64 B, fresh log', 'log-memory-per-message': 'memory per 64 B message',
        'log-memory': 'memory in all', 'log-append-reused': 'append 64 B, after clear() (memory kept)',
        'log-clear': 'clear',
    }
    unit = e['unit']
    value = f"{e['value']:.0f} {unit}" if unit == 'MB' else f"{e['value']:.1f} {unit}"
    rows.append((f"Message log, {e['messages']:,} messages", names.get(e['figure'], e['figure']), value, '-', '-',
                 (e['target'] or '-').replace('<=', '≤'), result(e['pass'])))

for e in lines('scale.jsonl'):
    section = f"Scale: {e['instances']:,} concurrent instances, {e['messages_per_client']} × {e['message_size']} B each way"
    rows.append((section, 'engine threads', str(e['engine_threads']), '-', '-', '≤ 4',
                 result(e['engine_threads'] <= 4)))
    rows.append((section, 'process threads, as the OS counts them', str(e['process_threads']), '-', '-', '-', '-'))
    rows.append((section, 'every byte arrived and was logged', f"{e['bytes_logged']:,} B logged", '-', '-',
                 'nothing lost', result(e['all_arrived_and_logged'])))
    rows.append((section, 'connecting every client', f"{e['connect_seconds'] * 1e3:.0f} ms", '-', '-', '-', '-'))
    rows.append((section, 'the whole exchange', f"{e['exchange_seconds'] * 1e3:.0f} ms", '-', '-', '-', '-'))

for e in lines('gui.jsonl'):
    if e['figure'] == 'gui-frames':
        section = f"GUI: {e['rate']:,.0f} rows/s for {e['rows'] / e['rate']:.0f} s into the real main window"
        rows.append((section, 'frame time median', f"{e['frame_median_ms']:.1f} ms", '-', '-', '-', '-'))
        rows.append((section, 'frame time p99, worst tenth of the run', f"{e['worst_tenth_p99_ms']:.1f} ms", '-', '-',
                     '≤ 16 ms', result(e['worst_tenth_p99_ms'] <= 16)))
        for b in e['buckets']:
            rows.append((section, f"  p99 from {b['rows_from']:,} rows on", f"{b['p99_ms']:.1f} ms "
                         f"(median {b['median_ms']:.1f}, {b['frames']} frames)", '-', '-', '-', '-'))
        rows.append((section, 'rows fed per second', f"{e['achieved_rate']:,.0f}", '-', '-', f"{e['rate']:,.0f}",
                     result(e['achieved_rate'] >= 0.95 * e['rate'])))
        rows.append((section, 'every row reached the model and the view', 'yes' if e['all_rows_shown'] else 'no',
                     '-', '-', 'all', result(e['all_rows_shown'])))
    elif e['figure'] == 'gui-first-paint':
        section = 'GUI: start-up'
        rows.append((section, f"process start to first painted main window (median of {e['runs']})",
                     f"{e['median_ms']:.0f} ms", '-', '-', '≤ 150 ms', result(e['pass'])))

cli_rows('wine-byte.jsonl', 'Win32 engine under Wine, byte pipes')
cli_rows('wine-message.jsonl', 'Win32 engine under Wine, message pipes')

load_before = read('load-before').split()[:3]
load_after = read('load-after').split()[:3]
met = sum(1 for r in rows if r[6] == 'pass')
missed = sum(1 for r in rows if r[6] == '**FAIL**')

out = []
out.append('# PipeScope benchmarks\n')
out.append(f"Written by `scripts/bench.sh`{' --quick (small sizes)' if machine.get('quick') == '1' else ''} on "
           f"{machine.get('date', '?')} from commit `{machine.get('commit', '?')}`, release build. "
           f"{met} targets met, {missed} missed.\n")
out.append(f"Machine: {machine.get('cpus', '?')} CPUs ({machine.get('cpu', '?')}), {machine.get('kernel', '?')}. "
           f"Load average (1, 5, 15 min) {' '.join(load_before)} before the runs and {' '.join(load_after)} "
           'after: other work shared the machine, so every engine figure is compared with a raw baseline '
           'measured in the same run, raw and engine runs taking turns.\n')
out.append('Ratios are engine ÷ raw (higher is better) for rates, engine − raw for times. '
           'What each figure measures, why the missed targets are missed and what comes next: '
           '[below](#what-the-numbers-mean).\n')
section = None
for r in rows:
    if r[0] != section:
        section = r[0]
        out.append(f'\n## {section}\n')
        out.append('| figure | measured | raw baseline | ratio | target | result |')
        out.append('|---|---|---|---|---|---|')
    out.append('| ' + ' | '.join(r[1:]) + ' |')
out.append('')
if os.path.exists(notes_path):
    out.append(open(notes_path).read().strip())
    out.append('')
with open(out_path, 'w') as f:
    f.write('\n'.join(out))
PYTHON

log "docs/benchmarks.md"
# The tables, for the terminal.
grep -E '^(##|\|)' docs/benchmarks.md
