// Our servers and their instances as a tree: servers at the top, each with
// its instances below (state, the client's pid and user, counters).
#pragma once

#include <QAbstractItemModel>
#include <QString>

#include <system_error>
#include <vector>

#include "models/endpoint_lookup.hpp"
#include "session/engine_bridge.hpp"

namespace pipescope::ui {

class ServersModel final : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum Column { NameColumn, StateColumn, PeerPidColumn, PeerUserColumn, BytesInColumn, BytesOutColumn,
                MessagesInColumn, MessagesOutColumn, ColumnCount };
  enum Role {
    ServerIdRole = Qt::UserRole + 1,  ///< uint: the server (for instances: their server)
    EndpointIdRole,                   ///< uint: the instance, 0 on server rows
    StateRole,                        ///< int: EndpointState of an instance
  };

  explicit ServersModel(EndpointLookup lookup, QObject* parent = nullptr);

  [[nodiscard]] QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  [[nodiscard]] QModelIndex parent(const QModelIndex& child) const override;
  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  /// The index of an instance's row (column 0), invalid if unknown.
  [[nodiscard]] QModelIndex indexOfInstance(pipescope::EndpointId instance) const;
  [[nodiscard]] QModelIndex indexOfServer(pipescope::ServerId server) const;

 public slots:
  void onEvents(const pipescope::ui::EventBatch& batch);
  /// Re-reads every counter (dataChanged only, no structural change).
  void refreshCounters();

 private:
  struct Instance {
    pipescope::EndpointId id = 0;
    pipescope::EndpointState state = pipescope::EndpointState::listening;
    pipescope::PeerInfo peer;
    std::string peerUser;  ///< from PeerIdentified; kept as sent, escaped when shown
    std::error_code reason;
    QString label;
  };
  struct Server {
    pipescope::ServerId id = 0;
    QString name;
    QString osPath;
    bool stopped = false;
    std::vector<Instance> instances;
  };

  /// Inserts the servers and instances a batch brings, before its events
  /// are applied: one beginInsertRows for the new servers and one per server
  /// for its new instances.
  void insertNewRows(const EventBatch& batch);
  [[nodiscard]] Instance makeInstance(const pipescope::StateChanged& event) const;
  void serverStarted(const pipescope::ServerStarted& event);
  void serverStopped(const pipescope::ServerStopped& event);
  void instanceChanged(const pipescope::StateChanged& event);
  void peerIdentified(const pipescope::PeerIdentified& event);
  int serverRow(pipescope::ServerId id) const;
  [[nodiscard]] QVariant serverData(const Server& server, int column, int role) const;
  [[nodiscard]] QVariant instanceData(const Instance& instance, int column, int role) const;
  [[nodiscard]] pipescope::Counters serverTotals(const Server& server) const;

  EndpointLookup lookup_;
  std::vector<Server> servers_;
};

}  // namespace pipescope::ui
