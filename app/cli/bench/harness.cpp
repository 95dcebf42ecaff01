#include "harness.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <utility>

#include <fmt/format.h>

namespace pipescope::cli {

Bytes pattern_bytes(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>((i * 131 + 7) & 0xFF);
  return bytes;
}

bool matches_piece(std::span<const std::byte> bytes, std::uint64_t offset, const Bytes& piece) {
  while (!bytes.empty()) {
    const std::size_t at = offset % piece.size();
    const std::size_t run = std::min(bytes.size(), piece.size() - at);
    if (std::memcmp(bytes.data(), piece.data() + at, run) != 0) return false;
    bytes = bytes.subspan(run);
    offset += run;
  }
  return true;
}

double seconds_between(BenchClock::time_point start, BenchClock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

double nanoseconds_since(BenchClock::time_point start) {
  return std::chrono::duration<double, std::nano>(BenchClock::now() - start).count();
}

std::chrono::milliseconds patience_for(std::uint64_t bytes) {
  return std::chrono::milliseconds(30'000 + bytes / 2'000);
}

std::string fresh_name(std::string_view role) {
  std::random_device random;
  return fmt::format("pipescope-bench-{}-{:08x}", role, random());
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (1U << 20) && bytes % (1U << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (1U << 10) && bytes % (1U << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

Error wrong_result(std::string what) { return make_error(Errc::unknown, "bench", std::move(what)); }

std::uint32_t read_buffer_for(std::size_t piece) {
  return std::max<std::uint32_t>(65536, static_cast<std::uint32_t>(piece));
}

ServerOptions server_options_for(const BenchSettings& settings, std::uint32_t read_buffer) {
  ServerOptions options;
  options.name = fresh_name("server");
  options.type = settings.type;
  options.read_mode = settings.type == PipeType::message ? ReadMode::message : ReadMode::byte;
  // Big enough that a message arrives whole, as one record.
  options.read_buffer_size = read_buffer;
  return options;
}

Result<std::uint64_t> read_checked(RawEnd& from, std::uint64_t total, const Bytes& piece, std::size_t buffer_size,
                                   std::string_view who) {
  Bytes buffer(buffer_size);
  std::uint64_t received = 0;
  while (received < total) {
    Result<std::size_t> got = from.read_some(buffer);
    if (!got) return std::move(got).error();
    if (*got == 0) break;
    if (!matches_piece(std::span(buffer.data(), *got), received, piece)) {
      return wrong_result(fmt::format("{}: a wrong byte arrived near offset {}", who, received));
    }
    received += *got;
  }
  return received;
}

void StartGate::open() {
  {
    const std::lock_guard lock(mutex_);
    open_ = true;
  }
  opened_.notify_all();
}

void StartGate::wait() {
  std::unique_lock lock(mutex_);
  opened_.wait(lock, [this] { return open_; });
}

}  // namespace pipescope::cli
