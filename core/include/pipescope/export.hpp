// The formats a message log can be exported in, in one table that the
// console tool and the GUI both list. Each format is one file in
// core/src/export/; adding one (pcapng, CSV) is a new file and a row in
// export_formats.cpp.
#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

#include "pipescope/error.hpp"
#include "pipescope/log.hpp"

namespace pipescope {

struct ExportFormat {
  std::string_view id;           ///< "text": what is typed and saved in settings
  std::string_view label;        ///< "Text": what the GUI's menu shows (English; the GUI translates it)
  std::string_view extension;    ///< "txt", without the dot
  std::string_view description;  ///< one sentence: what a file of this format holds
  Result<void> (*write)(const MessageLog& log, std::ostream& out);
};

/// Every format, in the order they are offered.
[[nodiscard]] std::span<const ExportFormat> export_formats() noexcept;
/// The format with that id (any letter case); nullptr for none.
[[nodiscard]] const ExportFormat* find_export_format(std::string_view id) noexcept;

}  // namespace pipescope
