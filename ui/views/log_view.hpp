// The message log's view: a table whose rows all have the same height, so
// that the place of every row is arithmetic and nothing is kept per row.
//
// QTableView keeps one entry per row in its vertical header and, after every
// insertion, recomputes the position of every row before it paints: with 10
// million rows that is tens of milliseconds per frame, however few rows are
// visible (measured: 1.3 ms per million rows for a bare QTableView). This
// view does the work of the visible rows only, like the hex view: inserting
// rows only moves the scroll bar's end, and painting asks the model for the
// cells on screen. Selection, the current row, keyboard and mouse handling,
// tool tips and the cell delegate are QAbstractItemView's own.
#pragma once

#include <QAbstractItemView>

class QHeaderView;

namespace pipescope::ui {

class LogView final : public QAbstractItemView {
  Q_OBJECT

 public:
  explicit LogView(QWidget* parent = nullptr);

  void setModel(QAbstractItemModel* model) override;

  /// The column header above the rows.
  [[nodiscard]] QHeaderView* header() const noexcept { return header_; }
  void setColumnWidth(int column, int width);
  [[nodiscard]] int columnWidth(int column) const;
  /// Every row is this many pixels high (from the font, set once).
  [[nodiscard]] int rowHeight() const noexcept { return rowHeight_; }
  /// The first row shown at the top of the viewport.
  [[nodiscard]] int firstVisibleRow() const;

  [[nodiscard]] QRect visualRect(const QModelIndex& index) const override;
  void scrollTo(const QModelIndex& index, ScrollHint hint = EnsureVisible) override;
  [[nodiscard]] QModelIndex indexAt(const QPoint& point) const override;

 protected:
  QModelIndex moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers) override;
  [[nodiscard]] int horizontalOffset() const override;
  [[nodiscard]] int verticalOffset() const override;
  [[nodiscard]] bool isIndexHidden(const QModelIndex& index) const override;
  void setSelection(const QRect& rect, QItemSelectionModel::SelectionFlags command) override;
  [[nodiscard]] QRegion visualRegionForSelection(const QItemSelection& selection) const override;
  void paintEvent(QPaintEvent* event) override;
  void updateGeometries() override;
  void scrollContentsBy(int dx, int dy) override;

 protected slots:
  void rowsInserted(const QModelIndex& parent, int start, int end) override;
  void rowsAboutToBeRemoved(const QModelIndex& parent, int start, int end) override;
  void reset() override;

 private:
  [[nodiscard]] int rowCount() const;
  [[nodiscard]] int columnCount() const;
  /// Rows that fit whole into the viewport (at least one).
  [[nodiscard]] int fullyVisibleRows() const;
  [[nodiscard]] int lastColumn() const;
  /// The row at viewport height `y`, also above or below the viewport.
  [[nodiscard]] int rowAtY(int y) const;

  QHeaderView* header_ = nullptr;
  int rowHeight_ = 0;
  QMetaObject::Connection rowsRemoved_;
};

}  // namespace pipescope::ui
