#include "panes/log_status_label.hpp"

#include <algorithm>

#include "common/qt_text.hpp"
#include "session/session.hpp"

namespace pipescope::ui {

LogStatusLabel::LogStatusLabel(Session& session, QWidget* parent) : QLabel(parent), session_(session) {
  setObjectName(QStringLiteral("logStatus"));
  connect(&session_.bridge(), &EngineBridge::eventsArrived, this, &LogStatusLabel::refresh);
  connect(&session_.bridge(), &EngineBridge::countersChanged, this, &LogStatusLabel::refresh);
  connect(&session_, &Session::logReplaced, this, &LogStatusLabel::refresh);
  refresh();
}

void LogStatusLabel::refresh() {
  const pipescope::MessageLog& log = session_.engine().log();
  QString text =
      tr("%n record(s), %1 of payload", nullptr, static_cast<int>(std::min<std::uint64_t>(log.size(), 0x7FFFFFFF)))
          .arg(formatBytes(static_cast<double>(log.payload_bytes())));
  // A full log says what it did not keep, next to what it holds.
  if (const std::uint64_t truncated = log.truncated_records(); truncated != 0) {
    text += tr(", %1 truncated").arg(truncated);
  }
  if (const std::uint64_t dropped = log.dropped_records(); dropped != 0) {
    text += tr(", %1 only counted").arg(dropped);
  }
  setText(text);
}

}  // namespace pipescope::ui
