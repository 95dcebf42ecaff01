// A small live plot of bytes per second, one line per endpoint and
// direction, over the last minute: axes with units, and a legend. Painted by
// hand, because Qt Charts cannot be built for the Windows lane here.
#pragma once

#include <QColor>
#include <QList>
#include <QRect>
#include <QString>
#include <QStringList>
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
  /// The top of the y axis: four times a round step (1, 2 or 5 times a
  /// power of ten), at or above every value shown, so that each grid line
  /// at a quarter of it has a value of its own ("0 B/s", "1 B/s", "2 B/s"…
  /// when idle, not "1 B/s" over three lines of "0 B/s").
  [[nodiscard]] double axisMaximum() const;
  /// The y axis's labels, bottom to top, one per grid line.
  [[nodiscard]] QStringList axisLabels() const;

  /// Where paintEvent() draws, for the widget's current size: the plot (the
  /// axes' area), and below it the legend, one line per series, each entry
  /// its rectangle and its text (elided to the width if it must be). The
  /// legend never lies over the plot; a series that finds no room is counted
  /// in a last line ("+2 more", whose rectangle and text close the lists).
  struct Layout {
    QRect plot;
    QList<QRect> legendEntries;
    QStringList legendTexts;
  };
  [[nodiscard]] Layout layout() const;
  /// The width of a series' line: a series drawn later is narrower, so that
  /// equal values show as a line inside a wider one, never as one line.
  [[nodiscard]] double lineWidth(int series) const;

  [[nodiscard]] QSize sizeHint() const override { return {420, 200}; }
  [[nodiscard]] QSize minimumSizeHint() const override { return {220, 120}; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  struct Series {
    QString name;
    QColor color;
    std::uint64_t current = 0;
    std::uint64_t total = 0;
    std::deque<double> points;  // oldest first, at most kSeconds
  };
  Series& seriesFor(const QString& name);
  [[nodiscard]] QString legendText(const Series& series) const;
  std::vector<Series> series_;
};

/// A "nice" axis top (1, 2 or 5 times a power of ten) at or above `value`.
[[nodiscard]] double niceCeiling(double value);

}  // namespace pipescope::ui
