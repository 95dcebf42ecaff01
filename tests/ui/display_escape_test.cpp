// Other users' text in the GUI's models: a socket path, pipe name, user,
// label, command line or error holding terminal escapes, newlines or bidi
// overrides is shown escaped (as pipescope::escape_for_display does for the
// console), while the roles that act on a pipe keep its exact name.
#include <QAbstractItemModelTester>
#include <QStatusBar>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "models/clients_model.hpp"
#include "models/errors_model.hpp"
#include "models/impersonation_model.hpp"
#include "window/main_window.hpp"
#include "models/pipes_model.hpp"
#include "common/qt_text.hpp"
#include "pipescope/engine.hpp"
#include "models/servers_model.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

/// ESC ] 0 ; ... BEL retitles a terminal, ESC [ 2 J clears it, U+202E
/// reverses what follows, and the newline would cut a one-line cell.
const std::string kHostile = "evil\x1b]0;owned\x07\x1b[2J\xe2\x80\xaegnp.exe\nsecond";
const QString kShown = QStringLiteral("evil\\e]0;owned\\x07\\e[2J\\u202egnp.exe\\nsecond");

/// True when a cell's text holds nothing a terminal or a layout would obey.
bool harmless(const QString& text) {
  for (const QChar c : text) {
    const char16_t u = c.unicode();
    if (u < 0x20 || u == 0x7f || (u >= 0x80 && u <= 0x9f) || (u >= 0x202a && u <= 0x202e)) return false;
  }
  return true;
}

EndpointLookup hostileLookup() {
  return EndpointLookup{[](pipescope::EndpointId) { return pipescope::Counters{}; },
                        [](pipescope::EndpointId id) {
                          pipescope::EndpointInfo info;
                          info.id = id;
                          info.label = kHostile;
                          info.pipe_name = R"(\\.\pipe\)" + kHostile;
                          return std::optional(info);
                        }};
}

}  // namespace

class DisplayEscapeTest : public QObject {
  Q_OBJECT

 private slots:
  void pipesModelShowsAForeignSocketsPathEscaped() {
    // A real foreign server: a raw socket bound by this test in a folder of
    // its own, listed by the engine as any pipe of the machine.
    char folder[] = "/tmp/pipescope-ui-escape-XXXXXX";
    QVERIFY(::mkdtemp(folder) != nullptr);
    const std::string leaf = "x" + kHostile.substr(4, 40);
    const std::string path = std::string(folder) + "/CoreFxPipe_" + leaf;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    QVERIFY(path.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path.data(), path.size());
    QVERIFY(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    QVERIFY(::listen(fd, 4) == 0);

    const char* old = std::getenv("TMPDIR");
    const std::string saved = old != nullptr ? old : "";
    ::setenv("TMPDIR", folder, 1);
    const pipescope::Engine engine(nullptr);
    auto pipes = engine.list_pipes();
    if (old != nullptr) {
      ::setenv("TMPDIR", saved.c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
    ::close(fd);
    ::unlink(path.c_str());
    ::rmdir(folder);
    QVERIFY(pipes.ok());

    PipesModel model;
    QAbstractItemModelTester tester(&model, kReport);
    model.update(*pipes);
    int row = -1;
    for (int r = 0; r < model.rowCount(); ++r) {
      if (model.index(r, 0).data(PipesModel::NameRole).toString().endsWith(toQString(leaf))) row = r;
    }
    QVERIFY2(row >= 0, "the foreign socket is listed");
    const QString name = model.index(row, PipesModel::NameColumn).data().toString();
    const QString os = model.index(row, PipesModel::OsPathColumn).data().toString();
    QVERIFY2(harmless(name), qPrintable(name));
    QVERIFY2(harmless(os), qPrintable(os));
    QCOMPARE(name, QStringLiteral(R"(\\.\pipe\x)") + kShown.mid(4));
    // Connecting needs the exact name: the role that acts keeps it.
    QCOMPARE(model.index(row, 0).data(PipesModel::NameRole).toString(),
             toQString(R"(\\.\pipe\)" + leaf));
  }

  void serversModelShowsNamesPathsAndUsersEscaped() {
    ServersModel model(hostileLookup());
    QAbstractItemModelTester tester(&model, kReport);
    pipescope::ServerStarted started;
    started.server = 7;
    started.name = kHostile;
    started.os_path = "/tmp/CoreFxPipe_" + kHostile;
    auto connected = stateEvent(11, pipescope::EndpointKind::instance, 7, pipescope::EndpointState::connected);
    model.onEvents({started, stateEvent(11, pipescope::EndpointKind::instance, 7, pipescope::EndpointState::listening),
                    connected, pipescope::PeerIdentified{11, kHostile}});
    const QModelIndex server = model.index(0, ServersModel::NameColumn);
    QCOMPARE(server.data().toString(), kShown);
    QVERIFY(harmless(server.data(Qt::ToolTipRole).toString().remove(QLatin1Char('\n'))));
    QVERIFY(server.data(Qt::ToolTipRole).toString().contains(QStringLiteral("/tmp/CoreFxPipe_") + kShown));
    QCOMPARE(model.index(0, ServersModel::PeerUserColumn, server).data().toString(), kShown);
    QVERIFY(harmless(model.index(0, ServersModel::NameColumn, server).data().toString()));
  }

  void clientsModelShowsPipeNamesAndCommandLinesEscaped() {
    ClientsModel model(hostileLookup());
    QAbstractItemModelTester tester(&model, kReport);
    pipescope::ChildStarted child;
    child.endpoint = 5;
    child.pid = 999;
    child.command_line = kHostile;
    model.onEvents({stateEvent(3, pipescope::EndpointKind::client, 0, pipescope::EndpointState::connecting), child});
    QCOMPARE(model.rowCount(), 2);
    for (int row = 0; row < model.rowCount(); ++row) {
      for (int column = 0; column < model.columnCount(); ++column) {
        const QString text = model.index(row, column).data().toString();
        QVERIFY2(harmless(text), qPrintable(QStringLiteral("row %1 column %2: %3").arg(row).arg(column).arg(text)));
      }
    }
    QVERIFY(model.index(0, ClientsModel::PipeColumn).data().toString().endsWith(kShown));
  }

  void errorsAndImpersonationShowQuotedTextEscaped() {
    ErrorsModel errors;
    QAbstractItemModelTester errorsTester(&errors, kReport);
    errors.addError(pipescope::make_error(pipescope::Errc::access_denied, "create", "/tmp/CoreFxPipe_" + kHostile));
    const QString summary = errors.index(0, ErrorsModel::SummaryColumn).data().toString();
    QVERIFY2(harmless(summary), qPrintable(summary));
    QVERIFY(summary.contains(kShown));

    ImpersonationModel impersonation;
    QAbstractItemModelTester impersonationTester(&impersonation, kReport);
    pipescope::Impersonated result;
    result.endpoint = 11;
    result.result.impersonated = true;
    result.result.user = kHostile;
    result.result.sid = kHostile;
    result.result.groups = {kHostile};
    result.result.probe_path = kHostile;
    result.result.probe_granted = true;
    result.result.notes = kHostile;
    impersonation.onEvents({result});
    for (const int column : {ImpersonationModel::UserColumn, ImpersonationModel::SidColumn,
                             ImpersonationModel::GroupsColumn, ImpersonationModel::ProbeColumn,
                             ImpersonationModel::NotesColumn}) {
      const QString text = impersonation.index(0, column).data().toString();
      QVERIFY2(harmless(text), qPrintable(QStringLiteral("column %1: %2").arg(column).arg(text)));
      QVERIFY(text.contains(kShown));
    }
  }

  void statusBarShowsAPipeNameEscaped() {
    // A name double-clicked in the pipe list is another user's text too.
    MainWindow window;
    pipescope::ClientOptions options;
    options.name = "gone-" + kHostile;
    options.busy_timeout = std::chrono::milliseconds(0);
    QVERIFY(!window.connectClient(options).has_value());
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(harmless(message), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("gone-") + kShown));
  }
};

QTEST_MAIN(DisplayEscapeTest)
#include "display_escape_test.moc"
