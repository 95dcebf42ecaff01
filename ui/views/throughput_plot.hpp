// A small live plot of bytes per second, one line per endpoint and
// direction, over the last minute: axes with units, and a legend. Painted by
// hand, because Qt Charts cannot be built for the Windows lane here.
#pragma once

#include <QColor>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <deque>
#include <vector>

namespace pipescope::ui {

class ThroughputPlot final : public QWidget {
  Q_OBJECT

 public:
  /// Seconds of history shown.
  static constexpr int kSeconds = 60;

  explicit ThroughputPlot(QWidget* parent = nullptr);

  /// Counts bytes for a series ("demo #1 in") in the current second.
  void addBytes(const QString& series, std::uint64_t bytes);
  /// Closes the current second: every series gets one more point. The owner
  /// calls this once a second.
  void tick();

  [[nodiscard]] int seriesCount() const noexcept { return static_cast<int>(series_.size()); }
  /// The latest closed value of a series, in bytes per second (0 if unknown).
  [[nodiscard]] double latest(const QString& series) const;
  /// The top of the y axis: a round number at or above every value shown.
  [[nodiscard]] double axisMaximum() const;

  [[nodiscard]] QSize sizeHint() const override { return {420, 200}; }
  [[nodiscard]] QSize minimumSizeHint() const override { return {220, 120}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  struct Series {
    QString name;
    QColor color;
    std::uint64_t current = 0;
    std::uint64_t total = 0;
    std::deque<double> points;  // oldest first, at most kSeconds
  };
  Series& seriesFor(const QString& name);
  std::vector<Series> series_;
};

/// A "nice" axis top (1, 2 or 5 times a power of ten) at or above `value`.
[[nodiscard]] double niceCeiling(double value);

}  // namespace pipescope::ui
