// The message log as a table: one row per log record, in log order.
//
// Rows hold nothing but their number: every cell is built in data() from the
// engine's MessageLog, so only the rows a view shows are ever formatted
// (Wireshark's lesson). New records arrive with one beginInsertRows per batch.
#pragma once

#include <QAbstractTableModel>
#include <QFont>
#include <QHash>
#include <QString>

#include "session/engine_bridge.hpp"
#include "pipescope/log.hpp"

namespace pipescope::ui {

class MessageLogModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { NumberColumn, TimeColumn, EndpointColumn, DirectionColumn, LengthColumn, FlagsColumn, PreviewColumn,
                ColumnCount };
  enum Role {
    LogRowRole = Qt::UserRole + 1,  ///< std::uint64_t (as qulonglong): the record's row in the log
    EndpointIdRole,                 ///< uint
    DirectionRole,                  ///< int: 0 = in, 1 = out
    FlagsRole,                      ///< int: record_flags
  };

  explicit MessageLogModel(const pipescope::MessageLog& log, QObject* parent = nullptr);

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  [[nodiscard]] const pipescope::MessageLog& log() const noexcept { return log_; }
  /// The endpoint's short label ("demo #2"), or "#id" if the log does not know it.
  [[nodiscard]] QString endpointLabel(pipescope::EndpointId id) const;

 public slots:
  /// Shows the records the log gained since the last call, in one insertion.
  void catchUp();
  /// For the bridge: one batch, at most one insertion.
  void onEvents(const pipescope::ui::EventBatch& batch);
  /// After the log was cleared or replaced (load): starts over.
  void reload();

 private:
  const pipescope::MessageLog& log_;
  /// Looked up once: data() is asked for it for every visible preview cell.
  QFont previewFont_;
  int rows_ = 0;
  mutable QHash<pipescope::EndpointId, QString> labels_;
};

}  // namespace pipescope::ui
