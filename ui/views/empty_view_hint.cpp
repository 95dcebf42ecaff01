#include "views/empty_view_hint.hpp"

#include <QAbstractItemModel>
#include <QAbstractItemView>
#include <QAction>
#include <QEvent>
#include <QKeySequence>

#include <utility>

namespace pipescope::ui {

EmptyViewHint::EmptyViewHint(QAbstractItemView* view, QAbstractItemModel* model, std::function<bool()> filtering,
                             QString filteredText)
    : QLabel(view->viewport()),
      view_(view),
      model_(model),
      filtering_(std::move(filtering)),
      filteredText_(std::move(filteredText)) {
  setObjectName(QStringLiteral("emptyViewHint"));
  setAlignment(Qt::AlignCenter);
  setWordWrap(true);
  setTextFormat(Qt::RichText);
  setTextInteractionFlags(Qt::TextBrowserInteraction);
  setForegroundRole(QPalette::PlaceholderText);
  connect(this, &QLabel::linkActivated, this, [this](const QString& link) {
    bool ok = false;
    const int index = link.toInt(&ok);
    if (ok && index >= 0 && static_cast<std::size_t>(index) < actions_.size() && actions_[index]->isEnabled()) {
      actions_[index]->trigger();
    }
  });
  for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
    connect(model_, signal, this, &EmptyViewHint::refresh);
  }
  connect(model_, &QAbstractItemModel::modelReset, this, &EmptyViewHint::refresh);
  connect(model_, &QAbstractItemModel::layoutChanged, this, &EmptyViewHint::refresh);
  view_->viewport()->installEventFilter(this);
  refresh();
}

void EmptyViewHint::setAdvice(const QString& format, std::vector<QAction*> actions) {
  actions_ = std::move(actions);
  QString text = format.toHtmlEscaped();
  for (std::size_t i = 0; i < actions_.size(); ++i) {
    const QAction* action = actions_[i];
    QString name = action->text();
    name.remove(QLatin1Char('&')).remove(QStringLiteral("…"));
    QString link = QStringLiteral("<a href=\"%1\">%2</a>").arg(i).arg(name.toHtmlEscaped());
    if (!action->shortcut().isEmpty()) {
      link += QStringLiteral(" (%1)").arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped());
    }
    text = text.arg(link);
  }
  advice_ = text;
  refresh();
}

void EmptyViewHint::refresh() {
  // Called at every batch of rows a busy log inserts: while rows show, the
  // hint only stays hidden, with no text compared and no layout made.
  if (model_->rowCount() != 0) {
    hide();
    return;
  }
  const QString wanted = filtering_ && filtering_() ? filteredText_.toHtmlEscaped() : advice_;
  if (text() != wanted) setText(wanted);
  setVisible(!wanted.isEmpty());
  place();
}

bool EmptyViewHint::eventFilter(QObject* watched, QEvent* event) {
  if (watched == view_->viewport() && event->type() == QEvent::Resize && !isHidden()) place();
  return QLabel::eventFilter(watched, event);
}

void EmptyViewHint::place() {
  // A band across the middle of the viewport, with a margin, so that a long
  // advice wraps rather than runs off the side.
  const QRect area = view_->viewport()->rect().adjusted(24, 0, -24, 0);
  const int height = heightForWidth(area.width()) > 0 ? heightForWidth(area.width()) : sizeHint().height();
  setGeometry(area.left(), area.center().y() - height / 2, area.width(), height);
}

}  // namespace pipescope::ui
