// Narrows the message log to one endpoint, one direction and/or records whose
// payload contains a text or matches a regular expression.
#pragma once

#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QString>

#include <optional>

#include "pipescope/endpoint.hpp"
#include "pipescope/log.hpp"

namespace pipescope::ui {

class MessageLogModel;

class MessageFilterProxy final : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit MessageFilterProxy(QObject* parent = nullptr);

  /// The source must be a MessageLogModel.
  void setSourceModel(QAbstractItemModel* model) override;

  /// 0 shows every endpoint.
  void setEndpointFilter(pipescope::EndpointId endpoint);
  [[nodiscard]] pipescope::EndpointId endpointFilter() const noexcept { return endpoint_; }
  /// nullopt shows both directions.
  void setDirectionFilter(std::optional<pipescope::Direction> direction);
  [[nodiscard]] std::optional<pipescope::Direction> directionFilter() const noexcept { return direction_; }
  /// Keeps records whose payload (read as UTF-8) contains `pattern`, or
  /// matches it as a regular expression. An empty pattern keeps everything.
  /// Returns false, and keeps the previous filter, if the regular expression
  /// is invalid; patternError() then says why and where.
  bool setTextFilter(const QString& pattern, bool regularExpression, Qt::CaseSensitivity sensitivity);
  [[nodiscard]] QString patternError() const { return patternError_; }
  /// True when any filter is set.
  [[nodiscard]] bool isFiltering() const noexcept;

 protected:
  [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  const MessageLogModel* logModel_ = nullptr;
  pipescope::EndpointId endpoint_ = 0;
  std::optional<pipescope::Direction> direction_;
  QString text_;
  Qt::CaseSensitivity sensitivity_ = Qt::CaseInsensitive;
  std::optional<QRegularExpression> regex_;
  QString patternError_;
};

}  // namespace pipescope::ui
