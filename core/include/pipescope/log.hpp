// The message log: every byte that crossed a pipe, in order. It is the single
// source of truth for the UI and the console tool.
//
// Append-only: one arena of payload bytes (chunks that never move, so a
// payload span stays valid until clear()) and a compact index of 32-byte
// records. Thread-safe: engine threads append while the GUI thread reads.
//
// Memory limit: until the log can spill to disk, it holds at most
// memory_limit() bytes of payloads and records (a quarter of physical memory
// unless set otherwise). When the next payload would not fit, the log stops
// keeping payloads: from that record on, every record is still appended with
// its time, endpoint, direction and real length, but without its bytes, and
// is flagged truncated. Once even the records alone fill the limit, further
// records are only counted (dropped_records()). Running out of memory below
// the limit is met the same way: an append never throws for want of memory.
#pragma once

#include <cstddef>
#include <string_view>
#include <string>
#include <functional>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"

namespace pipescope {

/// Seen from the endpoint: in = it read these bytes, out = it wrote them.
enum class Direction : std::uint8_t { in, out };

/// Flags of a record (a bit set).
namespace record_flags {
inline constexpr std::uint8_t message = 1U << 0;    ///< read or written as one message (message read mode)
inline constexpr std::uint8_t more_data = 1U << 1;  ///< not the last part of its message (ERROR_MORE_DATA)
inline constexpr std::uint8_t partial = 1U << 2;    ///< the peer vanished or the write failed part-way
inline constexpr std::uint8_t transact = 1U << 3;   ///< part of a TransactNamedPipe exchange
inline constexpr std::uint8_t stderr_stream = 1U << 4;  ///< a child's standard error (else stdout/stdin)
inline constexpr std::uint8_t responder = 1U << 5;  ///< written by the engine's echo/reverse responder
/// The log was full: the record's length is real, its bytes were not kept.
/// Set by the log itself; append() refuses it from a caller.
inline constexpr std::uint8_t truncated = 1U << 6;
}  // namespace record_flags

struct Record {
  std::int64_t time_ns = 0;   ///< system clock, nanoseconds since the Unix epoch
  std::uint64_t offset = 0;   ///< into the arena
  std::uint32_t length = 0;
  EndpointId endpoint = 0;
  Direction direction = Direction::in;
  std::uint8_t flags = 0;
};

/// What MessageLog::append_record() did with one record.
struct AppendResult {
  /// The record's row, or MessageLog::kNoRow when the full log only counted it.
  std::uint64_t row = 0;
  /// The flags as stored: the caller's, and truncated if the bytes were not kept.
  std::uint8_t flags = 0;
  /// True for the first record the log could not keep whole since it was made,
  /// cleared, loaded or given a new limit: the one moment to warn (full_warning()).
  bool became_full = false;
};

namespace detail {
struct MessageLogAccess;
}  // namespace detail

class MessageLog {
 public:
  /// The row of a record that the full log only counted.
  static constexpr std::uint64_t kNoRow = static_cast<std::uint64_t>(-1);

  MessageLog();
  ~MessageLog();
  MessageLog(const MessageLog&) = delete;
  MessageLog& operator=(const MessageLog&) = delete;

  /// Appends one record and returns its row (kNoRow if the full log only
  /// counted it). Throws std::invalid_argument for unknown flag bits or the
  /// truncated flag and std::length_error for a payload over 4 GiB; never for
  /// want of memory (see the top of this file).
  std::uint64_t append(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                       std::uint8_t flags = 0, std::int64_t time_ns = now_ns()) {
    return append_record(endpoint, direction, payload, flags, time_ns).row;
  }
  /// append(), telling also the flags stored and whether the log just became full.
  AppendResult append_record(EndpointId endpoint, Direction direction, std::span<const std::byte> payload,
                             std::uint8_t flags = 0, std::int64_t time_ns = now_ns());

  [[nodiscard]] std::uint64_t size() const noexcept;
  [[nodiscard]] Record record(std::uint64_t row) const;
  /// Valid until clear() or load_jsonl(); the arena never moves otherwise.
  [[nodiscard]] std::span<const std::byte> payload(const Record& record) const;
  /// The bytes kept of a row: none for a truncated record or for kNoRow (a
  /// record the full log only counted), so that a Data event's row can
  /// always be asked for its bytes.
  [[nodiscard]] std::span<const std::byte> payload(std::uint64_t row) const {
    if (row == kNoRow) return {};
    return payload(record(row));
  }
  /// The whole message that starts at `first_row`: the payloads of the same
  /// endpoint and direction joined up to the first record without more_data.
  [[nodiscard]] std::vector<std::byte> assemble_message(std::uint64_t first_row) const;

  /// The real payload length of every record in the log, kept or truncated.
  [[nodiscard]] std::uint64_t payload_bytes() const noexcept;
  /// Memory the log holds (arena and index, including reserved spare room).
  [[nodiscard]] std::uint64_t memory_bytes() const noexcept;

  /// The most bytes of payloads and records (24 bytes each) the log keeps.
  /// The arena allocates in 8 MiB chunks and prepares one ahead, and the
  /// index grows in blocks of 768 KiB, so memory_bytes() may exceed the limit
  /// by about 18 MiB.
  [[nodiscard]] std::uint64_t memory_limit() const noexcept;
  /// Sets the limit. The log keeps payloads again (if they fit) and warns
  /// again when it fills; records already truncated stay so.
  void set_memory_limit(std::uint64_t bytes);
  /// A quarter of physical memory (1 GiB if the system does not say).
  [[nodiscard]] static std::uint64_t default_memory_limit() noexcept;
  /// Records kept without their bytes (flagged truncated).
  [[nodiscard]] std::uint64_t truncated_records() const noexcept;
  /// Records the full log only counted, and their payload bytes.
  [[nodiscard]] std::uint64_t dropped_records() const noexcept;
  [[nodiscard]] std::uint64_t dropped_bytes() const noexcept;
  /// The warning for a log that became full (Errc::log_full): the limit, the
  /// row from which bytes were not kept, why, and how to raise the limit.
  [[nodiscard]] Error full_warning() const;

  /// Forgets every record and endpoint; keeps the arena's memory for reuse
  /// and the memory limit.
  void clear();

  /// Endpoints named by records. The engine registers each one it creates.
  void register_endpoint(const EndpointInfo& info);
  [[nodiscard]] std::optional<EndpointInfo> endpoint(EndpointId id) const;
  [[nodiscard]] std::vector<EndpointInfo> endpoints() const;

  /// JSON lines: one {"type":"endpoint",...} per endpoint, then one
  /// {"type":"record","time_ns":...,"endpoint":...,"direction":"in","flags":[...],"hex":"..."}
  /// per record (per part of a record larger than kMaxJsonlRecordPayload).
  [[nodiscard]] Result<void> save_jsonl(std::ostream& out) const;
  /// The longest line load_jsonl() reads: 256 MiB, room for a record of
  /// 128 MiB of payload (two hex digits a byte). A longer line is refused
  /// after that many bytes were read, so a damaged or crafted file cannot
  /// make the loader hold a line of any size.
  static constexpr std::size_t kMaxJsonlLineBytes = std::size_t{256} << 20;
  /// The most payload save_jsonl() writes on one line: what fits that
  /// limit with room for the record's other fields. A larger record (one
  /// send may carry up to 4 GiB) is written as consecutive parts of at most
  /// this many bytes, every part but the last flagged more-data, the way
  /// Windows hands a reader a message larger than its buffer: loading gives
  /// every byte back, in order, and assemble_message() joins the parts.
  static constexpr std::size_t kMaxJsonlRecordPayload = (kMaxJsonlLineBytes - (std::size_t{64} << 10)) / 2;
  /// How deeply a line's arrays and objects may nest. The format itself
  /// nests two levels (a record's "flags"); the rest is room for fields a
  /// later version may add, which a reader ignores.
  static constexpr std::size_t kMaxJsonlNesting = 64;

  /// Replaces the contents with a saved log. On any error (Errc::bad_input
  /// for a bad file, with its line and column) the log is left exactly as
  /// it was. Reads through in.rdbuf().
  [[nodiscard]] Result<void> load_jsonl(std::istream& in);
  /// One row as a writer of rows sees it (write_rows).
  struct RowView {
    std::uint64_t row = 0;
    Record record;
    std::span<const std::byte> payload;  ///< empty for a truncated record
    const EndpointInfo* endpoint = nullptr;  ///< nullptr for an endpoint the log does not know
  };
  /// Appends what a row becomes to `batch`; false stops the walk.
  using RowWriter = std::function<bool(const RowView& row, std::string& batch)>;
  /// Walks every row the log has when it is called, in order, and writes
  /// what `writer` makes of each to `out`, in batches (the exporters of
  /// core/src/export/ are built on it). The log may grow meanwhile; a log
  /// cleared or loaded meanwhile ends the walk with an error, as does a
  /// stream that fails or a writer that stops. `operation` names the work in
  /// those errors. The writer runs while the log is locked for reading: it
  /// must use only the view it is given, never call the log.
  [[nodiscard]] Result<void> write_rows(std::string_view operation, std::ostream& out, const RowWriter& writer) const;

  [[nodiscard]] static std::int64_t now_ns() noexcept;

 private:
  friend struct detail::MessageLogAccess;  // the tests' way to the allocation seam
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

[[nodiscard]] std::string_view to_string(Direction d) noexcept;
/// "message|more-data" style text for a flag set ("" for none).
[[nodiscard]] std::string flags_to_string(std::uint8_t flags);

}  // namespace pipescope
