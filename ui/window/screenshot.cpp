#include "window/screenshot.hpp"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QPixmap>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

#include <memory>

#include "dialogs/dialogs.hpp"
#include "models/errors_model.hpp"
#include "models/impersonation_model.hpp"
#include "views/hex_view.hpp"
#include "views/log_view.hpp"
#include "window/main_window.hpp"
#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"
#include "models/servers_model.hpp"

namespace pipescope::ui {

namespace {
// Enough records for a full log and a quarter minute of plot.
constexpr int kWantedRecords = 60;
constexpr int kPollMs = 250;
// If the engine never produces traffic the picture is taken anyway, so the
// script ends; the picture then shows the error view.
constexpr int kGiveUpMs = 20000;

bool saveWidget(QWidget& widget, const QString& path) {
  return widget.grab().save(path);
}
}  // namespace

void scheduleScreenshot(MainWindow& window, const QString& path) {
  // The script's virtual screen is 1600 x 1000.
  window.resize(1600, 1000);
  auto* poll = new QTimer(&window);
  auto waited = std::make_shared<int>(0);
  // A client for a pipe nobody serves: the errors view then shows a real
  // ERROR_FILE_NOT_FOUND with its explanation, as a newcomer would meet it.
  pipescope::ClientOptions missing;
  missing.name = "pipescope-nobody-serves-this";
  missing.busy_timeout = std::chrono::milliseconds(0);
  (void)window.connectClient(missing);
  auto impersonated = std::make_shared<bool>(false);
  QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, waited, impersonated, path] {
    *waited += kPollMs;
    // Once the demo's instance is connected, ask who its client is.
    if (!*impersonated && window.serversModel()->rowCount() > 0) {
      const QModelIndex server = window.serversModel()->index(0, 0);
      for (int row = 0; row < window.serversModel()->rowCount(server); ++row) {
        const QModelIndex instance = window.serversModel()->index(row, 0, server);
        if (instance.data(ServersModel::StateRole).toInt() == static_cast<int>(pipescope::EndpointState::connected)) {
          window.serversView()->setCurrentIndex(instance);
          window.impersonateSelected();
          *impersonated = true;
          break;
        }
      }
    }
    const bool ready = window.logModel()->rowCount() >= kWantedRecords && window.errorsModel()->rowCount() > 0 &&
                       window.impersonationModel()->rowCount() > 0;
    if (!ready && *waited < kGiveUpMs) {
      return;
    }
    poll->stop();
    // Show a message that arrived in parts: the most instructive record.
    LogView* log = window.logView();
    for (int row = 0; row < window.logProxy()->rowCount(); ++row) {
      const QModelIndex index = window.logProxy()->index(row, 0);
      if ((index.data(MessageLogModel::FlagsRole).toInt() & pipescope::record_flags::more_data) != 0) {
        log->setCurrentIndex(index);
        break;
      }
    }
    window.serversView()->expandAll();
    bool ok = saveWidget(window, path);
    const QFileInfo info(path);
    ok = saveWidget(*window.hexView(), info.dir().filePath(QStringLiteral("hex-view.png"))) && ok;
    if (auto* dock = window.findChild<QDockWidget*>(QStringLiteral("impersonationDock"))) {
      // Floated and widened for its picture: docked it shares a column.
      dock->setFloating(true);
      dock->resize(1100, 200);
      ok = saveWidget(*dock, info.dir().filePath(QStringLiteral("impersonation.png"))) && ok;
    }
    NewServerDialog dialog(&window);
    dialog.show();
    ok = saveWidget(dialog, info.dir().filePath(QStringLiteral("new-server-dialog.png"))) && ok;
    dialog.hide();
    // The Run child dialog with the words its command line splits into.
    RunChildDialog child(&window);
    child.setCommandLine(QStringLiteral("sh -c 'echo hi; read x; echo got $x'"));
    child.show();
    ok = saveWidget(child, info.dir().filePath(QStringLiteral("run-child-dialog.png"))) && ok;
    child.hide();
    QApplication::exit(ok ? 0 : 1);
  });
  poll->start(kPollMs);
}

}  // namespace pipescope::ui
