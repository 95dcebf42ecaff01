// The main window's actions: how each is made, where it sits in the menus
// and the tool bar, when it is enabled, and the few that need the window
// (a file dialog, the selection) before they hand over to the session.
#include <QAction>
#include <QCheckBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QToolBar>

#include <algorithm>

#include "common/qt_text.hpp"
#include "panes/endpoint_panes.hpp"
#include "panes/impersonation_pane.hpp"
#include "panes/log_pane.hpp"
#include "panes/send_panel.hpp"
#include "pipescope/export.hpp"
#include "session/endpoint_directory.hpp"
#include "session/session.hpp"
#include "views/empty_view_hint.hpp"
#include "views/log_view.hpp"
#include "window/help.hpp"
#include "window/main_window.hpp"
#include "window/recent_logs.hpp"
#include "window/theme.hpp"

namespace pipescope::ui {

namespace {

constexpr int kStatusMessageMs = 10000;

}  // namespace

QAction* MainWindow::makeAction(const QString& text, const QString& name, const QKeySequence& shortcut,
                                const QString& tip) {
  auto* action = new QAction(text, this);
  action->setObjectName(name);
  if (!shortcut.isEmpty()) {
    action->setShortcut(shortcut);
  }
  action->setToolTip(tip.isEmpty() ? text : tip);
  action->setStatusTip(tip);
  return action;
}

void MainWindow::buildActions() {
  Actions& a = actions_;
  a.openLog = makeAction(tr("&Open log…"), QStringLiteral("actionOpenLog"), QKeySequence::Open,
                         tr("Load a saved message log (JSON lines)."));
  a.saveLog = makeAction(tr("&Save log as…"), QStringLiteral("actionSaveLog"), QKeySequence::Save,
                         tr("Save every record as JSON lines."));
  // One action per export format of the engine's table (pipescope/export.hpp).
  for (const pipescope::ExportFormat& format : pipescope::export_formats()) {
    const QString label = QCoreApplication::translate("pipescope::export", std::string(format.label).c_str());
    QAction* action =
        makeAction(tr("Export as %1…").arg(label), QStringLiteral("actionExport_%1").arg(toQString(format.id)), {},
                   QCoreApplication::translate("pipescope::export", std::string(format.description).c_str()));
    connect(action, &QAction::triggered, this, [this, id = std::string(format.id)] { exportLog(id); });
    a.exports.push_back(action);
  }
  a.clearLog = makeAction(tr("&Clear log"), QStringLiteral("actionClearLog"), {}, tr("Forget every record."));
  a.logLimit = makeAction(tr("Log &memory limit…"), QStringLiteral("actionLogMemoryLimit"), {},
                          tr("The most memory the message log keeps. Beyond it the pipes work on and every byte is "
                             "counted, but records keep only their length, flagged truncated."));
  a.quit = makeAction(tr("&Quit"), QStringLiteral("actionQuit"), QKeySequence::Quit,
                      tr("Close every pipe, child and window of PipeScope, and end it."));
  connect(a.openLog, &QAction::triggered, this, &MainWindow::openLog);
  connect(a.saveLog, &QAction::triggered, this, &MainWindow::saveLog);
  connect(a.clearLog, &QAction::triggered, this, &MainWindow::clearLog);
  connect(a.logLimit, &QAction::triggered, this, &MainWindow::askLogMemoryLimit);
  connect(a.quit, &QAction::triggered, this, &QWidget::close);

  a.newServer = makeAction(tr("New &server…"), QStringLiteral("actionNewServer"), QKeySequence(Qt::CTRL | Qt::Key_N),
                           tr("Create a named pipe server (CreateNamedPipe)."));
  a.connectClient = makeAction(tr("&Connect client…"), QStringLiteral("actionConnectClient"),
                               QKeySequence(Qt::CTRL | Qt::Key_K), tr("Open a pipe as a client (CreateFile)."));
  a.runChild = makeAction(tr("&Run child…"), QStringLiteral("actionRunChild"), QKeySequence(Qt::CTRL | Qt::Key_R),
                          tr("Start a process with anonymous pipes on its standard streams."));
  a.disconnect = makeAction(tr("&Disconnect"), QStringLiteral("actionDisconnect"), QKeySequence(Qt::CTRL | Qt::Key_D),
                            tr("Disconnect the selected instance (DisconnectNamedPipe), close the selected client, "
                               "or close a child's standard input."));
  a.impersonate = makeAction(tr("&Impersonate client"), QStringLiteral("actionImpersonate"),
                             QKeySequence(Qt::CTRL | Qt::Key_I),
                             tr("Take on the identity of the selected instance's client (ImpersonateNamedPipeClient), "
                                "look around, and revert."));
  a.stopServer = makeAction(tr("S&top server"), QStringLiteral("actionStopServer"),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), tr("Close every instance of the selected server."));
  a.refreshPipes = makeAction(tr("Refresh &pipes"), QStringLiteral("actionRefreshPipes"), QKeySequence::Refresh,
                              tr("List the pipes this machine has."));
  a.autoRefresh = makeAction(tr("&Auto-refresh pipes"), QStringLiteral("actionAutoRefresh"), {},
                             tr("Refresh the pipe list every two seconds."));
  a.autoRefresh->setCheckable(true);
  // POSIX only: on Windows every entry of \\.\pipe\ is a pipe.
  a.everySocket = makeAction(tr("List every Unix soc&ket"), QStringLiteral("actionEverySocket"), {},
                             tr("Also list the listening Unix sockets outside the pipe layout (an X server's, a "
                                "bus's): they are not pipes, and are shown by their path."));
  a.everySocket->setCheckable(true);
  a.demo = makeAction(tr("Start &demo"), QStringLiteral("actionDemo"), {}, tr("An echo server and a client that talk."));
  connect(a.newServer, &QAction::triggered, this, &MainWindow::showNewServerDialog);
  connect(a.connectClient, &QAction::triggered, this, [this] { showConnectClientDialog(); });
  connect(a.runChild, &QAction::triggered, this, &MainWindow::showRunChildDialog);
  connect(a.disconnect, &QAction::triggered, this, &MainWindow::disconnectSelected);
  connect(a.impersonate, &QAction::triggered, this, &MainWindow::impersonateSelected);
  connect(a.stopServer, &QAction::triggered, this, &MainWindow::stopSelectedServer);
  connect(a.refreshPipes, &QAction::triggered, this, &MainWindow::refreshPipes);
  connect(a.everySocket, &QAction::toggled, this, [this](bool every) {
    session_->setListEverySocket(every);
    refreshPipes();
  });
  connect(a.autoRefresh, &QAction::toggled, this, [this](bool on) {
    if (on) {
      pipesTimer_.start();
    } else {
      pipesTimer_.stop();
    }
  });
  connect(a.demo, &QAction::triggered, this, &MainWindow::startDemo);
  // A plain start shows an empty log: it says how to fill it, with links
  // that do it.
  logPane_->emptyHint()->setAdvice(
      tr("Nothing has crossed a pipe yet. %1 or %2 to see the traffic here, or %3: an echo server and a client "
         "that talk."),
      {a.newServer, a.connectClient, a.demo});

  a.copyText = makeAction(tr("&Copy as text"), QStringLiteral("actionCopyText"), QKeySequence::Copy,
                          tr("Copy the selected payloads as text."));
  a.copyHex = makeAction(tr("Copy as &hex"), QStringLiteral("actionCopyHex"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
                         tr("Copy the selected payloads as hex bytes."));
  a.copyArray = makeAction(tr("Copy as C &array"), QStringLiteral("actionCopyCArray"), {},
                           tr("Copy the selected payloads as a C array."));
  a.find = makeAction(tr("&Find…"), QStringLiteral("actionFind"), QKeySequence::Find,
                      tr("Look for a text in the payloads of the log's records."));
  a.findNext = makeAction(tr("Find &next"), QStringLiteral("actionFindNext"), QKeySequence::FindNext,
                          tr("Go to the next record whose payload holds the text of Find."));
  a.findPrevious = makeAction(tr("Find pre&vious"), QStringLiteral("actionFindPrevious"), QKeySequence::FindPrevious,
                              tr("Go to the previous record whose payload holds the text of Find."));
  a.follow = makeAction(tr("F&ollow new records"), QStringLiteral("actionFollow"), QKeySequence(Qt::CTRL | Qt::Key_End),
                        tr("Keep the newest record in view as records arrive."));
  a.follow->setCheckable(true);
  QCheckBox* followTail = logPane_->followTail();
  a.follow->setChecked(followTail->isChecked());
  connect(a.follow, &QAction::toggled, followTail, &QCheckBox::setChecked);
  connect(followTail, &QCheckBox::toggled, a.follow, &QAction::setChecked);
  connect(a.copyText, &QAction::triggered, this, [this] { logPane_->copySelection(LogPane::CopyForm::text); });
  connect(a.copyHex, &QAction::triggered, this, [this] { logPane_->copySelection(LogPane::CopyForm::hex); });
  connect(a.copyArray, &QAction::triggered, this, [this] { logPane_->copySelection(LogPane::CopyForm::c_array); });
  connect(a.find, &QAction::triggered, logPane_, &LogPane::focusFind);
  connect(a.findNext, &QAction::triggered, this, &MainWindow::findNext);
  connect(a.findPrevious, &QAction::triggered, this, &MainWindow::findPrevious);
  logPane_->view()->addActions({a.copyText, a.copyHex, a.copyArray});
  serversPane_->addActions({a.disconnect, a.impersonate, a.stopServer});
  clientsPane_->addActions({a.disconnect});

  a.darkPalette = makeAction(tr("Dar&k palette"), QStringLiteral("actionDarkPalette"),
                             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                             tr("Light text on dark backgrounds, in every window of PipeScope."));
  a.darkPalette->setCheckable(true);
  connect(a.darkPalette, &QAction::toggled, this, [](bool on) { applyDarkPalette(on); });
  a.guide = makeAction(tr("&User guide"), QStringLiteral("actionGuide"), QKeySequence::HelpContents,
                       tr("How to create, connect to, watch and learn pipes with PipeScope, step by step."));
  a.shortcuts = makeAction(tr("&Keyboard shortcuts"), QStringLiteral("actionShortcuts"), {},
                           tr("Every keyboard shortcut of this window, with what it does."));
  a.about = makeAction(tr("&About PipeScope"), QStringLiteral("actionAbout"), {},
                       tr("The versions of PipeScope, Qt and the engine's libraries."));
  connect(a.guide, &QAction::triggered, this, &MainWindow::showGuide);
  connect(a.shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
  connect(a.about, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildMenus() {
  const Actions& a = actions_;
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(a.openLog);
  QMenu* recent = file->addMenu(tr("Open &recent"));
  recent->setObjectName(QStringLiteral("menuRecentLogs"));
  recentLogs_ = new RecentLogs(recent, [this](const QString& path) { return openLogFile(path); }, this);
  connect(session_.get(), &Session::logFileUsed, recentLogs_, &RecentLogs::add);
  // A .jsonl file dropped on the window opens as File > Open log would.
  new LogFileDrop(this, [this](const QString& path) { return openLogFile(path); });
  file->addAction(a.saveLog);
  file->addSeparator();
  file->addActions(a.exports);
  file->addSeparator();
  file->addActions({a.clearLog, a.logLimit});
  file->addSeparator();
  file->addAction(a.quit);
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addActions({a.copyText, a.copyHex, a.copyArray});
  edit->addSeparator();
  edit->addActions({a.find, a.findNext, a.findPrevious});
  edit->addSeparator();
  edit->addAction(a.follow);
  QMenu* pipes = menuBar()->addMenu(tr("&Pipes"));
  pipes->addActions({a.newServer, a.connectClient, a.runChild});
  pipes->addSeparator();
  pipes->addActions({a.disconnect, a.impersonate, a.stopServer});
  pipes->addSeparator();
  pipes->addActions({a.refreshPipes, a.autoRefresh});
#if !defined(_WIN32)
  pipes->addAction(a.everySocket);
#endif
  pipes->addSeparator();
  pipes->addAction(a.demo);
  menuBar()->addMenu(viewMenu_);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addActions({a.guide, a.shortcuts});
  help->addSeparator();
  help->addAction(a.about);

  QToolBar* toolbar = addToolBar(tr("Main"));
  toolbar->setObjectName(QStringLiteral("mainToolbar"));
  toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  toolbar->addActions({a.newServer, a.connectClient, a.runChild});
  toolbar->addSeparator();
  toolbar->addActions({a.disconnect, a.impersonate, a.stopServer});
  toolbar->addSeparator();
  toolbar->addActions({a.refreshPipes, a.autoRefresh});
  toolbar->addSeparator();
  toolbar->addActions({a.saveLog, a.openLog});
  viewMenu_->addSeparator();
  viewMenu_->addAction(toolbar->toggleViewAction());
  viewMenu_->addSeparator();
  viewMenu_->addAction(a.darkPalette);
}

void MainWindow::setDarkPalette(bool dark) { actions_.darkPalette->setChecked(dark); }

void MainWindow::updateActions() {
  const DirectoryEntry* entry = session_->directory()->find(selectedEndpoint_);
  const bool live = entry != nullptr && entry->isLive();
  actions_.disconnect->setEnabled(live);
  actions_.impersonate->setEnabled(live && entry->kind == pipescope::EndpointKind::instance && entry->isConnected());
  actions_.stopServer->setEnabled(selectedServer_ != 0);
}

void MainWindow::selectEndpoint(pipescope::EndpointId endpoint, pipescope::ServerId server) {
  selectedEndpoint_ = endpoint;
  selectedServer_ = server;
  if (endpoint != 0) {
    sendPanel_->setCurrentTarget(endpoint);
  }
  updateActions();
}

// ------------------------------------------------------------------ what the actions do

void MainWindow::refreshPipes() { session_->refreshPipes(); }

void MainWindow::disconnectSelected() {
  if (selectedEndpoint_ != 0) {
    session_->disconnect(selectedEndpoint_);
  }
}

void MainWindow::impersonateSelected() {
  const DirectoryEntry* entry = session_->directory()->find(selectedEndpoint_);
  if (entry == nullptr || entry->kind != pipescope::EndpointKind::instance) {
    statusBar()->showMessage(tr("Select a connected instance in the servers view first."), kStatusMessageMs);
    return;
  }
  session_->impersonate(selectedEndpoint_, impersonationPane_->probePath());
}

void MainWindow::stopSelectedServer() {
  if (selectedServer_ != 0) {
    session_->stopServer(selectedServer_);
  }
}

void MainWindow::findNext() { logPane_->findNext(); }

void MainWindow::findPrevious() { logPane_->findPrevious(); }

void MainWindow::clearLog() {
  const std::uint64_t records = session_->engine().log().size();
  if (records > 0) {
    // What is cleared cannot come back: ask, and offer to save it first.
    const auto answer = QMessageBox::question(
        this, tr("Clear the log"),
        tr("Forget all %1 record(s) of the log? They cannot be got back unless they were saved.").arg(records),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel) return;
    if (answer == QMessageBox::Save) {
      const QString path = QFileDialog::getSaveFileName(this, tr("Save log"), QString(), tr("JSON lines (*.jsonl)"));
      if (path.isEmpty() || session_->saveLog(path)) return;  // nothing is lost unless it was saved
    }
  }
  session_->clearLog();
}

void MainWindow::saveLog() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save log"), QString(), tr("JSON lines (*.jsonl)"));
  if (!path.isEmpty()) {
    session_->saveLog(path);
  }
}

void MainWindow::openLog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open log"), QString(), tr("JSON lines (*.jsonl);;All files (*)"));
  if (!path.isEmpty()) {
    openLogFile(path);
  }
}

bool MainWindow::openLogFile(const QString& path) { return !session_->openLog(path).has_value(); }

void MainWindow::exportLog(const std::string& formatId) {
  const pipescope::ExportFormat* format = pipescope::find_export_format(formatId);
  if (format == nullptr) {
    return;
  }
  const QString label = QCoreApplication::translate("pipescope::export", std::string(format->label).c_str());
  const QString path = QFileDialog::getSaveFileName(this, tr("Export as %1").arg(label), QString(),
                                                    tr("%1 (*.%2)").arg(label, toQString(format->extension)));
  if (!path.isEmpty()) {
    session_->exportLog(*format, path);
  }
}

void MainWindow::askLogMemoryLimit() {
  constexpr int kMiB = 1 << 20;
  const auto current =
      static_cast<int>(std::min<std::uint64_t>(session_->engine().log().memory_limit() / kMiB, 1 << 30));
  bool ok = false;
  const int mib = QInputDialog::getInt(
      this, tr("Log memory limit"),
      tr("The most memory the message log keeps, in MiB (default: a quarter of this machine's memory, %1 MiB):")
          .arg(pipescope::MessageLog::default_memory_limit() / kMiB),
      current, 1, 1 << 30, 64, &ok);
  if (ok) setLogMemoryLimit(std::uint64_t{static_cast<unsigned>(mib)} * kMiB);
}

void MainWindow::showGuide() {
  // One guide window, raised again when asked for again.
  auto* guide = findChild<GuideDialog*>(QString(), Qt::FindDirectChildrenOnly);
  if (guide == nullptr) guide = new GuideDialog(this);
  guide->show();
  guide->raise();
  guide->activateWindow();
}

void MainWindow::showShortcuts() {
  // Made anew each time: it lists the shortcuts registered at that moment.
  auto* dialog = new ShortcutsDialog(this, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About PipeScope"), aboutText(toQString(session_->engine().backend_name())));
}

}  // namespace pipescope::ui
