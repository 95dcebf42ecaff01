// The geometry of a hex dump, in character cells, without any widget (the
// Okteta lesson): which byte is at which row and column, and where each
// byte's hex pair and ASCII character sit on a line such as
//
//   00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |Hello world.|
//
// Offsets are in bytes from the start of the data; rows and columns count
// from 0; character positions count from the start of a line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace pipescope::ui {

class HexLayout {
 public:
  /// `bytesPerRow` is at least 1; a gap of one extra space follows every
  /// `groupSize` bytes in the hex column (0: no gaps).
  explicit HexLayout(std::size_t bytesPerRow = 16, std::size_t groupSize = 8) noexcept;

  [[nodiscard]] std::size_t bytesPerRow() const noexcept { return bytesPerRow_; }
  [[nodiscard]] std::size_t groupSize() const noexcept { return groupSize_; }

  /// Rows needed for `size` bytes (0 for no bytes).
  [[nodiscard]] std::uint64_t rowCount(std::uint64_t size) const noexcept;
  [[nodiscard]] std::uint64_t rowOf(std::uint64_t offset) const noexcept { return offset / bytesPerRow_; }
  [[nodiscard]] std::size_t columnOf(std::uint64_t offset) const noexcept {
    return static_cast<std::size_t>(offset % bytesPerRow_);
  }
  [[nodiscard]] std::uint64_t offsetAt(std::uint64_t row, std::size_t column) const noexcept {
    return row * bytesPerRow_ + column;
  }
  /// Bytes on `row` of data `size` bytes long (the last row may be short).
  [[nodiscard]] std::size_t bytesOnRow(std::uint64_t row, std::uint64_t size) const noexcept;

  /// Hex digits of the offset column: 8, or 16 once offsets pass 4 GiB.
  [[nodiscard]] static int offsetDigits(std::uint64_t size) noexcept;
  /// Where the hex pair of `column` starts.
  [[nodiscard]] int hexCharOf(std::size_t column, std::uint64_t size) const noexcept;
  /// Where the ASCII column ('|') starts, and the character of `column` in it.
  [[nodiscard]] int asciiStart(std::uint64_t size) const noexcept;
  [[nodiscard]] int asciiCharOf(std::size_t column, std::uint64_t size) const noexcept {
    return asciiStart(size) + 1 + static_cast<int>(column);
  }
  /// Characters in one full line, the closing '|' included.
  [[nodiscard]] int lineChars(std::uint64_t size) const noexcept;

  /// The byte whose hex pair or ASCII character covers character `charX`
  /// of `row`, if any.
  [[nodiscard]] std::optional<std::uint64_t> hitTest(std::uint64_t row, int charX, std::uint64_t size) const noexcept;

  /// The rows a viewport shows: from `firstRow`, at most `visibleRows`, never
  /// past the end. Returns [first, last) as a pair.
  struct RowRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
  };
  [[nodiscard]] RowRange visibleRows(std::uint64_t firstRow, std::uint64_t visibleRows,
                                     std::uint64_t size) const noexcept;

 private:
  [[nodiscard]] int hexWidth() const noexcept;
  std::size_t bytesPerRow_;
  std::size_t groupSize_;
};

}  // namespace pipescope::ui
