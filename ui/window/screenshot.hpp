// Pictures of the live application for the README: waits until the demo has
// traffic, selects a record so every view has something to show, saves the
// window and quits. Used by scripts/screenshot.sh through --screenshot.
#pragma once

#include <QString>

namespace pipescope::ui {

class MainWindow;

/// Saves `path` (and, next to it, pictures of the hex view, the
/// impersonation result and the new-server dialog) once the log has traffic,
/// an error and an impersonation result to show, then quits the application
/// with exit code 0, or 1 if a picture could not be written.
void scheduleScreenshot(MainWindow& window, const QString& path);

}  // namespace pipescope::ui
