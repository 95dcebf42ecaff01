// GUI benchmark: the real main window, its real bridge and models, fed log
// rows at a steady rate while the frame times of the message log are taken.
//
// A feeder thread plays the engine: it appends 64-byte records to the
// window's own engine log (for a server instance and a client that really
// exist in that engine) and hands the bridge the Data events the engine
// would, in batches, exactly as the engine's loop does after each round.
// The log view follows the newest row, so every batch makes it repaint;
// the time between two paints of the log view is one frame. Frame times are
// reported as the rows grow, per tenth of the run, median and 99th
// percentile.
//
// It also measures the time from starting a process to the first painted
// main window: the program runs itself with --first-paint, which builds the
// same MainWindow, and notes when the child reports its first paint.
//
// Usage: pipescope_bench_gui [--rate=ROWS_PER_S] [--seconds=S] [--first-paint-runs=N] [--json]
// Runs offscreen unless QT_QPA_PLATFORM says otherwise. Exit status 0 when
// every row reached the model, 1 otherwise (frame targets are reported, not
// failed).
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench_table.hpp"
#include "views/log_view.hpp"
#include "window/main_window.hpp"
#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr double kFrameTargetMs = 16.0;
constexpr double kFirstPaintTargetMs = 150.0;
constexpr std::size_t kMessageBytes = 64;
/// The engine delivers what one loop round produced; at 1M rows/s a round
/// of a millisecond carries about a thousand.
constexpr std::uint64_t kMaxRowsPerBatch = 4096;
constexpr int kBuckets = 10;

struct Settings {
  double rate = 1'000'000;
  double seconds = 10;
  int first_paint_runs = 5;
  bool json = false;
};

using pipescope::bench::fixed;
using pipescope::bench::percentile;

/// Notes the start of every paint of one widget, with the rows shown then.
class PaintClock final : public QObject {
 public:
  PaintClock(QWidget* widget, const QAbstractItemModel* model) : model_(model) { widget->installEventFilter(this); }

  struct Frame {
    double at_ms = 0;
    std::uint64_t rows = 0;
  };
  std::vector<Frame> frames;
  bool recording = false;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (recording && event->type() == QEvent::Paint) {
      frames.push_back({timer_.nsecsElapsed() / 1e6, static_cast<std::uint64_t>(model_->rowCount())});
    }
    return QObject::eventFilter(watched, event);
  }

 private:
  const QAbstractItemModel* model_;
  QElapsedTimer timer_ = [] {
    QElapsedTimer t;
    t.start();
    return t;
  }();
};

/// --first-paint: build the window, print the milliseconds since main()
/// when its first paint is done, and quit.
int first_paint_child(int argc, char** argv) {
  QElapsedTimer since_main;
  since_main.start();
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("PipeScope"));
  QApplication::setApplicationName(QStringLiteral("PipeScope"));
  pipescope::ui::MainWindow window;
  bool reported = false;
  struct FirstPaint final : QObject {
    std::function<void()> on_paint;
    bool eventFilter(QObject* watched, QEvent* event) override {
      if (event->type() == QEvent::Paint && on_paint) {
        // Every widget of the window is painted in the same pass; the
        // zero timer fires once that pass is over.
        auto done = std::exchange(on_paint, nullptr);
        QTimer::singleShot(0, done);
      }
      return QObject::eventFilter(watched, event);
    }
  } spy;
  spy.on_paint = [&] {
    if (reported) return;
    reported = true;
    std::printf("first-paint %.3f\n", since_main.nsecsElapsed() / 1e6);
    std::fflush(stdout);
    QApplication::quit();
  };
  app.installEventFilter(&spy);
  window.show();
  return QApplication::exec();
}

struct FirstPaint {
  std::vector<double> wall_ms;     ///< from starting the process to the child's report
  std::vector<double> in_main_ms;  ///< the part after the child's main() began
};

FirstPaint measure_first_paint(const QString& program, int runs) {
  FirstPaint result;
  for (int run = 0; run < runs; ++run) {
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const auto start = Clock::now();
    child.start(program, {QStringLiteral("--first-paint")});
    QByteArray line;
    while (!line.contains('\n') && child.waitForReadyRead(30'000)) line += child.readAllStandardOutput();
    const double wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    child.waitForFinished(30'000);
    if (!line.startsWith("first-paint ")) {
      std::fprintf(stderr, "the --first-paint child reported nothing (exit %d)\n", child.exitCode());
      continue;
    }
    result.wall_ms.push_back(wall);
    result.in_main_ms.push_back(line.mid(12).trimmed().toDouble());
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  bool first_paint = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--first-paint") {
      first_paint = true;
    } else if (arg.starts_with("--rate=")) {
      settings.rate = std::stod(std::string(arg.substr(7)));
    } else if (arg.starts_with("--seconds=")) {
      settings.seconds = std::stod(std::string(arg.substr(10)));
    } else if (arg.starts_with("--first-paint-runs=")) {
      settings.first_paint_runs = std::stoi(std::string(arg.substr(19)));
    } else if (arg == "--json") {
      settings.json = true;
    } else {
      std::fprintf(stderr, "usage: %s [--rate=ROWS_PER_S] [--seconds=S] [--first-paint-runs=N] [--json]\n", argv[0]);
      return 2;
    }
  }
  if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  // A settings folder of its own: the window starts with its default layout
  // and leaves the person's settings alone. The child inherits it.
  QTemporaryDir settings_dir;
  if (!first_paint) qputenv("XDG_CONFIG_HOME", settings_dir.path().toUtf8());
  if (first_paint) return first_paint_child(argc, argv);

  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("PipeScope"));
  QApplication::setApplicationName(QStringLiteral("PipeScope"));
  const FirstPaint first = measure_first_paint(QApplication::applicationFilePath(), settings.first_paint_runs);

  pipescope::ui::MainWindow window;
  window.resize(1400, 900);
  window.show();
  pipescope::Engine& engine = window.engine();

  // A real server instance and client for the records to belong to.
  pipescope::ServerOptions server;
  server.name = QStringLiteral("pipescope-bench-gui-%1").arg(QApplication::applicationPid()).toStdString();
  if (!engine.start_server(server)) {
    std::fprintf(stderr, "cannot start the server\n");
    return 1;
  }
  pipescope::ClientOptions client_options;
  client_options.name = server.name;
  const auto client = engine.connect(client_options);
  if (!client) {
    std::fprintf(stderr, "cannot connect: %s\n", client.error().summary().c_str());
    return 1;
  }
  pipescope::EndpointId instance = 0;
  for (const pipescope::EndpointInfo& info : engine.log().endpoints()) {
    if (info.kind == pipescope::EndpointKind::instance && engine.state(info.id) == pipescope::EndpointState::connected) {
      instance = info.id;
    }
  }
  // Let the window settle (the connect's events, the first layout).
  {
    QEventLoop settle;
    QTimer::singleShot(300, &settle, &QEventLoop::quit);
    settle.exec();
  }

  const std::uint64_t total_rows = static_cast<std::uint64_t>(settings.rate * settings.seconds);
  const std::uint64_t rows_before = engine.log().size();
  auto* proxy = static_cast<const QAbstractItemModel*>(window.logProxy());
  PaintClock paints(window.logView()->viewport(), proxy);
  paints.recording = true;

  std::atomic<bool> feeding_done{false};
  std::atomic<std::uint64_t> rows_fed{0};
  double feed_seconds = 0;
  std::thread feeder([&] {
    std::vector<std::byte> payload(kMessageBytes);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::byte>('a' + i % 26);
    pipescope::MessageLog& log = engine.log();
    pipescope::ui::EngineBridge& bridge = window.bridge();
    std::vector<pipescope::Event> batch;
    batch.reserve(kMaxRowsPerBatch);
    const auto start = Clock::now();
    std::uint64_t fed = 0;
    while (fed < total_rows) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      const auto due = std::min<std::uint64_t>(total_rows, static_cast<std::uint64_t>(settings.rate * elapsed));
      if (due <= fed) {
        // Pacing, not synchronisation: wait for the next row's moment.
        std::this_thread::sleep_until(start + std::chrono::duration<double>(static_cast<double>(fed + 1) / settings.rate));
        continue;
      }
      const std::uint64_t count = std::min(due - fed, kMaxRowsPerBatch);
      for (std::uint64_t i = 0; i < count; ++i) {
        const bool out = ((fed + i) & 1) != 0;
        const pipescope::EndpointId endpoint = out ? *client : instance;
        pipescope::Data data;
        data.endpoint = endpoint;
        data.direction = out ? pipescope::Direction::out : pipescope::Direction::in;
        data.row = log.append(endpoint, data.direction, payload);
        data.size = static_cast<std::uint32_t>(payload.size());
        batch.emplace_back(data);
      }
      bridge.on_events(batch);
      batch.clear();
      fed += count;
      rows_fed.store(fed, std::memory_order_relaxed);
    }
    feed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    feeding_done = true;
  });

  // The GUI thread runs its event loop until the feeder is done and the
  // model shows every row.
  const auto* model = static_cast<const QAbstractItemModel*>(window.logModel());
  const std::uint64_t want = rows_before + total_rows;
  // The application's own event loop, as in the real program; a timer looks
  // now and then whether the run is over.
  QEventLoop loop;
  QElapsedTimer run;
  run.start();
  const qint64 patience_ms = static_cast<qint64>(settings.seconds * 1000) + 120'000;
  QTimer check;
  QObject::connect(&check, &QTimer::timeout, &loop, [&] {
    if ((feeding_done && static_cast<std::uint64_t>(model->rowCount()) >= want) || run.elapsed() > patience_ms) {
      loop.quit();
    }
  });
  check.start(20);
  loop.exec();
  feeder.join();
  paints.recording = false;

  const std::uint64_t shown = static_cast<std::uint64_t>(model->rowCount());
  const std::uint64_t shown_by_proxy = static_cast<std::uint64_t>(proxy->rowCount());
  const bool all_rows = shown == want && shown_by_proxy == want && engine.log().size() == want;

  // Frame times, bucketed by the rows the view had when the frame began.
  std::vector<std::vector<double>> buckets(kBuckets);
  std::vector<double> all_frames;
  for (std::size_t i = 1; i < paints.frames.size(); ++i) {
    const double frame = paints.frames[i].at_ms - paints.frames[i - 1].at_ms;
    const std::uint64_t rows = paints.frames[i - 1].rows - std::min(paints.frames[i - 1].rows, rows_before);
    const auto bucket = std::min<std::size_t>(kBuckets - 1, static_cast<std::size_t>(rows * kBuckets / std::max<std::uint64_t>(1, total_rows)));
    buckets[bucket].push_back(frame);
    all_frames.push_back(frame);
  }
  const double frame_median = percentile(all_frames, 50);
  const double frame_p99 = percentile(all_frames, 99);
  double worst_bucket_p99 = 0;
  for (const auto& bucket : buckets) worst_bucket_p99 = std::max(worst_bucket_p99, percentile(bucket, 99));
  const double first_wall = percentile(first.wall_ms, 50);
  const double first_in_main = percentile(first.in_main_ms, 50);
  const double achieved_rate = feed_seconds > 0 ? static_cast<double>(total_rows) / feed_seconds : 0;

  if (settings.json) {
    std::printf("{\"event\":\"bench\",\"figure\":\"gui-frames\",\"rate\":%.0f,\"achieved_rate\":%.0f,\"rows\":%llu,"
                "\"frames\":%zu,\"frame_median_ms\":%.3f,\"frame_p99_ms\":%.3f,\"worst_tenth_p99_ms\":%.3f,"
                "\"all_rows_shown\":%s,\"target\":\"p99 <= %.0f ms\",\"pass\":%s,\"buckets\":[",
                settings.rate, achieved_rate, static_cast<unsigned long long>(total_rows), all_frames.size(),
                frame_median, frame_p99, worst_bucket_p99, all_rows ? "true" : "false", kFrameTargetMs,
                worst_bucket_p99 <= kFrameTargetMs && all_rows ? "true" : "false");
    for (int b = 0; b < kBuckets; ++b) {
      std::printf("%s{\"rows_from\":%llu,\"frames\":%zu,\"median_ms\":%.3f,\"p99_ms\":%.3f}", b == 0 ? "" : ",",
                  static_cast<unsigned long long>(total_rows * static_cast<std::uint64_t>(b) / kBuckets),
                  buckets[static_cast<std::size_t>(b)].size(), percentile(buckets[static_cast<std::size_t>(b)], 50),
                  percentile(buckets[static_cast<std::size_t>(b)], 99));
    }
    std::printf("]}\n");
    std::printf("{\"event\":\"bench\",\"figure\":\"gui-first-paint\",\"runs\":%zu,\"median_ms\":%.3f,"
                "\"in_main_median_ms\":%.3f,\"target\":\"<= %.0f ms\",\"pass\":%s}\n",
                first.wall_ms.size(), first_wall, first_in_main, kFirstPaintTargetMs,
                !first.wall_ms.empty() && first_wall <= kFirstPaintTargetMs ? "true" : "false");
  } else {
    std::printf("GUI fed %.0f rows/s for %.1f s (achieved %.0f rows/s), %llu rows, %zu frames of the log view\n\n",
                settings.rate, settings.seconds, achieved_rate, static_cast<unsigned long long>(total_rows),
                all_frames.size());
    using pipescope::bench::pad;
    using pipescope::bench::print_row;
    std::printf("%s%s%s%s\n", pad("rows in the view", 26).c_str(), pad("frames", 10).c_str(), pad("median", 14).c_str(),
                "p99");
    for (int b = 0; b < kBuckets; ++b) {
      const auto& bucket = buckets[static_cast<std::size_t>(b)];
      std::printf("%s%s%s%s\n",
                  pad(std::to_string(total_rows * static_cast<std::uint64_t>(b) / kBuckets) + " - " +
                          std::to_string(total_rows * static_cast<std::uint64_t>(b + 1) / kBuckets),
                      26)
                      .c_str(),
                  pad(std::to_string(bucket.size()), 10).c_str(), pad(fixed(percentile(bucket, 50), 2) + " ms", 14).c_str(),
                  (fixed(percentile(bucket, 99), 2) + " ms").c_str());
    }
    std::printf("\n");
    pipescope::bench::print_header();
    print_row("frame time median", fixed(frame_median, 2) + " ms", "-", "-");
    print_row("frame time p99 (worst tenth of the run)", fixed(worst_bucket_p99, 2) + " ms", "≤ 16 ms",
              worst_bucket_p99 <= kFrameTargetMs ? "pass" : "FAIL");
    print_row("batches the bridge delivered", std::to_string(window.bridge().batchesDelivered()), "-", "-");
    print_row("rows fed per second", fixed(achieved_rate, 0), fixed(settings.rate, 0),
              achieved_rate >= 0.95 * settings.rate ? "pass" : "FAIL");
    print_row("every row reached the model and the view", std::to_string(shown) + " rows", "all",
              all_rows ? "pass" : "FAIL");
    print_row("process start to first painted window", fixed(first_wall, 1) + " ms", "≤ 150 ms",
              !first.wall_ms.empty() && first_wall <= kFirstPaintTargetMs ? "pass" : "FAIL");
    print_row("  of which after main() began", fixed(first_in_main, 1) + " ms", "-", "-");
  }
  window.close();
  return all_rows && !first.wall_ms.empty() ? 0 : 1;
}
