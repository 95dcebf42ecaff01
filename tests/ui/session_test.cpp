// The GUI session without a window: the endpoint directory fed events, the
// session's commands over real pipes (their errors returned and listed),
// and the demo player running on them.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QFileInfo>
#include <QTest>

#include "models/errors_model.hpp"
#include "models/servers_model.hpp"
#include "models/message_log_model.hpp"
#include "session/demo_player.hpp"
#include "session/endpoint_directory.hpp"
#include "session/session.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;
using pipescope::EndpointKind;
using pipescope::EndpointState;

class SessionTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { useOwnSettings("session_test"); }

  void directoryInsertsOnceAndUpdatesPerBatch() {
    EndpointLookup lookup;
    lookup.info = [](pipescope::EndpointId id) -> std::optional<pipescope::EndpointInfo> {
      if (id != 7) return std::nullopt;
      pipescope::EndpointInfo info;
      info.label = "client 7 → \\\\.\\pipe\\demo";
      return info;
    };
    EndpointDirectory directory(lookup);
    QAbstractItemModelTester tester(&directory, kReport);
    QSignalSpy inserted(&directory, &QAbstractItemModel::rowsInserted);
    QSignalSpy updated(&directory, &QAbstractItemModel::dataChanged);
    QSignalSpy changed(&directory, &EndpointDirectory::changed);

    // Two new endpoints and a second event for one of them: one insertion.
    directory.onEvents({stateEvent(5, EndpointKind::instance, 1, EndpointState::listening),
                        stateEvent(7, EndpointKind::client, 0, EndpointState::connecting),
                        stateEvent(5, EndpointKind::instance, 1, EndpointState::connected)});
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 1);
    QCOMPARE(updated.size(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(directory.rowCount(), 2);
    QVERIFY(directory.find(5) != nullptr);
    QVERIFY(directory.find(5)->isConnected());
    QCOMPARE(directory.find(5)->server, pipescope::ServerId{1});
    // The engine's label without the local pipe prefix; a fallback without one.
    QCOMPARE(directory.label(7), QStringLiteral("client 7 → demo"));
    QCOMPARE(directory.label(5), QStringLiteral("endpoint 5"));
    QCOMPARE(directory.label(99), QStringLiteral("endpoint 99"));
    QCOMPARE(directory.index(1).data(EndpointDirectory::EndpointIdRole).toUInt(), 7u);

    // A known endpoint changes: no insertion, one dataChanged over its row.
    directory.onEvents({stateEvent(7, EndpointKind::client, 0, EndpointState::closed)});
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(updated.size(), 1);
    QCOMPARE(updated.at(0).at(0).value<QModelIndex>().row(), 1);
    QCOMPARE(changed.size(), 2);
    QVERIFY(!directory.find(7)->isLive());

    // A child is named by its process id when the engine has no label.
    pipescope::ChildStarted child;
    child.endpoint = 9;
    child.pid = 4242;
    directory.onEvents({child});
    QCOMPARE(directory.label(9), QStringLiteral("child 4242"));
    QVERIFY(directory.find(9)->isConnected());
    QCOMPARE(directory.find(9)->kind, EndpointKind::child);

    // Data alone changes nothing in the directory.
    pipescope::Data data;
    data.endpoint = 5;
    directory.onEvents({data});
    QCOMPARE(changed.size(), 3);
  }

  void commandsRunOnRealPipesAndReportErrors() {
    Session session;
    QAbstractItemModelTester directoryTester(session.directory(), kReport);
    QSignalSpy said(&session, &Session::statusMessage);
    const QString name = uniqueName("session");

    pipescope::ServerOptions server;
    server.name = name.toStdString();
    QVERIFY(!session.createServer(server).has_value());
    // The last word is the command's own result, even where the pipe
    // listing that follows a new server fails (under Wine) and says so.
    QVERIFY(!said.isEmpty());
    QVERIFY(said.last().at(0).toString().contains(name));

    pipescope::ClientOptions client;
    client.name = server.name;
    QVERIFY(!session.connectClient(client).has_value());
    // The client and the instance it reached are both connected, in the directory.
    const auto connectedCount = [&session] {
      int count = 0;
      for (const DirectoryEntry& entry : session.directory()->entries()) count += entry.isConnected() ? 1 : 0;
      return count;
    };
    QTRY_COMPARE_WITH_TIMEOUT(connectedCount(), 2, kTimeoutMs);
    pipescope::EndpointId clientId = 0;
    for (const DirectoryEntry& entry : session.directory()->entries()) {
      if (entry.kind == EndpointKind::client) clientId = entry.id;
    }
    QVERIFY(clientId != 0);

    QVERIFY(!session.sendTo(clientId, QByteArrayLiteral("over the session")).has_value());
    QTRY_VERIFY_WITH_TIMEOUT(
        findRow(*session.logModel(), clientId, pipescope::Direction::out, QStringLiteral("over the session")) >= 0,
        kTimeoutMs);

    // A refused command returns the engine's error and lists it once.
    const int errorsBefore = session.errorsModel()->rowCount();
    pipescope::ServerOptions bad;
    bad.name = std::string("bad\0name", 8);
    const auto badName = session.createServer(bad);
    QVERIFY(badName.has_value());
    QCOMPARE(session.errorsModel()->rowCount(), errorsBefore + 1);
    const auto unknown = session.sendTo(987654, QByteArrayLiteral("x"));
    QVERIFY(unknown.has_value());
    QCOMPARE(session.errorsModel()->rowCount(), errorsBefore + 2);

    // Disconnecting the client closes it.
    QVERIFY(!session.disconnect(clientId).has_value());
    QTRY_VERIFY_WITH_TIMEOUT(!session.directory()->find(clientId)->isLive(), kTimeoutMs);

    // A log saved without an extension is saved as .jsonl, and says so.
    QTemporaryDir folder;
    QSignalSpy told(&session, &Session::statusMessage);
    QVERIFY(!session.saveLog(folder.filePath(QStringLiteral("capture"))).has_value());
    QVERIFY(QFileInfo::exists(folder.filePath(QStringLiteral("capture.jsonl"))));
    QVERIFY(!QFileInfo::exists(folder.filePath(QStringLiteral("capture"))));
    QVERIFY(!told.isEmpty() && told.last().at(0).toString().endsWith(QStringLiteral("capture.jsonl")));
    // A name with an extension of its own is kept as it is.
    QVERIFY(!session.saveLog(folder.filePath(QStringLiteral("capture.log"))).has_value());
    QVERIFY(QFileInfo::exists(folder.filePath(QStringLiteral("capture.log"))));

    // Clearing the log empties the model and tells the panes.
    QSignalSpy replaced(&session, &Session::logReplaced);
    session.clearLog();
    QCOMPARE(replaced.size(), 1);
    QCOMPARE(session.logModel()->rowCount(), 0);
  }

  void demoPlayerTalksOnceConnectedAndStartsOnce() {
    Session session;
    DemoPlayer demo(session);
    QVERIFY(demo.pipeName().isEmpty());
    demo.start();
    const QString name = demo.pipeName();
    QVERIFY(name.startsWith(QStringLiteral("pipescope-demo-")));
    QVERIFY(demo.isRunning());
    // The first message goes out as soon as the client is connected, and the
    // echo server's instance reads it back in parts of 32 bytes at most.
    QTRY_VERIFY_WITH_TIMEOUT(session.logModel()->rowCount() > 0, kTimeoutMs);
    pipescope::EndpointId clientId = 0;
    for (const DirectoryEntry& entry : session.directory()->entries()) {
      if (entry.kind == EndpointKind::client) clientId = entry.id;
    }
    QVERIFY(clientId != 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        findRow(*session.logModel(), clientId, pipescope::Direction::out, QStringLiteral("Hello, pipe!")) >= 0,
        kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(
        findRow(*session.logModel(), clientId, pipescope::Direction::in, QStringLiteral("Hello, pipe!")) >= 0,
        kTimeoutMs);
    // A second start makes no second server.
    QCOMPARE(session.serversModel()->rowCount(), 1);
    demo.start();
    QCOMPARE(demo.pipeName(), name);
    QCOMPARE(session.serversModel()->rowCount(), 1);
  }
};

QTEST_MAIN(SessionTest)
#include "session_test.moc"
