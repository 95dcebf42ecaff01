// Every failure the user should see: engine errors from events and errors
// the GUI got back from engine calls, each with its teaching explanation.
#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <vector>

#include "session/engine_bridge.hpp"

namespace pipescope::ui {

class ErrorsModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { TimeColumn, EndpointColumn, CodeColumn, SummaryColumn, ColumnCount };
  enum Role { ExplanationRole = Qt::UserRole + 1 };

  explicit ErrorsModel(QObject* parent = nullptr);

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  [[nodiscard]] const pipescope::Error& error(int row) const { return rows_.at(static_cast<std::size_t>(row)).error; }

 public slots:
  void onEvents(const pipescope::ui::EventBatch& batch);
  /// An error the GUI got back from an engine call.
  void addError(const pipescope::Error& error, pipescope::EndpointId endpoint = 0);

 signals:
  /// Emitted once per new error, after its row was inserted.
  void errorAdded(const QString& summary, const QString& explanation);

 private:
  struct Row {
    std::int64_t timeNs = 0;
    pipescope::EndpointId endpoint = 0;
    pipescope::Error error;
  };
  void append(std::vector<Row> added);
  std::vector<Row> rows_;
};

}  // namespace pipescope::ui
