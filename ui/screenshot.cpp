#include "screenshot.hpp"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QPixmap>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

#include <memory>

#include "dialogs.hpp"
#include "hex_view.hpp"
#include "main_window.hpp"
#include "message_filter_proxy.hpp"
#include "message_log_model.hpp"

namespace pipescope::ui {

namespace {
// Enough records for a full-looking log and a few seconds of plot.
constexpr int kWantedRecords = 24;
constexpr int kPollMs = 250;
// If the engine never produces traffic the picture is taken anyway, so the
// script ends; the picture then shows the error view.
constexpr int kGiveUpMs = 20000;

bool saveWidget(QWidget& widget, const QString& path) {
  return widget.grab().save(path);
}
}  // namespace

void scheduleScreenshot(MainWindow& window, const QString& path) {
  auto* poll = new QTimer(&window);
  auto waited = std::make_shared<int>(0);
  QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, waited, path] {
    *waited += kPollMs;
    const bool ready = window.logModel()->rowCount() >= kWantedRecords;
    if (!ready && *waited < kGiveUpMs) {
      return;
    }
    poll->stop();
    // Show a message that arrived in parts: the most instructive record.
    QTableView* log = window.logView();
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
    NewServerDialog dialog(&window);
    dialog.show();
    ok = saveWidget(dialog, info.dir().filePath(QStringLiteral("new-server-dialog.png"))) && ok;
    dialog.hide();
    QApplication::exit(ok ? 0 : 1);
  });
  poll->start(kPollMs);
}

}  // namespace pipescope::ui
