#include "query/evaluate_rows.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace pipescope::detail {

namespace {

/// A message whose last part has not been walked yet.
struct OpenMessage {
  struct Part {
    std::uint64_t row = 0;
    bool record_matches = false;  ///< the conditions other than the pattern
    std::size_t offset = 0;       ///< into bytes
    std::size_t size = 0;
  };
  std::vector<Part> parts;
  std::vector<std::byte> bytes;
  std::int64_t latest_ns = 0;
};

using MessageKey = std::pair<EndpointId, Direction>;

/// Evaluates rows in order, putting messages together; collects the rows
/// that match, in any order (sorted at the end).
class WholeMessages {
 public:
  explicit WholeMessages(const LogFilter& filter) : filter_(filter) {}

  void add(const MessageLog::RowView& row) {
    const Record& record = row.record;
    const MessageKey key{record.endpoint, record.direction};
    const bool more = (record.flags & record_flags::more_data) != 0;
    give_up_old(row.row, record.time_ns);
    auto open = open_.find(key);
    if (open == open_.end() && !more) {
      if (filter_.matches(record, row.payload)) found_.push_back(row.row);
      return;
    }
    if (open == open_.end()) open = open_.emplace(key, OpenMessage{}).first;
    OpenMessage& message = open->second;
    message.parts.push_back({row.row, filter_.matches_record(record), message.bytes.size(), row.payload.size()});
    message.bytes.insert(message.bytes.end(), row.payload.begin(), row.payload.end());
    message.latest_ns = record.time_ns;
    if (!more) {
      const bool whole_matches = filter_.matches_payload(message.bytes);
      for (const OpenMessage::Part& part : message.parts) {
        if (whole_matches && part.record_matches) found_.push_back(part.row);
      }
      open_.erase(open);
    }
  }

  /// Decides what is still open: all of it (settle), or what is old now.
  void finish(bool settle, std::int64_t now) {
    for (auto it = open_.begin(); it != open_.end();) {
      if (settle || now - it->second.latest_ns > kHoldNs) {
        decide_part_by_part(it->second);
        it = open_.erase(it);
      } else {
        ++it;
      }
    }
  }

  /// The first row of a message still open, or `end` if none is.
  [[nodiscard]] std::uint64_t decided_to(std::uint64_t end) const {
    for (const auto& [key, message] : open_) end = std::min(end, message.parts.front().row);
    return end;
  }

  /// The matches of decided rows, ascending.
  std::vector<std::uint64_t> take_found(std::uint64_t decided_to) {
    std::erase_if(found_, [decided_to](std::uint64_t row) { return row >= decided_to; });
    std::sort(found_.begin(), found_.end());
    return std::move(found_);
  }

 private:
  void decide_part_by_part(const OpenMessage& message) {
    for (const OpenMessage::Part& part : message.parts) {
      const std::span<const std::byte> payload(message.bytes.data() + part.offset, part.size);
      if (part.record_matches && filter_.matches_payload(payload)) found_.push_back(part.row);
    }
  }

  // A message that rows or time have long passed is not waited for.
  void give_up_old(std::uint64_t row, std::int64_t time_ns) {
    for (auto it = open_.begin(); it != open_.end();) {
      const OpenMessage& message = it->second;
      if (row - message.parts.front().row >= kHoldRows || time_ns - message.latest_ns > kHoldNs) {
        decide_part_by_part(message);
        it = open_.erase(it);
      } else {
        ++it;
      }
    }
  }

  const LogFilter& filter_;
  std::map<MessageKey, OpenMessage> open_;
  std::vector<std::uint64_t> found_;
};

}  // namespace

Evaluated evaluate_rows(const LogReader& reader, const LogReader::Snapshot& at, const LogFilter& filter,
                        std::uint64_t first, std::uint64_t last, std::vector<std::uint64_t>& matches,
                        const std::atomic<bool>* cancelled, bool settle) {
  Evaluated result;
  const auto stop = [cancelled] { return cancelled != nullptr && cancelled->load(std::memory_order_relaxed); };
  if (!filter.tests_payloads()) {
    // No pattern: every record is decided alone.
    result.end = reader.walk(at, first, last, [&](const MessageLog::RowView& row) {
      if (stop()) return false;
      if (filter.matches(row.record, row.payload)) matches.push_back(row.row);
      return true;
    });
    result.decided_to = last;
    return result;
  }
  WholeMessages messages(filter);
  result.end = reader.walk(at, first, last, [&](const MessageLog::RowView& row) {
    if (stop()) return false;
    messages.add(row);
    return true;
  });
  if (result.end != LogReader::WalkEnd::finished) {
    result.decided_to = first;
    return result;
  }
  messages.finish(settle, MessageLog::now_ns());
  result.decided_to = std::max(first, messages.decided_to(last));
  const std::vector<std::uint64_t> found = messages.take_found(result.decided_to);
  matches.insert(matches.end(), found.begin(), found.end());
  return result;
}

}  // namespace pipescope::detail
