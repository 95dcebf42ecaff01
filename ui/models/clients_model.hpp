// Our client connections and child processes, one row each, with their
// state and counters. Rows stay after an endpoint closed (greyed) so its
// totals remain visible; the log keeps every byte either way.
#pragma once

#include <QAbstractTableModel>
#include <QString>

#include <optional>
#include <system_error>
#include <vector>

#include "models/endpoint_lookup.hpp"
#include "session/engine_bridge.hpp"

namespace pipescope::ui {

class ClientsModel final : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { NameColumn, KindColumn, PipeColumn, StateColumn, PeerColumn, BytesInColumn, BytesOutColumn,
                MessagesInColumn, MessagesOutColumn, ColumnCount };
  enum Role { EndpointIdRole = Qt::UserRole + 1, StateRole, KindRole };

  explicit ClientsModel(EndpointLookup lookup, QObject* parent = nullptr);

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  [[nodiscard]] QModelIndex indexOfEndpoint(pipescope::EndpointId id) const;

 public slots:
  /// New endpoints of one batch are inserted together.
  void onEvents(const pipescope::ui::EventBatch& batch);
  void refreshCounters();

 private:
  struct Row {
    pipescope::EndpointId id = 0;
    pipescope::EndpointKind kind = pipescope::EndpointKind::client;
    pipescope::EndpointState state = pipescope::EndpointState::connecting;
    pipescope::PeerInfo peer;
    std::string peerUser;  ///< from PeerIdentified; kept as sent, escaped when shown
    std::error_code reason;
    QString label;
    QString pipe;
    std::int64_t childPid = -1;
    std::optional<int> exitCode;
    int exitSignal = 0;
  };
  int rowOf(pipescope::EndpointId id) const;
  Row makeRow(pipescope::EndpointId id, pipescope::EndpointKind kind) const;
  [[nodiscard]] QString peerText(const Row& row) const;

  EndpointLookup lookup_;
  std::vector<Row> rows_;
};

}  // namespace pipescope::ui
