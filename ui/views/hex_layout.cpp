#include "views/hex_layout.hpp"

#include <algorithm>

namespace pipescope::ui {

namespace {
// Two spaces after the offset and before the ASCII column, as classic dumps do.
constexpr int kGap = 2;
}  // namespace

HexLayout::HexLayout(std::size_t bytesPerRow, std::size_t groupSize) noexcept
    : bytesPerRow_(std::max<std::size_t>(1, bytesPerRow)), groupSize_(groupSize) {}

std::uint64_t HexLayout::rowCount(std::uint64_t size) const noexcept {
  return (size + bytesPerRow_ - 1) / bytesPerRow_;
}

std::size_t HexLayout::bytesOnRow(std::uint64_t row, std::uint64_t size) const noexcept {
  const std::uint64_t start = row * bytesPerRow_;
  if (start >= size) {
    return 0;
  }
  return static_cast<std::size_t>(std::min<std::uint64_t>(bytesPerRow_, size - start));
}

int HexLayout::offsetDigits(std::uint64_t size) noexcept { return size > 0xFFFF'FFFFULL ? 16 : 8; }

int HexLayout::hexCharOf(std::size_t column, std::uint64_t size) const noexcept {
  const int groupGaps = groupSize_ == 0 ? 0 : static_cast<int>(column / groupSize_);
  return offsetDigits(size) + kGap + static_cast<int>(column) * 3 + groupGaps;
}

int HexLayout::hexWidth() const noexcept {
  // Each byte takes "hh "; a gap after each full group except the last.
  const int groups = groupSize_ == 0 ? 0 : static_cast<int>((bytesPerRow_ - 1) / groupSize_);
  return static_cast<int>(bytesPerRow_) * 3 + groups;
}

int HexLayout::asciiStart(std::uint64_t size) const noexcept {
  return offsetDigits(size) + kGap + hexWidth() + kGap - 1;
}

int HexLayout::lineChars(std::uint64_t size) const noexcept {
  return asciiStart(size) + 1 + static_cast<int>(bytesPerRow_) + 1;
}

std::optional<std::uint64_t> HexLayout::hitTest(std::uint64_t row, int charX, std::uint64_t size) const noexcept {
  const std::size_t onRow = bytesOnRow(row, size);
  for (std::size_t column = 0; column < onRow; ++column) {
    const int hex = hexCharOf(column, size);
    if (charX == hex || charX == hex + 1 || charX == asciiCharOf(column, size)) {
      return offsetAt(row, column);
    }
  }
  return std::nullopt;
}

HexLayout::RowRange HexLayout::visibleRows(std::uint64_t firstRow, std::uint64_t visibleRows,
                                           std::uint64_t size) const noexcept {
  const std::uint64_t rows = rowCount(size);
  const std::uint64_t first = std::min(firstRow, rows);
  return {first, first + std::min(visibleRows, rows - first)};
}

}  // namespace pipescope::ui
