// One row per impersonation the user asked for: who the client turned out to
// be, what its identity could do, and that the server went back to itself.
#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <functional>
#include <vector>

#include "session/engine_bridge.hpp"

namespace pipescope::ui {

class ImpersonationModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { TimeColumn, InstanceColumn, ResultColumn, UserColumn, SidColumn, GroupsColumn, LevelColumn,
                IntegrityColumn, ProbeColumn, RevertedColumn, NotesColumn, ColumnCount };

  explicit ImpersonationModel(QObject* parent = nullptr);

  /// How the instance column names an instance (default: its id).
  void setLabeler(std::function<QString(pipescope::EndpointId)> labeler) { labeler_ = std::move(labeler); }

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// A multi-line description of one row, for a details pane.
  [[nodiscard]] QString describeRow(int row) const;

 public slots:
  void onEvents(const pipescope::ui::EventBatch& batch);

 private:
  struct Row {
    std::int64_t timeNs = 0;
    pipescope::EndpointId instance = 0;
    pipescope::ImpersonationResult result;
  };
  std::vector<Row> rows_;
  std::function<QString(pipescope::EndpointId)> labeler_;
};

}  // namespace pipescope::ui
