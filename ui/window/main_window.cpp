#include "window/main_window.hpp"

#include <QCheckBox>
#include <QCloseEvent>
#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>

#include <vector>

#include "common/qt_text.hpp"
#include "dialogs/dialogs.hpp"
#include "models/message_log_model.hpp"
#include "models/pipes_model.hpp"
#include "panes/details_pane.hpp"
#include "panes/endpoint_panes.hpp"
#include "panes/errors_pane.hpp"
#include "panes/impersonation_pane.hpp"
#include "panes/log_pane.hpp"
#include "panes/log_status_label.hpp"
#include "panes/send_panel.hpp"
#include "panes/throughput_pane.hpp"
#include "session/demo_player.hpp"
#include "session/endpoint_directory.hpp"
#include "session/session.hpp"
#include "views/log_view.hpp"

namespace pipescope::ui {

namespace {

constexpr int kPipesRefreshMs = 2000;
constexpr int kStatusMessageMs = 10000;

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), session_(std::make_unique<Session>()) {
  setWindowTitle(tr("PipeScope"));
  setObjectName(QStringLiteral("mainWindow"));
  setDockNestingEnabled(true);
  demo_ = new DemoPlayer(*session_, this);
  buildPanes();
  buildDocks();
  buildActions();
  buildMenus();

  auto* backend = new QLabel(this);
  backend->setText(tr("Engine: %1, %n thread(s)", nullptr, static_cast<int>(engine().thread_count()))
                       .arg(toQString(engine().backend_name())));
  statusBar()->addPermanentWidget(new LogStatusLabel(*session_, this));
  statusBar()->addPermanentWidget(backend);
  connect(session_.get(), &Session::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, kStatusMessageMs); });
  connect(session_->directory(), &EndpointDirectory::changed, this, &MainWindow::updateActions);

  pipesTimer_.setInterval(kPipesRefreshMs);
  connect(&pipesTimer_, &QTimer::timeout, this, &MainWindow::refreshPipes);

  restoreSettings();
  refreshPipes();
  updateActions();
  statusBar()->showMessage(tr("Ready. Create a server (Ctrl+N) or connect to a pipe (Ctrl+K)."), kStatusMessageMs);
}

MainWindow::~MainWindow() {
  pipesTimer_.stop();
  // Qt deletes a window's children (views, docks) only in ~QWidget, after
  // this destructor and the members, the session among them. But views ask
  // the session's models for data while they are torn down, and the models
  // read the engine: under Wine that read of a freed engine hung or crashed
  // the flow test. So the panes go first, while the session exists; none of
  // them may call back into this half-destroyed window. The menus, tool
  // bars, status bar and layout read nothing from the session and are left
  // to Qt. Deleting one may delete others, so each is held by a QPointer.
  std::vector<QPointer<QObject>> widgets{takeCentralWidget()};
  for (QObject* child : children()) {
    child->disconnect(this);
    if (qobject_cast<QDockWidget*>(child) != nullptr || qobject_cast<QDialog*>(child) != nullptr) {
      widgets.emplace_back(child);
    }
  }
  for (const QPointer<QObject>& widget : widgets) delete widget.data();
  delete demo_;
  QObject::disconnect(session_.get(), nullptr, this, nullptr);
  session_.reset();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  QMainWindow::closeEvent(event);
}

// ------------------------------------------------------------------ the session, for tests and dialogs

pipescope::Engine& MainWindow::engine() noexcept { return session_->engine(); }
EngineBridge& MainWindow::bridge() noexcept { return session_->bridge(); }
MessageLogModel* MainWindow::logModel() const noexcept { return session_->logModel(); }
LogQueryModel* MainWindow::logProxy() const noexcept { return session_->logProxy(); }
ServersModel* MainWindow::serversModel() const noexcept { return session_->serversModel(); }
ClientsModel* MainWindow::clientsModel() const noexcept { return session_->clientsModel(); }
PipesModel* MainWindow::pipesModel() const noexcept { return session_->pipesModel(); }
ImpersonationModel* MainWindow::impersonationModel() const noexcept { return session_->impersonationModel(); }
ErrorsModel* MainWindow::errorsModel() const noexcept { return session_->errorsModel(); }
LogView* MainWindow::logView() const noexcept { return logPane_->view(); }
QTreeView* MainWindow::serversView() const noexcept { return serversPane_; }
QTableView* MainWindow::clientsView() const noexcept { return clientsPane_; }
HexView* MainWindow::hexView() const noexcept { return detailsPane_->hexView(); }
ThroughputPlot* MainWindow::throughputPlot() const noexcept { return throughputPane_->plot(); }

// ------------------------------------------------------------------ layout

void MainWindow::buildPanes() {
  logPane_ = new LogPane(*session_, this);
  setCentralWidget(logPane_);
  pipesPane_ = new PipesPane(session_->pipesModel(), this);
  serversPane_ = new ServersPane(session_->serversModel(), this);
  clientsPane_ = new ClientsPane(session_->clientsModel(), this);
  detailsPane_ = new DetailsPane(*session_, this);
  sendPanel_ = new SendPanel(this);
  sendPanel_->setObjectName(QStringLiteral("sendPanel"));
  sendPanel_->followDirectory(session_->directory());
  impersonationPane_ = new ImpersonationPane(session_->impersonationModel(), this);
  errorsPane_ = new ErrorsPane(session_->errorsModel(), this);
  throughputPane_ = new ThroughputPane(*session_, this);

  connect(logPane_, &LogPane::currentRecordChanged, detailsPane_, &DetailsPane::showRecord);
  connect(pipesPane_, &PipesPane::connectRequested, this, &MainWindow::showConnectClientDialog);
  connect(serversPane_, &ServersPane::endpointSelected, this, &MainWindow::selectEndpoint);
  connect(clientsPane_, &ClientsPane::endpointSelected, this, &MainWindow::selectEndpoint);
  connect(sendPanel_, &SendPanel::sendRequested, this,
          [this](pipescope::EndpointId target, const QByteArray& bytes) { sendTo(target, bytes); });
  connect(impersonationPane_, &ImpersonationPane::impersonateRequested, this, &MainWindow::impersonateSelected);
}

QDockWidget* MainWindow::addDock(const QString& title, const QString& objectName, QWidget* widget,
                                 Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(objectName);
  dock->setWidget(widget);
  addDockWidget(area, dock);
  return dock;
}

void MainWindow::buildDocks() {
  QDockWidget* pipes = addDock(tr("Pipes on this machine"), QStringLiteral("pipesDock"), pipesPane_, Qt::LeftDockWidgetArea);
  QDockWidget* servers =
      addDock(tr("Servers and instances"), QStringLiteral("serversDock"), serversPane_, Qt::LeftDockWidgetArea);
  QDockWidget* clients =
      addDock(tr("Clients and children"), QStringLiteral("clientsDock"), clientsPane_, Qt::LeftDockWidgetArea);
  QDockWidget* details =
      addDock(tr("Message details"), QStringLiteral("detailsDock"), detailsPane_, Qt::BottomDockWidgetArea);
  QDockWidget* send = addDock(tr("Send"), QStringLiteral("sendDock"), sendPanel_, Qt::BottomDockWidgetArea);
  QDockWidget* plot = addDock(tr("Throughput"), QStringLiteral("plotDock"), throughputPane_, Qt::RightDockWidgetArea);
  QDockWidget* impersonation =
      addDock(tr("Impersonation"), QStringLiteral("impersonationDock"), impersonationPane_, Qt::RightDockWidgetArea);
  QDockWidget* errors = addDock(tr("Errors"), QStringLiteral("errorsDock"), errorsPane_, Qt::RightDockWidgetArea);
  splitDockWidget(pipes, servers, Qt::Vertical);
  splitDockWidget(servers, clients, Qt::Vertical);
  splitDockWidget(details, send, Qt::Horizontal);
  splitDockWidget(plot, errors, Qt::Vertical);
  tabifyDockWidget(errors, impersonation);
  errors->raise();
  resizeDocks({pipes, plot}, {360, 420}, Qt::Horizontal);
  resizeDocks({details}, {260}, Qt::Vertical);

  viewMenu_ = new QMenu(tr("&View"), this);
  for (QDockWidget* dock : {pipes, servers, clients, details, send, plot, impersonation, errors}) {
    viewMenu_->addAction(dock->toggleViewAction());
  }
}

// ------------------------------------------------------------------ settings

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  actions_.autoRefresh->setChecked(settings.value(QStringLiteral("pipes/autoRefresh"), false).toBool());
  actions_.everySocket->setChecked(settings.value(QStringLiteral("pipes/everySocket"), false).toBool());
  actions_.darkPalette->setChecked(settings.value(QStringLiteral("view/darkPalette"), false).toBool());
  impersonationPane_->setProbePath(settings.value(QStringLiteral("impersonation/probe")).toString());
  logPane_->followTail()->setChecked(settings.value(QStringLiteral("log/follow"), true).toBool());
  if (const QVariant limit = settings.value(QStringLiteral("log/memoryLimit")); limit.isValid()) {
    bool ok = false;
    const qulonglong bytes = limit.toULongLong(&ok);
    if (ok && bytes > 0) session_->setLogMemoryLimit(bytes);
  }
  sendPanel_->loadSettings(settings);
  if (!settings.contains(QStringLiteral("window/geometry"))) {
    resize(1440, 900);
  }
}

void MainWindow::saveSettings() {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  settings.setValue(QStringLiteral("pipes/autoRefresh"), actions_.autoRefresh->isChecked());
  settings.setValue(QStringLiteral("pipes/everySocket"), actions_.everySocket->isChecked());
  settings.setValue(QStringLiteral("view/darkPalette"), actions_.darkPalette->isChecked());
  settings.setValue(QStringLiteral("impersonation/probe"), impersonationPane_->probePath());
  settings.setValue(QStringLiteral("log/follow"), logPane_->followWanted());
  sendPanel_->saveSettings(settings);
}

void MainWindow::setLogMemoryLimit(std::uint64_t bytes) {
  session_->setLogMemoryLimit(bytes);
  QSettings().setValue(QStringLiteral("log/memoryLimit"), QVariant::fromValue<qulonglong>(bytes));
}

// ------------------------------------------------------------------ dialogs

void MainWindow::showNewServerDialog() {
  auto* dialog = new NewServerDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  pipescope::ServerOptions defaults;
  defaults.name = toStdString(
      QSettings().value(QStringLiteral("recent/serverName"), QStringLiteral("pipescope-test")).toString());
  dialog->setOptions(defaults);
  dialog->setSubmitter([this](const pipescope::ServerOptions& options) { return createServer(options); });
  dialog->open();
}

void MainWindow::showConnectClientDialog(const QString& name) {
  auto* dialog = new ConnectClientDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setKnownPipes(session_->pipesModel()->present());
  pipescope::ClientOptions defaults;
  defaults.name = toStdString(name.isEmpty() ? QSettings().value(QStringLiteral("recent/clientName")).toString() : name);
  dialog->setOptions(defaults);
  dialog->setSubmitter([this](const pipescope::ClientOptions& options) { return connectClient(options); });
  dialog->open();
}

void MainWindow::showRunChildDialog() {
  auto* dialog = new RunChildDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setCommandLine(QSettings().value(QStringLiteral("recent/childCommand"), QStringLiteral("sort")).toString());
  // What is remembered is the line exactly as typed, quotes and all: the
  // words alone, joined again, would lose the quoting that made them.
  dialog->setSubmitter([this, dialog](const pipescope::ChildOptions& options) {
    auto error = runChild(options);
    if (!error) QSettings().setValue(QStringLiteral("recent/childCommand"), dialog->commandLine());
    return error;
  });
  dialog->open();
}

std::optional<pipescope::Error> MainWindow::createServer(const pipescope::ServerOptions& options) {
  auto error = session_->createServer(options);
  if (!error) QSettings().setValue(QStringLiteral("recent/serverName"), toQString(options.name));
  return error;
}

std::optional<pipescope::Error> MainWindow::connectClient(const pipescope::ClientOptions& options) {
  auto error = session_->connectClient(options);
  if (!error) QSettings().setValue(QStringLiteral("recent/clientName"), toQString(options.name));
  return error;
}

std::optional<pipescope::Error> MainWindow::runChild(const pipescope::ChildOptions& options) {
  return session_->runChild(options);
}

std::optional<pipescope::Error> MainWindow::sendTo(pipescope::EndpointId endpoint, const QByteArray& bytes) {
  return session_->sendTo(endpoint, bytes);
}

void MainWindow::startDemo() { demo_->start(); }

QString MainWindow::demoPipeName() const { return demo_->pipeName(); }

}  // namespace pipescope::ui
