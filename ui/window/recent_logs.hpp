// File > Open recent, and a log file dropped on the window: two ways to open
// a saved log without the file dialog. Both hand the path to the window's
// openLogFile(), and neither needs a line in the window's own event
// handlers (the drop is an event filter).
#pragma once

#include <QObject>
#include <QStringList>

#include <functional>

class QMenu;
class QMimeData;
class QWidget;

namespace pipescope::ui {

/// Opens a log file; true if it was opened.
using LogOpener = std::function<bool(const QString& path)>;

/// The logs last opened or saved, newest first, kept in the settings
/// ("log/recent"). The menu is made each time it is shown: a file that has
/// gone since is left out, and choosing one opens it.
class RecentLogs final : public QObject {
  Q_OBJECT

 public:
  static constexpr int kMaxEntries = 8;

  RecentLogs(QMenu* menu, LogOpener open, QObject* parent);

  /// Puts `path` first (a log was just opened or saved there).
  void add(const QString& path);
  [[nodiscard]] QStringList paths() const;

 private:
  void rebuildMenu();

  QMenu* menu_;
  LogOpener open_;
};

/// Opens a JSON-lines log that is dropped on `window` (an event filter on
/// it): one local file ending in .jsonl; anything else is not taken.
class LogFileDrop final : public QObject {
  Q_OBJECT

 public:
  LogFileDrop(QWidget* window, LogOpener open);

  /// The path of the one local .jsonl file `mime` carries, or empty.
  [[nodiscard]] static QString droppedLog(const QMimeData* mime);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  LogOpener open_;
};

}  // namespace pipescope::ui
