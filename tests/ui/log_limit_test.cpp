// The message log's memory limit in the GUI: it is a setting kept across
// starts, and a flood beyond it over a real pipe shows one warning in the
// errors view, truncated rows in the log and the count in the status bar.
#include <QAction>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

#include <span>

#include "models/errors_model.hpp"
#include "window/main_window.hpp"
#include "models/message_log_model.hpp"
#include "pipescope/engine.hpp"
#include "pipescope/event.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

int logFullRows(const ErrorsModel& errors) {
  int rows = 0;
  for (int row = 0; row < errors.rowCount(); ++row) {
    if (errors.index(row, ErrorsModel::CodeColumn).data().toString().startsWith(QStringLiteral("PIPESCOPE_LOG_FULL"))) {
      ++rows;
    }
  }
  return rows;
}

}  // namespace

class LogLimitTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    useOwnSettings("log_limit_test");
  }

  void theLimitIsASettingKeptAcrossStarts() {
    constexpr std::uint64_t kLimit = std::uint64_t{96} << 20;
    {
      MainWindow window;
      QCOMPARE(window.engine().log().memory_limit(), pipescope::MessageLog::default_memory_limit());
      QVERIFY(window.findChild<QAction*>(QStringLiteral("actionLogMemoryLimit")) != nullptr);
      window.setLogMemoryLimit(kLimit);
      QCOMPARE(window.engine().log().memory_limit(), kLimit);
      window.close();
    }
    QCOMPARE(QSettings().value(QStringLiteral("log/memoryLimit")).toULongLong(), kLimit);
    MainWindow next;
    QCOMPARE(next.engine().log().memory_limit(), kLimit);
    next.close();
    QSettings().remove(QStringLiteral("log/memoryLimit"));
  }

  void aFloodShowsOneWarningAndTruncatedRows() {
    MainWindow window;
    window.show();
    window.setLogMemoryLimit(64 * 1024);

    pipescope::ServerOptions options;
    options.name = uniqueName("limit").toStdString();
    QVERIFY(!window.createServer(options).has_value());

    // The flooding peer is another engine, as another program would be.
    pipescope::EventQueue peerEvents;
    pipescope::Engine peer(&peerEvents);
    pipescope::ClientOptions client;
    client.name = options.name;
    auto connected = peer.connect(client);
    QVERIFY2(connected.ok(), connected.ok() ? "" : connected.error().summary().c_str());
    const pipescope::Bytes chunk(4096, std::byte{0x5A});
    constexpr int kWrites = 128;  // 512 KiB, eight times the limit
    for (int i = 0; i < kWrites; ++i) QVERIFY(peer.send(*connected, chunk).ok());

    const ErrorsModel& errors = *window.errorsModel();
    QTRY_COMPARE_WITH_TIMEOUT(logFullRows(errors), 1, kTimeoutMs);
    int row = 0;
    while (!errors.index(row, ErrorsModel::CodeColumn).data().toString().startsWith(QStringLiteral("PIPESCOPE_LOG_FULL"))) ++row;
    const auto instance = errors.index(row, ErrorsModel::EndpointColumn).data().toString().toUInt();
    QVERIFY(instance != 0);
    QTRY_COMPARE_WITH_TIMEOUT(window.engine().counters(instance).bytes_in, std::uint64_t{4096} * kWrites, kTimeoutMs);
    // Let the GUI take every batch, then count again: still one warning.
    QTRY_COMPARE_WITH_TIMEOUT(window.logModel()->rowCount(),
                              static_cast<int>(window.engine().log().size()), kTimeoutMs);
    QCOMPARE(logFullRows(errors), 1);
    QVERIFY(errors.index(row, ErrorsModel::SummaryColumn).data().toString().contains(QStringLiteral("64 KiB")));

    const MessageLogModel& log = *window.logModel();
    const QModelIndex last = log.index(log.rowCount() - 1, MessageLogModel::FlagsColumn);
    QVERIFY2(last.data().toString().contains(QStringLiteral("truncated")), qPrintable(last.data().toString()));
    QVERIFY(last.data(Qt::ToolTipRole).toString().contains(QStringLiteral("truncated")));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (const QLabel* label : window.statusBar()->findChildren<QLabel*>()) {
            if (label->text().contains(QStringLiteral("truncated"))) return true;
          }
          return false;
        }(),
        kTimeoutMs);
    window.close();
  }
};

QTEST_MAIN(LogLimitTest)
#include "log_limit_test.moc"
