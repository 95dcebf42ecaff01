#include "session/engine_bridge.hpp"

#include <QMetaObject>

#include <algorithm>
#include <utility>
#include <variant>

namespace pipescope::ui {

EngineBridge::EngineBridge(QObject* parent) : QObject(parent) {
  qRegisterMetaType<EventBatch>("pipescope::ui::EventBatch");
  counterTimer_.setSingleShot(true);
  counterTimer_.setInterval(kCounterRefreshMs);
  connect(&counterTimer_, &QTimer::timeout, this, &EngineBridge::countersChanged);
}

// The owner destroys the engine first (its destructor joins the engine's
// threads), so no on_events call can still be running here; a wake-up that
// is still queued is discarded by Qt together with this object.
EngineBridge::~EngineBridge() = default;

void EngineBridge::on_events(std::span<const pipescope::Event> batch) {
  if (batch.empty()) {
    return;
  }
  bool mustPost = false;
  {
    const std::lock_guard lock(mutex_);
    pending_.insert(pending_.end(), batch.begin(), batch.end());
    if (!eventPosted_) {
      eventPosted_ = true;
      mustPost = true;
    }
  }
  if (mustPost) {
    wakeUps_.fetch_add(1);
    QMetaObject::invokeMethod(this, &EngineBridge::drain, Qt::QueuedConnection);
  }
}

void EngineBridge::drain() {
  // The vector of the previous batch, emptied but with its capacity, so that
  // the engine's next events are queued without growing a vector from
  // nothing each time.
  EventBatch batch = std::move(spareBatch_);
  batch.clear();
  {
    const std::lock_guard lock(mutex_);
    batch.swap(pending_);
    // Cleared under the same lock as the swap: an engine thread that queues
    // after this point posts a fresh wake-up, so nothing is left stranded.
    eventPosted_ = false;
  }
  if (batch.empty()) {
    return;
  }
  ++batches_;
  emit eventsArrived(batch);
  // Data moves the byte counters; a state change adds or greys a row whose
  // counters should be shown fresh.
  const bool countersMoved = std::any_of(batch.begin(), batch.end(), [](const pipescope::Event& event) {
    return std::holds_alternative<pipescope::Data>(event) || std::holds_alternative<pipescope::StateChanged>(event);
  });
  if (countersMoved && !counterTimer_.isActive()) {
    counterTimer_.start();
  }
  batch.clear();
  spareBatch_ = std::move(batch);
}

}  // namespace pipescope::ui
