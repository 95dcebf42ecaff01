// The pipes this machine has (Engine::list_pipes). Each refresh marks pipes
// that appeared since the previous one; pipes that vanished stay one more
// refresh, marked, so a person notices them go.
#pragma once

#include <QAbstractTableModel>

#include <vector>

#include "pipescope/listing.hpp"

namespace pipescope::ui {

class PipesModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { NameColumn, InstancesColumn, TypeColumn, ServerPidsColumn, OsPathColumn, ColumnCount };
  enum class Mark { present, appeared, vanished };
  enum Role { MarkRole = Qt::UserRole + 1, NameRole };

  explicit PipesModel(QObject* parent = nullptr);

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// Applies a new listing. The first listing marks nothing as new.
  void update(const std::vector<pipescope::PipeInfo>& pipes);
  /// The listed pipes, not those that vanished (the Connect dialog's names).
  [[nodiscard]] std::vector<pipescope::PipeInfo> present() const;

 private:
  struct Entry {
    pipescope::PipeInfo info;
    Mark mark = Mark::present;
  };
  std::vector<Entry> entries_;
  bool listedOnce_ = false;
};

}  // namespace pipescope::ui
