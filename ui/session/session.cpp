#include "session/session.hpp"

#include <QFile>
#include <QFileInfo>

#include <fstream>
#include <variant>

#include "common/qt_text.hpp"
#include "models/clients_model.hpp"
#include "models/endpoint_lookup.hpp"
#include "models/errors_model.hpp"
#include "models/impersonation_model.hpp"
#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"
#include "models/pipes_model.hpp"
#include "models/servers_model.hpp"
#include "session/device_stream.hpp"
#include "session/endpoint_directory.hpp"

namespace pipescope::ui {

namespace {

pipescope::Bytes toBytes(const QByteArray& data) {
  const auto* begin = reinterpret_cast<const std::byte*>(data.constData());
  return {begin, begin + data.size()};
}

}  // namespace

Session::Session(QObject* parent) : QObject(parent), engine_(std::make_unique<pipescope::Engine>(&bridge_)) {
  const EndpointLookup lookup = EndpointLookup::of(*engine_);
  directory_ = new EndpointDirectory(lookup, this);
  logModel_ = new MessageLogModel(engine_->log(), this);
  logProxy_ = new LogQueryModel(this);
  logProxy_->setSourceModel(logModel_);
  serversModel_ = new ServersModel(lookup, this);
  clientsModel_ = new ClientsModel(lookup, this);
  pipesModel_ = new PipesModel(this);
  impersonationModel_ = new ImpersonationModel(this);
  errorsModel_ = new ErrorsModel(this);
  impersonationModel_->setLabeler([this](pipescope::EndpointId id) { return directory_->label(id); });
  // The directory first: the others may ask it for a label.
  connect(&bridge_, &EngineBridge::eventsArrived, directory_, &EndpointDirectory::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, logModel_, &MessageLogModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, serversModel_, &ServersModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, clientsModel_, &ClientsModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, impersonationModel_, &ImpersonationModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, errorsModel_, &ErrorsModel::onEvents);
  connect(&bridge_, &EngineBridge::eventsArrived, this, &Session::tellChildExits);
  connect(&bridge_, &EngineBridge::countersChanged, serversModel_, &ServersModel::refreshCounters);
  connect(&bridge_, &EngineBridge::countersChanged, clientsModel_, &ClientsModel::refreshCounters);
  connect(errorsModel_, &ErrorsModel::errorAdded, this,
          [this](const QString& summary, const QString&) { emit statusMessage(summary); });
}

Session::~Session() {
  bridge_.disconnect();
  // The models read the engine (its log, endpoints and counters) whenever
  // they are asked, so they go while it still exists; the views that ask
  // them are gone before the session (see ~MainWindow).
  for (QObject* model : {static_cast<QObject*>(logProxy_), static_cast<QObject*>(logModel_),
                         static_cast<QObject*>(serversModel_), static_cast<QObject*>(clientsModel_),
                         static_cast<QObject*>(pipesModel_), static_cast<QObject*>(impersonationModel_),
                         static_cast<QObject*>(errorsModel_), static_cast<QObject*>(directory_)}) {
    delete model;
  }
  // Joins the engine's threads; after this no event can arrive.
  engine_.reset();
}

void Session::reportError(const pipescope::Error& error, pipescope::EndpointId endpoint) {
  errorsModel_->addError(error, endpoint);
}

void Session::tellChildExits(const EventBatch& batch) {
  for (const pipescope::Event& event : batch) {
    if (const auto* exited = std::get_if<pipescope::ChildExited>(&event)) {
      emit statusMessage(tr("%1 exited with code %2").arg(directory_->label(exited->endpoint)).arg(exited->exit_code));
    }
  }
}

std::optional<pipescope::Error> Session::createServer(const pipescope::ServerOptions& options) {
  auto result = engine_->start_server(options);
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  // The listing first: where it fails (Wine lists no pipes) its message
  // must not hide what the person just did.
  refreshPipes();
  emit statusMessage(tr("Serving %1").arg(displayText(options.name)));
  return std::nullopt;
}

std::optional<pipescope::Error> Session::connectClient(const pipescope::ClientOptions& options) {
  auto result = engine_->connect_async(options);
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  emit statusMessage(tr("Connecting to %1…").arg(displayText(options.name)));
  return std::nullopt;
}

std::optional<pipescope::Error> Session::runChild(const pipescope::ChildOptions& options) {
  auto result = engine_->run_child(options);
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  return std::nullopt;
}

std::optional<pipescope::Error> Session::sendTo(pipescope::EndpointId endpoint, const QByteArray& bytes) {
  auto result = engine_->send(endpoint, toBytes(bytes));
  if (!result) {
    reportError(result.error(), endpoint);
    return result.error();
  }
  // The endpoint is the one that writes: "Sent … to client 4" read as if
  // the client had received the bytes.
  const int count = static_cast<int>(bytes.size());
  const QString label = directory_->label(endpoint);
  const DirectoryEntry* entry = directory_->find(endpoint);
  const pipescope::EndpointKind kind = entry != nullptr ? entry->kind : pipescope::EndpointKind::instance;
  switch (kind) {
    case pipescope::EndpointKind::client:
      emit statusMessage(tr("%1 wrote %n byte(s) to the server", nullptr, count).arg(label));
      break;
    case pipescope::EndpointKind::child:
      emit statusMessage(tr("Wrote %n byte(s) to the standard input of %1", nullptr, count).arg(label));
      break;
    case pipescope::EndpointKind::instance:
      emit statusMessage(tr("%1 wrote %n byte(s) to its client", nullptr, count).arg(label));
      break;
  }
  return std::nullopt;
}

std::optional<pipescope::Error> Session::disconnect(pipescope::EndpointId endpoint) {
  if (auto result = engine_->disconnect(endpoint); !result) {
    reportError(result.error(), endpoint);
    return result.error();
  }
  return std::nullopt;
}

std::optional<pipescope::Error> Session::impersonate(pipescope::EndpointId instance, const QString& probePath) {
  pipescope::ImpersonationRequest request;
  request.probe_path = toStdString(probePath.trimmed());
  if (auto result = engine_->impersonate(instance, request); !result) {
    reportError(result.error(), instance);
    return result.error();
  }
  return std::nullopt;
}

std::optional<pipescope::Error> Session::stopServer(pipescope::ServerId server) {
  if (auto result = engine_->stop_server(server); !result) {
    reportError(result.error());
    return result.error();
  }
  return std::nullopt;
}

std::optional<pipescope::Error> Session::refreshPipes() {
  auto pipes = engine_->list_pipes(listOptions_);
  if (!pipes) {
    // Said, not added to the errors: with auto-refresh on, the same error
    // would fill the list every two seconds.
    emit statusMessage(displayText(pipes.error().summary()));
    return pipes.error();
  }
  pipesModel_->update(*pipes);
  return std::nullopt;
}

std::optional<pipescope::Error> Session::saveLog(const QString& chosenPath) {
  const QString path = QFileInfo(chosenPath).suffix().isEmpty() ? chosenPath + QStringLiteral(".jsonl") : chosenPath;
  // A QFile, not a std::ofstream: its descriptor is close-on-exec, so a
  // child started meanwhile does not inherit it (see device_stream.hpp).
  QFile file(path);
  const bool opened = file.open(QIODevice::WriteOnly | QIODevice::Truncate);
  DeviceOutputStream out(file);
  auto result = opened ? engine_->log().save_jsonl(out)
                       : pipescope::Result<void>(
                             pipescope::make_error(pipescope::Errc::access_denied, "save log", toStdString(path)));
  if (result && !out.flush()) {
    // The stream does not say why its last block could not be written.
    result = pipescope::make_error(pipescope::Errc::unknown, "save log", toStdString(path) + ": writing failed");
  }
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  emit statusMessage(tr("Saved the log to %1").arg(path));
  emit logFileUsed(path);
  return std::nullopt;
}

std::optional<pipescope::Error> Session::openLog(const QString& path) {
  std::ifstream in(path.toStdString(), std::ios::binary);
  if (!in) {
    const pipescope::Error error = pipescope::make_error(pipescope::Errc::file_not_found, "open log", toStdString(path));
    reportError(error);
    return error;
  }
  // load_jsonl() turns every bad file into an error and changes the log only
  // when the whole file was good, so the capture on screen stays on failure.
  if (auto result = engine_->log().load_jsonl(in); !result) {
    reportError(result.error());
    return result.error();
  }
  logModel_->reload();
  emit logReplaced();
  emit statusMessage(tr("Loaded %1").arg(path));
  emit logFileUsed(path);
  return std::nullopt;
}

std::optional<pipescope::Error> Session::exportLog(const pipescope::ExportFormat& format, const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    const pipescope::Error error = pipescope::make_error(pipescope::Errc::access_denied, "export log", toStdString(path));
    reportError(error);
    return error;
  }
  DeviceOutputStream out(file);
  auto result = format.write(engine_->log(), out);
  if (result && !out.flush()) {
    result = pipescope::make_error(pipescope::Errc::unknown, "export log", toStdString(path) + ": writing failed");
  }
  if (!result) {
    reportError(result.error());
    return result.error();
  }
  emit statusMessage(tr("Exported the log to %1").arg(path));
  return std::nullopt;
}

void Session::clearLog() {
  engine_->log().clear();
  logModel_->reload();
  emit logReplaced();
}

void Session::setLogMemoryLimit(std::uint64_t bytes) { engine_->log().set_memory_limit(bytes); }

}  // namespace pipescope::ui
