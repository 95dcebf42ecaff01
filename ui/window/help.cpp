#include "window/help.hpp"

#include <QAction>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtGlobal>

#include "common/qt_text.hpp"
#include "pipescope/build_info.hpp"

// Q_INIT_RESOURCE names a function of the global namespace: the resources
// of a static library are registered by calling it, once.
static void initialiseResources() {
  static const bool initialised = [] {
    Q_INIT_RESOURCE(pipescope);
    return true;
  }();
  static_cast<void>(initialised);
}

namespace pipescope::ui {

namespace {

// Where the build puts docs/guide.md (resources/pipescope.qrc).
const char* const kGuideResource = ":/pipescope/guide.md";

// "&Open log…" as the menu shows it: "Open log…".
QString withoutMnemonic(QString text) {
  text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
  text.remove(QLatin1Char('&'));
  text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
  return text;
}

QString keysOf(const QList<QKeySequence>& sequences) {
  QStringList keys;
  for (const QKeySequence& sequence : sequences) {
    keys << sequence.toString(QKeySequence::NativeText);
  }
  return keys.join(QStringLiteral(", "));
}

// Where an action outside the menus works: the title of the dock it is in.
QString placeOf(const QObject* object) {
  for (; object != nullptr; object = object->parent()) {
    if (const auto* dock = qobject_cast<const QDockWidget*>(object)) return withoutMnemonic(dock->windowTitle());
  }
  return QObject::tr("Main window");
}

void addMenuActions(const QString& group, const QMenu* menu, QSet<const QAction*>& seen,
                    QList<ShortcutEntry>& entries) {
  for (const QAction* action : menu->actions()) {
    if (action->menu() != nullptr) {
      addMenuActions(group, action->menu(), seen, entries);
      continue;
    }
    if (action->isSeparator() || seen.contains(action)) continue;
    seen.insert(action);
    if (action->shortcuts().isEmpty()) continue;
    entries.push_back({group, withoutMnemonic(action->text()), keysOf(action->shortcuts()), action->statusTip()});
  }
}

}  // namespace

QList<ShortcutEntry> shortcutEntries(const QWidget* window) {
  QList<ShortcutEntry> entries;
  QSet<const QAction*> seen;
  if (const auto* main = qobject_cast<const QMainWindow*>(window); main != nullptr && main->menuBar() != nullptr) {
    for (const QAction* top : main->menuBar()->actions()) {
      if (top->menu() != nullptr) addMenuActions(withoutMnemonic(top->text()), top->menu(), seen, entries);
    }
  }
  // Then the actions outside the menus: a pane's own, which work where the
  // pane is (the widgets' shortcuts are actions too, so that they are here).
  for (const QAction* action : window->findChildren<QAction*>()) {
    if (seen.contains(action) || action->shortcuts().isEmpty() || action->text().isEmpty()) continue;
    seen.insert(action);
    entries.push_back(
        {placeOf(action), withoutMnemonic(action->text()), keysOf(action->shortcuts()), action->statusTip()});
  }
  return entries;
}

ShortcutsDialog::ShortcutsDialog(const QWidget* window, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Keyboard shortcuts"));
  const QList<ShortcutEntry> entries = shortcutEntries(window);
  table_ = new QTableWidget(static_cast<int>(entries.size()), 4, this);
  table_->setObjectName(QStringLiteral("shortcutsTable"));
  table_->setHorizontalHeaderLabels({tr("Where"), tr("Action"), tr("Keys"), tr("What it does")});
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->hide();
  table_->setWordWrap(false);
  for (int row = 0; row < entries.size(); ++row) {
    const ShortcutEntry& entry = entries[row];
    const QStringList cells{entry.group, entry.action, entry.keys, entry.description};
    for (int column = 0; column < cells.size(); ++column) {
      auto* item = new QTableWidgetItem(cells[column]);
      item->setToolTip(cells[column]);
      table_->setItem(row, column, item);
    }
  }
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_);
  layout->addWidget(buttons);
  // Wide enough for the descriptions, which are whole sentences (each is
  // also the tooltip of its cell).
  resize(1180, 560);
}

GuideDialog::GuideDialog(QWidget* parent) : QDialog(parent) {
  initialiseResources();
  setWindowTitle(tr("PipeScope user guide"));
  browser_ = new QTextBrowser(this);
  browser_->setObjectName(QStringLiteral("guideBrowser"));
  browser_->setOpenExternalLinks(true);
  QFile guide(QString::fromLatin1(kGuideResource));
  if (guide.open(QIODevice::ReadOnly)) {
    browser_->setMarkdown(QString::fromUtf8(guide.readAll()));
  } else {
    // Only a build without its resources gets here; say where the guide is.
    browser_->setPlainText(tr("The user guide is not part of this build. It is docs/guide.md in PipeScope's "
                              "source."));
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(browser_);
  layout->addWidget(buttons);
  resize(880, 720);
}

QString aboutText(const QString& backend) {
  QString libraries;
  for (const ComponentVersion& component : component_versions()) {
    libraries += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                     .arg(toQString(component.name).toHtmlEscaped(), toQString(component.version).toHtmlEscaped());
  }
  return QObject::tr("<h3>PipeScope %1</h3><p>Create, connect to, watch and learn Windows pipes.</p>"
                     "<table cellspacing=\"0\" cellpadding=\"3\"><tr><td>Qt</td><td>%2 (built with %3)</td></tr>%4"
                     "<tr><td>engine backend</td><td>%5</td></tr></table>")
      .arg(toQString(version()), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
           libraries, backend.toHtmlEscaped());
}

}  // namespace pipescope::ui
