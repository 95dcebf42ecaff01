// The status bar's count of the log: records, payload held, and what a full
// log did not keep (truncated or only counted records).
#pragma once

#include <QLabel>

namespace pipescope::ui {

class Session;

class LogStatusLabel final : public QLabel {
  Q_OBJECT

 public:
  explicit LogStatusLabel(Session& session, QWidget* parent = nullptr);

 public slots:
  void refresh();

 private:
  Session& session_;
};

}  // namespace pipescope::ui
