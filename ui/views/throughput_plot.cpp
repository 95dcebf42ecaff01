#include "views/throughput_plot.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>

#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {
// Distinct hues that read on light and dark backgrounds.
constexpr std::array<QRgb, 8> kPalette{0x2f80ed, 0x27ae60, 0xe67e22, 0x9b51e0,
                                       0xeb5757, 0x00a8a8, 0xf2c94c, 0x828282};
}  // namespace

double niceCeiling(double value) {
  if (value <= 0) {
    return 1;
  }
  const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (const double step : {1.0, 2.0, 5.0, 10.0}) {
    if (value <= step * magnitude) {
      return step * magnitude;
    }
  }
  return 10.0 * magnitude;
}

ThroughputPlot::ThroughputPlot(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setToolTip(tr("Bytes per second over the last minute, per endpoint and direction."));
}

ThroughputPlot::Series& ThroughputPlot::seriesFor(const QString& name) {
  const auto it = std::find_if(series_.begin(), series_.end(), [&](const Series& s) { return s.name == name; });
  if (it != series_.end()) {
    return *it;
  }
  Series series;
  series.name = name;
  series.color = QColor::fromRgb(kPalette[series_.size() % kPalette.size()]);
  series_.push_back(std::move(series));
  return series_.back();
}

void ThroughputPlot::addBytes(const QString& series, std::uint64_t bytes) {
  Series& s = seriesFor(series);
  s.current += bytes;
  s.total += bytes;
}

void ThroughputPlot::tick() {
  for (Series& s : series_) {
    s.points.push_back(static_cast<double>(s.current));
    s.current = 0;
    while (s.points.size() > static_cast<std::size_t>(kSeconds)) {
      s.points.pop_front();
    }
  }
  update();
}

double ThroughputPlot::latest(const QString& series) const {
  const auto it = std::find_if(series_.begin(), series_.end(), [&](const Series& s) { return s.name == series; });
  return it == series_.end() || it->points.empty() ? 0.0 : it->points.back();
}

double ThroughputPlot::axisMaximum() const {
  double peak = 0;
  for (const Series& s : series_) {
    for (const double v : s.points) {
      peak = std::max(peak, v);
    }
  }
  return 4 * niceCeiling(peak / 4);
}

QStringList ThroughputPlot::axisLabels() const {
  const double top = axisMaximum();
  QStringList labels;
  for (int i = 0; i <= 4; ++i) labels << tr("%1/s").arg(formatBytes(top * i / 4));
  return labels;
}

void ThroughputPlot::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  painter.fillRect(rect(), pal.color(QPalette::Base));
  const QFontMetrics fm = fontMetrics();
  const double top = axisMaximum();
  const QStringList labels = axisLabels();
  int widest = 0;
  for (const QString& label : labels) widest = std::max(widest, fm.horizontalAdvance(label));
  const int left = widest + 10;
  const QRect plot(left, fm.height() / 2 + 4, width() - left - 10, height() - 2 * fm.height() - 10);
  if (plot.width() < 20 || plot.height() < 20) {
    return;
  }
  // Grid lines at quarters of the axis, with their values.
  const QColor grid = pal.color(QPalette::Disabled, QPalette::Text);
  for (int i = 0; i <= 4; ++i) {
    const int y = plot.bottom() - plot.height() * i / 4;
    painter.setPen(QPen(grid, 1, i == 0 ? Qt::SolidLine : Qt::DotLine));
    painter.drawLine(plot.left(), y, plot.right(), y);
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(QRect(0, y - fm.height() / 2, left - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                     labels[i]);
  }
  painter.setPen(QPen(grid, 1));
  painter.drawLine(plot.bottomLeft(), plot.topLeft());
  // The time axis: the last minute, newest on the right.
  painter.setPen(pal.color(QPalette::Text));
  for (const int seconds : {60, 45, 30, 15, 0}) {
    const int x = plot.right() - plot.width() * seconds / kSeconds;
    const QString label = seconds == 0 ? tr("now") : tr("-%1 s").arg(seconds);
    const int w = fm.horizontalAdvance(label);
    painter.drawText(std::clamp(x - w / 2, plot.left(), plot.right() - w), plot.bottom() + fm.ascent() + 4, label);
  }
  // One line per series.
  const double xStep = static_cast<double>(plot.width()) / (kSeconds - 1);
  for (const Series& s : series_) {
    if (s.points.empty()) {
      continue;
    }
    QPainterPath path;
    const std::size_t n = s.points.size();
    for (std::size_t i = 0; i < n; ++i) {
      const double x = plot.right() - static_cast<double>(n - 1 - i) * xStep;
      const double y = plot.bottom() - s.points[i] / top * plot.height();
      if (i == 0) {
        path.moveTo(x, y);
      } else {
        path.lineTo(x, y);
      }
    }
    painter.setPen(QPen(s.color, 2));
    painter.drawPath(path);
  }
  // The legend: a swatch, the name and the total, top left inside the plot.
  int y = plot.top() + 4;
  for (const Series& s : series_) {
    const QString text = fm.elidedText(tr("%1 (%2 total)").arg(s.name, formatBytes(static_cast<double>(s.total))),
                                       Qt::ElideMiddle, plot.width() - 40);
    const QRect box(plot.left() + 8, y, fm.horizontalAdvance(text) + 22, fm.height());
    QColor backdrop = pal.color(QPalette::Base);
    backdrop.setAlpha(200);
    painter.fillRect(box, backdrop);
    painter.fillRect(QRect(box.left() + 2, y + fm.height() / 2 - 2, 12, 4), s.color);
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(box.left() + 18, y + fm.ascent(), text);
    y += fm.height() + 1;
    if (y > plot.bottom() - fm.height()) {
      break;
    }
  }
  if (series_.empty()) {
    painter.setPen(grid);
    painter.drawText(plot, Qt::AlignCenter, tr("No traffic yet"));
  }
}

}  // namespace pipescope::ui
