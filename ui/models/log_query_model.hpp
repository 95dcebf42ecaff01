// Narrows the message log to the records a LogQuery matches: the log pane's
// endpoint, direction and payload filters. The query runs in core: new rows of the source are evaluated once
// per batch (one beginInsertRows per batch), and a new filter over a large
// log is evaluated on a worker thread (QueryScan) while scanProgress()
// tells how far it got; the GUI thread never decodes a payload per row.
#pragma once

#include <QAbstractProxyModel>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"
#include "pipescope/log_query.hpp"

namespace pipescope::ui {

class MessageLogModel;

class LogQueryModel final : public QAbstractProxyModel {
  Q_OBJECT

 public:
  /// A new filter over at least this many rows is evaluated on a worker; a
  /// smaller log takes a few milliseconds on the GUI thread.
  static constexpr std::uint64_t kWorkerScanRows = 20000;

  explicit LogQueryModel(QObject* parent = nullptr);
  ~LogQueryModel() override;

  /// The source must be a MessageLogModel.
  void setSourceModel(QAbstractItemModel* model) override;

  /// 0 shows every endpoint.
  void setEndpointFilter(pipescope::EndpointId endpoint);
  [[nodiscard]] pipescope::EndpointId endpointFilter() const noexcept { return endpoint_; }
  /// nullopt shows both directions.
  void setDirectionFilter(std::optional<pipescope::Direction> direction);
  [[nodiscard]] std::optional<pipescope::Direction> directionFilter() const noexcept { return direction_; }
  /// Keeps records whose payload contains `pattern` (its UTF-8 bytes; case
  /// folding for ASCII letters), or that the RE2 regular expression matches
  /// (the payload read as UTF-8). An empty pattern keeps everything. Returns
  /// false, and keeps the previous filter, if the expression is invalid;
  /// patternError() then says why and where.
  bool setTextFilter(const QString& pattern, bool regularExpression, Qt::CaseSensitivity sensitivity);
  [[nodiscard]] QString patternError() const { return patternError_; }
  /// True when any filter is set.
  [[nodiscard]] bool isFiltering() const noexcept;
  /// True while a worker evaluates the filter over the existing log.
  [[nodiscard]] bool isScanning() const noexcept { return scan_ != nullptr; }

  [[nodiscard]] QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
  [[nodiscard]] QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
  [[nodiscard]] QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  [[nodiscard]] QModelIndex parent(const QModelIndex& child) const override;
  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;

 signals:
  /// A worker scan evaluated `done` of `total` rows (rises until total).
  void scanProgress(qulonglong done, qulonglong total);
  /// The worker scan evaluated every row: rowCount() is the filter's result.
  void scanFinished();
  /// A newer filter (or none) replaced a running scan before it finished;
  /// rowCount() is not that scan's result, and a new scan may follow.
  void scanCancelled();

 private:
  /// Compiles the settings into a LogFilter and rebuilds with it; false (and
  /// patternError() set) when the pattern is invalid.
  bool applyFilter();
  /// A new LogFilter: the rows shown are evaluated again.
  void rebuild(std::shared_ptr<const pipescope::LogFilter> filter);
  /// Evaluates the source's rows so far: on a worker for a large log.
  void evaluateExisting();
  /// Shows the source's new rows that match, in one insertion.
  void catchUp();
  /// Inserts the matches found beyond visible_ (one beginInsertRows).
  void showNewMatches();
  void startScan();
  void takeBatch(std::uint64_t scanId, const pipescope::QueryScan::Batch& batch);
  void endScan(std::uint64_t scanId);
  void stopScan();
  [[nodiscard]] std::uint64_t sourceRows() const;
  [[nodiscard]] pipescope::LogQuery query() const;

  const MessageLogModel* logModel_ = nullptr;
  pipescope::EndpointId endpoint_ = 0;
  std::optional<pipescope::Direction> direction_;
  pipescope::PayloadPattern pattern_;
  QString patternError_;
  /// Null while nothing filters: then rows are the source's, one for one.
  std::unique_ptr<pipescope::QueryMatches> matches_;
  /// The matches shown: QueryMatches grows first, then the rows are inserted.
  int visible_ = 0;
  std::unique_ptr<pipescope::QueryScan> scan_;
  /// Tells a finished scan's late batches from the current scan's.
  std::uint64_t scanId_ = 0;
};

}  // namespace pipescope::ui
