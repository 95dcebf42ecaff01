#include "models/errors_model.hpp"

#include "common/qt_text.hpp"

namespace pipescope::ui {

ErrorsModel::ErrorsModel(QObject* parent) : QAbstractTableModel(parent) {}

int ErrorsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int ErrorsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ErrorsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Row& row = rows_[static_cast<std::size_t>(index.row())];
  if (role == ExplanationRole) {
    return toQString(row.error.explanation());
  }
  if (role == Qt::ToolTipRole) {
    return errorDetails(row.error);
  }
  if (role != Qt::DisplayRole) {
    return {};
  }
  switch (index.column()) {
    case TimeColumn: return formatTime(row.timeNs);
    case EndpointColumn: return row.endpoint == 0 ? QString() : QString::number(row.endpoint);
    case CodeColumn: return toQString(row.error.symbol_text());
    case SummaryColumn: return displayText(row.error.summary());
    default: return {};
  }
}

QVariant ErrorsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case TimeColumn: return tr("Time");
    case EndpointColumn: return tr("Endpoint");
    case CodeColumn: return tr("Code");
    case SummaryColumn: return tr("What happened");
    default: return {};
  }
}

void ErrorsModel::onEvents(const EventBatch& batch) {
  std::vector<Row> added;
  for (const pipescope::Event& event : batch) {
    if (const auto* error = std::get_if<pipescope::ErrorEvent>(&event)) {
      added.push_back(Row{pipescope::MessageLog::now_ns(), error->endpoint, error->error});
    }
  }
  append(std::move(added));
}

void ErrorsModel::addError(const pipescope::Error& error, pipescope::EndpointId endpoint) {
  append({Row{pipescope::MessageLog::now_ns(), endpoint, error}});
}

void ErrorsModel::append(std::vector<Row> added) {
  if (added.empty()) {
    return;
  }
  const int first = static_cast<int>(rows_.size());
  beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
  std::move(added.begin(), added.end(), std::back_inserter(rows_));
  endInsertRows();
  for (std::size_t i = static_cast<std::size_t>(first); i < rows_.size(); ++i) {
    emit errorAdded(displayText(rows_[i].error.summary()), toQString(rows_[i].error.explanation()));
  }
}

}  // namespace pipescope::ui
