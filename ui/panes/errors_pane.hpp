// Errors: every error of the session, and for the selected (or newest) one
// what it means and what a program does about it.
#pragma once

#include <QSplitter>

class QTableView;
class QTextBrowser;

namespace pipescope::ui {

class ErrorsModel;

class ErrorsPane final : public QSplitter {
  Q_OBJECT

 public:
  explicit ErrorsPane(ErrorsModel* model, QWidget* parent = nullptr);

  [[nodiscard]] QTableView* view() const noexcept { return view_; }

 private:
  ErrorsModel* model_ = nullptr;
  QTableView* view_ = nullptr;
  QTextBrowser* explanation_ = nullptr;
};

}  // namespace pipescope::ui
