// The one table of export formats.
#include "export_formats.hpp"

#include <array>

#include "pipescope/export.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope {

namespace {

Result<void> export_jsonl(const MessageLog& log, std::ostream& out) { return log.save_jsonl(out); }

constexpr std::array<ExportFormat, 3> kFormats{{
    {"text", "Text", "txt", "One line per record: time, endpoint, direction, length, flags, payload with C escapes.",
     &detail::export_text},
    {"hexdump", "Hex dump", "txt", "A header line and a hex dump per record.", &detail::export_hexdump},
    {"jsonl", "JSON lines", "jsonl",
     "The log's own file format: every endpoint and record, lossless; Open log reads it back.", &export_jsonl},
}};

}  // namespace

std::span<const ExportFormat> export_formats() noexcept { return kFormats; }

const ExportFormat* find_export_format(std::string_view id) noexcept {
  for (const ExportFormat& format : kFormats) {
    if (same_word(format.id, id)) return &format;
  }
  return nullptr;
}

}  // namespace pipescope
