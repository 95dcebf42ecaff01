// A line of advice laid over an item view while it shows no row: an empty
// log at the first start says how to get traffic into it (with links that
// do it), a filter that matches nothing says so. Any view and model fit; the
// texts are the owner's.
#pragma once

#include <QLabel>

#include <functional>
#include <vector>

class QAbstractItemModel;
class QAbstractItemView;
class QAction;

namespace pipescope::ui {

class EmptyViewHint final : public QLabel {
  Q_OBJECT

 public:
  /// Lays itself over `view`'s viewport and follows `model`'s rows.
  /// `filtering` tells whether the rows are a filter's (then `filteredText`
  /// is shown rather than the advice).
  EmptyViewHint(QAbstractItemView* view, QAbstractItemModel* model, std::function<bool()> filtering,
                QString filteredText);

  /// The advice for an empty model: `format` with %1, %2… replaced by a
  /// link to each action, its text without the "&" and "…", and its
  /// shortcut in brackets where it has one. A link triggers its action.
  void setAdvice(const QString& format, std::vector<QAction*> actions);

  /// Shows or hides the hint for the model's rows now (it also follows the
  /// model's signals by itself).
  void refresh();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void place();

  QAbstractItemView* view_;
  QAbstractItemModel* model_;
  std::function<bool()> filtering_;
  QString filteredText_;
  QString advice_;
  std::vector<QAction*> actions_;
};

}  // namespace pipescope::ui
