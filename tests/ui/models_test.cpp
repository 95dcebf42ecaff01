// Every model under QAbstractItemModelTester, also while rows stream in from
// another thread through the bridge, plus what each model shows.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <map>
#include <memory>
#include <thread>

#include "models/clients_model.hpp"
#include "session/engine_bridge.hpp"
#include "models/errors_model.hpp"
#include "models/impersonation_model.hpp"
#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"
#include "models/pipes_model.hpp"
#include "pipescope/codec.hpp"
#include "models/servers_model.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

pipescope::Event dataFor(const pipescope::MessageLog& log, std::uint64_t row) {
  const pipescope::Record record = log.record(row);
  pipescope::Data data;
  data.endpoint = record.endpoint;
  data.direction = record.direction;
  data.row = row;
  data.size = record.length;
  data.flags = record.flags;
  return data;
}

void registerEndpoint(pipescope::MessageLog& log, pipescope::EndpointId id, pipescope::EndpointKind kind,
                      const std::string& label) {
  pipescope::EndpointInfo info;
  info.id = id;
  info.kind = kind;
  info.pipe_name = R"(\\.\pipe\models)";
  info.label = label;
  log.register_endpoint(info);
}

// Counters the tests control, standing in for the engine's.
struct FakeCounters {
  std::map<pipescope::EndpointId, pipescope::Counters> values;
  EndpointLookup lookup() {
    return EndpointLookup{[this](pipescope::EndpointId id) { return values[id]; },
                          [](pipescope::EndpointId id) {
                            pipescope::EndpointInfo info;
                            info.id = id;
                            info.label = "endpoint " + std::to_string(id);
                            info.pipe_name = R"(\\.\pipe\models)";
                            return std::optional(info);
                          }};
  }
};

}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT

 private slots:
  void messageLogModelShowsEachRecordLazily() {
    pipescope::MessageLog log;
    registerEndpoint(log, 1, pipescope::EndpointKind::client, "client 1");
    MessageLogModel model(log);
    QAbstractItemModelTester tester(&model, kReport);
    QCOMPARE(model.rowCount(), 0);

    log.append(1, pipescope::Direction::out, pipescope::as_bytes("hello\n"), pipescope::record_flags::message);
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("part"),
               pipescope::record_flags::message | pipescope::record_flags::more_data);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.onEvents({dataFor(log, 0), dataFor(log, 1)});
    QCOMPARE(inserted.count(), 1);  // one insertion for the whole batch
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, MessageLogModel::EndpointColumn).data().toString(), QStringLiteral("client 1"));
    QCOMPARE(model.index(0, MessageLogModel::LengthColumn).data().toUInt(), 6U);
    QCOMPARE(model.index(0, MessageLogModel::PreviewColumn).data().toString(), QStringLiteral("hello."));
    QVERIFY(model.index(1, MessageLogModel::FlagsColumn).data().toString().contains(QStringLiteral("more-data")));
    QVERIFY(model.index(1, MessageLogModel::FlagsColumn).data(Qt::ToolTipRole).toString().contains(
        QStringLiteral("ERROR_MORE_DATA")));
    QCOMPARE(model.index(1, 0).data(MessageLogModel::DirectionRole).toInt(), static_cast<int>(pipescope::Direction::in));
    QCOMPARE(model.index(1, 0).data(MessageLogModel::LogRowRole).toULongLong(), 1ULL);

    // Events without data change nothing.
    model.onEvents({stateEvent(1, pipescope::EndpointKind::client, 0, pipescope::EndpointState::connected)});
    QCOMPARE(inserted.count(), 1);

    log.clear();
    model.catchUp();
    QCOMPARE(model.rowCount(), 0);
  }

  void rowsStreamInThroughTheBridgeOneInsertionPerBatch() {
    pipescope::MessageLog log;
    registerEndpoint(log, 1, pipescope::EndpointKind::instance, "demo #1");
    registerEndpoint(log, 2, pipescope::EndpointKind::client, "client 2");
    EngineBridge bridge;
    MessageLogModel model(log);
    LogQueryModel proxy;
    proxy.setSourceModel(&model);
    proxy.setEndpointFilter(2);
    QAbstractItemModelTester tester(&model, kReport);
    QAbstractItemModelTester proxyTester(&proxy, kReport);
    connect(&bridge, &EngineBridge::eventsArrived, &model, &MessageLogModel::onEvents);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    constexpr int total = 3000;
    std::mutex engineSerial;
    std::jthread engine([&] {
      for (int i = 0; i < total; ++i) {
        const pipescope::EndpointId endpoint = (i % 2 == 0) ? 1 : 2;
        const std::string text = "message " + std::to_string(i);
        const std::lock_guard lock(engineSerial);
        const auto row = log.append(endpoint, pipescope::Direction::in, pipescope::as_bytes(text));
        const pipescope::Event event = dataFor(log, row);
        bridge.on_events(std::span(&event, 1));
      }
    });
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), total, 20000);
    QCOMPARE(proxy.rowCount(), total / 2);
    // Each delivered batch gave at most one insertion.
    QVERIFY(static_cast<std::uint64_t>(inserted.count()) <= bridge.batchesDelivered());
    QVERIFY(inserted.count() >= 1);
    QCOMPARE(proxy.index(0, MessageLogModel::PreviewColumn).data().toString(), QStringLiteral("message 1"));
  }

  void filterByEndpointDirectionTextAndRegex() {
    pipescope::MessageLog log;
    log.append(1, pipescope::Direction::in, pipescope::as_bytes("GET /index"));
    log.append(1, pipescope::Direction::out, pipescope::as_bytes("200 OK"));
    log.append(2, pipescope::Direction::in, pipescope::as_bytes("get /other"));
    log.append(2, pipescope::Direction::out, pipescope::as_bytes("404 Not Found"));
    MessageLogModel model(log);
    LogQueryModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, kReport);
    QCOMPARE(proxy.rowCount(), 4);
    QVERIFY(!proxy.isFiltering());

    proxy.setEndpointFilter(1);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setDirectionFilter(pipescope::Direction::out);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, MessageLogModel::PreviewColumn).data().toString(), QStringLiteral("200 OK"));
    proxy.setEndpointFilter(0);
    proxy.setDirectionFilter(std::nullopt);

    QVERIFY(proxy.setTextFilter(QStringLiteral("get"), false, Qt::CaseInsensitive));
    QCOMPARE(proxy.rowCount(), 2);
    QVERIFY(proxy.setTextFilter(QStringLiteral("get"), false, Qt::CaseSensitive));
    QCOMPARE(proxy.rowCount(), 1);
    QVERIFY(proxy.setTextFilter(QStringLiteral("^[0-9]{3} "), true, Qt::CaseSensitive));
    QCOMPARE(proxy.rowCount(), 2);
    QVERIFY(proxy.isFiltering());

    // A broken expression is refused with a reason, and the last good filter stays.
    QVERIFY(!proxy.setTextFilter(QStringLiteral("([0-9]"), true, Qt::CaseSensitive));
    QVERIFY(!proxy.patternError().isEmpty());
    QCOMPARE(proxy.rowCount(), 2);

    QVERIFY(proxy.setTextFilter(QString(), false, Qt::CaseSensitive));
    QCOMPARE(proxy.rowCount(), 4);
  }

  void serversModelTracksServersAndInstances() {
    FakeCounters counters;
    ServersModel model(counters.lookup());
    QAbstractItemModelTester tester(&model, kReport);

    pipescope::ServerStarted started;
    started.server = 7;
    started.name = R"(\\.\pipe\demo)";
    started.os_path = "/tmp/CoreFxPipe_demo";
    model.onEvents({started, stateEvent(11, pipescope::EndpointKind::instance, 7, pipescope::EndpointState::listening)});
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex server = model.index(0, 0);
    QCOMPARE(server.data().toString(), QStringLiteral(R"(\\.\pipe\demo)"));
    QCOMPARE(model.rowCount(server), 1);

    auto connected = stateEvent(11, pipescope::EndpointKind::instance, 7, pipescope::EndpointState::connected);
    connected.peer.pid = 4242;
    connected.peer.uid = 1000;
    model.onEvents({connected, stateEvent(12, pipescope::EndpointKind::instance, 7, pipescope::EndpointState::listening)});
    // Until the name comes (on Windows from a lookup thread), the uid is shown.
    QCOMPARE(model.index(0, ServersModel::PeerUserColumn, server).data().toString(), QStringLiteral("uid 1000"));
    model.onEvents({pipescope::PeerIdentified{11, "alice"}});
    QCOMPARE(model.rowCount(server), 2);
    const QModelIndex instance = model.indexOfInstance(11);
    QVERIFY(instance.isValid());
    QCOMPARE(instance.parent(), server);
    QCOMPARE(model.index(0, ServersModel::StateColumn, server).data().toString(), QStringLiteral("connected"));
    QCOMPARE(model.index(0, ServersModel::PeerPidColumn, server).data().toLongLong(), 4242);
    QCOMPARE(model.index(0, ServersModel::PeerUserColumn, server).data().toString(), QStringLiteral("alice"));
    QCOMPARE(model.index(0, ServersModel::NameColumn, server).data().toString(), QStringLiteral("endpoint 11"));

    counters.values[11] = pipescope::Counters{10, 20, 1, 2};
    counters.values[12] = pipescope::Counters{5, 0, 1, 0};
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.refreshCounters();
    QVERIFY(changed.count() >= 1);
    QCOMPARE(model.index(0, ServersModel::BytesOutColumn, server).data().toULongLong(), 20ULL);
    QCOMPARE(model.index(0, ServersModel::BytesInColumn).data().toULongLong(), 15ULL);  // server total

    // An instance event for a server we have not heard of still finds a home.
    model.onEvents({stateEvent(30, pipescope::EndpointKind::instance, 9, pipescope::EndpointState::listening)});
    QCOMPARE(model.rowCount(), 2);

    pipescope::ServerStopped stopped;
    stopped.server = 7;
    model.onEvents({stateEvent(11, pipescope::EndpointKind::instance, 7, pipescope::EndpointState::closed), stopped});
    QCOMPARE(model.index(0, ServersModel::StateColumn).data().toString(), QStringLiteral("stopped"));
    QCOMPARE(model.index(0, ServersModel::StateColumn, server).data().toString(), QStringLiteral("closed"));
  }

  void serversModelInsertsOncePerBatchAndParent() {
    // Two servers starting and five instances appearing in one batch (with
    // one instance changing state twice) are three insertions: the servers,
    // then each server's instances; and each instance shows its last state.
    FakeCounters counters;
    ServersModel model(counters.lookup());
    QAbstractItemModelTester tester(&model, kReport);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    pipescope::ServerStarted first;
    first.server = 1;
    first.name = R"(\\.\pipe\one)";
    pipescope::ServerStarted second;
    second.server = 2;
    second.name = R"(\\.\pipe\two)";
    using pipescope::EndpointKind;
    using pipescope::EndpointState;
    model.onEvents({first, stateEvent(10, EndpointKind::instance, 1, EndpointState::listening), second,
                    stateEvent(11, EndpointKind::instance, 1, EndpointState::listening),
                    stateEvent(20, EndpointKind::instance, 2, EndpointState::listening),
                    stateEvent(10, EndpointKind::instance, 1, EndpointState::connected),
                    stateEvent(12, EndpointKind::instance, 1, EndpointState::listening),
                    stateEvent(21, EndpointKind::instance, 2, EndpointState::listening),
                    stateEvent(10, EndpointKind::instance, 1, EndpointState::disconnected)});
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(model.rowCount(), 2);
    const QModelIndex one = model.indexOfServer(1);
    const QModelIndex two = model.indexOfServer(2);
    QCOMPARE(model.rowCount(one), 3);
    QCOMPARE(model.rowCount(two), 2);
    QCOMPARE(model.indexOfInstance(10).siblingAtColumn(ServersModel::StateColumn).data().toString(),
             QStringLiteral("disconnected"));
    QCOMPARE(model.indexOfInstance(12).row(), 2);
    QCOMPARE(model.indexOfInstance(21).parent(), two);

    // A later batch with only state changes inserts nothing.
    model.onEvents({stateEvent(11, EndpointKind::instance, 1, EndpointState::connected)});
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(model.indexOfInstance(11).siblingAtColumn(ServersModel::StateColumn).data().toString(),
             QStringLiteral("connected"));
  }

  void clientsModelInsertsOncePerBatchAndFollowsChildren() {
    FakeCounters counters;
    ClientsModel model(counters.lookup());
    QAbstractItemModelTester tester(&model, kReport);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    pipescope::ChildStarted child;
    child.endpoint = 5;
    child.pid = 999;
    child.command_line = "cat";
    model.onEvents({stateEvent(3, pipescope::EndpointKind::client, 0, pipescope::EndpointState::connecting),
                    stateEvent(3, pipescope::EndpointKind::client, 0, pipescope::EndpointState::connected),
                    stateEvent(4, pipescope::EndpointKind::client, 0, pipescope::EndpointState::connecting),
                    stateEvent(8, pipescope::EndpointKind::instance, 1, pipescope::EndpointState::listening), child});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, ClientsModel::StateColumn).data().toString(), QStringLiteral("connected"));
    QCOMPARE(model.index(1, ClientsModel::StateColumn).data().toString(), QStringLiteral("connecting"));
    QVERIFY(model.index(2, ClientsModel::PeerColumn).data().toString().contains(QStringLiteral("999")));

    pipescope::ChildExited exited;
    exited.endpoint = 5;
    exited.pid = 999;
    exited.exit_code = 3;
    model.onEvents({exited, stateEvent(4, pipescope::EndpointKind::client, 0, pipescope::EndpointState::closed)});
    QCOMPARE(inserted.count(), 1);
    QVERIFY(model.index(2, ClientsModel::PeerColumn).data().toString().contains(QStringLiteral("exit code 3")));
    QCOMPARE(model.index(1, ClientsModel::StateColumn).data().toString(), QStringLiteral("closed"));

    // The server's user comes after the connection, in its own event; one
    // for an endpoint of the servers pane changes nothing here.
    auto connected = stateEvent(3, pipescope::EndpointKind::client, 0, pipescope::EndpointState::connected);
    QCOMPARE(model.index(0, ClientsModel::PeerColumn).data().toString(), QString());
    connected.peer.pid = 4242;
    model.onEvents({connected});
    QCOMPARE(model.index(0, ClientsModel::PeerColumn).data().toString(), QStringLiteral("server pid 4242"));
    model.onEvents({pipescope::PeerIdentified{3, "alice"}, pipescope::PeerIdentified{8, "bob"}});
    QCOMPARE(model.index(0, ClientsModel::PeerColumn).data().toString(), QStringLiteral("server pid 4242, user alice"));
    QCOMPARE(inserted.count(), 1);

    counters.values[3] = pipescope::Counters{1, 2, 3, 4};
    model.refreshCounters();
    QCOMPARE(model.index(0, ClientsModel::MessagesOutColumn).data().toULongLong(), 4ULL);
    QCOMPARE(model.indexOfEndpoint(4).row(), 1);
  }

  void pipesModelMarksAppearedAndVanishedPipes() {
    PipesModel model;
    QAbstractItemModelTester tester(&model, kReport);
    const auto pipe = [](const std::string& name, int current) {
      pipescope::PipeInfo info;
      info.name = name;
      info.os_path = "/tmp/CoreFxPipe_" + name;
      info.current_instances = current;
      info.max_instances = 255;
      return info;
    };
    const auto markOf = [&model](int row) { return static_cast<PipesModel::Mark>(model.index(row, 0).data(PipesModel::MarkRole).toInt()); };

    model.update({pipe("a", 1), pipe("b", 2)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(markOf(0), PipesModel::Mark::present);  // the first listing marks nothing as new
    QCOMPARE(model.index(1, PipesModel::InstancesColumn).data().toString(), QStringLiteral("2 / unlimited"));

    model.update({pipe("b", 3), pipe("c", 1)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("a"));
    QCOMPARE(markOf(0), PipesModel::Mark::vanished);
    QCOMPARE(markOf(1), PipesModel::Mark::present);
    QCOMPARE(model.index(1, PipesModel::InstancesColumn).data().toString(), QStringLiteral("3 / unlimited"));
    QCOMPARE(markOf(2), PipesModel::Mark::appeared);
    QStringList present;
    for (const pipescope::PipeInfo& info : model.present()) present << QString::fromStdString(info.name);
    QCOMPARE(present, QStringList({QStringLiteral("b"), QStringLiteral("c")}));

    model.update({pipe("b", 3), pipe("c", 1)});
    QCOMPARE(model.rowCount(), 2);  // the vanished pipe is gone now
    QCOMPARE(markOf(1), PipesModel::Mark::present);

    model.update({});
    model.update({pipe("b", 1)});  // c leaves, b that had vanished returns
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(markOf(0), PipesModel::Mark::present);
  }

  void impersonationModelShowsWhoTheClientWas() {
    ImpersonationModel model;
    QAbstractItemModelTester tester(&model, kReport);
    pipescope::Impersonated ok;
    ok.endpoint = 11;
    ok.result.impersonated = true;
    ok.result.user = "alice";
    ok.result.sid = "uid 1000";
    ok.result.groups = {"users", "audio"};
    ok.result.probe_path = "/etc/shadow";
    ok.result.probe_granted = false;
    ok.result.probe_error = pipescope::make_error(pipescope::Errc::access_denied, "open", "/etc/shadow");
    ok.result.reverted = true;
    pipescope::Impersonated failed;
    failed.endpoint = 12;
    failed.result.error = pipescope::make_error(pipescope::Errc::access_denied, "impersonate");
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.onEvents({ok, failed});
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ImpersonationModel::UserColumn).data().toString(), QStringLiteral("alice"));
    QCOMPARE(model.index(0, ImpersonationModel::GroupsColumn).data().toString(), QStringLiteral("users, audio"));
    QCOMPARE(model.index(0, ImpersonationModel::RevertedColumn).data().toString(), QStringLiteral("yes"));
    QVERIFY(model.index(0, ImpersonationModel::ProbeColumn).data().toString().contains(QStringLiteral("denied")));
    QVERIFY(model.index(1, ImpersonationModel::ResultColumn).data().toString().contains(QStringLiteral("ERROR_ACCESS_DENIED")));
    QVERIFY(model.describeRow(0).contains(QStringLiteral("Reverted")));
    // A denied probe is file access as the client, not the pipe-security
    // text of ERROR_ACCESS_DENIED.
    QVERIFY(model.describeRow(0).contains(QStringLiteral("The file's permissions")));
    QVERIFY2(!model.describeRow(0).contains(QStringLiteral("FILE_FLAG_FIRST_PIPE_INSTANCE")), qPrintable(model.describeRow(0)));
  }

  void errorsModelCarriesTheExplanation() {
    ErrorsModel model;
    QAbstractItemModelTester tester(&model, kReport);
    QSignalSpy added(&model, &ErrorsModel::errorAdded);
    pipescope::ErrorEvent busy;
    busy.endpoint = 4;
    busy.error = pipescope::make_error(pipescope::Errc::pipe_busy, "connect", R"(\\.\pipe\demo)");
    model.onEvents({busy});
    model.addError(pipescope::make_error(pipescope::Errc::file_not_found, "connect"));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(added.count(), 2);
    QVERIFY(model.index(0, ErrorsModel::CodeColumn).data().toString().contains(QStringLiteral("ERROR_PIPE_BUSY")));
    const QString explanation = model.index(0, 0).data(ErrorsModel::ExplanationRole).toString();
    QVERIFY(!explanation.isEmpty());
    QCOMPARE(explanation, QString::fromUtf8(pipescope::error_explanation(pipescope::Errc::pipe_busy).data()));
  }
};

QTEST_MAIN(ModelsTest)
#include "models_test.moc"
