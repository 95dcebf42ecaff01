#include "common/qt_text.hpp"

#include <QDateTime>
#include <QStringList>

#include <array>

#include "pipescope/codec.hpp"

namespace pipescope::ui {

namespace {
QString tr(const char* text) { return QCoreApplication::translate("pipescope", text); }
}  // namespace

QString displayText(std::string_view text) { return toQString(pipescope::escape_for_display(text)); }

QString shortLabel(std::string_view label) {
  QString text = displayText(label);
  text.replace(QStringLiteral("\\\\.\\pipe\\"), QString(), Qt::CaseInsensitive);
  return text;
}

QString formatTime(std::int64_t timeNs) {
  const std::int64_t ms = timeNs / 1'000'000;
  const auto micros = static_cast<int>((timeNs / 1'000) % 1'000);
  return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz")) +
         QStringLiteral("%1").arg(micros < 0 ? 0 : micros, 3, 10, QLatin1Char('0'));
}

QString formatBytes(double bytes) {
  static constexpr std::array<const char*, 5> units{"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < units.size()) {
    bytes /= 1024.0;
    ++unit;
  }
  if (unit == 0) {
    return QStringLiteral("%1 B").arg(static_cast<std::uint64_t>(bytes));
  }
  return QStringLiteral("%1 %2").arg(bytes, 0, 'f', bytes < 10.0 ? 1 : 0).arg(QLatin1String(units[unit]));
}

QString stateText(pipescope::EndpointState state) {
  switch (state) {
    case pipescope::EndpointState::listening: return tr("listening");
    case pipescope::EndpointState::connecting: return tr("connecting");
    case pipescope::EndpointState::connected: return tr("connected");
    case pipescope::EndpointState::disconnected: return tr("disconnected");
    case pipescope::EndpointState::closing: return tr("closing");
    case pipescope::EndpointState::closed: return tr("closed");
  }
  return {};
}

QString directionText(pipescope::Direction direction) {
  return direction == pipescope::Direction::in ? tr("in") : tr("out");
}

QString kindText(pipescope::EndpointKind kind) {
  switch (kind) {
    case pipescope::EndpointKind::instance: return tr("instance");
    case pipescope::EndpointKind::client: return tr("client");
    case pipescope::EndpointKind::child: return tr("child");
  }
  return {};
}

QString flagsExplanation(std::uint8_t flags) {
  namespace rf = pipescope::record_flags;
  QStringList lines;
  if ((flags & rf::message) != 0) {
    lines << tr("message: read or written as one whole message (message mode).");
  }
  if ((flags & rf::more_data) != 0) {
    lines << tr("more data: not the last part of its message. The reader's buffer was smaller than the "
                "message, so ReadFile returned this part with ERROR_MORE_DATA and the rest follows.");
  }
  if ((flags & rf::partial) != 0) {
    lines << tr("partial: the peer vanished or the write failed part-way; these are the bytes that made it.");
  }
  if ((flags & rf::transact) != 0) {
    lines << tr("transact: part of a TransactNamedPipe exchange (a write and a read in one call).");
  }
  if ((flags & rf::stderr_stream) != 0) {
    lines << tr("stderr: the child's standard error stream.");
  }
  if ((flags & rf::responder) != 0) {
    lines << tr("responder: written by the engine's own echo/reverse responder, not by you.");
  }
  if ((flags & rf::truncated) != 0) {
    lines << tr("truncated: logged while the log was full (File > Log memory limit); the length is real, "
                "the bytes were not kept.");
  }
  return lines.join(QLatin1Char('\n'));
}

QString errorDetails(const pipescope::Error& error) {
  QString text = displayText(error.summary());
  const std::string_view explanation = error.explanation();
  if (!explanation.empty()) {
    text += QStringLiteral("\n\n") + toQString(explanation);
  }
  return text;
}

}  // namespace pipescope::ui
