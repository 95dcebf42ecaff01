// The main window: the engine, its bridge, every model and view, in docks
// around the message log.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine_bridge.hpp"
#include "pipescope/engine.hpp"

class QAction;
class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QTextBrowser;
class QTreeView;

namespace pipescope::ui {

class ClientsModel;
class ConnectClientDialog;
class ErrorsModel;
class HexView;
class ImpersonationModel;
class LogView;
class MessageFilterProxy;
class MessageLogModel;
class NewServerDialog;
class PipesModel;
class RunChildDialog;
class SendPanel;
class ServersModel;
class ThroughputPlot;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;
  MainWindow(const MainWindow&) = delete;
  MainWindow& operator=(const MainWindow&) = delete;

  [[nodiscard]] pipescope::Engine& engine() noexcept { return *engine_; }
  /// View > Dark palette, as if the person had chosen it.
  void setDarkPalette(bool dark);
  [[nodiscard]] EngineBridge& bridge() noexcept { return bridge_; }
  [[nodiscard]] MessageLogModel* logModel() const noexcept { return logModel_; }
  [[nodiscard]] MessageFilterProxy* logProxy() const noexcept { return logProxy_; }
  [[nodiscard]] ServersModel* serversModel() const noexcept { return serversModel_; }
  [[nodiscard]] ClientsModel* clientsModel() const noexcept { return clientsModel_; }
  [[nodiscard]] PipesModel* pipesModel() const noexcept { return pipesModel_; }
  [[nodiscard]] ImpersonationModel* impersonationModel() const noexcept { return impersonationModel_; }
  [[nodiscard]] ErrorsModel* errorsModel() const noexcept { return errorsModel_; }
  [[nodiscard]] SendPanel* sendPanel() const noexcept { return sendPanel_; }
  [[nodiscard]] LogView* logView() const noexcept { return logView_; }
  [[nodiscard]] QTreeView* serversView() const noexcept { return serversView_; }
  [[nodiscard]] QTableView* clientsView() const noexcept { return clientsView_; }
  [[nodiscard]] HexView* hexView() const noexcept { return hexView_; }
  [[nodiscard]] ThroughputPlot* throughputPlot() const noexcept { return plot_; }

  /// What the dialogs call. They return the engine's refusal, if any; the
  /// error also reaches the errors view and the status bar.
  std::optional<pipescope::Error> createServer(const pipescope::ServerOptions& options);
  std::optional<pipescope::Error> connectClient(const pipescope::ClientOptions& options);
  std::optional<pipescope::Error> runChild(const pipescope::ChildOptions& options);
  std::optional<pipescope::Error> sendTo(pipescope::EndpointId endpoint, const QByteArray& bytes);

  /// Starts an echo server and a client that keep exchanging a few messages.
  void startDemo();
  /// The demo's pipe name (empty before startDemo).
  [[nodiscard]] QString demoPipeName() const { return demoName_; }

  /// Sets the message log's memory limit and keeps it in the settings
  /// ("log/memoryLimit", bytes), so that the next start uses it too.
  void setLogMemoryLimit(std::uint64_t bytes);

  /// The endpoint selected in the servers or clients view (0: none).
  [[nodiscard]] pipescope::EndpointId selectedEndpoint() const noexcept { return selectedEndpoint_; }

 public slots:
  void showNewServerDialog();
  void showConnectClientDialog(const QString& name = {});
  void showRunChildDialog();
  void refreshPipes();
  void disconnectSelected();
  void impersonateSelected();
  void stopSelectedServer();
  void findNext();
  void findPrevious();
  /// What File > Open log… does with the file the person picked: loads the
  /// saved log at `path` in place of the current capture. A file that fails
  /// to load (missing, damaged, crafted) is reported like every error, in
  /// the errors view and the status bar, and the capture stays as it was.
  /// Returns whether the log was replaced.
  bool openLogFile(const QString& path);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  struct Known {
    pipescope::EndpointKind kind = pipescope::EndpointKind::instance;
    pipescope::EndpointState state = pipescope::EndpointState::listening;
    pipescope::ServerId server = 0;
    QString label;
  };

  void buildModels();
  void buildCentralLog();
  void buildDocks();
  void buildActions();
  void restoreSettings();
  void saveSettings();
  void onEvents(const EventBatch& batch);
  void reportError(const pipescope::Error& error, pipescope::EndpointId endpoint = 0);
  void updateTargets();
  void updateEndpointFilter();
  void updateStatus();
  void updateActions();
  void showRecord(const QModelIndex& proxyIndex);
  void showDetails();
  void applyFilter();
  void find(bool forward);
  void copySelection(int form);
  void saveLog();
  void openLog();
  /// Exports the log in a format of the engine's table (pipescope/export.hpp).
  void exportLog(const std::string& formatId);
  void clearLog();
  void selectEndpoint(pipescope::EndpointId endpoint, pipescope::ServerId server);
  void sendDemoMessage();
  QDockWidget* addDock(const QString& title, const QString& objectName, QWidget* widget, Qt::DockWidgetArea area);
  [[nodiscard]] QString endpointName(pipescope::EndpointId id) const;

  // The bridge must outlive the engine: the engine calls it until it is destroyed.
  EngineBridge bridge_;
  std::unique_ptr<pipescope::Engine> engine_;

  MessageLogModel* logModel_ = nullptr;
  MessageFilterProxy* logProxy_ = nullptr;
  ServersModel* serversModel_ = nullptr;
  ClientsModel* clientsModel_ = nullptr;
  PipesModel* pipesModel_ = nullptr;
  ImpersonationModel* impersonationModel_ = nullptr;
  ErrorsModel* errorsModel_ = nullptr;

  LogView* logView_ = nullptr;
  QComboBox* endpointFilter_ = nullptr;
  QComboBox* directionFilter_ = nullptr;
  QLineEdit* textFilter_ = nullptr;
  QCheckBox* regexFilter_ = nullptr;
  QCheckBox* caseFilter_ = nullptr;
  QLineEdit* findText_ = nullptr;
  QCheckBox* followTail_ = nullptr;
  QTreeView* serversView_ = nullptr;
  QTableView* clientsView_ = nullptr;
  QTableView* pipesView_ = nullptr;
  QTableView* impersonationView_ = nullptr;
  QLineEdit* probePath_ = nullptr;
  QTableView* errorsView_ = nullptr;
  QTextBrowser* errorExplanation_ = nullptr;
  QLabel* detailsHeader_ = nullptr;
  QCheckBox* wholeMessage_ = nullptr;
  QComboBox* encoding_ = nullptr;
  HexView* hexView_ = nullptr;
  QPlainTextEdit* textView_ = nullptr;
  SendPanel* sendPanel_ = nullptr;
  ThroughputPlot* plot_ = nullptr;
  QLabel* statusCounts_ = nullptr;
  QLabel* statusBackend_ = nullptr;
  QMenu* viewMenu_ = nullptr;

  QAction* disconnectAction_ = nullptr;
  QAction* impersonateAction_ = nullptr;
  QAction* stopServerAction_ = nullptr;
  QAction* autoRefreshAction_ = nullptr;
  QAction* darkPaletteAction_ = nullptr;

  QTimer pipesTimer_;
  QTimer plotTimer_;
  QTimer demoTimer_;
  std::map<pipescope::EndpointId, Known> known_;
  pipescope::EndpointId selectedEndpoint_ = 0;
  pipescope::ServerId selectedServer_ = 0;
  std::optional<std::uint64_t> shownRow_;
  QString demoName_;
  pipescope::EndpointId demoClient_ = 0;
  int demoStep_ = 0;
};

}  // namespace pipescope::ui
