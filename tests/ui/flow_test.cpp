// The whole application over real pipes: the dialogs create a server and
// clients on the engine's real backend, the send panel writes, and the log,
// the servers and clients views, the counters and the errors view follow.
// Every wait is for an observable change, with a timeout.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <cstring>
#include <sstream>

#if !defined(_WIN32)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include "models/clients_model.hpp"
#include "dialogs/dialogs.hpp"
#include "models/errors_model.hpp"
#include "models/impersonation_model.hpp"
#include "window/main_window.hpp"
#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"
#include "models/pipes_model.hpp"
#include "panes/send_panel.hpp"
#include "models/servers_model.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

void clickOk(QDialog* dialog) {
  auto* buttons = dialog->findChild<QDialogButtonBox*>();
  QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

void trigger(MainWindow& window, const char* actionName) { child<QAction>(&window, actionName)->trigger(); }

std::string toStd(const QString& text) { return text.toStdString(); }

}  // namespace

class FlowTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    useOwnSettings("flow_test");
  }

  void serverClientSendLogCountersBusyAndDisconnect() {
    MainWindow window;
    window.show();
    QAbstractItemModelTester logTester(window.logModel(), kReport);
    QAbstractItemModelTester proxyTester(window.logProxy(), kReport);
    QAbstractItemModelTester serversTester(window.serversModel(), kReport);
    QAbstractItemModelTester clientsTester(window.clientsModel(), kReport);
    QAbstractItemModelTester errorsTester(window.errorsModel(), kReport);
    const QString name = uniqueName("flow");

    // New server from the dialog: message pipe, two instances, 16-byte reads.
    trigger(window, "actionNewServer");
    QPointer<NewServerDialog> serverDialog = window.findChild<NewServerDialog*>();
    QVERIFY(serverDialog);
    auto* nameEdit = child<QLineEdit>(serverDialog, "name");
    nameEdit->clear();
    QTest::keyClicks(nameEdit, name);
    child<QComboBox>(serverDialog, "type")->setCurrentIndex(1);
    child<QComboBox>(serverDialog, "readMode")->setCurrentIndex(1);
    child<QCheckBox>(serverDialog, "unlimited")->setChecked(false);
    child<QSpinBox>(serverDialog, "maxInstances")->setValue(2);
    child<QSpinBox>(serverDialog, "readBuffer")->setValue(16);
    clickOk(serverDialog);
    QTRY_VERIFY_WITH_TIMEOUT(serverDialog.isNull(), kTimeoutMs);  // accepted and closed

    ServersModel& servers = *window.serversModel();
    QTRY_COMPARE_WITH_TIMEOUT(servers.rowCount(), 1, kTimeoutMs);
    const QModelIndex server = servers.index(0, 0);
    QVERIFY(server.data().toString().contains(name));
    QTRY_COMPARE_WITH_TIMEOUT(servers.rowCount(server), 1, kTimeoutMs);
    QCOMPARE(servers.index(0, ServersModel::StateColumn, server).data().toString(), QStringLiteral("listening"));

    // Connect a client from the dialog, reading messages.
    const auto connectClient = [&](int busyTimeoutMs) {
      trigger(window, "actionConnectClient");
      QPointer<ConnectClientDialog> dialog = window.findChild<ConnectClientDialog*>();
      QVERIFY(dialog);
      auto* edit = child<QLineEdit>(dialog, "name");
      edit->clear();
      QTest::keyClicks(edit, name);
      child<QComboBox>(dialog, "readMode")->setCurrentIndex(1);
      child<QSpinBox>(dialog, "busyTimeout")->setValue(busyTimeoutMs);
      clickOk(dialog);
      QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull(), kTimeoutMs);
    };
    connectClient(5000);
    ClientsModel& clients = *window.clientsModel();
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(0, ClientsModel::StateColumn).data().toString(), QStringLiteral("connected"),
                              kTimeoutMs);
    const auto client = static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
    QTRY_COMPARE_WITH_TIMEOUT(servers.index(0, ServersModel::StateColumn, server).data().toString(),
                              QStringLiteral("connected"), kTimeoutMs);
    const auto instance = static_cast<pipescope::EndpointId>(servers.index(0, 0, server).data(ServersModel::EndpointIdRole).toUInt());
    QCOMPARE(servers.index(0, ServersModel::PeerPidColumn, server).data().toLongLong(),
             static_cast<qlonglong>(QCoreApplication::applicationPid()));
    // The peer's account name follows the connection in its own event (on
    // Windows from the engine's account lookup thread): the instance's client
    // and the client's server are both this process's user.
    QTRY_VERIFY_WITH_TIMEOUT(clients.index(0, ClientsModel::PeerColumn).data().toString().contains(QStringLiteral(", user ")),
                             kTimeoutMs);
    const QString user = clients.index(0, ClientsModel::PeerColumn).data().toString().section(QStringLiteral(", user "), 1);
    QTRY_COMPARE_WITH_TIMEOUT(servers.index(0, ServersModel::PeerUserColumn, server).data().toString(), user, kTimeoutMs);

    // Send text from the panel, typed into its editor. The panel chose the
    // client that was just connected, not the instance it had before, and
    // says that the chosen endpoint is the one that writes.
    SendPanel& panel = *window.sendPanel();
    QTRY_COMPARE_WITH_TIMEOUT(panel.currentTarget(), client, kTimeoutMs);
    auto* targetCombo = child<QComboBox>(&panel, "sendTarget");
    bool labelled = false;
    for (const QLabel* label : panel.findChildren<QLabel*>()) {
      labelled = labelled || (label->buddy() == targetCombo && label->text() == QStringLiteral("&Write from:"));
    }
    QVERIFY(labelled);
    panel.setFormat(pipescope::InputFormat::text);
    auto* editor = child<QPlainTextEdit>(&panel, "sendInput");
    QTest::keyClicks(editor, QStringLiteral("hello"));
    auto* sendButton = child<QPushButton>(&panel, "sendButton");
    QVERIFY(sendButton->isEnabled());
    QTest::mouseClick(sendButton, Qt::LeftButton);
    MessageLogModel& log = *window.logModel();
    QTRY_VERIFY_WITH_TIMEOUT(findRow(log, instance, pipescope::Direction::in, QStringLiteral("hello")) >= 0, kTimeoutMs);
    QVERIFY(findRow(log, client, pipescope::Direction::out, QStringLiteral("hello")) >= 0);
    // The status bar says who wrote, and to whom.
    const QString wrote = window.statusBar()->currentMessage();
    QVERIFY2(wrote.startsWith(QStringLiteral("client ")) && wrote.endsWith(QStringLiteral(" wrote 5 byte(s) to the server")),
             qPrintable(wrote));
    const int helloRow = findRow(log, instance, pipescope::Direction::in, QStringLiteral("hello"));
    QCOMPARE(log.index(helloRow, MessageLogModel::LengthColumn).data().toUInt(), 5U);
    QVERIFY(log.index(helloRow, MessageLogModel::FlagsColumn).data().toString().contains(QStringLiteral("message")));

    // Hex with a mistake: the panel points at it and will not send.
    panel.setFormat(pipescope::InputFormat::hex);
    editor->clear();
    QTest::keyClicks(editor, QStringLiteral("48 69 0"));
    QVERIFY(!panel.check().ok);
    QCOMPARE(panel.check().errorPosition, 6);
    QVERIFY(!sendButton->isEnabled());
    QVERIFY(child<QLabel>(&panel, "sendStatus")->text().contains(QStringLiteral("7")));
    QTest::keyClicks(editor, QStringLiteral("a"));
    QVERIFY(panel.check().ok);
    QTest::mouseClick(sendButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(findRow(log, instance, pipescope::Direction::in, QStringLiteral("Hi.")) >= 0, kTimeoutMs);
    QCOMPARE(panel.history().first(), QStringLiteral("48 69 0a"));

    // A message larger than the server's 16-byte read buffer arrives in parts.
    panel.setFormat(pipescope::InputFormat::text);
    const QString big = QStringLiteral("0123456789abcdefGHIJKLMNOPQRSTUVwxyz!?");  // 38 bytes
    panel.setInput(big);
    QTest::mouseClick(sendButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(findRow(log, instance, pipescope::Direction::in, QStringLiteral("wxyz")) >= 0, kTimeoutMs);
    const int first = findRow(log, instance, pipescope::Direction::in, QStringLiteral("0123"));
    const int second = findRow(log, instance, pipescope::Direction::in, QStringLiteral("GHIJ"));
    const int last = findRow(log, instance, pipescope::Direction::in, QStringLiteral("wxyz"));
    QVERIFY(first >= 0 && second > first && last > second);
    const auto flagsOf = [&](int row) { return log.index(row, 0).data(MessageLogModel::FlagsRole).toInt(); };
    QVERIFY((flagsOf(first) & pipescope::record_flags::more_data) != 0);
    QVERIFY((flagsOf(second) & pipescope::record_flags::more_data) != 0);
    QVERIFY((flagsOf(last) & pipescope::record_flags::more_data) == 0);
    QCOMPARE(log.index(first, MessageLogModel::LengthColumn).data().toUInt(), 16U);
    QCOMPARE(log.index(last, MessageLogModel::LengthColumn).data().toUInt(), 6U);
    QVERIFY(log.index(first, MessageLogModel::FlagsColumn).data().toString().contains(QStringLiteral("more-data")));

    // Typed into the log's filter, a text that straddles the first two parts
    // shows every part of that message, not one or none of them.
    auto* textFilter = child<QLineEdit>(&window, "textFilter");
    QTest::keyClicks(textFilter, QStringLiteral("efGHI"));
    const auto shownRowsOf = [&](pipescope::EndpointId endpoint) {
      QList<int> rows;
      const QAbstractItemModel& shown = *window.logProxy();
      for (int row = 0; row < shown.rowCount(); ++row) {
        if (shown.index(row, 0).data(MessageLogModel::EndpointIdRole).toUInt() == endpoint) rows << row;
      }
      return rows;
    };
    QTRY_COMPARE_WITH_TIMEOUT(shownRowsOf(instance).size(), 3, kTimeoutMs);
    QCOMPARE(shownRowsOf(client).size(), 1);  // the client wrote it whole
    textFilter->clear();
    QTRY_COMPARE_WITH_TIMEOUT(window.logProxy()->rowCount(), log.rowCount(), kTimeoutMs);

    // Counters reach the views: 5 + 3 + 38 bytes in three messages.
    const QModelIndex instanceRow = servers.indexOfInstance(instance);
    QTRY_COMPARE_WITH_TIMEOUT(servers.index(instanceRow.row(), ServersModel::BytesInColumn, server).data().toULongLong(),
                              46ULL, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(0, ClientsModel::BytesOutColumn).data().toULongLong(), 46ULL, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(0, ClientsModel::MessagesOutColumn).data().toULongLong(), 3ULL, kTimeoutMs);

    // The log view filters: only what the client wrote.
    window.logProxy()->setEndpointFilter(client);
    QCOMPARE(window.logProxy()->rowCount(), 3);
    window.logProxy()->setEndpointFilter(0);

    // A second client takes the second instance; a third finds both busy.
    connectClient(5000);
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 2, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(1, ClientsModel::StateColumn).data().toString(), QStringLiteral("connected"),
                              kTimeoutMs);
    connectClient(0);
    QTRY_VERIFY_WITH_TIMEOUT(window.errorsModel()->rowCount() >= 1, kTimeoutMs);
    const QModelIndex busy = window.errorsModel()->index(window.errorsModel()->rowCount() - 1, ErrorsModel::CodeColumn);
    QVERIFY2(busy.data().toString().contains(QStringLiteral("ERROR_PIPE_BUSY")), qPrintable(busy.data().toString()));
    QCOMPARE(busy.data(ErrorsModel::ExplanationRole).toString(),
             QString::fromUtf8(pipescope::error_explanation(pipescope::Errc::pipe_busy).data()));
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("ERROR_PIPE_BUSY")));

    // Disconnect the first instance from the servers view.
    window.serversView()->setCurrentIndex(servers.indexOfInstance(instance));
    QCOMPARE(window.selectedEndpoint(), instance);
    trigger(window, "actionDisconnect");
    QTRY_VERIFY_WITH_TIMEOUT(servers.index(servers.indexOfInstance(instance).row(), ServersModel::StateColumn, server)
                                     .data()
                                     .toString() != QStringLiteral("connected"),
                             kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(clients.index(0, ClientsModel::StateColumn).data().toString() != QStringLiteral("connected"),
                             kTimeoutMs);
    // The closed instance stays listed, but the server's state counts only
    // the instances it has: the second one and the one that took the
    // first one's place, at most two.
    QTRY_COMPARE_WITH_TIMEOUT(servers.rowCount(server), 3, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(servers.index(0, ServersModel::StateColumn).data().toString(),
                              QStringLiteral("serving, 2 instance(s)"), kTimeoutMs);

    // Saving the log and loading it back gives the same rows.
    std::stringstream saved;
    QVERIFY(window.engine().log().save_jsonl(saved).ok());
    pipescope::MessageLog reloaded;
    QVERIFY(reloaded.load_jsonl(saved).ok());
    MessageLogModel reloadedModel(reloaded);
    QCOMPARE(reloadedModel.rowCount(), static_cast<int>(window.engine().log().size()));
    for (int row = 0; row < reloadedModel.rowCount(); ++row) {
      for (int column = 0; column < MessageLogModel::ColumnCount; ++column) {
        QCOMPARE(reloadedModel.index(row, column).data(), log.index(row, column).data());
      }
    }
  }

  void theDialogRefusesBadOptionsBeforeCreatingAnything() {
    MainWindow window;
    trigger(window, "actionNewServer");
    QPointer<NewServerDialog> dialog = window.findChild<NewServerDialog*>();
    QVERIFY(dialog);
    child<QLineEdit>(dialog, "name")->setText(QStringLiteral(R"(\\.\pipe\)"));  // no leaf name
    clickOk(dialog);
    QVERIFY(!dialog.isNull());  // still open
    QVERIFY(!dialog->errorText().isEmpty());
    QCOMPARE(window.serversModel()->rowCount(), 0);
    // A byte pipe cannot be read in message mode.
    child<QLineEdit>(dialog, "name")->setText(uniqueName("refused"));
    child<QComboBox>(dialog, "type")->setCurrentIndex(0);
    child<QComboBox>(dialog, "readMode")->setCurrentIndex(1);
    clickOk(dialog);
    QVERIFY(!dialog.isNull());
    QVERIFY(dialog->errorText().contains(QStringLiteral("ERROR_INVALID_PARAMETER")));
    QCOMPARE(window.serversModel()->rowCount(), 0);
    dialog->reject();
  }

  void impersonatingTheSelectedInstanceShowsWhoTheClientIs() {
    MainWindow window;
    QAbstractItemModelTester tester(window.impersonationModel(), kReport);
    pipescope::ServerOptions server;
    server.name = toStd(uniqueName("impersonate"));
    QVERIFY(!window.createServer(server).has_value());
    pipescope::ClientOptions client;
    client.name = server.name;
    QVERIFY(!window.connectClient(client).has_value());
    ServersModel& servers = *window.serversModel();
    QTRY_VERIFY_WITH_TIMEOUT(servers.rowCount() == 1 && servers.rowCount(servers.index(0, 0)) >= 1, kTimeoutMs);
    const QModelIndex instance = servers.index(0, 0, servers.index(0, 0));
    QTRY_COMPARE_WITH_TIMEOUT(instance.siblingAtColumn(ServersModel::StateColumn).data().toString(),
                              QStringLiteral("connected"), kTimeoutMs);
    // Windows lets a server impersonate its client only after it has read
    // from the pipe, and the Win32 backend holds the request until that first
    // read; the POSIX backend answers at once. The client writes first, so
    // the request is answered on both.
    ClientsModel& clients = *window.clientsModel();
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(0, ClientsModel::StateColumn).data().toString(), QStringLiteral("connected"),
                              kTimeoutMs);
    const auto clientId = static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
    const auto instanceId = static_cast<pipescope::EndpointId>(instance.data(ServersModel::EndpointIdRole).toUInt());
    QVERIFY(!window.sendTo(clientId, QByteArrayLiteral("who am I")).has_value());
    QTRY_VERIFY_WITH_TIMEOUT(findRow(*window.logModel(), instanceId, pipescope::Direction::in, QStringLiteral("who am I")) >= 0,
                             kTimeoutMs);
    window.serversView()->setCurrentIndex(instance);
    QVERIFY(child<QAction>(&window, "actionImpersonate")->isEnabled());
    trigger(window, "actionImpersonate");
    ImpersonationModel& results = *window.impersonationModel();
    QTRY_COMPARE_WITH_TIMEOUT(results.rowCount(), 1, kTimeoutMs);
    // The client is this very process, so the identity is ours; whether the
    // switch itself succeeded depends on privileges, and either way the row
    // says so and nothing is left impersonated.
    const QString result = results.index(0, ImpersonationModel::ResultColumn).data().toString();
    QVERIFY(!result.isEmpty());
    if (result == QStringLiteral("impersonated")) {
      QVERIFY(!results.index(0, ImpersonationModel::UserColumn).data().toString().isEmpty());
      QCOMPARE(results.index(0, ImpersonationModel::RevertedColumn).data().toString(), QStringLiteral("yes"));
    }
    // The tooltip names the instance as its row does.
    const QString shownInstance = results.index(0, ImpersonationModel::InstanceColumn).data().toString();
    QVERIFY2(results.describeRow(0).startsWith(shownInstance + QStringLiteral(" at ")), qPrintable(results.describeRow(0)));
#if !defined(_WIN32)
    // POSIX never learns the level the client asked for: the row says so
    // rather than naming one.
    QVERIFY2(results.index(0, ImpersonationModel::LevelColumn).data().toString().startsWith(
                 QStringLiteral("not visible on POSIX")),
             qPrintable(results.index(0, ImpersonationModel::LevelColumn).data().toString()));
#endif
  }

  void aChildStreamsItsOutputAndShowsItsExitCode() {
    MainWindow window;
    pipescope::ChildOptions options;
    // Our own echo program (tests/ui/echo_child.cpp) rather than cat, which
    // Windows lacks.
    options.argv = {PIPESCOPE_UI_ECHO_CHILD};
    QVERIFY(!window.runChild(options).has_value());
    ClientsModel& clients = *window.clientsModel();
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
    const auto childId = static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
    QCOMPARE(clients.index(0, ClientsModel::KindColumn).data().toString(), QStringLiteral("child"));
    // The send panel offers the child (its standard input).
    QTRY_COMPARE_WITH_TIMEOUT(window.sendPanel()->currentTarget(), childId, kTimeoutMs);
    window.sendPanel()->setFormat(pipescope::InputFormat::escaped);
    window.sendPanel()->setInput(QStringLiteral("through the child\\n"));
    window.sendPanel()->send();
    QTRY_VERIFY_WITH_TIMEOUT(findRow(*window.logModel(), childId, pipescope::Direction::in,
                                     QStringLiteral("through the child")) >= 0,
                             kTimeoutMs);
    // Closing its input ends the echo program, which exits with 0.
    window.clientsView()->setCurrentIndex(clients.index(0, 0));
    trigger(window, "actionDisconnect");
    QTRY_VERIFY_WITH_TIMEOUT(clients.index(0, ClientsModel::PeerColumn).data().toString().contains(QStringLiteral("exit code 0")),
                             kTimeoutMs);
  }

  void theDemoTalks() {
    MainWindow window;
    window.startDemo();
    QVERIFY(!window.demoPipeName().isEmpty());
    // The client writes, the echo responder answers: both directions appear.
    QTRY_VERIFY_WITH_TIMEOUT(window.logModel()->rowCount() >= 4, kTimeoutMs);
    bool sawResponder = false;
    for (int row = 0; row < window.logModel()->rowCount(); ++row) {
      const int flags = window.logModel()->index(row, 0).data(MessageLogModel::FlagsRole).toInt();
      sawResponder = sawResponder || (flags & pipescope::record_flags::responder) != 0;
    }
    QVERIFY(sawResponder);
  }

#if !defined(_WIN32)
  // A Unix socket outside the pipe layout (as an X server's) is not listed
  // as a pipe, unless Pipes > List every Unix socket is ticked; the choice
  // is kept for the next start.
  void socketsOutsideThePipeLayoutAreListedOnlyWhenAsked() {
    QTemporaryDir folder;
    const QString path = folder.filePath(QStringLiteral("not-a-pipe.sock"));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray bytes = QFile::encodeName(path);
    QVERIFY(static_cast<std::size_t>(bytes.size()) < sizeof address.sun_path);
    std::memcpy(address.sun_path, bytes.constData(), static_cast<std::size_t>(bytes.size()));
    QCOMPARE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    QCOMPARE(::listen(fd, 4), 0);
    const auto listed = [&](MainWindow& window) {
      window.refreshPipes();
      for (const pipescope::PipeInfo& pipe : window.pipesModel()->present()) {
        if (QString::fromStdString(pipe.os_path) == path) return true;
      }
      return false;
    };
    {
      MainWindow window;
      auto* every = child<QAction>(&window, "actionEverySocket");
      QVERIFY(!every->isChecked());
      QVERIFY(!listed(window));
      every->trigger();
      QVERIFY(listed(window));
      window.close();  // saves the settings
    }
    {
      MainWindow window;
      QVERIFY(child<QAction>(&window, "actionEverySocket")->isChecked());
      QVERIFY(listed(window));
      child<QAction>(&window, "actionEverySocket")->trigger();
      QVERIFY(!listed(window));
      window.close();
    }
    ::close(fd);
  }
#endif

  // An empty log says how to fill it, and its links do it; a filter that
  // matches nothing says so instead.
  void theEmptyLogSaysHowToFillIt() {
    MainWindow window;
    window.show();
    auto* hint = child<QLabel>(&window, "emptyViewHint");
    QVERIFY(hint->isVisible());
    QVERIFY2(hint->text().contains(QStringLiteral("New server")) && hint->text().contains(QStringLiteral("Ctrl+N")),
             qPrintable(hint->text()));
    QVERIFY(hint->text().contains(QStringLiteral("Connect client")));
    // The first link opens the New server dialog.
    emit hint->linkActivated(QStringLiteral("0"));
    QPointer<NewServerDialog> dialog = window.findChild<NewServerDialog*>();
    QVERIFY(dialog);
    dialog->reject();
    // The third starts the demo; its traffic hides the hint.
    emit hint->linkActivated(QStringLiteral("2"));
    QTRY_VERIFY_WITH_TIMEOUT(window.logModel()->rowCount() > 0, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!hint->isVisible(), kTimeoutMs);
    child<QLineEdit>(&window, "textFilter")->setText(QStringLiteral("no demo message says this"));
    QTRY_VERIFY_WITH_TIMEOUT(hint->isVisible(), kTimeoutMs);
    QCOMPARE(hint->text(), QStringLiteral("No record matches the filter."));
  }

  // Clear log asks before it forgets anything: Cancel keeps every record,
  // Discard forgets them; an empty log is cleared without a question.
  void clearLogAsksFirst() {
    MainWindow window;
    window.show();
    const QString name = uniqueName("clear");
    pipescope::ServerOptions server;
    server.name = toStd(name);
    QVERIFY(!window.createServer(server).has_value());
    pipescope::ClientOptions client;
    client.name = toStd(name);
    QVERIFY(!window.connectClient(client).has_value());
    ClientsModel& clients = *window.clientsModel();
    QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients.index(0, ClientsModel::StateColumn).data().toString(), QStringLiteral("connected"),
                              kTimeoutMs);
    const auto clientId = static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
    QVERIFY(!window.sendTo(clientId, QByteArrayLiteral("one")).has_value());
    QTRY_COMPARE_WITH_TIMEOUT(window.logModel()->rowCount(), 2, kTimeoutMs);  // written and read

    // Answers the question Clear log asks, and keeps its text.
    QString question;
    const auto answer = [&question](QMessageBox::StandardButton button) {
      QTimer::singleShot(0, [button, &question] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (box == nullptr) qFatal("Clear log asked nothing");
        question = box->text();
        box->button(button)->click();
      });
    };
    answer(QMessageBox::Cancel);
    trigger(window, "actionClearLog");
    QCOMPARE(question, QStringLiteral("Forget all 2 record(s) of the log? They cannot be got back unless they were saved."));
    QCOMPARE(window.logModel()->rowCount(), 2);
    answer(QMessageBox::Discard);
    trigger(window, "actionClearLog");
    QCOMPARE(window.logModel()->rowCount(), 0);
    QVERIFY(window.engine().log().size() == 0);
    // Nothing to lose: no question.
    bool asked = true;
    QTimer::singleShot(0, [&asked] {
      asked = QApplication::activeModalWidget() != nullptr;
      if (asked) QApplication::activeModalWidget()->close();
    });
    trigger(window, "actionClearLog");
    QTRY_VERIFY(!asked);
  }

  // Find pauses following, so that the found row stays in view, and says
  // so; the pause is not the person's choice, so the next start follows
  // again. Unticking Follow oneself is kept.
  void findPausesFollowForNowOnly() {
    {
      MainWindow window;
      auto* follow = child<QCheckBox>(&window, "followTail");
      follow->setChecked(true);
      window.startDemo();
      const auto pinged = [&] {
        for (int row = 0; row < window.logModel()->rowCount(); ++row) {
          const QModelIndex preview = window.logModel()->index(row, MessageLogModel::PreviewColumn);
          if (preview.data().toString().startsWith(QStringLiteral("PING 1"))) return true;
        }
        return false;
      };
      QTRY_VERIFY_WITH_TIMEOUT(pinged(), kTimeoutMs);
      auto* findText = child<QLineEdit>(&window, "findText");
      findText->setText(QStringLiteral("ping"));
      trigger(window, "actionFindNext");
      QVERIFY(!follow->isChecked());
      QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("Follow is paused")),
               qPrintable(window.statusBar()->currentMessage()));
      window.close();  // saves the settings
    }
    QVERIFY(QSettings().value(QStringLiteral("log/follow")).toBool());
    {
      MainWindow window;
      auto* follow = child<QCheckBox>(&window, "followTail");
      QVERIFY(follow->isChecked());
      follow->setChecked(false);  // the person's own choice
      window.close();
    }
    QVERIFY(!QSettings().value(QStringLiteral("log/follow")).toBool());
    MainWindow window;
    QVERIFY(!child<QCheckBox>(&window, "followTail")->isChecked());
  }
};

QTEST_MAIN(FlowTest)
#include "flow_test.moc"
