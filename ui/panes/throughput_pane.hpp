// Throughput: bytes per second of each endpoint and direction, the plot fed
// once per event batch and moved on once a second.
#pragma once

#include <QTimer>
#include <QWidget>

#include "session/engine_bridge.hpp"

namespace pipescope::ui {

class Session;
class ThroughputPlot;

class ThroughputPane final : public QWidget {
  Q_OBJECT

 public:
  explicit ThroughputPane(Session& session, QWidget* parent = nullptr);

  [[nodiscard]] ThroughputPlot* plot() const noexcept { return plot_; }

 private:
  void addBatch(const EventBatch& batch);

  Session& session_;
  ThroughputPlot* plot_ = nullptr;
  QTimer tickTimer_;
};

}  // namespace pipescope::ui
