#include "panes/throughput_pane.hpp"

#include <QVBoxLayout>

#include <map>
#include <utility>
#include <variant>

#include "common/qt_text.hpp"
#include "session/endpoint_directory.hpp"
#include "session/session.hpp"
#include "views/throughput_plot.hpp"

namespace pipescope::ui {

ThroughputPane::ThroughputPane(Session& session, QWidget* parent) : QWidget(parent), session_(session) {
  plot_ = new ThroughputPlot(this);
  plot_->setObjectName(QStringLiteral("throughputPlot"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  tickTimer_.setInterval(1000);
  connect(&tickTimer_, &QTimer::timeout, plot_, &ThroughputPlot::tick);
  tickTimer_.start();
  connect(&session_.bridge(), &EngineBridge::eventsArrived, this, &ThroughputPane::addBatch);
}

void ThroughputPane::addBatch(const EventBatch& batch) {
  // Bytes per endpoint and direction, added to the plot once per batch: at a
  // million records a second, naming the plot's series for every record
  // took more of the GUI thread than everything else in the batch.
  std::map<std::pair<pipescope::EndpointId, pipescope::Direction>, std::uint64_t> plotted;
  for (const pipescope::Event& event : batch) {
    if (const auto* data = std::get_if<pipescope::Data>(&event)) {
      plotted[{data->endpoint, data->direction}] += data->size;
    }
  }
  for (const auto& [key, bytes] : plotted) {
    plot_->addBytes(tr("%1 %2").arg(session_.directory()->label(key.first), directionText(key.second)), bytes);
  }
}

}  // namespace pipescope::ui
