// Pipes > Start demo: an echo server on a message pipe and a client of it
// that sends a few messages in turn, one of them longer than the server's
// read buffer so that it arrives in parts flagged more-data. It runs on the
// session's commands and follows its client in the endpoint directory.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include "pipescope/endpoint.hpp"

namespace pipescope::ui {

class Session;

class DemoPlayer final : public QObject {
  Q_OBJECT

 public:
  /// The time between two of the client's messages.
  static constexpr int kIntervalMs = 900;
  /// The demo server's read buffer: smaller than one of the messages.
  static constexpr std::uint32_t kServerReadBuffer = 32;

  explicit DemoPlayer(Session& session, QObject* parent = nullptr);

  /// Starts the server and connects the client; a second call does nothing.
  /// Errors reach the session's errors model.
  void start();
  /// The demo's pipe name (empty before start).
  [[nodiscard]] QString pipeName() const { return pipeName_; }
  [[nodiscard]] bool isRunning() const noexcept { return client_ != 0; }

 private:
  void followClient();
  void sendNext();

  Session& session_;
  QTimer timer_;
  QString pipeName_;
  pipescope::EndpointId client_ = 0;
  bool talking_ = false;
  int step_ = 0;
};

}  // namespace pipescope::ui
