// One GUI session: the engine, the bridge that brings its events to the GUI
// thread, the models every pane shows, and the commands the panes, menus and
// dialogs give. A command returns the engine's refusal, if any; the error
// also reaches the errors model, and a short result is told through
// statusMessage, so no caller has to report it again.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

#include "pipescope/engine.hpp"
#include "pipescope/export.hpp"
#include "session/engine_bridge.hpp"

namespace pipescope::ui {

class ClientsModel;
class EndpointDirectory;
class ErrorsModel;
class ImpersonationModel;
class LogQueryModel;
class MessageLogModel;
class PipesModel;
class ServersModel;

class Session final : public QObject {
  Q_OBJECT

 public:
  explicit Session(QObject* parent = nullptr);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] pipescope::Engine& engine() noexcept { return *engine_; }
  [[nodiscard]] EngineBridge& bridge() noexcept { return bridge_; }
  [[nodiscard]] EndpointDirectory* directory() const noexcept { return directory_; }
  [[nodiscard]] MessageLogModel* logModel() const noexcept { return logModel_; }
  [[nodiscard]] LogQueryModel* logProxy() const noexcept { return logProxy_; }
  [[nodiscard]] ServersModel* serversModel() const noexcept { return serversModel_; }
  [[nodiscard]] ClientsModel* clientsModel() const noexcept { return clientsModel_; }
  [[nodiscard]] PipesModel* pipesModel() const noexcept { return pipesModel_; }
  [[nodiscard]] ImpersonationModel* impersonationModel() const noexcept { return impersonationModel_; }
  [[nodiscard]] ErrorsModel* errorsModel() const noexcept { return errorsModel_; }

  std::optional<pipescope::Error> createServer(const pipescope::ServerOptions& options);
  std::optional<pipescope::Error> connectClient(const pipescope::ClientOptions& options);
  std::optional<pipescope::Error> runChild(const pipescope::ChildOptions& options);
  std::optional<pipescope::Error> sendTo(pipescope::EndpointId endpoint, const QByteArray& bytes);
  std::optional<pipescope::Error> disconnect(pipescope::EndpointId endpoint);
  /// `probePath` (may be empty) is opened for reading as the client.
  std::optional<pipescope::Error> impersonate(pipescope::EndpointId instance, const QString& probePath);
  std::optional<pipescope::Error> stopServer(pipescope::ServerId server);
  /// Lists this machine's pipes into the pipes model.
  std::optional<pipescope::Error> refreshPipes();
  /// Whether the listing shows every Unix socket (ListOptions::every_socket).
  void setListEverySocket(bool every) noexcept { listOptions_.every_socket = every; }

  /// Writes every record as JSON lines; a path without an extension gets
  /// ".jsonl", so that Open log (and the person) know the file for what it is.
  std::optional<pipescope::Error> saveLog(const QString& path);
  /// Replaces the capture with a saved log. A file that fails to load
  /// (missing, damaged, crafted) leaves the capture as it was.
  std::optional<pipescope::Error> openLog(const QString& path);
  std::optional<pipescope::Error> exportLog(const pipescope::ExportFormat& format, const QString& path);
  void clearLog();
  void setLogMemoryLimit(std::uint64_t bytes);

  /// Says `text` in the status bar, through statusMessage.
  void tell(const QString& text) { emit statusMessage(text); }
  /// Adds the error to the errors model (and so to the status bar).
  void reportError(const pipescope::Error& error, pipescope::EndpointId endpoint = 0);

 signals:
  /// A short result for the status bar: "Serving demo", "Loaded …".
  void statusMessage(const QString& text);
  /// The log was cleared or replaced: what showed a record shows none.
  void logReplaced();
  /// A log file was saved or opened at `path` (as written: with the
  /// extension saveLog() adds), for File > Open recent.
  void logFileUsed(const QString& path);

 private:
  void tellChildExits(const EventBatch& batch);

  // The bridge must outlive the engine: the engine calls it until it is destroyed.
  EngineBridge bridge_;
  std::unique_ptr<pipescope::Engine> engine_;

  EndpointDirectory* directory_ = nullptr;
  MessageLogModel* logModel_ = nullptr;
  LogQueryModel* logProxy_ = nullptr;
  ServersModel* serversModel_ = nullptr;
  ClientsModel* clientsModel_ = nullptr;
  PipesModel* pipesModel_ = nullptr;
  pipescope::ListOptions listOptions_;
  ImpersonationModel* impersonationModel_ = nullptr;
  ErrorsModel* errorsModel_ = nullptr;
};

}  // namespace pipescope::ui
