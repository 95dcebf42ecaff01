#include "views/throughput_plot.hpp"

#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <array>
#include <cmath>

#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {
// Distinct hues that read on light and dark backgrounds.
constexpr std::array<QRgb, 8> kPalette{0x2f80ed, 0x27ae60, 0xe67e22, 0x9b51e0,
                                       0xeb5757, 0x00a8a8, 0xf2c94c, 0x828282};
// The plot keeps at least this height; the legend takes what is left.
constexpr int kMinPlotHeight = 60;
// A legend entry: the colour swatch, then the text after this offset.
constexpr int kSwatchWidth = 12;
constexpr int kTextOffset = 18;
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

QString ThroughputPlot::legendText(const Series& series) const {
  return tr("%1 (%2 total)").arg(series.name, formatBytes(static_cast<double>(series.total)));
}

ThroughputPlot::Layout ThroughputPlot::layout() const {
  const QFontMetrics fm = fontMetrics();
  int widest = 0;
  for (const QString& label : axisLabels()) widest = std::max(widest, fm.horizontalAdvance(label));
  const int left = widest + 10;
  const int line = fm.height() + 1;
  // Below the plot: the time axis's labels, then the legend's lines, as
  // many as leave the plot its least height; one line says how many more.
  const int axisAndPlotTop = fm.height() / 2 + 4 + fm.height() + 6;
  const int room = std::max(0, height() - axisAndPlotTop - kMinPlotHeight - 4);
  const int count = static_cast<int>(series_.size());
  int shown = std::min(count, room / line);
  if (shown < count && shown > 0) --shown;  // the last line counts the rest
  const int lines = shown + (shown < count ? 1 : 0);
  Layout result;
  result.plot = QRect(left, fm.height() / 2 + 4, width() - left - 10,
                      height() - axisAndPlotTop - lines * line - (lines > 0 ? 4 : 0));
  int y = result.plot.bottom() + fm.height() + 10;
  const int textWidth = std::max(0, width() - kTextOffset - 8);
  for (int i = 0; i < count && i < shown; ++i) {
    const QString text = fm.elidedText(legendText(series_[static_cast<std::size_t>(i)]), Qt::ElideMiddle, textWidth);
    result.legendEntries << QRect(4, y, kTextOffset + fm.horizontalAdvance(text), fm.height());
    result.legendTexts << text;
    y += line;
  }
  if (shown < count && lines > 0) {
    const QString more = tr("+%1 more (their totals are in the tooltip)").arg(count - shown);
    const QString text = fm.elidedText(more, Qt::ElideRight, textWidth);
    result.legendEntries << QRect(4, y, kTextOffset + fm.horizontalAdvance(text), fm.height());
    result.legendTexts << text;
  }
  return result;
}

double ThroughputPlot::lineWidth(int series) const {
  // 2 px for the last series, one more for each drawn before it, at most 6.
  return std::min(6.0, 2.0 + static_cast<double>(seriesCount() - 1 - series));
}

bool ThroughputPlot::event(QEvent* event) {
  // The tooltip names every series whole, with its total: the legend may
  // have had to shorten names or leave some out.
  if (event->type() == QEvent::ToolTip && !series_.empty()) {
    QStringList lines{tr("Bytes per second over the last minute, per endpoint and direction:")};
    for (const Series& s : series_) lines << legendText(s);
    QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), lines.join(QLatin1Char('\n')), this);
    return true;
  }
  return QWidget::event(event);
}

void ThroughputPlot::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  painter.fillRect(rect(), pal.color(QPalette::Base));
  const QFontMetrics fm = fontMetrics();
  const double top = axisMaximum();
  const QStringList labels = axisLabels();
  const Layout where = layout();
  const QRect& plot = where.plot;
  if (plot.width() < 20 || plot.height() < 20) {
    return;
  }
  const int left = plot.left();
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
  // One line per series, inside the plot.
  painter.save();
  painter.setClipRect(plot.adjusted(0, -3, 0, 3));
  const double xStep = static_cast<double>(plot.width()) / (kSeconds - 1);
  for (int index = 0; index < seriesCount(); ++index) {
    const Series& s = series_[static_cast<std::size_t>(index)];
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
    painter.setPen(QPen(s.color, lineWidth(index), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(path);
  }
  painter.restore();
  // The legend, below the plot: a swatch as wide as the series' line, the
  // name and the total.
  for (int i = 0; i < where.legendEntries.size(); ++i) {
    const QRect& box = where.legendEntries[i];
    if (i < seriesCount()) {
      const auto swatch = static_cast<int>(std::lround(lineWidth(i)));
      painter.fillRect(QRect(box.left() + 2, box.center().y() - swatch / 2, kSwatchWidth, swatch),
                       series_[static_cast<std::size_t>(i)].color);
    }
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(box.left() + kTextOffset, box.top() + fm.ascent(), where.legendTexts[i]);
  }
  if (series_.empty()) {
    painter.setPen(grid);
    painter.drawText(plot, Qt::AlignCenter, tr("No traffic yet"));
  }
}

}  // namespace pipescope::ui
