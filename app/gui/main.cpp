// pipescope: the desktop application. Everything lives in pipescope_ui; this
// file reads the command line and starts the window.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "window/main_window.hpp"
#include "window/screenshot.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("PipeScope"));
  QApplication::setApplicationName(QStringLiteral("PipeScope"));
  QApplication::setApplicationVersion(QStringLiteral(PIPESCOPE_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate("main", "Create, connect to, watch and learn Windows pipes."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption demo(QStringLiteral("demo"),
                                QApplication::translate("main", "Start an echo server and a client that talk to it."));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QApplication::translate("main", "Save a picture of the window to <path> once the demo has traffic, then quit."),
      QApplication::translate("main", "path"));
  const QCommandLineOption dark(
      QStringLiteral("dark"),
      QApplication::translate("main", "Use the dark palette (View > Dark palette), and keep it for the next start."));
  parser.addOption(demo);
  parser.addOption(screenshot);
  parser.addOption(dark);
  parser.process(app);

  pipescope::ui::MainWindow window;
  if (parser.isSet(dark)) {
    window.setDarkPalette(true);
  }
  window.show();
  if (parser.isSet(demo) || parser.isSet(screenshot)) {
    window.startDemo();
  }
  if (parser.isSet(screenshot)) {
    pipescope::ui::scheduleScreenshot(window, parser.value(screenshot));
  }
  return QApplication::exec();
}
