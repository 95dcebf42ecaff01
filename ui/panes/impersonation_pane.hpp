// Impersonation: what each impersonation of a client found (its user,
// groups, privileges, what the probe file allowed), and the probe to try
// next time.
#pragma once

#include <QWidget>

class QLineEdit;
class QTableView;

namespace pipescope::ui {

class ImpersonationModel;

class ImpersonationPane final : public QWidget {
  Q_OBJECT

 public:
  explicit ImpersonationPane(ImpersonationModel* model, QWidget* parent = nullptr);

  /// The file to open as the client while impersonating (may be empty).
  [[nodiscard]] QString probePath() const;
  void setProbePath(const QString& path);
  [[nodiscard]] QTableView* view() const noexcept { return view_; }

 signals:
  /// The pane's button: impersonate the selected instance.
  void impersonateRequested();

 private:
  QTableView* view_ = nullptr;
  QLineEdit* probePath_ = nullptr;
};

}  // namespace pipescope::ui
