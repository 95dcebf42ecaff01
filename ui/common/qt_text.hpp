// Small conversions between the engine's types and what the GUI shows.
#pragma once

#include <QCoreApplication>
#include <QString>

#include <cstdint>
#include <string>
#include <string_view>

#include "pipescope/endpoint.hpp"
#include "pipescope/error.hpp"
#include "pipescope/log.hpp"

namespace pipescope::ui {

[[nodiscard]] inline QString toQString(std::string_view text) {
  return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

[[nodiscard]] inline std::string toStdString(const QString& text) {
  const QByteArray utf8 = text.toUtf8();
  return {utf8.constData(), static_cast<std::size_t>(utf8.size())};
}

/// Text from outside (names, paths, users, labels, command lines) as a
/// person may safely see it: control and layout characters escaped, as
/// pipescope::escape_for_display does for the console tool.
[[nodiscard]] QString displayText(std::string_view text);

/// An endpoint label for a table cell: the local pipe prefix "\\.\pipe\"
/// is left out ("client 2 → demo" rather than "client 2 → \\.\pipe\demo");
/// tooltips keep the full name.
[[nodiscard]] QString shortLabel(std::string_view label);

/// "12:34:56.789012" in local time, from nanoseconds since the Unix epoch.
[[nodiscard]] QString formatTime(std::int64_t timeNs);
/// "0 B", "512 B", "1.5 KiB", "3.2 MiB".
[[nodiscard]] QString formatBytes(double bytes);
/// Translated state, direction and kind names.
[[nodiscard]] QString stateText(pipescope::EndpointState state);
[[nodiscard]] QString directionText(pipescope::Direction direction);
[[nodiscard]] QString kindText(pipescope::EndpointKind kind);
/// What each record flag means, one sentence per set flag.
[[nodiscard]] QString flagsExplanation(std::uint8_t flags);
/// The error's one-line summary followed by its teaching explanation.
[[nodiscard]] QString errorDetails(const pipescope::Error& error);

}  // namespace pipescope::ui
