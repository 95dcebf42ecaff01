// Hex dump: a header line per record (number, time, endpoint, direction,
// length, flags), its classic hex dump, and a blank line.
#include <iterator>

#include <fmt/format.h>

#include "export_common.hpp"
#include "export_formats.hpp"
#include "pipescope/codec.hpp"

namespace pipescope::detail {

Result<void> export_hexdump(const MessageLog& log, std::ostream& out) {
  return log.write_rows("export hex dump", out, [](const MessageLog::RowView& row, std::string& batch) {
    const std::string flags = flags_to_string(row.record.flags);
    // Numbered from 1, as the GUI's No. column numbers the same records.
    fmt::format_to(std::back_inserter(batch), "#{}  {}  {}  {}  {} bytes  {}\n", row.row + 1,
                   format_export_time(row.record.time_ns), export_label(row), to_string(row.record.direction),
                   row.record.length, flags.empty() ? "-" : flags);
    batch += format_hex_dump(row.payload);
    if (!batch.empty() && batch.back() != '\n') batch += '\n';
    // A blank line sets each record apart from the next.
    batch += '\n';
    return true;
  });
}

}  // namespace pipescope::detail
