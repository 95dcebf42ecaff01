// The main window: the layout of the session's panes in docks around the
// message log, the menus and tool bar with their actions, and the settings
// kept between runs. What the actions do is the session's (session.hpp) and
// the panes' (panes/).
#pragma once

#include <QMainWindow>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pipescope/engine.hpp"
#include "session/engine_bridge.hpp"

class QAction;
class QDockWidget;
class QMenu;
class QTableView;
class QTreeView;

namespace pipescope::ui {

class ClientsModel;
class ClientsPane;
class DemoPlayer;
class DetailsPane;
class ErrorsModel;
class ErrorsPane;
class HexView;
class ImpersonationModel;
class ImpersonationPane;
class LogPane;
class LogView;
class LogQueryModel;
class MessageLogModel;
class PipesModel;
class RecentLogs;
class PipesPane;
class SendPanel;
class ServersModel;
class ServersPane;
class Session;
class ThroughputPane;
class ThroughputPlot;

class MainWindow final : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;
  MainWindow(const MainWindow&) = delete;
  MainWindow& operator=(const MainWindow&) = delete;

  [[nodiscard]] Session& session() noexcept { return *session_; }
  [[nodiscard]] pipescope::Engine& engine() noexcept;
  [[nodiscard]] EngineBridge& bridge() noexcept;
  [[nodiscard]] MessageLogModel* logModel() const noexcept;
  [[nodiscard]] LogQueryModel* logProxy() const noexcept;
  [[nodiscard]] ServersModel* serversModel() const noexcept;
  [[nodiscard]] ClientsModel* clientsModel() const noexcept;
  [[nodiscard]] PipesModel* pipesModel() const noexcept;
  [[nodiscard]] ImpersonationModel* impersonationModel() const noexcept;
  [[nodiscard]] ErrorsModel* errorsModel() const noexcept;
  [[nodiscard]] SendPanel* sendPanel() const noexcept { return sendPanel_; }
  [[nodiscard]] LogView* logView() const noexcept;
  [[nodiscard]] QTreeView* serversView() const noexcept;
  [[nodiscard]] QTableView* clientsView() const noexcept;
  [[nodiscard]] HexView* hexView() const noexcept;
  [[nodiscard]] ThroughputPlot* throughputPlot() const noexcept;

  /// View > Dark palette, as if the person had chosen it.
  void setDarkPalette(bool dark);

  /// What the dialogs call: the session's command, and on success the name
  /// is remembered for the next time the dialog opens. A child's command
  /// line is remembered by the Run child dialog's submitter, which has the
  /// text as typed; runChild only has the words.
  std::optional<pipescope::Error> createServer(const pipescope::ServerOptions& options);
  std::optional<pipescope::Error> connectClient(const pipescope::ClientOptions& options);
  std::optional<pipescope::Error> runChild(const pipescope::ChildOptions& options);
  std::optional<pipescope::Error> sendTo(pipescope::EndpointId endpoint, const QByteArray& bytes);

  /// Pipes > Start demo (demo_player.hpp).
  void startDemo();
  /// The demo's pipe name (empty before startDemo).
  [[nodiscard]] QString demoPipeName() const;

  /// Sets the message log's memory limit and keeps it in the settings
  /// ("log/memoryLimit", bytes), so that the next start uses it too.
  void setLogMemoryLimit(std::uint64_t bytes);

  /// The endpoint selected in the servers or clients view (0: none).
  [[nodiscard]] pipescope::EndpointId selectedEndpoint() const noexcept { return selectedEndpoint_; }
  [[nodiscard]] RecentLogs* recentLogs() const noexcept { return recentLogs_; }

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
  /// File > Clear log: asks first (with a chance to save) when there is
  /// anything to lose.
  void clearLog();
  /// What File > Open log… does with the file the person picked: loads the
  /// saved log at `path` in place of the current capture. A file that fails
  /// to load (missing, damaged, crafted) is reported like every error, in
  /// the errors view and the status bar, and the capture stays as it was.
  /// Returns whether the log was replaced.
  bool openLogFile(const QString& path);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildPanes();
  void buildDocks();
  void buildActions();
  void buildMenus();
  void restoreSettings();
  void saveSettings();
  void updateActions();
  void selectEndpoint(pipescope::EndpointId endpoint, pipescope::ServerId server);
  void saveLog();
  void openLog();
  /// Exports the log in a format of the engine's table (pipescope/export.hpp).
  void exportLog(const std::string& formatId);
  void askLogMemoryLimit();
  void showGuide();
  void showShortcuts();
  void showAbout();
  QAction* makeAction(const QString& text, const QString& name, const QKeySequence& shortcut, const QString& tip);
  QDockWidget* addDock(const QString& title, const QString& objectName, QWidget* widget, Qt::DockWidgetArea area);

  std::unique_ptr<Session> session_;
  DemoPlayer* demo_ = nullptr;

  LogPane* logPane_ = nullptr;
  PipesPane* pipesPane_ = nullptr;
  ServersPane* serversPane_ = nullptr;
  ClientsPane* clientsPane_ = nullptr;
  DetailsPane* detailsPane_ = nullptr;
  SendPanel* sendPanel_ = nullptr;
  ImpersonationPane* impersonationPane_ = nullptr;
  ErrorsPane* errorsPane_ = nullptr;
  ThroughputPane* throughputPane_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  RecentLogs* recentLogs_ = nullptr;

  struct Actions {
    QAction* openLog = nullptr;
    QAction* saveLog = nullptr;
    QList<QAction*> exports;
    QAction* clearLog = nullptr;
    QAction* logLimit = nullptr;
    QAction* quit = nullptr;
    QAction* newServer = nullptr;
    QAction* connectClient = nullptr;
    QAction* runChild = nullptr;
    QAction* disconnect = nullptr;
    QAction* impersonate = nullptr;
    QAction* stopServer = nullptr;
    QAction* refreshPipes = nullptr;
    QAction* autoRefresh = nullptr;
    QAction* everySocket = nullptr;
    QAction* demo = nullptr;
    QAction* copyText = nullptr;
    QAction* copyHex = nullptr;
    QAction* copyArray = nullptr;
    QAction* find = nullptr;
    QAction* findNext = nullptr;
    QAction* findPrevious = nullptr;
    QAction* follow = nullptr;
    QAction* darkPalette = nullptr;
    QAction* guide = nullptr;
    QAction* shortcuts = nullptr;
    QAction* about = nullptr;
  } actions_;

  QTimer pipesTimer_;
  pipescope::EndpointId selectedEndpoint_ = 0;
  pipescope::ServerId selectedServer_ = 0;
};

}  // namespace pipescope::ui
