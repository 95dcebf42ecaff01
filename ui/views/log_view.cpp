#include "views/log_view.hpp"

#include <QHeaderView>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>

namespace pipescope::ui {

LogView::LogView(QWidget* parent) : QAbstractItemView(parent), header_(new QHeaderView(Qt::Horizontal, this)) {
  // Fixed row heights: never resized to their contents on a live table.
  rowHeight_ = fontMetrics().height() + 6;
  setSelectionBehavior(SelectRows);
  setVerticalScrollMode(ScrollPerItem);
  setHorizontalScrollMode(ScrollPerPixel);
  setAlternatingRowColors(true);
  header_->setHighlightSections(false);
  header_->setStretchLastSection(true);
  header_->setSectionsClickable(false);
  header_->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  header_->setFocusPolicy(Qt::NoFocus);
  connect(header_, &QHeaderView::sectionResized, this, [this] {
    updateGeometries();
    viewport()->update();
  });
}

void LogView::setModel(QAbstractItemModel* model) {
  QObject::disconnect(rowsRemoved_);
  QAbstractItemView::setModel(model);
  header_->setModel(model);
  if (model != nullptr) {
    // QAbstractItemView has no overridable hook after rows are removed
    // (the filter does that); the scroll range follows here.
    rowsRemoved_ = connect(model, &QAbstractItemModel::rowsRemoved, this, [this] {
      updateGeometries();
      viewport()->update();
    });
  }
  updateGeometries();
}

void LogView::setColumnWidth(int column, int width) { header_->resizeSection(column, width); }

int LogView::columnWidth(int column) const { return header_->sectionSize(column); }

int LogView::rowCount() const { return model() == nullptr ? 0 : model()->rowCount(rootIndex()); }

int LogView::columnCount() const { return model() == nullptr ? 0 : model()->columnCount(rootIndex()); }

int LogView::lastColumn() const { return std::max(0, columnCount() - 1); }

int LogView::firstVisibleRow() const { return verticalScrollBar()->value(); }

int LogView::fullyVisibleRows() const { return std::max(1, viewport()->height() / rowHeight_); }

int LogView::rowAtY(int y) const {
  // Rounded down also above the viewport: a drag that began on a row that
  // has since scrolled away gives a negative y.
  const int rows = y >= 0 ? y / rowHeight_ : -((-y + rowHeight_ - 1) / rowHeight_);
  return firstVisibleRow() + rows;
}

QRect LogView::visualRect(const QModelIndex& index) const {
  if (!index.isValid() || index.parent() != rootIndex()) return {};
  const int y = (index.row() - firstVisibleRow()) * rowHeight_;
  return {header_->sectionViewportPosition(index.column()), y, header_->sectionSize(index.column()), rowHeight_};
}

void LogView::scrollTo(const QModelIndex& index, ScrollHint hint) {
  if (!index.isValid()) return;
  const int row = index.row();
  const int first = firstVisibleRow();
  const int rows = fullyVisibleRows();
  int top = first;
  switch (hint) {
    case PositionAtTop: top = row; break;
    case PositionAtBottom: top = row - rows + 1; break;
    case PositionAtCenter: top = row - rows / 2; break;
    case EnsureVisible:
      if (row < first) {
        top = row;
      } else if (row >= first + rows) {
        top = row - rows + 1;
      }
      break;
  }
  verticalScrollBar()->setValue(top);
  // The column too, when the columns are wider than the viewport.
  const int left = header_->sectionPosition(index.column());
  const int right = left + header_->sectionSize(index.column());
  QScrollBar* bar = horizontalScrollBar();
  if (left < bar->value()) {
    bar->setValue(left);
  } else if (right > bar->value() + viewport()->width()) {
    bar->setValue(std::min(left, right - viewport()->width()));
  }
}

QModelIndex LogView::indexAt(const QPoint& point) const {
  if (model() == nullptr || point.y() < 0) return {};
  const int row = firstVisibleRow() + point.y() / rowHeight_;
  const int column = header_->logicalIndexAt(point.x());
  if (row >= rowCount() || column < 0) return {};
  return model()->index(row, column, rootIndex());
}

QModelIndex LogView::moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers /*modifiers*/) {
  const int rows = rowCount();
  if (rows == 0) return {};
  const QModelIndex current = currentIndex();
  int row = current.isValid() ? current.row() : 0;
  const int column = current.isValid() ? current.column() : 0;
  switch (cursorAction) {
    case MoveUp: --row; break;
    case MoveDown: ++row; break;
    case MovePageUp: row -= fullyVisibleRows(); break;
    case MovePageDown: row += fullyVisibleRows(); break;
    case MoveHome: row = 0; break;
    case MoveEnd: row = rows - 1; break;
    // Whole rows are selected; left and right keep the row.
    case MoveLeft:
    case MoveRight:
    case MoveNext:
    case MovePrevious: break;
  }
  return model()->index(std::clamp(row, 0, rows - 1), column, rootIndex());
}

int LogView::horizontalOffset() const { return horizontalScrollBar()->value(); }

int LogView::verticalOffset() const { return firstVisibleRow() * rowHeight_; }

bool LogView::isIndexHidden(const QModelIndex& /*index*/) const { return false; }

void LogView::setSelection(const QRect& rect, QItemSelectionModel::SelectionFlags command) {
  const int rows = rowCount();
  if (rows == 0 || selectionModel() == nullptr) return;
  const QRect normal = rect.normalized();
  const int top = std::clamp(rowAtY(normal.top()), 0, rows - 1);
  const int bottom = std::clamp(rowAtY(normal.bottom()), 0, rows - 1);
  const QItemSelection selection(model()->index(top, 0, rootIndex()), model()->index(bottom, lastColumn(), rootIndex()));
  selectionModel()->select(selection, command);
}

QRegion LogView::visualRegionForSelection(const QItemSelection& selection) const {
  const int first = firstVisibleRow();
  const int last = first + fullyVisibleRows();
  QRegion region;
  for (const QItemSelectionRange& range : selection) {
    const int top = std::max(range.top(), first);
    const int bottom = std::min(range.bottom(), last);
    if (top > bottom) continue;
    region += QRect(0, (top - first) * rowHeight_, viewport()->width(), (bottom - top + 1) * rowHeight_);
  }
  return region;
}

void LogView::paintEvent(QPaintEvent* event) {
  if (model() == nullptr) return;
  QPainter painter(viewport());
  const int rows = rowCount();
  const int columns = columnCount();
  const int first = firstVisibleRow();
  const QRect area = event->rect();
  const int from = first + std::max(0, area.top()) / rowHeight_;
  const int to = std::min(rows - 1, first + area.bottom() / rowHeight_);
  const QModelIndex current = currentIndex();
  QStyleOptionViewItem option;
  initViewItemOption(&option);
  const bool focus = hasFocus() && current.isValid();
  for (int row = from; row <= to; ++row) {
    const int y = (row - first) * rowHeight_;
    const QRect line(0, y, viewport()->width(), rowHeight_);
    const bool alternate = alternatingRowColors() && (row & 1) != 0;
    painter.fillRect(line, palette().brush(alternate ? QPalette::AlternateBase : QPalette::Base));
    const bool rowSelected = selectionModel() != nullptr &&
                             selectionModel()->isRowSelected(row, rootIndex());
    for (int column = 0; column < columns; ++column) {
      const QModelIndex index = model()->index(row, column, rootIndex());
      option.rect = QRect(header_->sectionViewportPosition(column), y, header_->sectionSize(column), rowHeight_);
      if (!option.rect.intersects(area)) continue;
      option.state = QStyle::State_Enabled;
      if (rowSelected) option.state |= QStyle::State_Selected;
      if (focus && row == current.row()) option.state |= QStyle::State_HasFocus;
      if (alternate) {
        option.features |= QStyleOptionViewItem::Alternate;
      } else {
        option.features &= ~QStyleOptionViewItem::Alternate;
      }
      itemDelegateForIndex(index)->paint(&painter, option, index);
    }
  }
}

void LogView::updateGeometries() {
  const int headerHeight = header_->sizeHint().height();
  setViewportMargins(0, headerHeight, 0, 0);
  const QRect vg = viewport()->geometry();
  header_->setGeometry(vg.left(), vg.top() - headerHeight, vg.width(), headerHeight);

  // Scrolled by whole rows: the bar's range is the rows that can be at the
  // top, so it never needs more than the row count.
  const int rows = rowCount();
  const int visible = fullyVisibleRows();
  QScrollBar* vertical = verticalScrollBar();
  vertical->setSingleStep(1);
  vertical->setPageStep(visible);
  vertical->setRange(0, std::max(0, rows - visible));

  QScrollBar* horizontal = horizontalScrollBar();
  horizontal->setSingleStep(std::max(1, rowHeight_));
  horizontal->setPageStep(vg.width());
  horizontal->setRange(0, std::max(0, header_->length() - vg.width()));
  header_->setOffset(horizontal->value());

  QAbstractItemView::updateGeometries();
}

void LogView::scrollContentsBy(int dx, int /*dy*/) {
  if (dx != 0) header_->setOffset(horizontalScrollBar()->value());
  // Only the visible rows are painted again, whatever the distance.
  viewport()->update();
}

void LogView::rowsInserted(const QModelIndex& parent, int start, int end) {
  QAbstractItemView::rowsInserted(parent, start, end);
  if (parent != rootIndex()) return;
  updateGeometries();
  // Repaint only if the new rows can be seen.
  if (start <= firstVisibleRow() + fullyVisibleRows()) viewport()->update();
}

void LogView::rowsAboutToBeRemoved(const QModelIndex& parent, int start, int end) {
  QAbstractItemView::rowsAboutToBeRemoved(parent, start, end);
  viewport()->update();
}

void LogView::reset() {
  QAbstractItemView::reset();
  updateGeometries();
  viewport()->update();
}

}  // namespace pipescope::ui
