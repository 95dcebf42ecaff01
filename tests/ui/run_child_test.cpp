// The Run child dialog over the real engine: the command line is split by
// the platform's rules (a POSIX shell's quoting here, CommandLineToArgvW's
// on Windows), the words the child will get show live under it, a line that
// cannot be split says where and keeps Run disabled, the child runs with
// exactly those words over real anonymous pipes, and the line is remembered
// exactly as typed, quotes and all, for the next start.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <string>
#include <vector>

#include "dialogs/command_line_field.hpp"
#include "dialogs/dialogs.hpp"
#include "models/clients_model.hpp"
#include "models/message_log_model.hpp"
#include "panes/send_panel.hpp"
#include "ui_test_support.hpp"
#include "window/main_window.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

/// The issue's command: one shell script, in single quotes, as argument 2.
const QString kIssueCommand = QStringLiteral("sh -c 'echo hi; read x; echo got $x'");

/// The exact words the list shows, and checks that each row shows its word
/// between « and » after its argv number.
QStringList listedWords(const QListWidget& list) {
  QStringList words;
  for (int row = 0; row < list.count(); ++row) {
    const QString word = list.item(row)->data(Qt::UserRole).toString();
    const QString shown = list.item(row)->text();
    if (!shown.startsWith(QStringLiteral("argv[%1]  «%2»").arg(row).arg(word))) {
      qWarning("row %d shows \"%s\" for the word \"%s\"", row, qPrintable(shown), qPrintable(word));
      return {};
    }
    words << word;
  }
  return words;
}

QPushButton* runButton(QDialog* dialog) {
  return dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
}

/// Opens the dialog from the window's action, as a person does.
QPointer<RunChildDialog> openDialog(MainWindow& window) {
  child<QAction>(&window, "actionRunChild")->trigger();
  return window.findChild<RunChildDialog*>();
}

void typeCommand(RunChildDialog* dialog, const QString& text) {
  auto* edit = child<QLineEdit>(dialog, "command");
  edit->clear();
  QTest::keyClicks(edit, text);
}

}  // namespace

class RunChildTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { useOwnSettings("run_child_test"); }

  // Typing the issue's command shows its three words at once, the script
  // whole; on Windows, where ' quotes nothing, the script's words apart.
  void theArgumentListFollowsTheTyping() {
    RunChildDialog dialog;
    auto* list = child<QListWidget>(&dialog, "arguments");
    QAbstractItemModelTester tester(list->model(), kReport);
    typeCommand(&dialog, kIssueCommand);
#if defined(_WIN32)
    const QStringList expected{QStringLiteral("sh"),    QStringLiteral("-c"),  QStringLiteral("'echo"),
                               QStringLiteral("hi;"),   QStringLiteral("read"), QStringLiteral("x;"),
                               QStringLiteral("echo"),  QStringLiteral("got"), QStringLiteral("$x'")};
#else
    const QStringList expected{QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo hi; read x; echo got $x")};
#endif
    QCOMPARE(listedWords(*list), expected);
    QVERIFY(runButton(&dialog)->isEnabled());
    QVERIFY(child<QLabel>(&dialog, "commandProblem")->isHidden());
    std::vector<std::string> argv;
    for (const QString& word : expected) argv.push_back(word.toStdString());
    QCOMPARE(dialog.options().argv, argv);
    QCOMPARE(dialog.commandLine(), kIssueCommand);

    // An empty argument shows as an empty pair of marks.
    typeCommand(&dialog, QStringLiteral("printf \"\" x"));
    QCOMPARE(listedWords(*list), (QStringList{QStringLiteral("printf"), QString(), QStringLiteral("x")}));
    QCOMPARE(list->item(1)->text(), QStringLiteral("argv[1]  «»"));
  }

  // A quote left open: a red line says which character, the list is empty
  // and Run stays disabled until the quote is closed.
  void anUnterminatedQuoteIsShownAndRunWaits() {
    RunChildDialog dialog;
    dialog.show();
    auto* list = child<QListWidget>(&dialog, "arguments");
    auto* problem = child<QLabel>(&dialog, "commandProblem");
    typeCommand(&dialog, QStringLiteral("sh -c \"echo hi"));
    QVERIFY(!runButton(&dialog)->isEnabled());
    QVERIFY(problem->isVisible());
    // The problem takes the rules' place, so the dialog need not grow.
    QVERIFY(child<QLabel>(&dialog, "commandRules")->isHidden());
    QVERIFY2(problem->text().startsWith(QStringLiteral("Character 7: ")), qPrintable(problem->text()));
    QVERIFY2(problem->text().contains(QStringLiteral("never closed")), qPrintable(problem->text()));
    QCOMPARE(list->count(), 0);
    // Enter does not run it either.
    QTest::keyClick(child<QLineEdit>(&dialog, "command"), Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    QTest::keyClick(child<QLineEdit>(&dialog, "command"), '"');
    QVERIFY(runButton(&dialog)->isEnabled());
    QVERIFY(problem->isHidden());
    QVERIFY(child<QLabel>(&dialog, "commandRules")->isVisible());
    QCOMPARE(list->count(), 3);
    // Nothing typed: nothing to run, and nothing wrong to say.
    typeCommand(&dialog, QString());
    QVERIFY(!runButton(&dialog)->isEnabled());
    QVERIFY(problem->isHidden());
  }

  // The field follows the rules it is given: under CommandLineToArgvW's,
  // a single quote is an ordinary character and \" a literal quote.
  void theFieldFollowsItsRules() {
    CommandLineField field(nullptr, pipescope::CommandRules::windows);
    QAbstractItemModelTester tester(field.argumentList()->model(), kReport);
    field.setText(QStringLiteral("\"C:\\Program Files\\app.exe\" 'a b' \"say \\\"hi\\\"\" C:\\dir\\"));
    QCOMPARE(listedWords(*field.argumentList()),
             (QStringList{QStringLiteral("C:\\Program Files\\app.exe"), QStringLiteral("'a"), QStringLiteral("b'"),
                          QStringLiteral("say \"hi\""), QStringLiteral("C:\\dir\\")}));
    QVERIFY(field.isRunnable());
    QVERIFY(field.lineEdit()->toolTip().contains(QStringLiteral("CommandLineToArgvW")));
    QVERIFY(field.lineEdit()->toolTip().contains(QStringLiteral("No shell runs")));
    CommandLineField posix(nullptr, pipescope::CommandRules::posix_shell);
    QVERIFY(posix.lineEdit()->toolTip().contains(QStringLiteral("POSIX shell")));
    QVERIFY(posix.lineEdit()->toolTip().contains(QStringLiteral("$, `, ~ and * stay as typed")));
    QVERIFY(posix.lineEdit()->toolTip().contains(QStringLiteral("No shell runs")));
  }

  // The issue's command runs for real: the script reads a line from the
  // send panel and answers with it through the child's anonymous pipes.
  void theIssuesCommandRunsAndAnswers() {
#if defined(_WIN32)
    QSKIP("sh is a POSIX program; the Windows rules run the echo child in theCommandIsRememberedAsTyped");
#endif
    MainWindow window;
    QPointer<RunChildDialog> dialog = openDialog(window);
    QVERIFY(dialog);
    typeCommand(dialog, kIssueCommand);
    QTest::mouseClick(runButton(dialog), Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(dialog.isNull(), qPrintable(dialog ? dialog->errorText() : QString()), kTimeoutMs);

    ClientsModel& clients = *window.clientsModel();
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
    const auto childId = static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
    // "hi" and its newline (shown as '.'): the script runs, not a shell's
    // complaint, which would begin with the script's name, "hi;".
    QTRY_VERIFY_WITH_TIMEOUT(findRow(*window.logModel(), childId, pipescope::Direction::in, QStringLiteral("hi.")) >= 0,
                             kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(window.sendPanel()->currentTarget(), childId, kTimeoutMs);
    window.sendPanel()->setFormat(pipescope::InputFormat::escaped);
    window.sendPanel()->setInput(QStringLiteral("x\\n"));
    window.sendPanel()->send();
    QTRY_VERIFY_WITH_TIMEOUT(
        findRow(*window.logModel(), childId, pipescope::Direction::in, QStringLiteral("got x")) >= 0, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(
        clients.index(0, ClientsModel::PeerColumn).data().toString().contains(QStringLiteral("exit code 0")), kTimeoutMs);
  }

  // What was typed comes back exactly at the next start, double quotes,
  // backslashes and single quotes included, and still splits the same way.
  void theCommandIsRememberedAsTyped() {
    const QString typed = QStringLiteral("\"%1\" \"a \\\"b\\\", c\" 'd e'").arg(QStringLiteral(PIPESCOPE_UI_ECHO_CHILD));
    std::vector<std::string> words;
    {
      MainWindow window;
      QPointer<RunChildDialog> dialog = openDialog(window);
      QVERIFY(dialog);
      typeCommand(dialog, typed);
      words = dialog->options().argv;
#if defined(_WIN32)
      QCOMPARE(words.size(), std::size_t{4});  // ' quotes nothing there: 'd and e' are two words
#else
      QCOMPARE(words.size(), std::size_t{3});
#endif
      QCOMPARE(words[1], std::string("a \"b\", c"));
      QTest::mouseClick(runButton(dialog), Qt::LeftButton);
      QTRY_VERIFY2_WITH_TIMEOUT(dialog.isNull(), qPrintable(dialog ? dialog->errorText() : QString()), kTimeoutMs);
      ClientsModel& clients = *window.clientsModel();
      QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
      // The echo child ends as a person ends it (its input closed) and is
      // seen to exit with 0 before the window goes, so that the window's
      // teardown never has to end a child that is still running: the
      // Windows lane under Wine did not always pass while it did.
      window.clientsView()->setCurrentIndex(clients.index(0, 0));
      child<QAction>(&window, "actionDisconnect")->trigger();
      QTRY_VERIFY_WITH_TIMEOUT(
          clients.index(0, ClientsModel::PeerColumn).data().toString().contains(QStringLiteral("exit code 0")),
          kTimeoutMs);
    }
    QSettings().sync();
    QCOMPARE(QSettings().value(QStringLiteral("recent/childCommand")).toString(), typed);

    MainWindow restarted;
    QPointer<RunChildDialog> dialog = openDialog(restarted);
    QVERIFY(dialog);
    QCOMPARE(child<QLineEdit>(dialog, "command")->text(), typed);
    QCOMPARE(dialog->options().argv, words);
    QVERIFY(runButton(dialog)->isEnabled());
  }
};

QTEST_MAIN(RunChildTest)
#include "run_child_test.moc"
