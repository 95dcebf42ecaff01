#include "raw_runs.hpp"

#include <string>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "harness.hpp"

namespace pipescope::cli {
namespace {

/// Starts a thread that, once the gate opens, writes `count` pieces into
/// `end`. On a failure it closes `end`, so that a reader still waiting
/// learns that nothing more comes.
std::thread start_writer(StartGate& gate, RawEnd& end, const Bytes& piece, std::uint64_t count,
                         Result<void>& result) {
  return std::thread([&gate, &end, &piece, count, &result] {
    gate.wait();
    for (std::uint64_t i = 0; i < count && result; ++i) result = end.write_all(piece);
    if (!result) end.close();
  });
}

}  // namespace

Result<double> raw_stream(const RawTransport& transport, const ServerOptions& like, std::size_t piece_size,
                          std::uint64_t count) {
  Result<RawPair> pair = open_raw_pair(transport, like);
  if (!pair) return pair.error();
  const Bytes piece = pattern_bytes(piece_size);
  const std::uint64_t total = piece_size * count;
  StartGate gate;
  Result<void> write_result;
  std::thread writing = start_writer(gate, pair->a, piece, count, write_result);
  const std::string who = fmt::format("raw {}", transport.name);
  const auto start = BenchClock::now();
  gate.open();
  const Result<std::uint64_t> received = read_checked(pair->b, total, piece, read_buffer_for(piece_size), who);
  const double seconds = seconds_between(start, BenchClock::now());
  // A writer blocked on a full pipe fails once the reading end is gone.
  if (!received || *received != total) pair->b.close();
  writing.join();
  if (!write_result) return std::move(write_result).error();
  if (!received) return received.error();
  if (*received != total) return wrong_result(fmt::format("{}: {} of {} bytes arrived", who, *received, total));
  return seconds;
}

Result<std::vector<double>> raw_round_trips(const RawTransport& transport, const ServerOptions& like,
                                            std::size_t message_size, std::uint64_t round_trips) {
  Result<RawPair> pair = open_raw_pair(transport, like);
  if (!pair) return pair.error();
  std::thread echoing([&] {
    Bytes buffer(read_buffer_for(message_size));
    for (;;) {
      Result<std::size_t> got = pair->b.read_some(buffer);
      if (!got || *got == 0) break;
      if (!pair->b.write_all(std::span(buffer.data(), *got))) break;
    }
    pair->b.close();
  });
  const Bytes message = pattern_bytes(message_size);
  Bytes buffer(read_buffer_for(message_size));
  std::vector<double> samples;
  samples.reserve(round_trips);
  Result<void> result;
  for (std::uint64_t trip = 0; trip < kWarmUpRoundTrips + round_trips && result; ++trip) {
    const auto start = BenchClock::now();
    result = pair->a.write_all(message);
    std::size_t back = 0;
    while (result && back < message.size()) {
      Result<std::size_t> got = pair->a.read_some(buffer);
      if (!got) {
        result = std::move(got).error();
      } else if (*got == 0) {
        result = wrong_result(fmt::format("raw {}: the echo ended early", transport.name));
      } else {
        back += *got;
      }
    }
    if (trip >= kWarmUpRoundTrips) samples.push_back(nanoseconds_since(start));
  }
  // The echo thread sees the end of the stream and stops.
  pair->a.close();
  echoing.join();
  if (!result) return std::move(result).error();
  return samples;
}

Result<double> raw_relay(const RawTransport& transport, const ServerOptions& like, std::size_t piece_size,
                         std::uint64_t count) {
  Result<RawPair> first = open_raw_pair(transport, like);
  if (!first) return first.error();
  Result<RawPair> second = open_raw_pair(transport, like);
  if (!second) return second.error();
  const Bytes piece = pattern_bytes(piece_size);
  const std::uint64_t total = piece_size * count;
  StartGate gate;
  Result<void> write_result;
  std::thread writing = start_writer(gate, first->a, piece, count, write_result);
  Result<void> relay_result;
  std::thread relaying([&] {
    Bytes buffer(read_buffer_for(piece_size));
    std::uint64_t relayed = 0;
    while (relayed < total) {
      Result<std::size_t> got = first->b.read_some(buffer);
      if (!got) {
        relay_result = std::move(got).error();
        break;
      }
      if (*got == 0) break;
      if (relay_result = second->a.write_all(std::span(buffer.data(), *got)); !relay_result) break;
      relayed += *got;
    }
    if (relayed != total) {
      first->b.close();
      second->a.close();
    }
  });
  const std::string who = fmt::format("raw relay over {}", transport.name);
  const auto start = BenchClock::now();
  gate.open();
  const Result<std::uint64_t> received = read_checked(second->b, total, piece, read_buffer_for(piece_size), who);
  const double seconds = seconds_between(start, BenchClock::now());
  if (!received || *received != total) second->b.close();
  relaying.join();
  writing.join();
  if (!write_result) return std::move(write_result).error();
  if (!relay_result) return std::move(relay_result).error();
  if (!received) return received.error();
  if (*received != total) return wrong_result(fmt::format("{}: {} of {} bytes arrived", who, *received, total));
  return seconds;
}

}  // namespace pipescope::cli
