#include "window/recent_logs.hpp"

#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QSettings>
#include <QUrl>
#include <QWidget>

#include <utility>

namespace pipescope::ui {

namespace {

const QString kRecentKey = QStringLiteral("log/recent");

}  // namespace

RecentLogs::RecentLogs(QMenu* menu, LogOpener open, QObject* parent)
    : QObject(parent), menu_(menu), open_(std::move(open)) {
  connect(menu_, &QMenu::aboutToShow, this, &RecentLogs::rebuildMenu);
  rebuildMenu();
}

QStringList RecentLogs::paths() const { return QSettings().value(kRecentKey).toStringList(); }

void RecentLogs::add(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList recent = paths();
  recent.removeAll(absolute);
  recent.prepend(absolute);
  while (recent.size() > kMaxEntries) recent.removeLast();
  QSettings().setValue(kRecentKey, recent);
}

void RecentLogs::rebuildMenu() {
  menu_->clear();
  int number = 0;
  for (const QString& path : paths()) {
    if (!QFileInfo::exists(path)) continue;
    ++number;
    // "&1 capture.jsonl": the number is the mnemonic; the folder is in the tip.
    const QString name = QFileInfo(path).fileName().replace(QLatin1Char('&'), QStringLiteral("&&"));
    QAction* action = menu_->addAction(tr("&%1 %2").arg(number).arg(name));
    action->setToolTip(QDir::toNativeSeparators(path));
    action->setStatusTip(tr("Open %1").arg(QDir::toNativeSeparators(path)));
    connect(action, &QAction::triggered, this, [this, path] { open_(path); });
  }
  if (number == 0) {
    menu_->addAction(tr("No log opened or saved yet"))->setEnabled(false);
    return;
  }
  menu_->addSeparator();
  connect(menu_->addAction(tr("&Clear this list")), &QAction::triggered, this,
          [] { QSettings().remove(kRecentKey); });
}

LogFileDrop::LogFileDrop(QWidget* window, LogOpener open) : QObject(window), open_(std::move(open)) {
  window->setAcceptDrops(true);
  window->installEventFilter(this);
}

QString LogFileDrop::droppedLog(const QMimeData* mime) {
  if (mime == nullptr || !mime->hasUrls() || mime->urls().size() != 1) return {};
  const QUrl url = mime->urls().constFirst();
  if (!url.isLocalFile()) return {};
  const QString path = url.toLocalFile();
  return path.endsWith(QStringLiteral(".jsonl"), Qt::CaseInsensitive) ? path : QString();
}

bool LogFileDrop::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::DragEnter:
    case QEvent::DragMove: {
      auto* drag = static_cast<QDragMoveEvent*>(event);
      if (droppedLog(drag->mimeData()).isEmpty()) return false;
      drag->acceptProposedAction();
      return true;
    }
    case QEvent::Drop: {
      auto* drop = static_cast<QDropEvent*>(event);
      const QString path = droppedLog(drop->mimeData());
      if (path.isEmpty()) return false;
      drop->acceptProposedAction();
      open_(path);
      return true;
    }
    default:
      return QObject::eventFilter(watched, event);
  }
}

}  // namespace pipescope::ui
