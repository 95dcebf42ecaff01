// A read-only hex view (offset | hex | ASCII) that paints only the rows in
// view, so a megabyte message scrolls as smoothly as a short one. All
// geometry comes from HexLayout.
#pragma once

#include <QAbstractScrollArea>
#include <QByteArray>

#include <optional>

#include "views/hex_layout.hpp"

namespace pipescope::ui {

class HexView final : public QAbstractScrollArea {
  Q_OBJECT

 public:
  explicit HexView(QWidget* parent = nullptr);

  void setData(const QByteArray& data);
  [[nodiscard]] const QByteArray& data() const noexcept { return data_; }
  [[nodiscard]] const HexLayout& layout() const noexcept { return layout_; }
  [[nodiscard]] std::optional<std::uint64_t> selectedOffset() const noexcept { return selected_; }
  void selectOffset(std::uint64_t offset);

  /// Rows painted by the last paint event (for tests: only the visible ones).
  [[nodiscard]] std::uint64_t rowsPaintedLastTime() const noexcept { return rowsPainted_; }

  [[nodiscard]] QSize sizeHint() const override;

 signals:
  void byteSelected(quint64 offset);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void changeEvent(QEvent* event) override;

 private:
  void updateScrollBars();
  [[nodiscard]] int lineHeight() const;
  [[nodiscard]] int charWidth() const;

  QByteArray data_;
  HexLayout layout_;
  std::optional<std::uint64_t> selected_;
  std::uint64_t rowsPainted_ = 0;
};

}  // namespace pipescope::ui
