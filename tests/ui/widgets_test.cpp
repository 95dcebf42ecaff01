// The hex view that paints only what is in view,
// the send panel's validation, history and saved library, the plot, and the
// dark palette.
#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QMap>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyle>
#include <QTemporaryDir>
#include <QTest>

#include <string>

#include "views/hex_view.hpp"
#include "window/main_window.hpp"
#include "pipescope/codec.hpp"
#include "panes/send_panel.hpp"
#include "window/theme.hpp"
#include "views/throughput_plot.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

Q_DECLARE_METATYPE(pipescope::InputFormat)

class WidgetsTest : public QObject {
  Q_OBJECT

 private slots:
  void hexViewPaintsOnlyVisibleRows() {
    HexView view;
    view.resize(700, 300);
    view.setData(QByteArray(1024 * 1024, 'x'));  // 65,536 rows
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    (void)view.grab();
    QVERIFY(view.rowsPaintedLastTime() > 0);
    QVERIFY(view.rowsPaintedLastTime() < 100);
    view.selectOffset(1000);
    QCOMPARE(view.selectedOffset(), std::optional<std::uint64_t>(1000));
  }

  void checkInput_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<pipescope::InputFormat>("format");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("errorPosition");
    QTest::newRow("text") << QStringLiteral("hi\\n") << pipescope::InputFormat::text << true << QByteArray("hi\\n") << -1;
    QTest::newRow("text utf8") << QStringLiteral("é") << pipescope::InputFormat::text << true << QByteArray("\xc3\xa9") << -1;
    QTest::newRow("hex") << QStringLiteral("48 69,0x0a") << pipescope::InputFormat::hex << true << QByteArray("Hi\n") << -1;
    QTest::newRow("hex odd") << QStringLiteral("48 69 0") << pipescope::InputFormat::hex << false << QByteArray() << 6;
    QTest::newRow("hex bad digit") << QStringLiteral("4g") << pipescope::InputFormat::hex << false << QByteArray() << 1;
    QTest::newRow("escapes") << QStringLiteral("a\\r\\n\\x00") << pipescope::InputFormat::escaped << true
                             << QByteArray("a\r\n\0", 4) << -1;
    // The error position counts characters, not UTF-8 bytes: "é" is two bytes.
    QTest::newRow("escape after non-ascii") << QStringLiteral("é \\q") << pipescope::InputFormat::escaped << false
                                            << QByteArray() << 2;
  }

  void checkInput() {
    QFETCH(QString, input);
    QFETCH(pipescope::InputFormat, format);
    QFETCH(bool, ok);
    QFETCH(QByteArray, bytes);
    QFETCH(int, errorPosition);
    const InputCheck check = pipescope::ui::checkInput(input, format);
    QCOMPARE(check.ok, ok);
    QCOMPARE(check.errorPosition, errorPosition);
    if (ok) {
      QCOMPARE(check.bytes, bytes);
    } else {
      QVERIFY(!check.errorMessage.isEmpty());
    }
  }

  void sendPanelSendsOnlyValidInputToATarget() {
    SendPanel panel;
    QSignalSpy requested(&panel, &SendPanel::sendRequested);
    auto* sendButton = panel.findChild<QPushButton*>(QStringLiteral("sendButton"));
    panel.setInput(QStringLiteral("ping"));
    QVERIFY(!sendButton->isEnabled());  // nowhere to send yet
    panel.setTargets({{7, QStringLiteral("client 7")}, {9, QStringLiteral("demo #1")}});
    QCOMPARE(panel.currentTarget(), 7U);
    panel.setCurrentTarget(9);
    QVERIFY(sendButton->isEnabled());
    panel.send();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toUInt(), 9U);
    QCOMPARE(requested.at(0).at(1).toByteArray(), QByteArray("ping"));

    panel.setFormat(pipescope::InputFormat::hex);
    QVERIFY(!panel.check().ok);  // "ping" is not hex
    QVERIFY(!sendButton->isEnabled());
    QVERIFY(panel.findChild<QLabel*>(QStringLiteral("sendStatus"))->text().contains(QStringLiteral("Character 1")));
    panel.send();
    QCOMPARE(requested.count(), 1);

    // The target survives a refresh of the list that still contains it.
    panel.setTargets({{9, QStringLiteral("demo #1")}, {11, QStringLiteral("client 11")}});
    QCOMPARE(panel.currentTarget(), 9U);
    panel.setTargets({});
    QCOMPARE(panel.currentTarget(), 0U);
    QCOMPARE(panel.history(), QStringList{QStringLiteral("ping")});
  }

  // Text gets the chosen line end; hex and escapes send exactly their bytes,
  // and the choice is greyed out for them.
  void sendPanelAppendsTheLineEndToTextOnly() {
    SendPanel panel;
    QSignalSpy requested(&panel, &SendPanel::sendRequested);
    auto* ending = panel.findChild<QComboBox*>(QStringLiteral("sendLineEnding"));
    auto* status = panel.findChild<QLabel*>(QStringLiteral("sendStatus"));
    QAbstractItemModelTester tester(ending->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The tooltip names the line ends as they are typed, not as control characters.
    QVERIFY2(ending->toolTip().contains(QStringLiteral("\\n on POSIX, \\r\\n on Windows")), qPrintable(ending->toolTip()));
    panel.setTargets({{7, QStringLiteral("client 7")}});
    panel.setInput(QStringLiteral("hi"));
    QCOMPARE(status->text(), QStringLiteral("2 byte(s) to send"));
    ending->setCurrentIndex(ending->findData(static_cast<int>(pipescope::LineEnding::crlf)));
    QCOMPARE(status->text(), QStringLiteral("4 byte(s) to send, with \\r\\n (CRLF)"));
    panel.send();
    panel.setLineEnding(pipescope::LineEnding::lf);
    panel.send();
    panel.setFormat(pipescope::InputFormat::hex);
    QVERIFY(!ending->isEnabled());
    panel.setInput(QStringLiteral("68 69"));
    QCOMPARE(status->text(), QStringLiteral("2 byte(s) to send"));
    panel.send();
    panel.setFormat(pipescope::InputFormat::text);
    QVERIFY(ending->isEnabled());
    QCOMPARE(requested.count(), 3);
    QCOMPARE(requested.at(0).at(1).toByteArray(), QByteArray("hi\r\n"));
    QCOMPARE(requested.at(1).at(1).toByteArray(), QByteArray("hi\n"));
    QCOMPARE(requested.at(2).at(1).toByteArray(), QByteArray("hi"));
  }

  void sendPanelLibraryPersists() {
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("library.ini"));
    {
      SendPanel panel;
      panel.setFormat(pipescope::InputFormat::escaped);
      panel.setInput(QStringLiteral("GET\\r\\n"));
      panel.addToLibrary(QStringLiteral("get request"));
      panel.setLineEnding(pipescope::LineEnding::crlf);
      QSettings settings(file, QSettings::IniFormat);
      panel.saveSettings(settings);
    }
    SendPanel panel;
    QCOMPARE(panel.lineEnding(), pipescope::LineEnding::none);
    QCOMPARE(panel.format(), pipescope::InputFormat::text);
    QSettings settings(file, QSettings::IniFormat);
    panel.loadSettings(settings);
    // The choices come back as they were left.
    QCOMPARE(panel.lineEnding(), pipescope::LineEnding::crlf);
    QCOMPARE(panel.format(), pipescope::InputFormat::escaped);
    QCOMPARE(panel.libraryNames(), QStringList{QStringLiteral("get request")});
    panel.recallFromLibrary(QStringLiteral("get request"));
    QCOMPARE(panel.format(), pipescope::InputFormat::escaped);
    QCOMPARE(panel.input(), QStringLiteral("GET\\r\\n"));
    QCOMPARE(panel.check().bytes, QByteArray("GET\r\n"));
  }

  void throughputPlotCountsPerSecond() {
    QCOMPARE(niceCeiling(0), 1.0);
    QCOMPARE(niceCeiling(7), 10.0);
    QCOMPARE(niceCeiling(1500), 2000.0);
    QCOMPARE(niceCeiling(200), 200.0);
    ThroughputPlot plot;
    // Idle, the axis counts 0 to 4 B/s, each grid line with its own value.
    QCOMPARE(plot.axisMaximum(), 4.0);
    QCOMPARE(plot.axisLabels(), (QStringList{QStringLiteral("0 B/s"), QStringLiteral("1 B/s"), QStringLiteral("2 B/s"),
                                             QStringLiteral("3 B/s"), QStringLiteral("4 B/s")}));
    plot.addBytes(QStringLiteral("a in"), 300);
    plot.addBytes(QStringLiteral("a in"), 200);
    plot.addBytes(QStringLiteral("b out"), 10);
    QCOMPARE(plot.latest(QStringLiteral("a in")), 0.0);  // the second is not over yet
    plot.tick();
    QCOMPARE(plot.seriesCount(), 2);
    QCOMPARE(plot.latest(QStringLiteral("a in")), 500.0);
    QCOMPARE(plot.axisMaximum(), 800.0);  // quarters of 200
    QCOMPARE(plot.axisLabels().last(), QStringLiteral("800 B/s"));
    plot.tick();
    QCOMPARE(plot.latest(QStringLiteral("a in")), 0.0);
    plot.resize(400, 200);
    QVERIFY(!plot.grab().isNull());
  }

  // The legend lies below the plot, never over it, and within the widget;
  // names too long are shortened (whole in the tooltip); series that find
  // no room are counted; and equal series stay visible (a later line is
  // narrower than the one under it).
  void throughputLegendLeavesThePlotFree() {
    ThroughputPlot plot;
    plot.resize(360, 260);
    const QString longName = QStringLiteral("client 12 → pipescope-demo-18167-with-a-very-long-name #3 out");
    plot.addBytes(QStringLiteral("a in"), 100);
    plot.addBytes(longName, 100);  // the same value: both lines must show
    plot.tick();
    ThroughputPlot::Layout layout = plot.layout();
    QCOMPARE(layout.legendEntries.size(), 2);
    for (const QRect& entry : layout.legendEntries) {
      QVERIFY2(!entry.intersects(layout.plot), "a legend entry lies over the plot");
      QVERIFY(plot.rect().contains(entry));
    }
    QVERIFY(layout.legendTexts[0].startsWith(QStringLiteral("a in (")));
    QVERIFY(layout.legendTexts[1].contains(QChar(0x2026)));  // shortened, not cut
    QVERIFY(plot.lineWidth(0) > plot.lineWidth(1));
    QVERIFY(plot.layout().plot.height() >= 60);

    // More series than room: the plot keeps its height, the rest are counted.
    for (int i = 0; i < 12; ++i) plot.addBytes(QStringLiteral("series %1").arg(i), 1);
    plot.tick();
    layout = plot.layout();
    QVERIFY(layout.plot.height() >= 60);
    QVERIFY(layout.legendEntries.size() < plot.seriesCount());
    QVERIFY(layout.legendTexts.last().startsWith(QStringLiteral("+")));
    for (const QRect& entry : layout.legendEntries) {
      QVERIFY(!entry.intersects(layout.plot));
      QVERIFY(plot.rect().contains(entry));
    }
    QVERIFY(!plot.grab().isNull());
  }

  // Every Alt+letter in the main window does one thing: a menu's letter
  // (Alt+F: File) is not also a button's or a labelled field's (the send
  // panel's "Send &file…" once took Alt+F too).
  void eachMnemonicOfTheWindowIsTakenOnce() {
    useOwnSettings("widgets_test");
    MainWindow window;
    const auto mnemonic = [](const QString& text) -> QChar {
      for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != u'&') continue;
        if (text[i + 1] != u'&') return text[i + 1].toLower();
        ++i;  // "&&" is a literal ampersand
      }
      return {};
    };
    QMap<QChar, QStringList> owners;
    for (const QAction* menu : window.menuBar()->actions()) {
      if (const QChar key = mnemonic(menu->text()); !key.isNull()) owners[key] << menu->text();
    }
    for (const QAbstractButton* button : window.findChildren<QAbstractButton*>()) {
      if (const QChar key = mnemonic(button->text()); !key.isNull()) owners[key] << button->text();
    }
    for (const QLabel* label : window.findChildren<QLabel*>()) {
      if (label->buddy() == nullptr) continue;
      if (const QChar key = mnemonic(label->text()); !key.isNull()) owners[key] << label->text();
    }
    QVERIFY(owners.contains(u'f'));  // the File menu, at least, was found
    for (auto it = owners.cbegin(); it != owners.cend(); ++it) {
      QVERIFY2(it.value().size() == 1,
               qPrintable(QStringLiteral("Alt+%1 is taken by %2").arg(it.key(), it.value().join(QStringLiteral(", ")))));
    }
  }

  void darkPaletteSwitchesAndIsRemembered() {
    useOwnSettings("widgets_test");
    const QString startStyle = QApplication::style()->name();
    const QColor startWindow = QApplication::palette().color(QPalette::Window);
    {
      MainWindow window;
      auto* action = window.findChild<QAction*>(QStringLiteral("actionDarkPalette"));
      QVERIFY(action);
      QVERIFY(!action->isChecked());  // off by default
      QVERIFY(!action->shortcut().isEmpty());
      action->trigger();
      QVERIFY(darkPaletteApplied());
      QCOMPARE(QApplication::style()->name(), QStringLiteral("fusion"));
      QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
      QVERIFY(QApplication::palette().color(QPalette::Text).lightness() > 180);
      // Widgets take the new palette from the change event Qt posts to them.
      QTRY_COMPARE(window.palette().color(QPalette::Base), darkPalette().color(QPalette::Base));
      window.close();  // saves the settings
    }
    QVERIFY(QSettings().value(QStringLiteral("view/darkPalette")).toBool());
    {
      // The next window starts dark, and switching off restores the start.
      applyDarkPalette(false);
      MainWindow window;
      QVERIFY(darkPaletteApplied());
      window.findChild<QAction*>(QStringLiteral("actionDarkPalette"))->trigger();
      QVERIFY(!darkPaletteApplied());
      QCOMPARE(QApplication::style()->name(), startStyle);
      QCOMPARE(QApplication::palette().color(QPalette::Window), startWindow);
      window.close();
    }
    QVERIFY(!QSettings().value(QStringLiteral("view/darkPalette")).toBool());
  }
};

QTEST_MAIN(WidgetsTest)
#include "widgets_test.moc"
