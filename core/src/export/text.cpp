// Text: one line per record: time, endpoint, direction, length, flags and
// the payload with C escapes (lossless), separated by tabs.
#include <iterator>

#include <fmt/format.h>

#include "export_common.hpp"
#include "export_formats.hpp"
#include "pipescope/codec.hpp"

namespace pipescope::detail {

Result<void> export_text(const MessageLog& log, std::ostream& out) {
  return log.write_rows("export text", out, [](const MessageLog::RowView& row, std::string& batch) {
    const std::string flags = flags_to_string(row.record.flags);
    fmt::format_to(std::back_inserter(batch), "{}\t{}\t{}\t{}\t{}\t{}\n", format_export_time(row.record.time_ns),
                   export_label(row), to_string(row.record.direction), row.record.length, flags.empty() ? "-" : flags,
                   format_escaped(row.payload));
    return true;
  });
}

}  // namespace pipescope::detail
