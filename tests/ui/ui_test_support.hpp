// What the GUI suites share: how long a wait for the window may take, how
// QAbstractItemModelTester reports, pipe names of this test process, settings
// of the suite's own, and the StateChanged events the models are fed.
// Not a suite itself: the CMake glob takes only *_test.cpp.
#pragma once

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QLatin1String>
#include <QObject>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include "pipescope/endpoint.hpp"
#include "models/message_log_model.hpp"
#include "pipescope/event.hpp"

namespace pipescope::ui::test {

/// How long a suite waits for an observable change. Generous, because a
/// loaded machine (or Wine) can be slow; a passing test never waits this long.
inline constexpr int kTimeoutMs = 10000;

/// QAbstractItemModelTester's findings become Qt Test failures.
inline constexpr auto kReport = QAbstractItemModelTester::FailureReportingMode::QtTest;

/// "pipescope-ui-WHAT-PID": a pipe name no other test process uses.
inline QString uniqueName(const char* what) {
  return QStringLiteral("pipescope-ui-%1-%2").arg(QLatin1String(what)).arg(QCoreApplication::applicationPid());
}

/// Settings in Qt's test location under the suite's own application name,
/// emptied, so that neither the user's settings nor an earlier run reach the
/// suite, and what it saves reaches nobody else.
inline void useOwnSettings(const char* application) {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("PipeScopeTests"));
  QCoreApplication::setApplicationName(QString::fromLatin1(application));
  QSettings().clear();
}

// The first log row of `endpoint` in `direction` whose preview starts with `prefix`, or -1.
inline int findRow(const MessageLogModel& model, EndpointId endpoint, Direction direction, const QString& prefix) {
  for (int row = 0; row < model.rowCount(); ++row) {
    const QModelIndex index = model.index(row, MessageLogModel::PreviewColumn);
    if (index.data(MessageLogModel::EndpointIdRole).toUInt() == endpoint &&
        index.data(MessageLogModel::DirectionRole).toInt() == static_cast<int>(direction) &&
        index.data().toString().startsWith(prefix)) {
      return row;
    }
  }
  return -1;
}

inline StateChanged stateEvent(EndpointId id, EndpointKind kind, ServerId server, EndpointState state) {
  StateChanged event;
  event.endpoint = id;
  event.kind = kind;
  event.server = server;
  event.state = state;
  return event;
}

/// The child of `parent` named `name`; a missing one ends the test at once
/// (the widget the test would drive is not there).
template <class T>
T* child(QObject* parent, const char* name) {
  T* found = parent->findChild<T*>(QString::fromLatin1(name));
  if (found == nullptr) qFatal("no child %s", name);
  return found;
}

}  // namespace pipescope::ui::test
