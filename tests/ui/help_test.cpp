// The Help menu: the user guide is docs/guide.md itself, the shortcut list
// is made from the window's actions (a new action shows up without anyone
// editing a list), About names the versions, and the Send panel's
// Ctrl+Return, now an action so that the list can name it, still sends.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QFile>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>

#include <algorithm>
#include <string>

#include "common/qt_text.hpp"
#include "models/clients_model.hpp"
#include "models/servers_model.hpp"
#include "panes/send_panel.hpp"
#include "pipescope/build_info.hpp"
#include "ui_test_support.hpp"
#include "window/help.hpp"
#include "window/main_window.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

// The row of `table` whose Action column reads `action`, or -1.
int rowOf(const QTableWidget& table, const QString& action) {
  for (int row = 0; row < table.rowCount(); ++row) {
    if (table.item(row, 1)->text() == action) return row;
  }
  return -1;
}

}  // namespace

class HelpTest : public QObject {
  Q_OBJECT

 private slots:
  void init() { useOwnSettings("help_test"); }

  void theShortcutListIsMadeFromTheWindowsActions() {
    MainWindow window;
    child<QAction>(&window, "actionShortcuts")->trigger();
    auto* dialog = window.findChild<ShortcutsDialog*>();
    QVERIFY(dialog != nullptr);
    QVERIFY(dialog->isVisible());
    QTableWidget& table = *dialog->table();
    QAbstractItemModelTester tester(table.model(), kReport);
    // Every action of the window that has a shortcut is listed once, with
    // its keys as this platform writes them.
    int withShortcut = 0;
    for (const QAction* action : window.findChildren<QAction*>()) {
      if (action->shortcuts().isEmpty() || action->text().isEmpty()) continue;
      ++withShortcut;
      QString name = action->text();
      name.remove(QLatin1Char('&'));
      const int row = rowOf(table, name);
      QVERIFY2(row >= 0, qPrintable(QStringLiteral("%1 is not listed").arg(name)));
      // Every binding the platform gives (Copy is Ctrl+C and Ctrl+Insert on some).
      QStringList keys;
      for (const QKeySequence& sequence : action->shortcuts()) keys << sequence.toString(QKeySequence::NativeText);
      QCOMPARE(table.item(row, 2)->text(), keys.join(QStringLiteral(", ")));
      // A person reads the list to learn what a key does: none is blank.
      QVERIFY2(!table.item(row, 3)->text().isEmpty(), qPrintable(QStringLiteral("%1 says nothing").arg(name)));
    }
    QCOMPARE(table.rowCount(), withShortcut);
    const int newServer = rowOf(table, QStringLiteral("New server…"));
    QVERIFY(newServer >= 0);
    QCOMPARE(table.item(newServer, 0)->text(), QStringLiteral("Pipes"));
    QCOMPARE(table.item(newServer, 2)->text(), QKeySequence(Qt::CTRL | Qt::Key_N).toString(QKeySequence::NativeText));
    QVERIFY(!table.item(newServer, 3)->text().isEmpty());  // what it does, from its status tip
    // The Send panel's own key is listed under the pane where it works.
    const int send = rowOf(table, QStringLiteral("Send"));
    QVERIFY(send >= 0);
    QCOMPARE(table.item(send, 0)->text(), QStringLiteral("Send"));
    QCOMPARE(table.item(send, 2)->text(), QKeySequence(Qt::CTRL | Qt::Key_Return).toString(QKeySequence::NativeText));
    dialog->close();

    // An action added later is in the next list: nothing is kept by hand.
    auto* added = new QAction(QStringLiteral("&Added later"), &window);
    added->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_J));
    window.menuBar()->actions().first()->menu()->addAction(added);
    const QList<ShortcutEntry> entries = shortcutEntries(&window);
    const auto found = std::find_if(entries.cbegin(), entries.cend(),
                                    [](const ShortcutEntry& e) { return e.action == QStringLiteral("Added later"); });
    QVERIFY(found != entries.cend());
    QCOMPARE(found->group, QStringLiteral("File"));
  }

  void theUserGuideIsTheGuideOfTheDocs() {
    MainWindow window;
    QAction* guide = child<QAction>(&window, "actionGuide");
    QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
    guide->trigger();
    auto* dialog = window.findChild<GuideDialog*>();
    QVERIFY(dialog != nullptr);
    QVERIFY(dialog->isVisible());
    // The text shown is docs/guide.md's: its first heading and a section.
    QFile source(QStringLiteral(PIPESCOPE_GUIDE_SOURCE));
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QString firstLine = QString::fromUtf8(source.readLine()).trimmed();
    QVERIFY(firstLine.startsWith(QStringLiteral("# ")));
    const QString shown = dialog->browser()->toPlainText();
    QVERIFY2(shown.startsWith(firstLine.mid(2)), qPrintable(shown.left(200)));
    QVERIFY(shown.contains(QStringLiteral("A server and a client")));
    // Asked for again, the same window comes back.
    guide->trigger();
    QCOMPARE(window.findChildren<GuideDialog*>().size(), 1);
  }

  void aboutNamesTheVersions() {
    MainWindow window;
    QString shown;
    // The About box is modal: read it and close it once it is up.
    QTimer::singleShot(0, &window, [&shown] {
      auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
      if (box == nullptr) return;
      shown = box->text();
      box->accept();
    });
    child<QAction>(&window, "actionAbout")->trigger();
    QVERIFY2(!shown.isEmpty(), "no About box came up");
    QVERIFY(shown.contains(QString::fromLatin1(qVersion())));
    QVERIFY(shown.contains(QString::fromStdString(std::string(pipescope::version()))));
    for (const pipescope::ComponentVersion& component : pipescope::component_versions()) {
      QVERIFY2(shown.contains(QString::fromStdString(component.name)), component.name.c_str());
      QVERIFY2(shown.contains(QString::fromStdString(component.version)), component.version.c_str());
    }
    QVERIFY(shown.contains(QString::fromStdString(std::string(window.engine().backend_name()))));
  }

  void ctrlReturnInTheEditorSends() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    pipescope::ServerOptions server;
    server.name = toStdString(uniqueName("help-send"));
    QVERIFY(!window.createServer(server).has_value());
    pipescope::ClientOptions client;
    client.name = server.name;
    QVERIFY(!window.connectClient(client).has_value());
    ClientsModel& clients = *window.clientsModel();
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(0, ClientsModel::StateColumn).data().toString(), QStringLiteral("connected"),
                              kTimeoutMs);
    const auto clientId =
        static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
    auto* editor = child<QPlainTextEdit>(&window, "sendInput");
    editor->setFocus();
    editor->setPlainText(QStringLiteral("sent by keys"));
    QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(
        findRow(*window.logModel(), clientId, pipescope::Direction::out, QStringLiteral("sent by keys")) >= 0, kTimeoutMs);
  }
};

QTEST_MAIN(HelpTest)
#include "help_test.moc"
