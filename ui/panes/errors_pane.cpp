#include "panes/errors_pane.hpp"

#include <QTableView>
#include <QTextBrowser>

#include "models/errors_model.hpp"
#include "views/table_setup.hpp"

namespace pipescope::ui {

ErrorsPane::ErrorsPane(ErrorsModel* model, QWidget* parent) : QSplitter(Qt::Horizontal, parent), model_(model) {
  view_ = new QTableView(this);
  view_->setObjectName(QStringLiteral("errorsView"));
  view_->setModel(model_);
  setupLiveTable(view_);
  explanation_ = new QTextBrowser(this);
  explanation_->setObjectName(QStringLiteral("errorExplanation"));
  explanation_->setPlaceholderText(tr("Select an error to read what it means and what a program does about it."));
  addWidget(view_);
  addWidget(explanation_);
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    explanation_->setPlainText(current.isValid() ? current.siblingAtColumn(0).data(Qt::ToolTipRole).toString()
                                                 : QString());
  });
  // The newest error explains itself at once: that is when it is read.
  connect(model_, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int, int last) {
    view_->scrollToBottom();
    explanation_->setPlainText(model_->index(last, 0).data(Qt::ToolTipRole).toString());
  });
}

}  // namespace pipescope::ui
