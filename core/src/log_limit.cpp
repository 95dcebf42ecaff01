// The message log's memory limit (see log.hpp and log_store.hpp): records
// kept without their bytes and flagged truncated, records only counted, the
// limit's setting and default, and the one PIPESCOPE_LOG_FULL warning.
// log.cpp decides on the append path whether a record fits; everything that
// follows once it does not is here.
#include "pipescope/log.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "log_store.hpp"
#include "physical_memory.hpp"

namespace pipescope {

namespace detail {

namespace {
/// "512 MiB", "1.5 GiB", "1000 bytes": the limit as the warning shows it.
std::string format_byte_size(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits{"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  if (value == static_cast<double>(static_cast<std::uint64_t>(value))) {
    return fmt::format("{} {}", static_cast<std::uint64_t>(value), kUnits[unit]);
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}
}  // namespace

std::uint64_t LogContents::append_unkept(EndpointId endpoint, Direction direction, std::uint32_t length,
                                         std::uint8_t flags, std::int64_t time_ns, MemoryReserve* reserve) {
  records.reserve_one(reserve);
  Record record;
  record.time_ns = time_ns;
  record.length = length;
  record.endpoint = endpoint;
  record.direction = direction;
  record.flags = length == 0 ? flags : static_cast<std::uint8_t>(flags | record_flags::truncated);
  records.push_back(record);
  payload_bytes += length;
  held_bytes += kRecordCost;
  if (length != 0) ++truncated_records;
  return records.size() - 1;
}

}  // namespace detail

AppendResult MessageLog::Impl::append_without_payload(EndpointId endpoint, Direction direction,
                                                      std::span<const std::byte> payload, std::uint8_t flags,
                                                      std::int64_t time_ns, detail::FullReason reason) {
  AppendResult result;
  if (keeping_payloads) {
    keeping_payloads = false;
    full_reason = reason;
    full_from_row = contents.records.size();
    result.became_full = true;
  }
  const auto length = static_cast<std::uint32_t>(payload.size());
  bool kept = false;
  if (contents.limited_bytes() + detail::kRecordCost <= memory_limit) {
    try {
      result.row = contents.append_unkept(endpoint, direction, length, flags, time_ns, &reserve);
      kept = true;
    } catch (const std::bad_alloc&) {
      // Not even the index could grow: the record is counted below.
    } catch (const std::length_error&) {
    }
  }
  if (!kept) {
    result.row = MessageLog::kNoRow;
    ++contents.dropped_records;
    contents.dropped_bytes += length;
  }
  result.flags = length == 0 ? flags : static_cast<std::uint8_t>(flags | record_flags::truncated);
  publish_counters();
  publish_limit_counters();
  return result;
}

std::uint64_t MessageLog::memory_limit() const noexcept {
  return impl_->published_limit.load(std::memory_order_relaxed);
}

void MessageLog::set_memory_limit(std::uint64_t bytes) {
  const std::lock_guard lock(impl_->append_mutex);
  impl_->apply_memory_limit(bytes);
}

std::uint64_t MessageLog::default_memory_limit() noexcept {
  // A quarter of physical memory. The log is not all a capture needs: the
  // system and the programs being watched need theirs, and the GUI's views,
  // a save or an export and assembled messages need memory besides the log.
  // Three quarters left to them means that a flood meets the limit and a
  // clear warning, not swapping or the system's out-of-memory killer; and a
  // quarter of a machine of 8-32 GiB is 2-8 GiB, tens of millions of
  // messages, more than anyone reads in a view. The limit is also kept
  // within a quarter of the address space, which matters to a 32-bit build.
  static const std::uint64_t limit = [] {
    constexpr std::uint64_t kWhenUnknown = std::uint64_t{1} << 30;
    const std::uint64_t physical = detail::physical_memory_bytes();
    const std::uint64_t quarter = physical == 0 ? kWhenUnknown : physical / 4;
    return std::min<std::uint64_t>(quarter, std::numeric_limits<std::size_t>::max() / 4);
  }();
  return limit;
}

std::uint64_t MessageLog::truncated_records() const noexcept {
  return impl_->truncated_records.load(std::memory_order_relaxed);
}

std::uint64_t MessageLog::dropped_records() const noexcept {
  return impl_->dropped_records.load(std::memory_order_relaxed);
}

std::uint64_t MessageLog::dropped_bytes() const noexcept {
  return impl_->dropped_bytes.load(std::memory_order_relaxed);
}

Error MessageLog::full_warning() const {
  const std::lock_guard lock(impl_->append_mutex);
  const Impl& impl = *impl_;
  const std::string cause =
      impl.full_reason == detail::FullReason::limit
          ? fmt::format("reached its memory limit of {}", detail::format_byte_size(impl.memory_limit))
          : fmt::format("could not get more memory from the system with {} held, below its limit of {}",
                        detail::format_byte_size(impl.contents.memory_bytes()), detail::format_byte_size(impl.memory_limit));
  return make_error(
      Errc::log_full, "message log",
      // Error::summary() puts the operation before the detail, so the
      // detail reads on from "message log".
      fmt::format("{}; from row {} on, payload bytes are counted but not kept: records keep their time, "
                  "endpoint, direction and real length and are flagged truncated, and once the records alone "
                  "fill the limit, further records are only counted. The engine's byte and message counters "
                  "stay exact. Raise the limit with --log-memory-limit (pipescope-cli) or File > Log memory "
                  "limit (GUI), or save and clear the log",
                  cause, impl.full_from_row + 1));
}

}  // namespace pipescope
