// LogReader: walks rows of a MessageLog under its read lock, one batch of
// rows per lock, the way saving and exporting do (MessageLog::Impl::walk_rows).
#include "pipescope/log_reader.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <stdexcept>
#include <string>

#include "log_store.hpp"

namespace pipescope {

std::uint64_t LogReader::row_count() const noexcept { return log_->size(); }

LogReader::Snapshot LogReader::snapshot() const {
  const auto& impl = detail::MessageLogAccess::impl(*log_);
  std::shared_lock lock(impl.mutex);
  return Snapshot{impl.published_rows(), impl.generation};
}

LogReader::WalkEnd LogReader::walk(const Snapshot& at, std::uint64_t first, std::uint64_t last,
                                   const Visitor& visit) const {
  const auto& impl = detail::MessageLogAccess::impl(*log_);
  const std::uint64_t end = std::min(last, at.rows);
  for (std::uint64_t batch = first; batch < end; batch += kRowsPerLock) {
    const std::uint64_t batch_end = std::min(end, batch + kRowsPerLock);
    std::shared_lock lock(impl.mutex);
    if (impl.generation != at.generation) return WalkEnd::replaced;
    const detail::LogContents& contents = impl.contents;
    for (std::uint64_t row = batch; row < batch_end; ++row) {
      const Record record = contents.records[row];
      const auto found = contents.endpoints.find(record.endpoint);
      const MessageLog::RowView view{row, record, contents.payload(record),
                                     found == contents.endpoints.end() ? nullptr : &found->second};
      if (!visit(view)) return WalkEnd::stopped;
    }
  }
  return WalkEnd::finished;
}

Result<void> LogReader::copy_rows(const Snapshot& at, std::span<const std::uint64_t> rows, MessageLog& into) const {
  for (const EndpointInfo& info : log_->endpoints()) into.register_endpoint(info);
  try {
    copy_batches(at, rows, into);
  } catch (const std::bad_alloc&) {
    return make_error(Errc::not_enough_memory, "copy log rows", std::to_string(rows.size()) + " rows");
  } catch (const std::length_error&) {
    return make_error(Errc::not_enough_memory, "copy log rows", std::to_string(rows.size()) + " rows");
  }
  if (snapshot().generation != at.generation) {
    return make_error(Errc::bad_input, "copy log rows", "the log was cleared or loaded meanwhile");
  }
  return {};
}

void LogReader::copy_batches(const Snapshot& at, std::span<const std::uint64_t> rows, MessageLog& into) const {
  auto& target = detail::MessageLogAccess::impl(into);
  const auto& source = detail::MessageLogAccess::impl(*log_);
  for (std::size_t first = 0; first < rows.size(); first += kRowsPerLock) {
    const std::size_t last = std::min(rows.size(), first + static_cast<std::size_t>(kRowsPerLock));
    std::shared_lock reading(source.mutex);
    if (source.generation != at.generation) return;
    const std::lock_guard appending(target.append_mutex);
    for (std::size_t i = first; i < last; ++i) {
      if (rows[i] >= at.rows) break;
      const Record record = source.contents.records[rows[i]];
      if ((record.flags & record_flags::truncated) != 0) {
        // As the loader keeps them: the length without the bytes.
        target.contents.append_unkept(record.endpoint, record.direction, record.length,
                                      static_cast<std::uint8_t>(record.flags & ~record_flags::truncated),
                                      record.time_ns, nullptr);
      } else {
        target.contents.append(record.endpoint, record.direction, source.contents.payload(record), record.flags,
                               record.time_ns);
      }
    }
    target.publish_counters();
    target.publish_limit_counters();
  }
}

}  // namespace pipescope
