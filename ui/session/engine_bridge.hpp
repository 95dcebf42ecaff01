// The bridge from engine threads to the GUI thread.
//
// The engine calls on_events() on its own threads. The bridge queues the
// events under a mutex and posts at most one wake-up to the GUI thread while
// a previous one is still pending (the lesson of Qt's own pipe reader); the
// GUI thread then drains everything queued so far and emits it as one batch,
// so each model inserts its new rows once per batch, however many events the
// engine produced in between.
#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "pipescope/event.hpp"

namespace pipescope::ui {

using EventBatch = std::vector<pipescope::Event>;

class EngineBridge final : public QObject, public pipescope::EventSink {
  Q_OBJECT

 public:
  /// Counters are re-read at most this often while data flows (about 30 times a second).
  static constexpr int kCounterRefreshMs = 33;

  explicit EngineBridge(QObject* parent = nullptr);
  ~EngineBridge() override;
  EngineBridge(const EngineBridge&) = delete;
  EngineBridge& operator=(const EngineBridge&) = delete;

  /// Engine thread: queues the batch and wakes the GUI thread unless a
  /// wake-up is already on its way.
  void on_events(std::span<const pipescope::Event> batch) override;

  /// GUI thread: takes every queued event and emits eventsArrived once.
  /// The posted wake-up calls this; tests may call it directly.
  void drain();

  /// How many wake-ups were posted to the GUI thread so far.
  [[nodiscard]] std::uint64_t wakeUpsPosted() const noexcept { return wakeUps_.load(); }
  /// How many batches were emitted so far.
  [[nodiscard]] std::uint64_t batchesDelivered() const noexcept { return batches_; }

 signals:
  /// Every event since the previous batch, in the engine's order.
  void eventsArrived(const pipescope::ui::EventBatch& batch);
  /// Bytes moved since the last time: counters are worth re-reading. Emitted
  /// at most every kCounterRefreshMs milliseconds.
  void countersChanged();

 private:
  std::mutex mutex_;
  EventBatch pending_;      // guarded by mutex_
  bool eventPosted_ = false;  // guarded by mutex_: a wake-up is on its way
  std::atomic<std::uint64_t> wakeUps_{0};
  std::uint64_t batches_ = 0;  // GUI thread only
  EventBatch spareBatch_;      // GUI thread only: storage kept for the next drain
  QTimer counterTimer_;        // GUI thread only
};

}  // namespace pipescope::ui

Q_DECLARE_METATYPE(pipescope::ui::EventBatch)
