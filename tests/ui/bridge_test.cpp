// The bridge hands engine events to the GUI thread: at most one wake-up per
// batch, everything in order, nothing lost while producers keep going.
#include <QSignalSpy>
#include <QTest>

#include <thread>
#include <variant>

#include "session/engine_bridge.hpp"

using pipescope::ui::EngineBridge;
using pipescope::ui::EventBatch;

namespace {

pipescope::Event dataEvent(pipescope::EndpointId endpoint, std::uint64_t row) {
  pipescope::Data data;
  data.endpoint = endpoint;
  data.row = row;
  data.size = 1;
  return data;
}

}  // namespace

class BridgeTest : public QObject {
  Q_OBJECT

 private slots:
  void manyEngineBatchesBecomeOneWakeUpAndOneSignal() {
    EngineBridge bridge;
    QSignalSpy arrived(&bridge, &EngineBridge::eventsArrived);
    // Everything is queued from another thread before the GUI thread runs
    // its event loop again, so only the first batch may post a wake-up.
    std::thread producer([&bridge] {
      for (std::uint64_t i = 0; i < 100; ++i) {
        const pipescope::Event event = dataEvent(1, i);
        bridge.on_events(std::span(&event, 1));
      }
    });
    producer.join();
    QCOMPARE(bridge.wakeUpsPosted(), 1U);
    QVERIFY(arrived.wait(5000));
    QCOMPARE(arrived.count(), 1);
    const auto batch = arrived.at(0).at(0).value<EventBatch>();
    QCOMPARE(batch.size(), 100U);
    for (std::uint64_t i = 0; i < batch.size(); ++i) {
      QCOMPARE(std::get<pipescope::Data>(batch[i]).row, i);
    }
  }

  void aDrainedBridgePostsAgainForTheNextBatch() {
    EngineBridge bridge;
    QSignalSpy arrived(&bridge, &EngineBridge::eventsArrived);
    const pipescope::Event first = dataEvent(1, 0);
    bridge.on_events(std::span(&first, 1));
    QVERIFY(arrived.wait(5000));
    const pipescope::Event second = dataEvent(1, 1);
    bridge.on_events(std::span(&second, 1));
    QCOMPARE(bridge.wakeUpsPosted(), 2U);
    QVERIFY(arrived.wait(5000));
    QCOMPARE(arrived.count(), 2);
    QCOMPARE(bridge.batchesDelivered(), 2U);
  }

  void drainingWithNothingQueuedEmitsNothing() {
    EngineBridge bridge;
    QSignalSpy arrived(&bridge, &EngineBridge::eventsArrived);
    bridge.drain();
    QCOMPARE(arrived.count(), 0);
    bridge.on_events({});
    QCOMPARE(bridge.wakeUpsPosted(), 0U);
  }

  void concurrentProducersLoseNothingAndKeepTheirOrder() {
    EngineBridge bridge;
    constexpr std::uint64_t perProducer = 5000;
    std::vector<std::uint64_t> nextRow(3, 0);
    std::uint64_t received = 0;
    bool ordered = true;
    connect(&bridge, &EngineBridge::eventsArrived, this, [&](const EventBatch& batch) {
      for (const auto& event : batch) {
        const auto& data = std::get<pipescope::Data>(event);
        ordered = ordered && data.row == nextRow[data.endpoint];
        nextRow[data.endpoint] = data.row + 1;
        ++received;
      }
    });
    // The engine serialises its calls; two producers behind one mutex model that.
    std::mutex engineSerial;
    auto produce = [&](pipescope::EndpointId endpoint) {
      for (std::uint64_t i = 0; i < perProducer; ++i) {
        const pipescope::Event event = dataEvent(endpoint, i);
        const std::lock_guard lock(engineSerial);
        bridge.on_events(std::span(&event, 1));
      }
    };
    std::jthread a(produce, 1);
    std::jthread b(produce, 2);
    // The GUI thread keeps draining while the producers run.
    QTRY_COMPARE_WITH_TIMEOUT(received, 2 * perProducer, 10000);
    a.join();
    b.join();
    QVERIFY(ordered);
    // Every wake-up that was posted was delivered, and no batch came without one.
    QTRY_COMPARE(bridge.batchesDelivered(), bridge.wakeUpsPosted());
    QVERIFY(bridge.wakeUpsPosted() <= 2 * perProducer);
  }

  void countersChangedIsThrottled() {
    EngineBridge bridge;
    QSignalSpy counters(&bridge, &EngineBridge::countersChanged);
    for (std::uint64_t i = 0; i < 20; ++i) {
      const pipescope::Event event = dataEvent(1, i);
      bridge.on_events(std::span(&event, 1));
      bridge.drain();
    }
    // Twenty batches within one refresh interval give a single refresh.
    QVERIFY(counters.wait(2000));
    QCOMPARE(counters.count(), 1);
  }
};

QTEST_MAIN(BridgeTest)
#include "bridge_test.moc"
