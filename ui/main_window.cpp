#include "main_window.hpp"

#include <QAbstractItemModel>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialog>
#include <QDockWidget>
#include <QPointer>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QInputDialog>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStringDecoder>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <array>
#include <fstream>
#include <map>
#include <vector>

#include "clients_model.hpp"
#include "device_stream.hpp"
#include "dialogs.hpp"
#include "endpoint_lookup.hpp"
#include "errors_model.hpp"
#include "hex_view.hpp"
#include "log_view.hpp"
#include "impersonation_model.hpp"
#include "message_filter_proxy.hpp"
#include "message_log_model.hpp"
#include "pipes_model.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/export.hpp"
#include "qt_text.hpp"
#include "send_panel.hpp"
#include "theme.hpp"
#include "servers_model.hpp"
#include "throughput_plot.hpp"

namespace pipescope::ui {

namespace {

constexpr int kPipesRefreshMs = 2000;
constexpr int kStatusMessageMs = 10000;
constexpr int kDemoIntervalMs = 900;
// The demo server reads in small pieces so that one demo message shows how a
// message larger than the read buffer arrives in parts (ERROR_MORE_DATA).
constexpr std::uint32_t kDemoReadBuffer = 32;

enum class CopyForm { text, hex, c_array };

void setupTable(QTableView* view) {
  // Fixed row heights: never resize rows to their contents on a live table.
  view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
  view->verticalHeader()->hide();
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setAlternatingRowColors(true);
  view->setWordWrap(false);
  view->horizontalHeader()->setHighlightSections(false);
  view->horizontalHeader()->setStretchLastSection(true);
}

pipescope::Bytes toBytes(const QByteArray& data) {
  const auto* begin = reinterpret_cast<const std::byte*>(data.constData());
  return {begin, begin + data.size()};
}

QByteArray toByteArray(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size())};
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), engine_(std::make_unique<pipescope::Engine>(&bridge_)) {
  setWindowTitle(tr("PipeScope"));
  setObjectName(QStringLiteral("mainWindow"));
  setDockNestingEnabled(true);
  buildModels();
  buildCentralLog();
  buildDocks();
  buildActions();

  statusBackend_ = new QLabel(this);
  statusBackend_->setText(tr("Engine: %1, %n thread(s)", nullptr, static_cast<int>(engine_->thread_count()))
                              .arg(toQString(engine_->backend_name())));
  statusCounts_ = new QLabel(this);
  statusBar()->addPermanentWidget(statusCounts_);
  statusBar()->addPermanentWidget(statusBackend_);

  connect(&bridge_, &EngineBridge::eventsArrived, this, &MainWindow::onEvents);
  connect(&bridge_, &EngineBridge::countersChanged, serversModel_, &ServersModel::refreshCounters);
  connect(&bridge_, &EngineBridge::countersChanged, clientsModel_, &ClientsModel::refreshCounters);
  connect(&bridge_, &EngineBridge::countersChanged, this, &MainWindow::updateStatus);

  pipesTimer_.setInterval(kPipesRefreshMs);
  connect(&pipesTimer_, &QTimer::timeout, this, &MainWindow::refreshPipes);
  plotTimer_.setInterval(1000);
  connect(&plotTimer_, &QTimer::timeout, plot_, &ThroughputPlot::tick);
  plotTimer_.start();
  demoTimer_.setInterval(kDemoIntervalMs);
  connect(&demoTimer_, &QTimer::timeout, this, &MainWindow::sendDemoMessage);

  restoreSettings();
  refreshPipes();
  updateStatus();
  updateActions();
  updateTargets();
  statusBar()->showMessage(tr("Ready. Create a server (Ctrl+N) or connect to a pipe (Ctrl+K)."), kStatusMessageMs);
}

MainWindow::~MainWindow() {
  demoTimer_.stop();
  pipesTimer_.stop();
  plotTimer_.stop();
  bridge_.disconnect(this);
  // Qt deletes a window's children (views, docks, models) only in ~QWidget,
  // after this destructor and the members, the engine among them. But the
  // models read the engine (its log, endpoints and counters) whenever a view
  // asks them for data, and views still do that while they are torn down:
  // under Wine that read of a freed engine hung or crashed the flow test. So
  // the children go first, widgets before models, while the engine exists.
  // None of them may call back into this half-destroyed window. The menus,
  // tool bars, status bar and the window's layout read nothing from the
  // engine and are left to Qt.
  // Deleting one may delete others, so each is held by a QPointer.
  std::vector<QPointer<QObject>> widgets{takeCentralWidget()};
  std::vector<QPointer<QObject>> models;
  for (QObject* child : children()) {
    child->disconnect(this);
    if (qobject_cast<QDockWidget*>(child) != nullptr || qobject_cast<QDialog*>(child) != nullptr) {
      widgets.emplace_back(child);
    } else if (qobject_cast<QAbstractItemModel*>(child) != nullptr) {
      models.emplace_back(child);
    }
  }
  for (auto* group : {&widgets, &models}) {
    for (const QPointer<QObject>& object : *group) delete object.data();
  }
  // Joins the engine's threads; after this no event can arrive.
  engine_.reset();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSettings();
  QMainWindow::closeEvent(event);
}

// ------------------------------------------------------------------ building

void MainWindow::buildModels() {
  const EndpointLookup lookup = EndpointLookup::of(*engine_);
  logModel_ = new MessageLogModel(engine_->log(), this);
  logProxy_ = new MessageFilterProxy(this);
  logProxy_->setSourceModel(logModel_);
  serversModel_ = new ServersModel(lookup, this);
  clientsModel_ = new ClientsModel(lookup, this);
  pipesModel_ = new PipesModel(this);
  impersonationModel_ = new ImpersonationModel(this);
  errorsModel_ = new ErrorsModel(this);
  impersonationModel_->setLabeler([this](pipescope::EndpointId id) { return endpointName(id); });
  connect(&bridge_, &EngineBridge::eventsArrived, logModel_, &MessageLogModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, serversModel_, &ServersModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, clientsModel_, &ClientsModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, impersonationModel_, &ImpersonationModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, errorsModel_, &ErrorsModel::onEvents);
  connect(errorsModel_, &ErrorsModel::errorAdded, this, [this](const QString& summary, const QString&) {
    statusBar()->showMessage(summary, kStatusMessageMs);
  });
}

void MainWindow::buildCentralLog() {
  auto* central = new QWidget(this);
  endpointFilter_ = new QComboBox(central);
  endpointFilter_->setObjectName(QStringLiteral("endpointFilter"));
  endpointFilter_->setToolTip(tr("Show the records of one endpoint only."));
  endpointFilter_->setMinimumContentsLength(14);
  directionFilter_ = new QComboBox(central);
  directionFilter_->setObjectName(QStringLiteral("directionFilter"));
  directionFilter_->addItems({tr("Both directions"), tr("In (read)"), tr("Out (written)")});
  directionFilter_->setToolTip(tr("In: what the endpoint read. Out: what it wrote."));
  textFilter_ = new QLineEdit(central);
  textFilter_->setObjectName(QStringLiteral("textFilter"));
  textFilter_->setPlaceholderText(tr("Filter payloads…"));
  textFilter_->setClearButtonEnabled(true);
  textFilter_->setMinimumWidth(160);
  regexFilter_ = new QCheckBox(tr("Regex"), central);
  regexFilter_->setToolTip(tr("Read the filter as a regular expression."));
  caseFilter_ = new QCheckBox(tr("Aa"), central);
  caseFilter_->setToolTip(tr("Match case."));
  findText_ = new QLineEdit(central);
  findText_->setObjectName(QStringLiteral("findText"));
  findText_->setPlaceholderText(tr("Find (Ctrl+F)…"));
  findText_->setClearButtonEnabled(true);
  findText_->setMinimumWidth(120);
  auto* previous = new QToolButton(central);
  previous->setText(tr("▲"));
  previous->setToolTip(tr("Find previous (Shift+F3)"));
  auto* next = new QToolButton(central);
  next->setText(tr("▼"));
  next->setToolTip(tr("Find next (F3)"));
  followTail_ = new QCheckBox(tr("Follow"), central);
  followTail_->setObjectName(QStringLiteral("followTail"));
  followTail_->setChecked(true);
  followTail_->setToolTip(tr("Keep the newest record in view as records arrive."));

  // Not a QTableView: see log_view.hpp for why the log has a view of its own.
  logView_ = new LogView(central);
  logView_->setObjectName(QStringLiteral("logView"));
  logView_->setModel(logProxy_);
  logView_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  logView_->setContextMenuPolicy(Qt::ActionsContextMenu);
  const QFontMetrics fm = logView_->fontMetrics();
  logView_->setColumnWidth(MessageLogModel::NumberColumn, fm.horizontalAdvance(QStringLiteral("0000000")));
  logView_->setColumnWidth(MessageLogModel::TimeColumn, fm.horizontalAdvance(QStringLiteral("00:00:00.000000  ")));
  logView_->setColumnWidth(MessageLogModel::EndpointColumn, fm.horizontalAdvance(QStringLiteral("client 00 → pipescope-demo")));
  logView_->setColumnWidth(MessageLogModel::DirectionColumn, fm.horizontalAdvance(QStringLiteral("Direction  ")));
  logView_->setColumnWidth(MessageLogModel::LengthColumn, fm.horizontalAdvance(QStringLiteral("Length  ")));
  logView_->setColumnWidth(MessageLogModel::FlagsColumn, fm.horizontalAdvance(QStringLiteral("message|more-data  ")));

  auto* bar = new QHBoxLayout;
  bar->addWidget(endpointFilter_);
  bar->addWidget(directionFilter_);
  bar->addWidget(textFilter_, 2);
  bar->addWidget(regexFilter_);
  bar->addWidget(caseFilter_);
  bar->addSpacing(12);
  bar->addWidget(findText_, 1);
  bar->addWidget(previous);
  bar->addWidget(next);
  bar->addWidget(followTail_);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(bar);
  layout->addWidget(logView_);
  setCentralWidget(central);

  connect(endpointFilter_, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
  connect(directionFilter_, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
  connect(textFilter_, &QLineEdit::textChanged, this, &MainWindow::applyFilter);
  connect(regexFilter_, &QCheckBox::toggled, this, &MainWindow::applyFilter);
  connect(caseFilter_, &QCheckBox::toggled, this, &MainWindow::applyFilter);
  connect(findText_, &QLineEdit::returnPressed, this, &MainWindow::findNext);
  connect(next, &QToolButton::clicked, this, &MainWindow::findNext);
  connect(previous, &QToolButton::clicked, this, &MainWindow::findPrevious);
  connect(logView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { showRecord(current); });
  connect(logProxy_, &QAbstractItemModel::rowsInserted, this, [this] {
    if (followTail_->isChecked()) {
      logView_->scrollToBottom();
    }
  });
  updateEndpointFilter();
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
  // Pipes browser.
  auto* pipesPane = new QWidget(this);
  pipesView_ = new QTableView(pipesPane);
  pipesView_->setObjectName(QStringLiteral("pipesView"));
  pipesView_->setModel(pipesModel_);
  setupTable(pipesView_);
  pipesView_->setColumnWidth(PipesModel::NameColumn, 200);
  auto* pipesLayout = new QVBoxLayout(pipesPane);
  pipesLayout->setContentsMargins(0, 0, 0, 0);
  pipesLayout->addWidget(pipesView_);
  connect(pipesView_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    showConnectClientDialog(index.siblingAtColumn(0).data(PipesModel::NameRole).toString());
  });

  // Servers and instances.
  serversView_ = new QTreeView(this);
  serversView_->setObjectName(QStringLiteral("serversView"));
  serversView_->setModel(serversModel_);
  serversView_->setUniformRowHeights(true);
  serversView_->setAlternatingRowColors(true);
  serversView_->setContextMenuPolicy(Qt::ActionsContextMenu);
  serversView_->setColumnWidth(ServersModel::NameColumn, 190);
  serversView_->setColumnWidth(ServersModel::StateColumn, 150);
  connect(serversModel_, &QAbstractItemModel::rowsInserted, serversView_,
          [this](const QModelIndex& parent) { serversView_->expand(parent.isValid() ? parent : QModelIndex()); });
  connect(serversView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            selectEndpoint(current.data(ServersModel::EndpointIdRole).toUInt(),
                           current.data(ServersModel::ServerIdRole).toUInt());
          });

  // Clients and children.
  clientsView_ = new QTableView(this);
  clientsView_->setObjectName(QStringLiteral("clientsView"));
  clientsView_->setModel(clientsModel_);
  setupTable(clientsView_);
  clientsView_->setContextMenuPolicy(Qt::ActionsContextMenu);
  connect(clientsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { selectEndpoint(current.data(ClientsModel::EndpointIdRole).toUInt(), 0); });

  // Message details: a header, the hex view and a decoded text view.
  auto* details = new QWidget(this);
  detailsHeader_ = new QLabel(tr("Select a record in the log."), details);
  detailsHeader_->setObjectName(QStringLiteral("detailsHeader"));
  detailsHeader_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  wholeMessage_ = new QCheckBox(tr("Whole message"), details);
  wholeMessage_->setToolTip(tr("Join the parts of a message that arrived in pieces (flagged \"more data\")."));
  encoding_ = new QComboBox(details);
  encoding_->addItems({QStringLiteral("UTF-8"), QStringLiteral("ISO-8859-1"), QStringLiteral("UTF-16LE"),
                       QStringLiteral("UTF-16BE")});
  encoding_->setToolTip(tr("How the text view decodes the bytes."));
  hexView_ = new HexView(details);
  hexView_->setObjectName(QStringLiteral("hexView"));
  textView_ = new QPlainTextEdit(details);
  textView_->setObjectName(QStringLiteral("textView"));
  textView_->setReadOnly(true);
  textView_->setFont(hexView_->font());
  auto* detailsTop = new QHBoxLayout;
  detailsTop->addWidget(detailsHeader_, 1);
  detailsTop->addWidget(wholeMessage_);
  detailsTop->addWidget(encoding_);
  auto* splitter = new QSplitter(Qt::Horizontal, details);
  splitter->addWidget(hexView_);
  splitter->addWidget(textView_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  auto* detailsLayout = new QVBoxLayout(details);
  detailsLayout->setContentsMargins(2, 2, 2, 2);
  detailsLayout->addLayout(detailsTop);
  detailsLayout->addWidget(splitter);
  connect(wholeMessage_, &QCheckBox::toggled, this, &MainWindow::showDetails);
  connect(encoding_, &QComboBox::currentIndexChanged, this, &MainWindow::showDetails);

  // Send panel.
  sendPanel_ = new SendPanel(this);
  sendPanel_->setObjectName(QStringLiteral("sendPanel"));
  connect(sendPanel_, &SendPanel::sendRequested, this,
          [this](pipescope::EndpointId target, const QByteArray& bytes) { sendTo(target, bytes); });

  // Impersonation results, with the probe to try.
  auto* impersonationPane = new QWidget(this);
  impersonationView_ = new QTableView(impersonationPane);
  impersonationView_->setObjectName(QStringLiteral("impersonationView"));
  impersonationView_->setModel(impersonationModel_);
  setupTable(impersonationView_);
  probePath_ = new QLineEdit(impersonationPane);
  probePath_->setObjectName(QStringLiteral("probePath"));
  probePath_->setPlaceholderText(tr("optional file to open as the client, e.g. /etc/shadow"));
  probePath_->setToolTip(tr("While impersonating, PipeScope tries to open this file for reading: it shows what the "
                            "client's identity may do, which is why a server should impersonate carefully."));
  auto* impersonateButton = new QPushButton(tr("Impersonate selected instance"), impersonationPane);
  connect(impersonateButton, &QPushButton::clicked, this, &MainWindow::impersonateSelected);
  auto* probeRow = new QHBoxLayout;
  probeRow->addWidget(new QLabel(tr("Probe:"), impersonationPane));
  probeRow->addWidget(probePath_, 1);
  probeRow->addWidget(impersonateButton);
  auto* impersonationLayout = new QVBoxLayout(impersonationPane);
  impersonationLayout->setContentsMargins(2, 2, 2, 2);
  impersonationLayout->addLayout(probeRow);
  impersonationLayout->addWidget(impersonationView_);

  // Throughput.
  plot_ = new ThroughputPlot(this);
  plot_->setObjectName(QStringLiteral("throughputPlot"));

  // Errors with their explanation.
  auto* errorsPane = new QSplitter(Qt::Horizontal, this);
  errorsView_ = new QTableView(errorsPane);
  errorsView_->setObjectName(QStringLiteral("errorsView"));
  errorsView_->setModel(errorsModel_);
  setupTable(errorsView_);
  errorExplanation_ = new QTextBrowser(errorsPane);
  errorExplanation_->setObjectName(QStringLiteral("errorExplanation"));
  errorExplanation_->setPlaceholderText(tr("Select an error to read what it means and what a program does about it."));
  errorsPane->addWidget(errorsView_);
  errorsPane->addWidget(errorExplanation_);
  connect(errorsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            errorExplanation_->setPlainText(current.isValid() ? current.siblingAtColumn(0).data(Qt::ToolTipRole).toString()
                                                              : QString());
          });
  connect(errorsModel_, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int, int last) {
    errorsView_->scrollToBottom();
    errorExplanation_->setPlainText(errorsModel_->index(last, 0).data(Qt::ToolTipRole).toString());
  });

  QDockWidget* pipesDock = addDock(tr("Pipes on this machine"), QStringLiteral("pipesDock"), pipesPane, Qt::LeftDockWidgetArea);
  QDockWidget* serversDock = addDock(tr("Servers and instances"), QStringLiteral("serversDock"), serversView_, Qt::LeftDockWidgetArea);
  QDockWidget* clientsDock = addDock(tr("Clients and children"), QStringLiteral("clientsDock"), clientsView_, Qt::LeftDockWidgetArea);
  QDockWidget* detailsDock = addDock(tr("Message details"), QStringLiteral("detailsDock"), details, Qt::BottomDockWidgetArea);
  QDockWidget* sendDock = addDock(tr("Send"), QStringLiteral("sendDock"), sendPanel_, Qt::BottomDockWidgetArea);
  QDockWidget* plotDock = addDock(tr("Throughput"), QStringLiteral("plotDock"), plot_, Qt::RightDockWidgetArea);
  QDockWidget* impersonationDock = addDock(tr("Impersonation"), QStringLiteral("impersonationDock"), impersonationPane, Qt::RightDockWidgetArea);
  QDockWidget* errorsDock = addDock(tr("Errors"), QStringLiteral("errorsDock"), errorsPane, Qt::RightDockWidgetArea);
  splitDockWidget(pipesDock, serversDock, Qt::Vertical);
  splitDockWidget(serversDock, clientsDock, Qt::Vertical);
  splitDockWidget(detailsDock, sendDock, Qt::Horizontal);
  splitDockWidget(plotDock, errorsDock, Qt::Vertical);
  tabifyDockWidget(errorsDock, impersonationDock);
  errorsDock->raise();
  resizeDocks({pipesDock, plotDock}, {360, 420}, Qt::Horizontal);
  resizeDocks({detailsDock}, {260}, Qt::Vertical);

  viewMenu_ = new QMenu(tr("&View"), this);
  for (QDockWidget* dock : {pipesDock, serversDock, clientsDock, detailsDock, sendDock, plotDock, impersonationDock, errorsDock}) {
    viewMenu_->addAction(dock->toggleViewAction());
  }
}

void MainWindow::buildActions() {
  const auto make = [this](const QString& text, const QString& name, const QKeySequence& shortcut, const QString& tip) {
    auto* action = new QAction(text, this);
    action->setObjectName(name);
    if (!shortcut.isEmpty()) {
      action->setShortcut(shortcut);
    }
    action->setToolTip(tip.isEmpty() ? text : tip);
    action->setStatusTip(tip);
    return action;
  };

  QAction* openLog = make(tr("&Open log…"), QStringLiteral("actionOpenLog"), QKeySequence::Open, tr("Load a saved message log (JSON lines)."));
  QAction* saveLog = make(tr("&Save log as…"), QStringLiteral("actionSaveLog"), QKeySequence::Save, tr("Save every record as JSON lines."));
  // One action per export format of the engine's table (pipescope/export.hpp).
  QList<QAction*> exports;
  for (const pipescope::ExportFormat& format : pipescope::export_formats()) {
    const QString label = QCoreApplication::translate("pipescope::export", std::string(format.label).c_str());
    QAction* action = make(tr("Export as %1…").arg(label), QStringLiteral("actionExport_%1").arg(toQString(format.id)),
                           {}, QCoreApplication::translate("pipescope::export", std::string(format.description).c_str()));
    connect(action, &QAction::triggered, this, [this, id = std::string(format.id)] { exportLog(id); });
    exports.push_back(action);
  }
  QAction* clearLog = make(tr("&Clear log"), QStringLiteral("actionClearLog"), {}, tr("Forget every record."));
  QAction* logLimit = make(tr("Log &memory limit…"), QStringLiteral("actionLogMemoryLimit"), {},
                           tr("The most memory the message log keeps. Beyond it the pipes work on and every byte is "
                              "counted, but records keep only their length, flagged truncated."));
  QAction* quit = make(tr("&Quit"), QStringLiteral("actionQuit"), QKeySequence::Quit, {});
  connect(openLog, &QAction::triggered, this, &MainWindow::openLog);
  connect(saveLog, &QAction::triggered, this, &MainWindow::saveLog);
  connect(clearLog, &QAction::triggered, this, &MainWindow::clearLog);
  connect(logLimit, &QAction::triggered, this, [this] {
    constexpr int kMiB = 1 << 20;
    const auto current = static_cast<int>(std::min<std::uint64_t>(engine_->log().memory_limit() / kMiB, 1 << 30));
    bool ok = false;
    const int mib = QInputDialog::getInt(
        this, tr("Log memory limit"),
        tr("The most memory the message log keeps, in MiB (default: a quarter of this machine's memory, %1 MiB):")
            .arg(pipescope::MessageLog::default_memory_limit() / kMiB),
        current, 1, 1 << 30, 64, &ok);
    if (ok) setLogMemoryLimit(std::uint64_t{static_cast<unsigned>(mib)} * kMiB);
  });
  connect(quit, &QAction::triggered, this, &QWidget::close);

  QAction* newServer = make(tr("New &server…"), QStringLiteral("actionNewServer"), QKeySequence(Qt::CTRL | Qt::Key_N),
                            tr("Create a named pipe server (CreateNamedPipe)."));
  QAction* connectClient = make(tr("&Connect client…"), QStringLiteral("actionConnectClient"), QKeySequence(Qt::CTRL | Qt::Key_K),
                                tr("Open a pipe as a client (CreateFile)."));
  QAction* runChild = make(tr("&Run child…"), QStringLiteral("actionRunChild"), QKeySequence(Qt::CTRL | Qt::Key_R),
                           tr("Start a process with anonymous pipes on its standard streams."));
  disconnectAction_ = make(tr("&Disconnect"), QStringLiteral("actionDisconnect"), QKeySequence(Qt::CTRL | Qt::Key_D),
                           tr("Disconnect the selected instance (DisconnectNamedPipe), close the selected client, or "
                              "close a child's standard input."));
  impersonateAction_ = make(tr("&Impersonate client"), QStringLiteral("actionImpersonate"), QKeySequence(Qt::CTRL | Qt::Key_I),
                            tr("Take on the identity of the selected instance's client (ImpersonateNamedPipeClient), "
                               "look around, and revert."));
  stopServerAction_ = make(tr("S&top server"), QStringLiteral("actionStopServer"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W),
                           tr("Close every instance of the selected server."));
  QAction* refresh = make(tr("Refresh &pipes"), QStringLiteral("actionRefreshPipes"), QKeySequence::Refresh,
                          tr("List the pipes this machine has."));
  autoRefreshAction_ = make(tr("&Auto-refresh pipes"), QStringLiteral("actionAutoRefresh"), {}, tr("Refresh the pipe list every two seconds."));
  autoRefreshAction_->setCheckable(true);
  QAction* demo = make(tr("Start &demo"), QStringLiteral("actionDemo"), {}, tr("An echo server and a client that talk."));
  connect(newServer, &QAction::triggered, this, &MainWindow::showNewServerDialog);
  connect(connectClient, &QAction::triggered, this, [this] { showConnectClientDialog(); });
  connect(runChild, &QAction::triggered, this, &MainWindow::showRunChildDialog);
  connect(disconnectAction_, &QAction::triggered, this, &MainWindow::disconnectSelected);
  connect(impersonateAction_, &QAction::triggered, this, &MainWindow::impersonateSelected);
  connect(stopServerAction_, &QAction::triggered, this, &MainWindow::stopSelectedServer);
  connect(refresh, &QAction::triggered, this, &MainWindow::refreshPipes);
  connect(autoRefreshAction_, &QAction::toggled, this, [this](bool on) {
    if (on) {
      pipesTimer_.start();
    } else {
      pipesTimer_.stop();
    }
  });
  connect(demo, &QAction::triggered, this, &MainWindow::startDemo);

  QAction* copyText = make(tr("&Copy as text"), QStringLiteral("actionCopyText"), QKeySequence::Copy, tr("Copy the selected payloads as text."));
  QAction* copyHex = make(tr("Copy as &hex"), QStringLiteral("actionCopyHex"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), tr("Copy the selected payloads as hex bytes."));
  QAction* copyArray = make(tr("Copy as C &array"), QStringLiteral("actionCopyCArray"), {}, tr("Copy the selected payloads as a C array."));
  QAction* findAction = make(tr("&Find…"), QStringLiteral("actionFind"), QKeySequence::Find, {});
  QAction* findNextAction = make(tr("Find &next"), QStringLiteral("actionFindNext"), QKeySequence::FindNext, {});
  QAction* findPreviousAction = make(tr("Find pre&vious"), QStringLiteral("actionFindPrevious"), QKeySequence::FindPrevious, {});
  QAction* follow = make(tr("F&ollow new records"), QStringLiteral("actionFollow"), QKeySequence(Qt::CTRL | Qt::Key_End), {});
  follow->setCheckable(true);
  follow->setChecked(followTail_->isChecked());
  connect(follow, &QAction::toggled, followTail_, &QCheckBox::setChecked);
  connect(followTail_, &QCheckBox::toggled, follow, &QAction::setChecked);
  connect(copyText, &QAction::triggered, this, [this] { copySelection(static_cast<int>(CopyForm::text)); });
  connect(copyHex, &QAction::triggered, this, [this] { copySelection(static_cast<int>(CopyForm::hex)); });
  connect(copyArray, &QAction::triggered, this, [this] { copySelection(static_cast<int>(CopyForm::c_array)); });
  connect(findAction, &QAction::triggered, this, [this] {
    findText_->setFocus();
    findText_->selectAll();
  });
  connect(findNextAction, &QAction::triggered, this, &MainWindow::findNext);
  connect(findPreviousAction, &QAction::triggered, this, &MainWindow::findPrevious);
  logView_->addActions({copyText, copyHex, copyArray});
  serversView_->addActions({disconnectAction_, impersonateAction_, stopServerAction_});
  clientsView_->addActions({disconnectAction_});

  QAction* about = make(tr("&About PipeScope"), QStringLiteral("actionAbout"), {}, {});
  connect(about, &QAction::triggered, this, [this] {
    QMessageBox::about(this, tr("About PipeScope"),
                       tr("<h3>PipeScope %1</h3><p>Create, connect to, watch and learn Windows pipes.</p>"
                          "<p>Engine backend: %2.</p>")
                           .arg(QCoreApplication::applicationVersion(), toQString(engine_->backend_name())));
  });

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addActions({openLog, saveLog});
  file->addSeparator();
  file->addActions(exports);
  file->addSeparator();
  file->addActions({clearLog, logLimit});
  file->addSeparator();
  file->addAction(quit);
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addActions({copyText, copyHex, copyArray});
  edit->addSeparator();
  edit->addActions({findAction, findNextAction, findPreviousAction});
  edit->addSeparator();
  edit->addAction(follow);
  QMenu* pipes = menuBar()->addMenu(tr("&Pipes"));
  pipes->addActions({newServer, connectClient, runChild});
  pipes->addSeparator();
  pipes->addActions({disconnectAction_, impersonateAction_, stopServerAction_});
  pipes->addSeparator();
  pipes->addActions({refresh, autoRefreshAction_});
  pipes->addSeparator();
  pipes->addAction(demo);
  menuBar()->addMenu(viewMenu_);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(about);

  QToolBar* toolbar = addToolBar(tr("Main"));
  toolbar->setObjectName(QStringLiteral("mainToolbar"));
  toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  toolbar->addActions({newServer, connectClient, runChild});
  toolbar->addSeparator();
  toolbar->addActions({disconnectAction_, impersonateAction_, stopServerAction_});
  toolbar->addSeparator();
  toolbar->addActions({refresh, autoRefreshAction_});
  toolbar->addSeparator();
  toolbar->addActions({saveLog, openLog});
  viewMenu_->addSeparator();
  viewMenu_->addAction(toolbar->toggleViewAction());
  darkPaletteAction_ = make(tr("Dar&k palette"), QStringLiteral("actionDarkPalette"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                            tr("Light text on dark backgrounds, in every window of PipeScope."));
  darkPaletteAction_->setCheckable(true);
  connect(darkPaletteAction_, &QAction::toggled, this, [](bool on) { applyDarkPalette(on); });
  viewMenu_->addSeparator();
  viewMenu_->addAction(darkPaletteAction_);
}

void MainWindow::setDarkPalette(bool dark) { darkPaletteAction_->setChecked(dark); }

// ------------------------------------------------------------------ settings

void MainWindow::restoreSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  autoRefreshAction_->setChecked(settings.value(QStringLiteral("pipes/autoRefresh"), false).toBool());
  darkPaletteAction_->setChecked(settings.value(QStringLiteral("view/darkPalette"), false).toBool());
  probePath_->setText(settings.value(QStringLiteral("impersonation/probe")).toString());
  followTail_->setChecked(settings.value(QStringLiteral("log/follow"), true).toBool());
  if (const QVariant limit = settings.value(QStringLiteral("log/memoryLimit")); limit.isValid()) {
    bool ok = false;
    const qulonglong bytes = limit.toULongLong(&ok);
    if (ok && bytes > 0) engine_->log().set_memory_limit(bytes);
  }
  sendPanel_->loadLibrary(settings);
  if (!settings.contains(QStringLiteral("window/geometry"))) {
    resize(1440, 900);
  }
}

void MainWindow::saveSettings() {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  settings.setValue(QStringLiteral("pipes/autoRefresh"), autoRefreshAction_->isChecked());
  settings.setValue(QStringLiteral("view/darkPalette"), darkPaletteAction_->isChecked());
  settings.setValue(QStringLiteral("impersonation/probe"), probePath_->text());
  settings.setValue(QStringLiteral("log/follow"), followTail_->isChecked());
  sendPanel_->saveLibrary(settings);
}

// ------------------------------------------------------------------ dialogs

void MainWindow::showNewServerDialog() {
  auto* dialog = new NewServerDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  QSettings settings;
  pipescope::ServerOptions defaults;
  defaults.name = toStdString(settings.value(QStringLiteral("recent/serverName"), QStringLiteral("pipescope-test")).toString());
  dialog->setOptions(defaults);
  dialog->setSubmitter([this](const pipescope::ServerOptions& options) { return createServer(options); });
  dialog->open();
}

void MainWindow::showConnectClientDialog(const QString& name) {
  auto* dialog = new ConnectClientDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setKnownPipes(pipesModel_->names());
  pipescope::ClientOptions defaults;
  QSettings settings;
  defaults.name = toStdString(name.isEmpty() ? settings.value(QStringLiteral("recent/clientName")).toString() : name);
  dialog->setOptions(defaults);
  dialog->setSubmitter([this](const pipescope::ClientOptions& options) { return connectClient(options); });
  dialog->open();
}

void MainWindow::showRunChildDialog() {
  auto* dialog = new RunChildDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  QSettings settings;
  dialog->setCommandLine(settings.value(QStringLiteral("recent/childCommand"), QStringLiteral("sort")).toString());
  dialog->setSubmitter([this](const pipescope::ChildOptions& options) { return runChild(options); });
  dialog->open();
}

// ---------------------------------------------------------- engine requests

void MainWindow::reportError(const pipescope::Error& error, pipescope::EndpointId endpoint) {
  errorsModel_->addError(error, endpoint);
}

std::optional<pipescope::Error> MainWindow::createServer(const pipescope::ServerOptions& options) {
  auto result = engine_->start_server(options);
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  QSettings().setValue(QStringLiteral("recent/serverName"), toQString(options.name));
  statusBar()->showMessage(tr("Serving %1").arg(displayText(options.name)), kStatusMessageMs);
  refreshPipes();
  return std::nullopt;
}

std::optional<pipescope::Error> MainWindow::connectClient(const pipescope::ClientOptions& options) {
  auto result = engine_->connect_async(options);
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  QSettings().setValue(QStringLiteral("recent/clientName"), toQString(options.name));
  statusBar()->showMessage(tr("Connecting to %1…").arg(displayText(options.name)), kStatusMessageMs);
  return std::nullopt;
}

std::optional<pipescope::Error> MainWindow::runChild(const pipescope::ChildOptions& options) {
  auto result = engine_->run_child(options);
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  QStringList args;
  for (const auto& arg : options.argv) {
    args << toQString(arg);
  }
  QSettings().setValue(QStringLiteral("recent/childCommand"), args.join(QLatin1Char(' ')));
  return std::nullopt;
}

std::optional<pipescope::Error> MainWindow::sendTo(pipescope::EndpointId endpoint, const QByteArray& bytes) {
  const pipescope::Bytes payload = toBytes(bytes);
  auto result = engine_->send(endpoint, payload);
  if (!result) {
    reportError(result.error(), endpoint);
    return result.error();
  }
  statusBar()->showMessage(tr("Sent %n byte(s) to %1", nullptr, static_cast<int>(bytes.size())).arg(endpointName(endpoint)),
                           kStatusMessageMs);
  return std::nullopt;
}

void MainWindow::disconnectSelected() {
  if (selectedEndpoint_ == 0) {
    return;
  }
  if (auto result = engine_->disconnect(selectedEndpoint_); !result) {
    reportError(result.error(), selectedEndpoint_);
  }
}

void MainWindow::impersonateSelected() {
  const auto it = known_.find(selectedEndpoint_);
  if (it == known_.end() || it->second.kind != pipescope::EndpointKind::instance) {
    statusBar()->showMessage(tr("Select a connected instance in the servers view first."), kStatusMessageMs);
    return;
  }
  pipescope::ImpersonationRequest request;
  request.probe_path = toStdString(probePath_->text().trimmed());
  if (auto result = engine_->impersonate(selectedEndpoint_, request); !result) {
    reportError(result.error(), selectedEndpoint_);
  }
}

void MainWindow::stopSelectedServer() {
  if (selectedServer_ == 0) {
    return;
  }
  if (auto result = engine_->stop_server(selectedServer_); !result) {
    reportError(result.error());
  }
}

void MainWindow::refreshPipes() {
  auto pipes = engine_->list_pipes();
  if (!pipes) {
    statusBar()->showMessage(displayText(pipes.error().summary()), kStatusMessageMs);
    return;
  }
  pipesModel_->update(*pipes);
}

// ------------------------------------------------------------------- events

QString MainWindow::endpointName(pipescope::EndpointId id) const {
  const auto it = known_.find(id);
  return it != known_.end() ? it->second.label : tr("endpoint %1").arg(id);
}

void MainWindow::onEvents(const EventBatch& batch) {
  bool endpointsChanged = false;
  // Bytes per endpoint and direction, added to the plot once per batch: at a
  // million records a second, naming the plot's series for every record
  // took more of the GUI thread than everything else in the batch.
  std::map<std::pair<pipescope::EndpointId, pipescope::Direction>, std::uint64_t> plotted;
  for (const pipescope::Event& event : batch) {
    if (const auto* data = std::get_if<pipescope::Data>(&event)) {
      plotted[{data->endpoint, data->direction}] += data->size;
    } else if (const auto* state = std::get_if<pipescope::StateChanged>(&event)) {
      Known& known = known_[state->endpoint];
      if (known.label.isEmpty()) {
        const auto info = engine_->endpoint(state->endpoint);
        known.label = info && !info->label.empty() ? shortLabel(info->label) : tr("endpoint %1").arg(state->endpoint);
      }
      known.kind = state->kind;
      known.state = state->state;
      known.server = state->server;
      endpointsChanged = true;
      if (state->endpoint == demoClient_) {
        if (state->state == pipescope::EndpointState::connected) {
          demoTimer_.start();
          sendDemoMessage();
        } else if (state->state == pipescope::EndpointState::closed) {
          demoTimer_.stop();
        }
      }
    } else if (const auto* child = std::get_if<pipescope::ChildStarted>(&event)) {
      Known& known = known_[child->endpoint];
      known.kind = pipescope::EndpointKind::child;
      known.state = pipescope::EndpointState::connected;
      known.label = tr("child %1").arg(child->pid);
      if (const auto info = engine_->endpoint(child->endpoint); info && !info->label.empty()) {
        known.label = shortLabel(info->label);
      }
      endpointsChanged = true;
    } else if (const auto* exited = std::get_if<pipescope::ChildExited>(&event)) {
      statusBar()->showMessage(tr("%1 exited with code %2").arg(endpointName(exited->endpoint)).arg(exited->exit_code),
                               kStatusMessageMs);
    } else if (std::holds_alternative<pipescope::ServerStarted>(event) ||
               std::holds_alternative<pipescope::ServerStopped>(event)) {
      endpointsChanged = true;
    }
  }
  for (const auto& [key, bytes] : plotted) {
    plot_->addBytes(tr("%1 %2").arg(endpointName(key.first), directionText(key.second)), bytes);
  }
  if (endpointsChanged) {
    updateTargets();
    updateEndpointFilter();
    updateActions();
  }
  updateStatus();
}

void MainWindow::updateTargets() {
  std::vector<SendPanel::Target> targets;
  for (const auto& [id, known] : known_) {
    if (known.state == pipescope::EndpointState::connected) {
      targets.push_back({id, tr("%1 (%2)").arg(known.label, kindText(known.kind))});
    }
  }
  sendPanel_->setTargets(targets);
}

void MainWindow::updateEndpointFilter() {
  const QVariant current = endpointFilter_->currentData();
  const QSignalBlocker block(endpointFilter_);
  endpointFilter_->clear();
  endpointFilter_->addItem(tr("All endpoints"), QVariant::fromValue<uint>(0));
  for (const auto& [id, known] : known_) {
    endpointFilter_->addItem(known.label, QVariant::fromValue<uint>(id));
  }
  const int index = endpointFilter_->findData(current);
  endpointFilter_->setCurrentIndex(index < 0 ? 0 : index);
}

void MainWindow::setLogMemoryLimit(std::uint64_t bytes) {
  engine_->log().set_memory_limit(bytes);
  QSettings().setValue(QStringLiteral("log/memoryLimit"), QVariant::fromValue<qulonglong>(bytes));
  updateStatus();
}

void MainWindow::updateStatus() {
  const pipescope::MessageLog& log = engine_->log();
  QString text = tr("%n record(s), %1 of payload", nullptr, static_cast<int>(std::min<std::uint64_t>(log.size(), 0x7FFFFFFF)))
                     .arg(formatBytes(static_cast<double>(log.payload_bytes())));
  // A full log says what it did not keep, next to what it holds.
  if (const std::uint64_t truncated = log.truncated_records(); truncated != 0) {
    text += tr(", %1 truncated").arg(truncated);
  }
  if (const std::uint64_t dropped = log.dropped_records(); dropped != 0) {
    text += tr(", %1 only counted").arg(dropped);
  }
  statusCounts_->setText(text);
}

void MainWindow::updateActions() {
  const auto it = known_.find(selectedEndpoint_);
  const bool live = it != known_.end() && it->second.state != pipescope::EndpointState::closed;
  disconnectAction_->setEnabled(live);
  impersonateAction_->setEnabled(live && it->second.kind == pipescope::EndpointKind::instance &&
                                 it->second.state == pipescope::EndpointState::connected);
  stopServerAction_->setEnabled(selectedServer_ != 0);
}

void MainWindow::selectEndpoint(pipescope::EndpointId endpoint, pipescope::ServerId server) {
  selectedEndpoint_ = endpoint;
  selectedServer_ = server;
  if (endpoint != 0) {
    sendPanel_->setCurrentTarget(endpoint);
  }
  updateActions();
}

// --------------------------------------------------------------- log views

void MainWindow::applyFilter() {
  logProxy_->setEndpointFilter(endpointFilter_->currentData().toUInt());
  const int direction = directionFilter_->currentIndex();
  logProxy_->setDirectionFilter(direction == 0 ? std::nullopt
                                               : std::optional(direction == 1 ? pipescope::Direction::in
                                                                              : pipescope::Direction::out));
  const bool ok = logProxy_->setTextFilter(textFilter_->text(), regexFilter_->isChecked(),
                                           caseFilter_->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive);
  textFilter_->setStyleSheet(ok ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c0392b; }"));
  textFilter_->setToolTip(ok ? tr("Keep records whose payload contains this text.") : logProxy_->patternError());
  if (!ok) {
    statusBar()->showMessage(tr("Invalid regular expression: %1").arg(logProxy_->patternError()), kStatusMessageMs);
  }
}

void MainWindow::find(bool forward) {
  const QString needle = findText_->text();
  const int rows = logProxy_->rowCount();
  if (needle.isEmpty() || rows == 0) {
    return;
  }
  const pipescope::MessageLog& log = engine_->log();
  const int start = logView_->currentIndex().isValid() ? logView_->currentIndex().row() : (forward ? -1 : rows);
  for (int step = 1; step <= rows; ++step) {
    const int row = ((forward ? start + step : start - step) % rows + rows) % rows;
    const auto logRow = logProxy_->index(row, 0).data(MessageLogModel::LogRowRole).toULongLong();
    const auto payload = log.payload(logRow);
    if (QString::fromUtf8(reinterpret_cast<const char*>(payload.data()), static_cast<qsizetype>(payload.size()))
            .contains(needle, Qt::CaseInsensitive)) {
      followTail_->setChecked(false);
      logView_->setCurrentIndex(logProxy_->index(row, 0));
      logView_->scrollTo(logProxy_->index(row, 0));
      return;
    }
  }
  statusBar()->showMessage(tr("\"%1\" was not found.").arg(needle), kStatusMessageMs);
}

void MainWindow::findNext() { find(true); }

void MainWindow::findPrevious() { find(false); }

void MainWindow::showRecord(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) {
    shownRow_.reset();
  } else {
    shownRow_ = proxyIndex.data(MessageLogModel::LogRowRole).toULongLong();
  }
  showDetails();
}

void MainWindow::showDetails() {
  if (!shownRow_) {
    detailsHeader_->setText(tr("Select a record in the log."));
    hexView_->setData({});
    textView_->clear();
    return;
  }
  const pipescope::MessageLog& log = engine_->log();
  const pipescope::Record record = log.record(*shownRow_);
  QByteArray bytes;
  if (wholeMessage_->isChecked()) {
    const auto message = log.assemble_message(*shownRow_);
    bytes = toByteArray(message);
  } else {
    bytes = toByteArray(log.payload(record));
  }
  QString flags = toQString(pipescope::flags_to_string(record.flags));
  detailsHeader_->setText(tr("Record %1 · %2 · %3 · %n byte(s)%4", nullptr, static_cast<int>(bytes.size()))
                              .arg(*shownRow_ + 1)
                              .arg(logModel_->endpointLabel(record.endpoint), directionText(record.direction),
                                   flags.isEmpty() ? QString() : QStringLiteral(" · ") + flags));
  detailsHeader_->setToolTip(flagsExplanation(record.flags));
  hexView_->setData(bytes);
  QString text;
  switch (encoding_->currentIndex()) {
    case 1: text = QString::fromLatin1(bytes); break;
    case 2: text = QStringDecoder(QStringDecoder::Utf16LE).decode(bytes); break;
    case 3: text = QStringDecoder(QStringDecoder::Utf16BE).decode(bytes); break;
    default: text = QString::fromUtf8(bytes); break;
  }
  textView_->setPlainText(text);
}

void MainWindow::copySelection(int form) {
  QModelIndexList rows = logView_->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  if (rows.isEmpty()) {
    return;
  }
  const pipescope::MessageLog& log = engine_->log();
  pipescope::Bytes all;
  QStringList lines;
  for (const QModelIndex& index : rows) {
    const auto payload = log.payload(index.data(MessageLogModel::LogRowRole).toULongLong());
    all.insert(all.end(), payload.begin(), payload.end());
    if (static_cast<CopyForm>(form) == CopyForm::hex) {
      lines << toQString(pipescope::format_hex(payload));
    } else {
      lines << toQString(pipescope::as_chars(payload));
    }
  }
  QString text = static_cast<CopyForm>(form) == CopyForm::c_array ? toQString(pipescope::format_c_array(all))
                                                                  : lines.join(QLatin1Char('\n'));
  QGuiApplication::clipboard()->setText(text);
  statusBar()->showMessage(tr("Copied %n record(s)", nullptr, static_cast<int>(rows.size())), kStatusMessageMs);
}

void MainWindow::saveLog() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save log"), QString(), tr("JSON lines (*.jsonl)"));
  if (path.isEmpty()) {
    return;
  }
  // A QFile, not a std::ofstream: its descriptor is close-on-exec, so a
  // child started meanwhile does not inherit it (see device_stream.hpp).
  QFile file(path);
  const bool opened = file.open(QIODevice::WriteOnly | QIODevice::Truncate);
  DeviceOutputStream out(file);
  auto result = opened ? engine_->log().save_jsonl(out)
                       : pipescope::Result<void>(pipescope::make_error(pipescope::Errc::access_denied, "save log", toStdString(path)));
  if (result && !out.flush()) {
    // The stream does not say why its last block could not be written.
    result = pipescope::make_error(pipescope::Errc::unknown, "save log", toStdString(path) + ": writing failed");
  }
  if (!result) {
    reportError(result.error());
    return;
  }
  statusBar()->showMessage(tr("Saved the log to %1").arg(path), kStatusMessageMs);
}

void MainWindow::openLog() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open log"), QString(), tr("JSON lines (*.jsonl);;All files (*)"));
  if (path.isEmpty()) {
    return;
  }
  openLogFile(path);
}

bool MainWindow::openLogFile(const QString& path) {
  std::ifstream in(path.toStdString(), std::ios::binary);
  if (!in) {
    reportError(pipescope::make_error(pipescope::Errc::file_not_found, "open log", toStdString(path)));
    return false;
  }
  // load_jsonl() turns every bad file into an error and changes the log only
  // when the whole file was good, so the capture on screen stays on failure.
  if (auto result = engine_->log().load_jsonl(in); !result) {
    reportError(result.error());
    return false;
  }
  shownRow_.reset();
  logModel_->reload();
  showDetails();
  statusBar()->showMessage(tr("Loaded %1").arg(path), kStatusMessageMs);
  return true;
}

void MainWindow::exportLog(const std::string& formatId) {
  const pipescope::ExportFormat* format = pipescope::find_export_format(formatId);
  if (format == nullptr) {
    return;
  }
  const QString label = QCoreApplication::translate("pipescope::export", std::string(format->label).c_str());
  const QString extension = toQString(format->extension);
  const QString path = QFileDialog::getSaveFileName(this, tr("Export as %1").arg(label), QString(),
                                                    tr("%1 (*.%2)").arg(label, extension));
  if (path.isEmpty()) {
    return;
  }
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    reportError(pipescope::make_error(pipescope::Errc::access_denied, "export log", toStdString(path)));
    return;
  }
  DeviceOutputStream out(file);
  auto result = format->write(engine_->log(), out);
  if (!result) {
    reportError(result.error());
  }
}

void MainWindow::clearLog() {
  shownRow_.reset();
  engine_->log().clear();
  logModel_->reload();
  showDetails();
  updateStatus();
}

// --------------------------------------------------------------------- demo

void MainWindow::startDemo() {
  if (!demoName_.isEmpty()) {
    return;
  }
  demoName_ = QStringLiteral("pipescope-demo-%1").arg(QCoreApplication::applicationPid());
  pipescope::ServerOptions server;
  server.name = toStdString(demoName_);
  server.type = pipescope::PipeType::message;
  server.read_mode = pipescope::ReadMode::message;
  server.max_instances = 4;
  server.read_buffer_size = kDemoReadBuffer;
  server.responder = pipescope::Responder::echo;
  if (createServer(server)) {
    demoName_.clear();
    return;
  }
  pipescope::ClientOptions client;
  client.name = server.name;
  client.read_mode = pipescope::ReadMode::message;
  auto connected = engine_->connect_async(client);
  if (!connected) {
    reportError(connected.error());
    return;
  }
  demoClient_ = *connected;
  statusBar()->showMessage(tr("Demo: an echo server on %1 and a client that talks to it.").arg(demoName_), kStatusMessageMs);
}

void MainWindow::sendDemoMessage() {
  static const std::array<const char*, 6> messages{
      "Hello, pipe!",
      "PING 1",
      "A message longer than the server's 32-byte read buffer arrives in parts flagged more-data.",
      "PING 2",
      "\x01\x02\x03 binary \xff\xfe bytes",
      "{\"op\":\"status\",\"id\":42}",
  };
  const char* text = messages[static_cast<std::size_t>(demoStep_) % messages.size()];
  ++demoStep_;
  if (auto result = engine_->send(demoClient_, pipescope::as_bytes(text)); !result) {
    demoTimer_.stop();
    reportError(result.error(), demoClient_);
  }
}

}  // namespace pipescope::ui
