// LogQueryModel under QAbstractItemModelTester: a real MessageLog grows
// between events, the filters narrow it as the log pane sets them, a bad
// regular expression keeps the previous filter, and a filter set on a large
// log is evaluated on the worker with rising progress.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <string>

#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"
#include "pipescope/codec.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

/// The log rows a model shows, through the source model's LogRowRole.
QList<qulonglong> shownRows(const QAbstractItemModel& model) {
  QList<qulonglong> rows;
  for (int row = 0; row < model.rowCount(); ++row) {
    rows.append(model.index(row, 0).data(MessageLogModel::LogRowRole).toULongLong());
  }
  return rows;
}

}  // namespace

namespace {

/// A log large enough to be scanned on the worker: "needle" in every
/// hundredth row, "hay" in the others.
constexpr int kLargeRows = 100000;
void fillNeedlesAndHay(pipescope::MessageLog& log) {
  for (int i = 0; i < kLargeRows; ++i) {
    log.append(1, pipescope::Direction::in, pipescope::as_bytes(i % 100 == 0 ? "needle" : "hay"));
  }
}

}  // namespace

class LogQueryModelTest : public QObject {
  Q_OBJECT

 private slots:
  void followsAGrowingLogThroughEveryFilter() {
    pipescope::MessageLog log;
    MessageLogModel source(log);
    LogQueryModel model;
    model.setSourceModel(&source);
    QAbstractItemModelTester tester(&model, kReport);
    QVERIFY(!model.isFiltering());

    log.append(1, pipescope::Direction::in, pipescope::as_bytes("hello"));      // 0
    log.append(2, pipescope::Direction::out, pipescope::as_bytes("HELLO"));     // 1
    source.catchUp();
    QCOMPARE(model.rowCount(), 2);  // no filter: every row

    model.setEndpointFilter(2);
    QVERIFY(model.isFiltering());
    QCOMPARE(shownRows(model), (QList<qulonglong>{1}));

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    log.append(2, pipescope::Direction::in, pipescope::as_bytes("x"));          // 2
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("y"));          // 3
    log.append(2, pipescope::Direction::out, pipescope::as_bytes("hello 2"));   // 4
    source.catchUp();
    // One batch of the source, one insertion of its two matches.
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(shownRows(model), (QList<qulonglong>{1, 2, 4}));

    model.setDirectionFilter(pipescope::Direction::out);
    QCOMPARE(shownRows(model), (QList<qulonglong>{1, 4}));

    QVERIFY(model.setTextFilter(QStringLiteral("hello"), false, Qt::CaseSensitive));
    QCOMPARE(shownRows(model), (QList<qulonglong>{4}));
    QVERIFY(model.setTextFilter(QStringLiteral("hello"), false, Qt::CaseInsensitive));
    QCOMPARE(shownRows(model), (QList<qulonglong>{1, 4}));

    model.setEndpointFilter(0);
    model.setDirectionFilter(std::nullopt);
    QVERIFY(model.setTextFilter(QStringLiteral("^h.l+o$"), true, Qt::CaseInsensitive));
    QCOMPARE(shownRows(model), (QList<qulonglong>{0, 1}));
    // The proxy's row maps back to the source's and forth again.
    const QModelIndex second = model.index(1, MessageLogModel::PreviewColumn);
    QCOMPARE(model.mapToSource(second).row(), 1);
    QCOMPARE(model.mapFromSource(source.index(1, MessageLogModel::PreviewColumn)), second);
    QVERIFY(!model.mapFromSource(source.index(2, 0)).isValid());

    QVERIFY(model.setTextFilter(QString(), false, Qt::CaseInsensitive));
    QVERIFY(!model.isFiltering());
    QCOMPARE(model.rowCount(), 5);
  }

  void anInvalidRegularExpressionKeepsThePreviousFilter() {
    pipescope::MessageLog log;
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("abc"));
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("xyz"));
    MessageLogModel source(log);
    LogQueryModel model;
    model.setSourceModel(&source);
    QAbstractItemModelTester tester(&model, kReport);
    QVERIFY(model.setTextFilter(QStringLiteral("b"), false, Qt::CaseSensitive));
    QCOMPARE(shownRows(model), (QList<qulonglong>{0}));

    QVERIFY(!model.setTextFilter(QStringLiteral("a(b"), true, Qt::CaseSensitive));
    QVERIFY2(model.patternError().contains(QStringLiteral("missing )")), qPrintable(model.patternError()));
    QCOMPARE(shownRows(model), (QList<qulonglong>{0}));
  }

  void aClearedLogStartsOver() {
    pipescope::MessageLog log;
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("keep"));
    MessageLogModel source(log);
    LogQueryModel model;
    model.setSourceModel(&source);
    QAbstractItemModelTester tester(&model, kReport);
    QVERIFY(model.setTextFilter(QStringLiteral("keep"), false, Qt::CaseSensitive));
    QCOMPARE(model.rowCount(), 1);
    log.clear();
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("drop"));
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("keep it"));
    source.reload();
    QCOMPARE(shownRows(model), (QList<qulonglong>{1}));
  }

  void aLargeLogIsScannedOnTheWorkerWithProgress() {
    pipescope::MessageLog log;
    fillNeedlesAndHay(log);
    MessageLogModel source(log);
    LogQueryModel model;
    model.setSourceModel(&source);
    QAbstractItemModelTester tester(&model, kReport);
    QSignalSpy progress(&model, &LogQueryModel::scanProgress);
    QSignalSpy finished(&model, &LogQueryModel::scanFinished);
    QVERIFY(model.setTextFilter(QStringLiteral("needle"), false, Qt::CaseSensitive));
    QVERIFY(model.isScanning());
    // Rows that arrive during the scan come in after it.
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("needle late"));
    source.catchUp();
    QVERIFY(finished.wait(60000));
    QVERIFY(!model.isScanning());
    QCOMPARE(model.rowCount(), kLargeRows / 100 + 1);
    QCOMPARE(model.index(model.rowCount() - 1, 0).data(MessageLogModel::LogRowRole).toULongLong(),
             static_cast<qulonglong>(kLargeRows));
    QVERIFY(progress.count() >= 2);
    qulonglong previous = 0;
    for (const QList<QVariant>& signal : progress) {
      QVERIFY(signal.at(0).toULongLong() > previous);
      QCOMPARE(signal.at(1).toULongLong(), static_cast<qulonglong>(kLargeRows));
      previous = signal.at(0).toULongLong();
    }
    QCOMPARE(previous, static_cast<qulonglong>(kLargeRows));
  }

  // A scan replaced by a newer filter is cancelled, not finished: the pane
  // would otherwise report the partial count as the filter's result.
  void aReplacedScanIsCancelledNotFinished() {
    pipescope::MessageLog log;
    fillNeedlesAndHay(log);
    MessageLogModel source(log);
    LogQueryModel model;
    model.setSourceModel(&source);
    QAbstractItemModelTester tester(&model, kReport);
    QSignalSpy finished(&model, &LogQueryModel::scanFinished);
    QSignalSpy cancelled(&model, &LogQueryModel::scanCancelled);
    QVERIFY(model.setTextFilter(QStringLiteral("needle"), false, Qt::CaseSensitive));
    QVERIFY(model.isScanning());
    QVERIFY(model.setTextFilter(QStringLiteral("hay"), false, Qt::CaseSensitive));
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(finished.count(), 0);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(model.rowCount(), kLargeRows - kLargeRows / 100);
    // Clearing the filter during a scan cancels it too, and shows every row.
    QVERIFY(model.setTextFilter(QStringLiteral("needle"), false, Qt::CaseSensitive));
    QVERIFY(model.isScanning());
    QVERIFY(model.setTextFilter(QString(), false, Qt::CaseSensitive));
    QCOMPARE(cancelled.count(), 2);
    QVERIFY(!model.isScanning());
    QCOMPARE(model.rowCount(), kLargeRows);
  }
};

QTEST_MAIN(LogQueryModelTest)
#include "log_query_model_test.moc"
