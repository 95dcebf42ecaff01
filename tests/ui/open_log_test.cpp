// File > Open log with a damaged or crafted file: the real main window, with
// a capture made over real pipes, must stay up, tell the person what is wrong
// with the file (line and column), and keep every row of the capture. Every
// wait is for an observable change, with a timeout.
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

#include "models/clients_model.hpp"
#include "models/errors_model.hpp"
#include "window/main_window.hpp"
#include "models/message_log_model.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

/// Every cell of every row the log view shows, to compare before and after.
QStringList rowsOf(const MessageLogModel& model) {
  QStringList rows;
  for (int row = 0; row < model.rowCount(); ++row) {
    QStringList cells;
    for (int column = 0; column < model.columnCount(); ++column) cells << model.index(row, column).data().toString();
    rows << cells.join(QLatin1Char('|'));
  }
  return rows;
}

/// A capture over a real pipe: a message server, a client of it, and one
/// message the client wrote and the server read. Returns the client.
pipescope::EndpointId makeCapture(MainWindow& window, const QString& name) {
  pipescope::ServerOptions server;
  server.name = name.toStdString();
  server.type = pipescope::PipeType::message;
  server.read_mode = pipescope::ReadMode::message;
  if (const auto error = window.createServer(server)) {
    qWarning("server: %s", error->summary().c_str());
    return 0;
  }
  pipescope::ClientOptions client;
  client.name = server.name;
  client.read_mode = pipescope::ReadMode::message;
  if (const auto error = window.connectClient(client)) {
    qWarning("client: %s", error->summary().c_str());
    return 0;
  }
  ClientsModel& clients = *window.clientsModel();
  if (!QTest::qWaitFor([&] { return clients.rowCount() == 1 &&
                                    clients.index(0, ClientsModel::StateColumn).data().toString() ==
                                        QStringLiteral("connected"); },
                       kTimeoutMs)) {
    return 0;
  }
  const auto id = static_cast<pipescope::EndpointId>(clients.index(0, 0).data(ClientsModel::EndpointIdRole).toUInt());
  if (window.sendTo(id, QByteArrayLiteral("the capture to keep"))) return 0;
  // The client's write and the server's read.
  if (!QTest::qWaitFor([&] { return window.logModel()->rowCount() >= 2; }, kTimeoutMs)) return 0;
  return id;
}

QString writeFile(const QTemporaryDir& dir, const char* name, const QByteArray& bytes) {
  const QString path = dir.filePath(QLatin1String(name));
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) return {};
  return path;
}

}  // namespace

class OpenLogTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    useOwnSettings("open_log_test");
  }

  void aBadFileIsReportedAndTheCaptureStays_data() {
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("where");
    const QByteArray header = R"({"type":"pipescope-log","version":1})" "\n";
    const QByteArray endpoint = R"({"type":"endpoint","id":1,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n";
    QTest::newRow("number too large in the header")
        << QByteArray(R"({"type":"pipescope-log","version":1e400})" "\n") << QStringLiteral("line 1, column 35");
    QTest::newRow("number too large in an endpoint id")
        << header + R"({"type":"endpoint","id":1e400,"kind":"client","server":0,"pipe":"p","label":"l"})" "\n"
        << QStringLiteral("line 2, column 25");
    QTest::newRow("number too large in a record time")
        << header + endpoint + R"({"type":"record","time_ns":-1e400,"endpoint":1,"direction":"in","flags":[],"hex":""})"
        << QStringLiteral("line 3, column 28");
    QTest::newRow("deep nesting") << header + QByteArray(100000, '[') << QStringLiteral("line 2, column 65");
    QTest::newRow("invalid UTF-8")
        << header + "{\"type\":\"endpoint\",\"label\":\"\xff\"}\n" << QStringLiteral("line 2, column 29");
    QTest::newRow("truncated") << header + R"({"type":"endpoint","id":)" << QStringLiteral("line 2, column 25");
  }

  void aBadFileIsReportedAndTheCaptureStays() {
    QFETCH(QByteArray, file);
    QFETCH(QString, where);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, "crafted.jsonl", file);
    QVERIFY(!path.isEmpty());

    MainWindow window;
    window.show();
    const pipescope::EndpointId client = makeCapture(window, uniqueName("openlog"));
    QVERIFY(client != 0);
    const QStringList before = rowsOf(*window.logModel());
    const int errorsBefore = window.errorsModel()->rowCount();

    QVERIFY(!window.openLogFile(path));

    // The person is told, in the errors view and the status bar, where the
    // file is wrong.
    ErrorsModel& errors = *window.errorsModel();
    QCOMPARE(errors.rowCount(), errorsBefore + 1);
    const pipescope::Error& error = errors.error(errors.rowCount() - 1);
    QCOMPARE(error.errc(), pipescope::Errc::bad_input);
    QVERIFY2(QString::fromStdString(error.detail).startsWith(where + QStringLiteral(": ")), error.detail.c_str());
    QVERIFY2(window.statusBar()->currentMessage().contains(where), qPrintable(window.statusBar()->currentMessage()));
    auto* explanation = window.findChild<QTextBrowser*>(QStringLiteral("errorExplanation"));
    QVERIFY(explanation != nullptr);
    QVERIFY(!explanation->toPlainText().isEmpty());

    // The capture is as it was, and the engine goes on recording.
    QCOMPARE(rowsOf(*window.logModel()), before);
    QVERIFY(!window.sendTo(client, QByteArrayLiteral("after the failed load")));
    QTRY_VERIFY_WITH_TIMEOUT(window.logModel()->rowCount() >= before.size() + 2, kTimeoutMs);
    QCOMPARE(rowsOf(*window.logModel()).mid(0, before.size()), before);
  }

  void aGoodFileStillReplacesTheCapture() {
    // The other side of the rule: a whole good file does replace it.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(
        dir, "good.jsonl",
        R"({"type":"pipescope-log","version":1})" "\n"
        R"({"type":"endpoint","id":7,"kind":"client","server":0,"pipe":"\\\\.\\pipe\\saved","label":"saved client"})" "\n"
        R"({"type":"record","time_ns":5,"endpoint":7,"direction":"out","flags":["message"],"hex":"7361766564"})" "\n");
    QVERIFY(!path.isEmpty());
    MainWindow window;
    window.show();
    QVERIFY(makeCapture(window, uniqueName("openlog-good")) != 0);
    QVERIFY(window.openLogFile(path));
    QCOMPARE(window.logModel()->rowCount(), 1);
    QCOMPARE(window.engine().log().size(), 1U);
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(window.engine().log().payload(0).data()), 5),
             QByteArrayLiteral("saved"));
  }
};

QTEST_MAIN(OpenLogTest)
#include "open_log_test.moc"
