// The exporters the table of export_formats.cpp lists, one file each.
#pragma once

#include <iosfwd>

#include "pipescope/error.hpp"
#include "pipescope/log.hpp"

namespace pipescope::detail {

Result<void> export_text(const MessageLog& log, std::ostream& out);
Result<void> export_hexdump(const MessageLog& log, std::ostream& out);

}  // namespace pipescope::detail
