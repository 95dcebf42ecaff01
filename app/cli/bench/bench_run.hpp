// bench: what the engine does with a pipe, next to what the pipe does with
// bare OS calls, measured in the same run.
//
// Four figures, each taken --repeat times with raw and engine runs taking
// turns (so a machine that gets busier slows both), the median shown:
//
// - throughput: a client sends --total bytes in --write-size writes through
//   one pipe to an instance of a server; both ends are the engine's and both
//   log every byte. Raw: one thread writes into a bare pipe, another reads.
// - message rate: the same with --messages writes of --message-size bytes.
// - round trip: the client sends one message, the instance's echo responder
//   answers, the client has read it all; median and 99th percentile. Raw: a
//   thread that echoes with read and write.
// - relay with capture: a foreign writer (bare OS calls) sends into one of
//   the engine's pipes; the engine reads and logs, and the engine's relay
//   (pipescope/relay.hpp) writes each message on into a second pipe, where
//   a foreign reader takes it (logged again on the way out). Raw: a thread
//   that reads from one bare pipe and writes into another.
//
// The engine runs use a fresh engine (and so a fresh, empty log) each time,
// as a new capture would. Throughput and relay are also taken with the log's
// memory reused (see LogMemory), which shows what fresh pages cost. Every
// run checks that every byte arrived and, for the engine, that the log holds
// exactly what was sent; a wrong result is a failure of the command, a
// missed target is not (the table says so).
//
// The measurements are one table (bench_run.cpp), walked by one loop; the
// runs are in engine_runs.cpp and raw_runs.cpp.
#pragma once

#include "bench_settings.hpp"

namespace pipescope::cli {

struct Session;

/// Runs the benchmark and prints its table (or its JSON objects); returns
/// the process exit code. A wrong result (a lost or changed byte) is a
/// failure; a missed target is not (the table says so).
[[nodiscard]] int run_bench(const BenchSettings& settings, Session& session);

}  // namespace pipescope::cli
