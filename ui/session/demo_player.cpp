#include "session/demo_player.hpp"

#include <QCoreApplication>

#include <array>

#include "common/qt_text.hpp"
#include "pipescope/codec.hpp"
#include "session/endpoint_directory.hpp"
#include "session/session.hpp"

namespace pipescope::ui {

DemoPlayer::DemoPlayer(Session& session, QObject* parent) : QObject(parent), session_(session) {
  timer_.setInterval(kIntervalMs);
  connect(&timer_, &QTimer::timeout, this, &DemoPlayer::sendNext);
  connect(session_.directory(), &EndpointDirectory::changed, this, &DemoPlayer::followClient);
}

void DemoPlayer::start() {
  if (!pipeName_.isEmpty()) {
    return;
  }
  pipeName_ = QStringLiteral("pipescope-demo-%1").arg(QCoreApplication::applicationPid());
  pipescope::ServerOptions server;
  server.name = toStdString(pipeName_);
  server.type = pipescope::PipeType::message;
  server.read_mode = pipescope::ReadMode::message;
  server.max_instances = 4;
  server.read_buffer_size = kServerReadBuffer;
  server.responder = pipescope::Responder::echo;
  if (session_.createServer(server)) {
    pipeName_.clear();
    return;
  }
  pipescope::ClientOptions client;
  client.name = server.name;
  client.read_mode = pipescope::ReadMode::message;
  auto connected = session_.engine().connect_async(client);
  if (!connected) {
    session_.reportError(connected.error());
    return;
  }
  client_ = *connected;
  session_.tell(tr("Demo: an echo server on %1 and a client that talks to it.").arg(pipeName_));
}

void DemoPlayer::followClient() {
  const DirectoryEntry* entry = client_ == 0 ? nullptr : session_.directory()->find(client_);
  if (entry == nullptr) {
    return;
  }
  if (entry->isConnected() && !talking_) {
    talking_ = true;
    timer_.start();
    sendNext();
  } else if (!entry->isLive()) {
    talking_ = false;
    timer_.stop();
  }
}

void DemoPlayer::sendNext() {
  static const std::array<const char*, 6> messages{
      "Hello, pipe!",
      "PING 1",
      // True because the demo's server reads in message mode: ReadFile gives
      // ERROR_MORE_DATA only in message read mode (ReadFile,
      // learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile).
      "A message longer than the server's 32-byte read buffer arrives in parts flagged more-data.",
      "PING 2",
      "\x01\x02\x03 binary \xff\xfe bytes",
      "{\"op\":\"status\",\"id\":42}",
  };
  const char* text = messages[static_cast<std::size_t>(step_) % messages.size()];
  ++step_;
  const std::string_view view(text);
  if (auto result = session_.engine().send(client_, pipescope::as_bytes(view)); !result) {
    timer_.stop();
    session_.reportError(result.error(), client_);
  }
}

}  // namespace pipescope::ui
