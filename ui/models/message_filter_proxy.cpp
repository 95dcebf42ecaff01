#include "models/message_filter_proxy.hpp"

#include "models/message_log_model.hpp"

namespace pipescope::ui {

MessageFilterProxy::MessageFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  // The log stays in log order; new rows are filtered as they stream in.
  setDynamicSortFilter(true);
}

void MessageFilterProxy::setSourceModel(QAbstractItemModel* model) {
  logModel_ = qobject_cast<const MessageLogModel*>(model);
  Q_ASSERT_X(model == nullptr || logModel_ != nullptr, "MessageFilterProxy", "the source must be a MessageLogModel");
  QSortFilterProxyModel::setSourceModel(model);
}

void MessageFilterProxy::setEndpointFilter(pipescope::EndpointId endpoint) {
  if (endpoint == endpoint_) {
    return;
  }
  endpoint_ = endpoint;
  invalidateRowsFilter();
}

void MessageFilterProxy::setDirectionFilter(std::optional<pipescope::Direction> direction) {
  if (direction == direction_) {
    return;
  }
  direction_ = direction;
  invalidateRowsFilter();
}

bool MessageFilterProxy::setTextFilter(const QString& pattern, bool regularExpression, Qt::CaseSensitivity sensitivity) {
  std::optional<QRegularExpression> regex;
  if (regularExpression && !pattern.isEmpty()) {
    QRegularExpression candidate(pattern, sensitivity == Qt::CaseInsensitive
                                              ? QRegularExpression::CaseInsensitiveOption
                                              : QRegularExpression::NoPatternOption);
    if (!candidate.isValid()) {
      patternError_ = tr("%1 (at character %2)").arg(candidate.errorString()).arg(candidate.patternErrorOffset() + 1);
      return false;
    }
    regex = std::move(candidate);
  }
  patternError_.clear();
  text_ = regularExpression ? QString() : pattern;
  regex_ = std::move(regex);
  sensitivity_ = sensitivity;
  invalidateRowsFilter();
  return true;
}

bool MessageFilterProxy::isFiltering() const noexcept {
  return endpoint_ != 0 || direction_.has_value() || !text_.isEmpty() || regex_.has_value();
}

bool MessageFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  // Without a filter every row stays, and the log need not be read: this is
  // called for every record as it streams in.
  if (logModel_ == nullptr || sourceParent.isValid() || !isFiltering()) {
    return true;
  }
  const pipescope::MessageLog& log = logModel_->log();
  const pipescope::Record record = log.record(static_cast<std::uint64_t>(sourceRow));
  if (endpoint_ != 0 && record.endpoint != endpoint_) {
    return false;
  }
  if (direction_ && record.direction != *direction_) {
    return false;
  }
  if (text_.isEmpty() && !regex_) {
    return true;
  }
  const auto payload = log.payload(record);
  const QString text =
      QString::fromUtf8(reinterpret_cast<const char*>(payload.data()), static_cast<qsizetype>(payload.size()));
  if (regex_) {
    return regex_->match(text).hasMatch();
  }
  return text.contains(text_, sensitivity_);
}

}  // namespace pipescope::ui
