#include "models/log_query_model.hpp"

#include <QMetaObject>

#include <algorithm>
#include <utility>

#include "models/message_log_model.hpp"

namespace pipescope::ui {

LogQueryModel::LogQueryModel(QObject* parent) : QAbstractProxyModel(parent) {}

// Joins a running scan without telling anyone: the listeners may be gone.
// Its queued batches die with this object, their context.
LogQueryModel::~LogQueryModel() { scan_.reset(); }

void LogQueryModel::setSourceModel(QAbstractItemModel* model) {
  logModel_ = qobject_cast<const MessageLogModel*>(model);
  Q_ASSERT_X(model == nullptr || logModel_ != nullptr, "LogQueryModel", "the source must be a MessageLogModel");
  beginResetModel();
  stopScan();
  if (sourceModel() != nullptr) disconnect(sourceModel(), nullptr, this, nullptr);
  QAbstractProxyModel::setSourceModel(model);
  matches_.reset();
  visible_ = 0;
  if (model != nullptr) {
    // Without a filter the source's insertions pass through as they are;
    // with one, the new rows are evaluated once they exist.
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this](const QModelIndex&, int first, int last) {
              if (!matches_) beginInsertRows({}, first, last);
            });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
      if (!matches_) {
        endInsertRows();
      } else {
        catchUp();
      }
    });
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
      beginResetModel();
      stopScan();
    });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
      if (matches_) {
        matches_->reset();
        visible_ = 0;
      }
      endResetModel();
      evaluateExisting();
    });
  }
  endResetModel();
  if (model != nullptr) (void)applyFilter();
}

pipescope::LogQuery LogQueryModel::query() const {
  pipescope::LogQuery query;
  if (endpoint_ != 0) query.endpoints.insert(endpoint_);
  if (direction_) query.directions.insert(*direction_);
  query.pattern = pattern_;
  return query;
}

void LogQueryModel::setEndpointFilter(pipescope::EndpointId endpoint) {
  if (endpoint == endpoint_) return;
  endpoint_ = endpoint;
  (void)applyFilter();
}

void LogQueryModel::setDirectionFilter(std::optional<pipescope::Direction> direction) {
  if (direction == direction_) return;
  direction_ = direction;
  (void)applyFilter();
}

bool LogQueryModel::setTextFilter(const QString& pattern, bool regularExpression, Qt::CaseSensitivity sensitivity) {
  pipescope::PayloadPattern candidate;
  if (!pattern.isEmpty()) {
    candidate.kind = regularExpression ? pipescope::PatternKind::regex : pipescope::PatternKind::text;
    candidate.text = pattern.toStdString();
    candidate.case_sensitive = sensitivity == Qt::CaseSensitive;
    candidate.encoding = pipescope::PatternEncoding::utf8;
  }
  const pipescope::PayloadPattern previous = std::exchange(pattern_, candidate);
  if (!applyFilter()) {
    pattern_ = previous;
    return false;
  }
  return true;
}

bool LogQueryModel::applyFilter() {
  auto filter = pipescope::LogFilter::compile(query());
  if (!filter) {
    const pipescope::Error& error = filter.error();
    patternError_ = tr("%1: %2").arg(QString::fromStdString(error.operation), QString::fromStdString(error.detail));
    return false;
  }
  patternError_.clear();
  rebuild(std::make_shared<const pipescope::LogFilter>(std::move(filter).value()));
  return true;
}

bool LogQueryModel::isFiltering() const noexcept {
  return endpoint_ != 0 || direction_.has_value() || pattern_.kind != pipescope::PatternKind::none;
}

std::uint64_t LogQueryModel::sourceRows() const {
  return sourceModel() == nullptr ? 0 : static_cast<std::uint64_t>(sourceModel()->rowCount());
}

void LogQueryModel::rebuild(std::shared_ptr<const pipescope::LogFilter> filter) {
  beginResetModel();
  stopScan();
  matches_.reset();
  visible_ = 0;
  if (logModel_ != nullptr && filter->query().filters()) {
    matches_ = std::make_unique<pipescope::QueryMatches>(logModel_->log(), std::move(filter));
  }
  endResetModel();
  evaluateExisting();
}

void LogQueryModel::evaluateExisting() {
  if (!matches_) return;
  if (sourceRows() >= kWorkerScanRows) {
    startScan();
  } else {
    catchUp();
  }
}

void LogQueryModel::catchUp() {
  // A running scan catches up when it ends.
  if (!matches_ || scan_) return;
  if (matches_->extend_to(sourceRows()).restarted) {
    // The log was replaced before the source model said so: start over.
    beginResetModel();
    visible_ = 0;
    endResetModel();
  }
  showNewMatches();
}

void LogQueryModel::showNewMatches() {
  const int found = static_cast<int>(matches_->size());
  if (found <= visible_) return;
  beginInsertRows({}, visible_, found - 1);
  visible_ = found;
  endInsertRows();
}

void LogQueryModel::startScan() {
  pipescope::LogReader::Snapshot until = matches_->reader().snapshot();
  // The scan covers the rows the source shows; later ones come with catchUp().
  until.rows = std::min(until.rows, sourceRows());
  const std::uint64_t id = ++scanId_;
  scan_ = std::make_unique<pipescope::QueryScan>(
      logModel_->log(), matches_->shared_filter(), until,
      [this, id](pipescope::QueryScan::Batch batch) {
        QMetaObject::invokeMethod(
            this, [this, id, batch = std::move(batch)] { takeBatch(id, batch); }, Qt::QueuedConnection);
      },
      [this, id](pipescope::QueryScan::End, std::uint64_t) {
        QMetaObject::invokeMethod(this, [this, id] { endScan(id); }, Qt::QueuedConnection);
      });
}

void LogQueryModel::takeBatch(std::uint64_t scanId, const pipescope::QueryScan::Batch& batch) {
  if (scanId != scanId_ || !matches_) return;
  (void)matches_->append_scanned(batch.rows, batch.scanned, batch.generation);
  showNewMatches();
  emit scanProgress(batch.scanned, batch.total);
}

void LogQueryModel::endScan(std::uint64_t scanId) {
  if (scanId != scanId_ || !scan_) return;
  scan_.reset();  // the worker has returned from its last call: this joins at once
  catchUp();
  emit scanFinished();
}

void LogQueryModel::stopScan() {
  if (!scan_) return;
  // A newer id makes the old scan's queued batches and end be ignored.
  ++scanId_;
  scan_.reset();
  emit scanCancelled();
}

QModelIndex LogQueryModel::mapToSource(const QModelIndex& proxyIndex) const {
  if (!proxyIndex.isValid() || sourceModel() == nullptr) return {};
  const int row = matches_ ? static_cast<int>((*matches_)[static_cast<std::size_t>(proxyIndex.row())])
                           : proxyIndex.row();
  return sourceModel()->index(row, proxyIndex.column());
}

QModelIndex LogQueryModel::mapFromSource(const QModelIndex& sourceIndex) const {
  if (!sourceIndex.isValid()) return {};
  if (!matches_) return index(sourceIndex.row(), sourceIndex.column());
  const auto rows = matches_->rows().first(static_cast<std::size_t>(visible_));
  const auto found = std::lower_bound(rows.begin(), rows.end(), static_cast<std::uint64_t>(sourceIndex.row()));
  if (found == rows.end() || *found != static_cast<std::uint64_t>(sourceIndex.row())) return {};
  return index(static_cast<int>(found - rows.begin()), sourceIndex.column());
}

QModelIndex LogQueryModel::index(int row, int column, const QModelIndex& parent) const {
  if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount()) return {};
  return createIndex(row, column);
}

QModelIndex LogQueryModel::parent(const QModelIndex&) const { return {}; }

int LogQueryModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() || sourceModel() == nullptr) return 0;
  return matches_ ? visible_ : sourceModel()->rowCount();
}

int LogQueryModel::columnCount(const QModelIndex& parent) const {
  if (parent.isValid() || sourceModel() == nullptr) return 0;
  return sourceModel()->columnCount();
}

}  // namespace pipescope::ui
