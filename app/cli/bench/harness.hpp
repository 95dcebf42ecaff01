// The parts of `bench` that raw and engine runs share: the traffic they move,
// the check that every byte arrived as sent, and the gate that starts helper
// threads with the timer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "bench_raw.hpp"
#include "bench_settings.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/error.hpp"
#include "pipescope/options.hpp"

namespace pipescope::cli {

using BenchClock = std::chrono::steady_clock;

/// Round trips made before the measured ones, so that first-use costs
/// (page faults, a cold cache) do not count.
constexpr std::uint64_t kWarmUpRoundTrips = 50;

/// `size` bytes of a pattern that does not repeat within 256 bytes.
[[nodiscard]] Bytes pattern_bytes(std::size_t size);

/// True if `bytes`, found at `offset` of a stream that repeats `piece`, are
/// what the stream holds there. Compared in runs that end where the piece
/// starts over, at memcmp speed, so readers can check everything they get.
[[nodiscard]] bool matches_piece(std::span<const std::byte> bytes, std::uint64_t offset, const Bytes& piece);

[[nodiscard]] double seconds_between(BenchClock::time_point start, BenchClock::time_point end);

/// Nanoseconds from `start` until now.
[[nodiscard]] double nanoseconds_since(BenchClock::time_point start);

/// Long enough for a slow machine (or Wine) to move `bytes`; a broken engine
/// that loses data is reported after it rather than hanging the tool.
[[nodiscard]] std::chrono::milliseconds patience_for(std::uint64_t bytes);

/// A pipe name no other run uses: pipescope-bench-ROLE-XXXXXXXX.
[[nodiscard]] std::string fresh_name(std::string_view role);

/// "64 KiB", "4 MiB", "100 B".
[[nodiscard]] std::string size_text(std::uint64_t bytes);

/// The error of a run whose result is wrong (a lost or changed byte).
[[nodiscard]] Error wrong_result(std::string what);

/// The read buffer that holds one write (or message) whole, and at least
/// the engine's default.
[[nodiscard]] std::uint32_t read_buffer_for(std::size_t piece);

/// The options of a server the benchmark measures (and that the raw
/// baselines are made like): the type asked for, read in its own mode, with
/// a read buffer that takes a message whole.
[[nodiscard]] ServerOptions server_options_for(const BenchSettings& settings, std::uint32_t read_buffer);

/// Reads from a foreign end until `total` bytes came or the stream ended,
/// checking every byte against the repeated `piece` as the engine's readers
/// do, so that raw and engine runs do the same work. Returns how many bytes
/// arrived; `who` names the reader in the error about a wrong byte.
[[nodiscard]] Result<std::uint64_t> read_checked(RawEnd& from, std::uint64_t total, const Bytes& piece,
                                                 std::size_t buffer_size, std::string_view who);

/// Lets helper threads begin their timed work when the timer starts rather
/// than when they were created.
class StartGate {
 public:
  void open();
  void wait();

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

}  // namespace pipescope::cli
