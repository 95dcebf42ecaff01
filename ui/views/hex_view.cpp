#include "views/hex_view.hpp"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>

namespace pipescope::ui {

namespace {
constexpr int kMargin = 4;

QChar hexDigit(int value) { return QLatin1Char("0123456789abcdef"[value & 0xF]); }
}  // namespace

HexView::HexView(QWidget* parent) : QAbstractScrollArea(parent) {
  setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  viewport()->setBackgroundRole(QPalette::Base);
  viewport()->setAutoFillBackground(true);
  updateScrollBars();
}

void HexView::setData(const QByteArray& data) {
  data_ = data;
  selected_.reset();
  verticalScrollBar()->setValue(0);
  horizontalScrollBar()->setValue(0);
  updateScrollBars();
  viewport()->update();
}

void HexView::selectOffset(std::uint64_t offset) {
  if (offset >= static_cast<std::uint64_t>(data_.size())) {
    return;
  }
  selected_ = offset;
  const auto row = static_cast<int>(layout_.rowOf(offset));
  QScrollBar* bar = verticalScrollBar();
  const int pageRows = std::max(1, viewport()->height() / lineHeight());
  if (row < bar->value()) {
    bar->setValue(row);
  } else if (row >= bar->value() + pageRows) {
    bar->setValue(row - pageRows + 1);
  }
  viewport()->update();
  emit byteSelected(offset);
}

QSize HexView::sizeHint() const {
  return {layout_.lineChars(static_cast<std::uint64_t>(data_.size())) * charWidth() + 2 * kMargin +
              verticalScrollBar()->sizeHint().width(),
          lineHeight() * 12};
}

int HexView::lineHeight() const { return fontMetrics().height(); }

int HexView::charWidth() const { return std::max(1, fontMetrics().horizontalAdvance(QLatin1Char('0'))); }

void HexView::updateScrollBars() {
  const auto size = static_cast<std::uint64_t>(data_.size());
  const auto rows = static_cast<int>(std::min<std::uint64_t>(layout_.rowCount(size), 0x7FFF'FFFF));
  const int pageRows = std::max(1, viewport()->height() / lineHeight());
  verticalScrollBar()->setRange(0, std::max(0, rows - pageRows));
  verticalScrollBar()->setPageStep(pageRows);
  verticalScrollBar()->setSingleStep(1);
  const int width = layout_.lineChars(size) * charWidth() + 2 * kMargin;
  horizontalScrollBar()->setRange(0, std::max(0, width - viewport()->width()));
  horizontalScrollBar()->setPageStep(viewport()->width());
  horizontalScrollBar()->setSingleStep(charWidth());
}

void HexView::resizeEvent(QResizeEvent* event) {
  QAbstractScrollArea::resizeEvent(event);
  updateScrollBars();
}

void HexView::changeEvent(QEvent* event) {
  QAbstractScrollArea::changeEvent(event);
  if (event->type() == QEvent::FontChange) {
    updateScrollBars();
  }
}

void HexView::mousePressEvent(QMouseEvent* event) {
  const auto size = static_cast<std::uint64_t>(data_.size());
  const int x = event->position().toPoint().x() + horizontalScrollBar()->value() - kMargin;
  const int y = event->position().toPoint().y() - kMargin;
  if (x < 0 || y < 0) {
    return;
  }
  const std::uint64_t row = static_cast<std::uint64_t>(verticalScrollBar()->value()) +
                            static_cast<std::uint64_t>(y / lineHeight());
  if (const auto offset = layout_.hitTest(row, x / charWidth(), size)) {
    selectOffset(*offset);
  }
}

void HexView::paintEvent(QPaintEvent*) {
  QPainter painter(viewport());
  const auto size = static_cast<std::uint64_t>(data_.size());
  const int line = lineHeight();
  const int cw = charWidth();
  const int ascent = fontMetrics().ascent();
  const int xOrigin = kMargin - horizontalScrollBar()->value();
  const auto pageRows = static_cast<std::uint64_t>(viewport()->height() / line + 1);
  const HexLayout::RowRange range =
      layout_.visibleRows(static_cast<std::uint64_t>(verticalScrollBar()->value()), pageRows, size);
  rowsPainted_ = range.last - range.first;
  const QPalette& pal = palette();
  const QColor offsetColor = pal.color(QPalette::Disabled, QPalette::Text);
  const QColor textColor = pal.color(QPalette::Text);
  const QColor controlColor = pal.color(QPalette::Disabled, QPalette::Text);
  const int digits = HexLayout::offsetDigits(size);
  // Alternate byte groups get a faint band, so columns are easy to follow.
  QColor band = pal.color(QPalette::AlternateBase);

  for (std::uint64_t row = range.first; row < range.last; ++row) {
    const int y = kMargin + static_cast<int>(row - range.first) * line;
    const int baseline = y + ascent;
    const std::uint64_t rowStart = layout_.offsetAt(row, 0);
    painter.setPen(offsetColor);
    painter.drawText(xOrigin, baseline, QStringLiteral("%1").arg(rowStart, digits, 16, QLatin1Char('0')));
    const std::size_t count = layout_.bytesOnRow(row, size);
    for (std::size_t column = 0; column < count; ++column) {
      const std::uint64_t offset = rowStart + column;
      const auto byte = static_cast<unsigned char>(data_.at(static_cast<qsizetype>(offset)));
      const int hexX = xOrigin + layout_.hexCharOf(column, size) * cw;
      const int asciiX = xOrigin + layout_.asciiCharOf(column, size) * cw;
      if (layout_.groupSize() != 0 && (column / layout_.groupSize()) % 2 == 1) {
        painter.fillRect(hexX - cw / 2, y, cw * 3, line, band);
      }
      if (selected_ && *selected_ == offset) {
        painter.fillRect(hexX, y, cw * 2, line, pal.color(QPalette::Highlight));
        painter.fillRect(asciiX, y, cw, line, pal.color(QPalette::Highlight));
        painter.setPen(pal.color(QPalette::HighlightedText));
      } else {
        painter.setPen(textColor);
      }
      painter.drawText(hexX, baseline, QString(hexDigit(byte >> 4)) + hexDigit(byte));
      const bool printable = byte >= 0x20 && byte < 0x7F;
      if (!(selected_ && *selected_ == offset)) {
        painter.setPen(printable ? textColor : controlColor);
      }
      painter.drawText(asciiX, baseline, printable ? QString(QLatin1Char(static_cast<char>(byte))) : QStringLiteral("."));
    }
    painter.setPen(offsetColor);
    painter.drawText(xOrigin + layout_.asciiStart(size) * cw, baseline, QStringLiteral("|"));
    painter.drawText(xOrigin + (layout_.asciiStart(size) + 1 + static_cast<int>(count)) * cw, baseline,
                     QStringLiteral("|"));
  }
}

}  // namespace pipescope::ui
