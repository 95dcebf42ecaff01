// The std::ostream over a QIODevice that the main window saves and exports
// logs through: every byte arrives, a failed write is seen, and the file
// it writes is one no child process inherits.
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <string>

#if !defined(_WIN32)
#include <fcntl.h>
#endif

#include "session/device_stream.hpp"

using pipescope::ui::DeviceOutputStream;

class DeviceStreamTest : public QObject {
  Q_OBJECT

 private slots:
  void everyByteArrivesAcrossBlocks() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("log.jsonl"));
    // More than three of the stream's 64 KiB blocks, written both by single
    // characters and by large pieces, with every byte value.
    std::string expected;
    for (int i = 0; i < 200 * 1024 + 7; ++i) {
      expected.push_back(static_cast<char>((i * 131) & 0xFF));
    }
    {
      QFile file(path);
      QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
      DeviceOutputStream out(file);
      out.put(expected[0]);
      out.write(expected.data() + 1, 70000);
      for (std::size_t i = 70001; i < 70100; ++i) out.put(expected[i]);
      out.write(expected.data() + 70100, static_cast<std::streamsize>(expected.size() - 70100));
      out.flush();
      QVERIFY(out.good());
    }
    QFile written(path);
    QVERIFY(written.open(QIODevice::ReadOnly));
    const QByteArray bytes = written.readAll();
    QCOMPARE(bytes.size(), static_cast<qsizetype>(expected.size()));
    QVERIFY(std::string(bytes.constData(), static_cast<std::size_t>(bytes.size())) == expected);
  }

  void aFailedWriteMakesTheStreamBad() {
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(QStringLiteral("read-only"));
    {
      QFile create(path);
      QVERIFY(create.open(QIODevice::WriteOnly));
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("ReadOnly device")));
    DeviceOutputStream out(file);
    out << "lost";
    out.flush();
    QVERIFY(!out.good());
  }

  void theFileIsNotInheritedByChildren() {
#if defined(_WIN32)
    QSKIP("Windows: QFile's handles are not inheritable; there is no descriptor flag to read");
#else
    // std::ofstream opened its descriptor without close-on-exec; the QFile
    // the stream writes to has it.
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QFile file(folder.filePath(QStringLiteral("log.jsonl")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    DeviceOutputStream out(file);
    QVERIFY(file.handle() >= 0);
    QVERIFY((::fcntl(file.handle(), F_GETFD) & FD_CLOEXEC) != 0);
#endif
  }
};

QTEST_GUILESS_MAIN(DeviceStreamTest)
#include "device_stream_test.moc"
