// File > Open recent and a log dropped on the window: the logs saved or
// opened are offered newest first, kept between runs, without files that
// have gone; choosing one opens it; a .jsonl file dropped on the window
// opens, anything else dropped is refused.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QMenu>
#include <QMimeData>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <string_view>

#include "models/message_log_model.hpp"
#include "session/session.hpp"
#include "ui_test_support.hpp"
#include "window/main_window.hpp"
#include "window/recent_logs.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

// One record in the window's log, made without a pipe: what is tested here
// is which file opens, not what crossed.
void logOneRecord(MainWindow& window, std::string_view text) {
  pipescope::MessageLog& log = window.engine().log();
  pipescope::EndpointInfo endpoint;
  endpoint.id = 1000;
  endpoint.kind = pipescope::EndpointKind::client;
  endpoint.pipe_name = "recent-logs-test";
  endpoint.label = "client 1000";
  log.register_endpoint(endpoint);
  const auto* bytes = reinterpret_cast<const std::byte*>(text.data());
  log.append(endpoint.id, pipescope::Direction::out, {bytes, text.size()}, 0, 1'000'000'000);
}

// What File > Open recent shows, as it is about to be shown.
QStringList recentMenuTexts(MainWindow& window) {
  auto* menu = window.findChild<QMenu*>(QStringLiteral("menuRecentLogs"));
  if (menu == nullptr) qFatal("no Open recent menu");
  emit menu->aboutToShow();
  QStringList texts;
  for (const QAction* action : menu->actions()) {
    if (!action->isSeparator()) texts << action->text();
  }
  return texts;
}

QAction* recentAction(MainWindow& window, const QString& text) {
  auto* menu = window.findChild<QMenu*>(QStringLiteral("menuRecentLogs"));
  for (QAction* action : menu->actions()) {
    if (action->text() == text) return action;
  }
  return nullptr;
}

// Sends the drag-enter and drop of `urls` to the window; returns whether
// each was accepted.
std::pair<bool, bool> dropOn(MainWindow& window, const QList<QUrl>& urls) {
  QMimeData mime;
  mime.setUrls(urls);
  const QPoint at(window.width() / 2, window.height() / 2);
  QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &enter);
  QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(&window, &drop);
  return {enter.isAccepted(), drop.isAccepted()};
}

}  // namespace

class RecentLogsTest : public QObject {
  Q_OBJECT

 private slots:
  void init() { useOwnSettings("recent_logs_test"); }

  void savedAndOpenedLogsAreOfferedNewestFirst() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
      MainWindow window;
      QAbstractItemModelTester tester(window.logModel(), kReport);
      QCOMPARE(recentMenuTexts(window), QStringList{QStringLiteral("No log opened or saved yet")});
      logOneRecord(window, "first");
      // Saved without an extension: the list has the file as written.
      QVERIFY(!window.session().saveLog(dir.filePath(QStringLiteral("first"))).has_value());
      logOneRecord(window, "second");
      QVERIFY(!window.session().saveLog(dir.filePath(QStringLiteral("both.jsonl"))).has_value());
      QCOMPARE(recentMenuTexts(window),
               (QStringList{QStringLiteral("&1 both.jsonl"), QStringLiteral("&2 first.jsonl"),
                            QStringLiteral("&Clear this list")}));

      // Choosing one opens it, and it moves to the top.
      window.session().clearLog();
      QCOMPARE(window.logModel()->rowCount(), 0);
      QAction* first = recentAction(window, QStringLiteral("&2 first.jsonl"));
      QVERIFY(first != nullptr);
      first->trigger();
      QTRY_COMPARE_WITH_TIMEOUT(window.logModel()->rowCount(), 1, kTimeoutMs);
      QCOMPARE(recentMenuTexts(window).first(), QStringLiteral("&1 first.jsonl"));
    }
    // Kept for the next start; a file that has gone is left out.
    QVERIFY(QFile::remove(dir.filePath(QStringLiteral("both.jsonl"))));
    MainWindow window;
    QCOMPARE(recentMenuTexts(window),
             (QStringList{QStringLiteral("&1 first.jsonl"), QStringLiteral("&Clear this list")}));
    recentAction(window, QStringLiteral("&Clear this list"))->trigger();
    QCOMPARE(recentMenuTexts(window), QStringList{QStringLiteral("No log opened or saved yet")});
  }

  void theListKeepsTheNewestEight() {
    MainWindow window;
    QTemporaryDir dir;
    for (int i = 0; i < RecentLogs::kMaxEntries + 2; ++i) {
      QVERIFY(!window.session().saveLog(dir.filePath(QStringLiteral("log%1.jsonl").arg(i))).has_value());
    }
    const QStringList paths = window.recentLogs()->paths();
    QCOMPARE(paths.size(), RecentLogs::kMaxEntries);
    QVERIFY(paths.first().endsWith(QStringLiteral("log%1.jsonl").arg(RecentLogs::kMaxEntries + 1)));
  }

  void aLogDroppedOnTheWindowOpens() {
    QTemporaryDir dir;
    MainWindow window;
    window.resize(800, 600);
    QAbstractItemModelTester tester(window.logModel(), kReport);
    logOneRecord(window, "dropped");
    const QString saved = dir.filePath(QStringLiteral("capture.jsonl"));
    QVERIFY(!window.session().saveLog(saved).has_value());
    window.session().clearLog();
    QCOMPARE(window.logModel()->rowCount(), 0);

    // Not a log: refused, and nothing is opened.
    QFile other(dir.filePath(QStringLiteral("notes.txt")));
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.close();
    QCOMPARE(dropOn(window, {QUrl::fromLocalFile(other.fileName())}), std::make_pair(false, false));
    QCOMPARE(dropOn(window, {QUrl::fromLocalFile(saved), QUrl::fromLocalFile(saved)}), std::make_pair(false, false));
    QCOMPARE(window.logModel()->rowCount(), 0);

    QCOMPARE(dropOn(window, {QUrl::fromLocalFile(saved)}), std::make_pair(true, true));
    QTRY_COMPARE_WITH_TIMEOUT(window.logModel()->rowCount(), 1, kTimeoutMs);
    QVERIFY(window.recentLogs()->paths().first().endsWith(QStringLiteral("capture.jsonl")));
  }
};

QTEST_MAIN(RecentLogsTest)
#include "recent_logs_test.moc"
