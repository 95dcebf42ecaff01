// The Help menu's windows: the user guide (docs/guide.md, built into the
// program), the keyboard shortcuts of the window's own actions, and About.
#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QTableWidget;
class QTextBrowser;
class QWidget;

namespace pipescope::ui {

/// One keyboard shortcut the window offers.
struct ShortcutEntry {
  QString group;        ///< the menu it is in ("File"), or the pane where it works ("Send")
  QString action;       ///< as the menu shows it, without the mnemonic mark
  QString keys;         ///< as this platform writes them ("Ctrl+N")
  QString description;  ///< the action's status tip, or the shortcut's "What's this"
};

/// Every shortcut of `window`: the actions of its menus in menu order, then
/// the actions outside the menus (a pane's own, grouped by the pane's dock).
/// Made from what is registered at the moment, so the list never goes stale;
/// a widget's shortcut must therefore be a QAction, never a QShortcut.
[[nodiscard]] QList<ShortcutEntry> shortcutEntries(const QWidget* window);

/// Help > Keyboard shortcuts: a table of shortcutEntries().
class ShortcutsDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit ShortcutsDialog(const QWidget* window, QWidget* parent = nullptr);
  [[nodiscard]] QTableWidget* table() const noexcept { return table_; }

 private:
  QTableWidget* table_ = nullptr;
};

/// Help > User guide: docs/guide.md from the program's resources.
class GuideDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit GuideDialog(QWidget* parent = nullptr);
  [[nodiscard]] QTextBrowser* browser() const noexcept { return browser_; }

 private:
  QTextBrowser* browser_ = nullptr;
};

/// The About box's text (rich text): PipeScope's version, Qt's (the one it
/// runs with and the one it was built with), the engine's libraries and
/// backend.
[[nodiscard]] QString aboutText(const QString& backend);

}  // namespace pipescope::ui
