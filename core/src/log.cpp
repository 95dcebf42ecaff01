// The message log: appending, reading, assembling messages, endpoints.
// Saving, loading and exporting live in log_io.cpp; what the log does once a
// record does not fit under its memory limit lives in log_limit.cpp.
#include "pipescope/log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <system_error>

#include "log_store.hpp"

namespace pipescope {

namespace detail {

LogContents& MessageLogAccess::contents(MessageLog& log) noexcept { return log.impl_->contents; }

}  // namespace detail

MessageLog::MessageLog() : impl_(std::make_unique<Impl>()) {
  impl_->apply_memory_limit(default_memory_limit());
}

MessageLog::~MessageLog() = default;

AppendResult MessageLog::append_record(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                                       std::uint8_t flags, std::int64_t time_ns) {
  detail::LogContents::check(direction, payload.size(), flags);
  const std::lock_guard lock(impl_->append_mutex);
  Impl& impl = *impl_;
  detail::FullReason reason = detail::FullReason::limit;
  // The whole cost of the limit on the common path: a flag, a sum and a
  // comparison.
  if (impl.keeping_payloads &&
      impl.contents.limited_bytes() + detail::kRecordCost + payload.size() <= impl.payload_limit) {
    try {
      AppendResult result;
      result.row = impl.contents.append_checked(endpoint, direction, payload, flags, time_ns, &impl.reserve);
      result.flags = flags;
      impl.publish_counters();
      return result;
    } catch (const std::bad_alloc&) {
      // The system (or the arena's own bounds, as length_error) refused
      // memory below the limit; append_checked() added nothing. The log
      // treats it as full rather than let the exception end the engine's
      // I/O thread, and keeps no payloads from here on, so it does not ask
      // a short system for memory again at every record.
      reason = detail::FullReason::allocation_failed;
    } catch (const std::length_error&) {
      reason = detail::FullReason::allocation_failed;
    }
  }
  return impl.append_without_payload(endpoint, direction, payload, flags, time_ns, reason);
}

std::uint64_t MessageLog::size() const noexcept { return impl_->published_rows(); }

Record MessageLog::record(std::uint64_t row) const {
  std::shared_lock lock(impl_->mutex);
  const std::uint64_t rows = impl_->published_rows();
  if (row >= rows) {
    throw std::out_of_range("message log: row " + std::to_string(row) + " is past the end (" + std::to_string(rows) +
                            " rows)");
  }
  return impl_->contents.records[row];
}

std::span<const std::byte> MessageLog::payload(const Record& record) const {
  std::shared_lock lock(impl_->mutex);
  return impl_->contents.payload(record);
}

std::vector<std::byte> MessageLog::assemble_message(std::uint64_t first_row) const {
  std::shared_lock lock(impl_->mutex);
  const detail::LogContents& contents = impl_->contents;
  const std::uint64_t rows = impl_->published_rows();
  if (first_row >= rows) {
    throw std::out_of_range("message log: row " + std::to_string(first_row) + " is past the end (" +
                            std::to_string(rows) + " rows)");
  }
  const Record first = contents.records[first_row];
  const auto first_part = contents.payload(first);
  std::vector<std::byte> message(first_part.begin(), first_part.end());
  bool more = (first.flags & record_flags::more_data) != 0;
  // Other endpoints, and this endpoint's other direction, may have records in
  // between the parts; they belong to other messages. A message whose last
  // part has not arrived yet is returned as far as it goes.
  for (std::uint64_t row = first_row + 1; more && row < rows; ++row) {
    const Record part = contents.records[row];
    if (part.endpoint != first.endpoint || part.direction != first.direction) continue;
    const auto bytes = contents.payload(part);
    message.insert(message.end(), bytes.begin(), bytes.end());
    more = (part.flags & record_flags::more_data) != 0;
  }
  return message;
}

std::uint64_t MessageLog::payload_bytes() const noexcept {
  return impl_->payload_bytes.load(std::memory_order_relaxed);
}

std::uint64_t MessageLog::memory_bytes() const noexcept {
  return impl_->memory_bytes.load(std::memory_order_relaxed);
}

void MessageLog::clear() {
  const std::lock_guard appending(impl_->append_mutex);
  std::unique_lock lock(impl_->mutex);
  impl_->contents.clear();
  ++impl_->generation;
  impl_->keeping_payloads = true;
  impl_->publish_counters();
  impl_->publish_limit_counters();
}

void MessageLog::register_endpoint(const EndpointInfo& info) {
  std::unique_lock lock(impl_->mutex);
  impl_->contents.endpoints.insert_or_assign(info.id, info);
}

std::optional<EndpointInfo> MessageLog::endpoint(EndpointId id) const {
  std::shared_lock lock(impl_->mutex);
  const auto found = impl_->contents.endpoints.find(id);
  if (found == impl_->contents.endpoints.end()) return std::nullopt;
  return found->second;
}

std::vector<EndpointInfo> MessageLog::endpoints() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<EndpointInfo> result;
  result.reserve(impl_->contents.endpoints.size());
  for (const auto& [id, info] : impl_->contents.endpoints) result.push_back(info);
  return result;
}

std::int64_t MessageLog::now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view to_string(Direction d) noexcept { return word_of(d); }

std::string flags_to_string(std::uint8_t flags) {
  std::string text;
  for (const auto& [bit, name] : detail::kRecordFlagNames) {
    if ((flags & bit) == 0) continue;
    if (!text.empty()) text += '|';
    text += name;
  }
  // Bits without a meaning cannot be in a log (append() rejects them), but a
  // caller may still pass them here; show them rather than hide them.
  if (const unsigned unknown = flags & ~detail::kKnownRecordFlags; unknown != 0) {
    static constexpr char kHexDigits[] = "0123456789abcdef";
    if (!text.empty()) text += '|';
    text += "0x";
    text += kHexDigits[unknown >> 4];
    text += kHexDigits[unknown & 0xF];
  }
  return text;
}

}  // namespace pipescope
