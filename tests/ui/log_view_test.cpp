// The message log's own view: row geometry by arithmetic, scrolling that
// follows inserted and removed rows, the keyboard and the mouse.
#include <QAbstractTableModel>
#include <QHeaderView>
#include <QScrollBar>
#include <QTest>

#include "views/log_view.hpp"

using pipescope::ui::LogView;

namespace {

/// Rows numbered from 0; cells say which row and column they are.
class CountingModel final : public QAbstractTableModel {
 public:
  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : rows_; }
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : 3; }
  [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override {
    if (role != Qt::DisplayRole) return {};
    return QStringLiteral("%1/%2").arg(index.row()).arg(index.column());
  }
  void append(int count) {
    beginInsertRows({}, rows_, rows_ + count - 1);
    rows_ += count;
    endInsertRows();
  }
  void removeFirst(int count) {
    beginRemoveRows({}, 0, count - 1);
    rows_ -= count;
    endRemoveRows();
  }

 private:
  int rows_ = 0;
};

}  // namespace

class LogViewTest : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    model_ = new CountingModel;
    model_->append(1000);
    view_ = new LogView;
    view_->setModel(model_);
    view_->resize(400, 300);
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_));
  }

  void cleanup() {
    delete view_;
    delete model_;
  }

  void scrollRangeFollowsInsertedAndRemovedRows() {
    const int visible = view_->verticalScrollBar()->pageStep();
    QVERIFY(visible > 1);
    QCOMPARE(view_->verticalScrollBar()->maximum(), 1000 - visible);
    // Far more rows than a table keeps cheaply: only the range moves.
    model_->append(5'000'000);
    QCOMPARE(view_->verticalScrollBar()->maximum(), 5'001'000 - visible);
    view_->scrollToBottom();
    QCOMPARE(view_->firstVisibleRow(), 5'001'000 - visible);
    model_->removeFirst(5'000'000);
    QCOMPARE(view_->verticalScrollBar()->maximum(), 1000 - visible);
    QVERIFY(view_->firstVisibleRow() <= 1000 - visible);
  }

  void indexAtAndVisualRectAgree() {
    view_->verticalScrollBar()->setValue(400);
    for (const int row : {400, 401, 405}) {
      for (int column = 0; column < 3; ++column) {
        const QModelIndex index = model_->index(row, column);
        const QRect rect = view_->visualRect(index);
        QVERIFY2(view_->viewport()->rect().intersects(rect), qPrintable(QStringLiteral("row %1").arg(row)));
        QCOMPARE(view_->indexAt(rect.center()), index);
      }
    }
    // Below the last row there is no index.
    model_->removeFirst(995);
    QCOMPARE(view_->indexAt(QPoint(5, view_->rowHeight() * 6)), QModelIndex());
  }

  void scrollToBringsARowIntoView() {
    const QModelIndex far = model_->index(777, 1);
    view_->scrollTo(far);
    QVERIFY(view_->viewport()->rect().contains(view_->visualRect(far)));
    view_->scrollTo(model_->index(3, 0), QAbstractItemView::PositionAtTop);
    QCOMPARE(view_->firstVisibleRow(), 3);
  }

  void keysMoveTheCurrentRowAndKeepItVisible() {
    view_->setFocus();
    view_->setCurrentIndex(model_->index(0, 0));
    QTest::keyClick(view_, Qt::Key_Down);
    QCOMPARE(view_->currentIndex().row(), 1);
    QTest::keyClick(view_, Qt::Key_PageDown);
    QCOMPARE(view_->currentIndex().row(), 1 + view_->verticalScrollBar()->pageStep());
    QTest::keyClick(view_, Qt::Key_End);
    QCOMPARE(view_->currentIndex().row(), 999);
    QVERIFY(view_->viewport()->rect().contains(view_->visualRect(view_->currentIndex())));
    QTest::keyClick(view_, Qt::Key_Home);
    QCOMPARE(view_->currentIndex().row(), 0);
    QCOMPARE(view_->firstVisibleRow(), 0);
  }

  void clicksSelectWholeRows() {
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view_->verticalScrollBar()->setValue(100);
    const QPoint second(10, view_->rowHeight() + view_->rowHeight() / 2);
    QTest::mouseClick(view_->viewport(), Qt::LeftButton, {}, second);
    QCOMPARE(view_->currentIndex().row(), 101);
    QVERIFY(view_->selectionModel()->isRowSelected(101, {}));
    const QPoint fifth(view_->header()->sectionViewportPosition(2) + 5, view_->rowHeight() * 4 + 2);
    QTest::mouseClick(view_->viewport(), Qt::LeftButton, Qt::ShiftModifier, fifth);
    QCOMPARE(view_->selectionModel()->selectedRows().size(), 4);
    QVERIFY(!view_->selectionModel()->isRowSelected(100, {}));
    QVERIFY(view_->selectionModel()->isRowSelected(104, {}));
  }

  void columnWidthsComeFromTheHeader() {
    view_->setColumnWidth(0, 77);
    QCOMPARE(view_->columnWidth(0), 77);
    QCOMPARE(view_->visualRect(model_->index(0, 1)).left(), 77 - view_->horizontalScrollBar()->value());
  }

 private:
  CountingModel* model_ = nullptr;
  LogView* view_ = nullptr;
};

QTEST_MAIN(LogViewTest)
#include "log_view_test.moc"
