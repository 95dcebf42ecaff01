#include "models/servers_model.hpp"

#include <QBrush>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <iterator>
#include <utility>

#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {
// Instance rows carry their server's id as internal id; server rows carry 0.
// Server ids are stable and never 0, so a row that moves keeps a valid parent.
constexpr quintptr kTopLevel = 0;

QVariant counterCell(std::uint64_t value, int role) {
  if (role == Qt::DisplayRole) {
    return QVariant::fromValue<qulonglong>(value);
  }
  if (role == Qt::TextAlignmentRole) {
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}
}  // namespace

ServersModel::ServersModel(EndpointLookup lookup, QObject* parent)
    : QAbstractItemModel(parent), lookup_(std::move(lookup)) {}

QModelIndex ServersModel::index(int row, int column, const QModelIndex& parent) const {
  if (row < 0 || column < 0 || column >= ColumnCount) {
    return {};
  }
  if (!parent.isValid()) {
    return row < static_cast<int>(servers_.size()) ? createIndex(row, column, kTopLevel) : QModelIndex();
  }
  if (parent.internalId() != kTopLevel || parent.row() >= static_cast<int>(servers_.size())) {
    return {};
  }
  const Server& server = servers_[static_cast<std::size_t>(parent.row())];
  if (row >= static_cast<int>(server.instances.size())) {
    return {};
  }
  return createIndex(row, column, static_cast<quintptr>(server.id));
}

QModelIndex ServersModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || child.internalId() == kTopLevel) {
    return {};
  }
  const int row = serverRow(static_cast<pipescope::ServerId>(child.internalId()));
  return row < 0 ? QModelIndex() : createIndex(row, 0, kTopLevel);
}

int ServersModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) {
    return static_cast<int>(servers_.size());
  }
  if (parent.column() != 0 || parent.internalId() != kTopLevel) {
    return 0;
  }
  return static_cast<int>(servers_[static_cast<std::size_t>(parent.row())].instances.size());
}

int ServersModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant ServersModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
    return {};
  }
  if (index.internalId() == kTopLevel) {
    return serverData(servers_[static_cast<std::size_t>(index.row())], index.column(), role);
  }
  const int row = serverRow(static_cast<pipescope::ServerId>(index.internalId()));
  if (row < 0) {
    return {};
  }
  const Server& server = servers_[static_cast<std::size_t>(row)];
  if (role == ServerIdRole) {
    return QVariant::fromValue<uint>(server.id);
  }
  return instanceData(server.instances[static_cast<std::size_t>(index.row())], index.column(), role);
}

QVariant ServersModel::serverData(const Server& server, int column, int role) const {
  switch (role) {
    case ServerIdRole: return QVariant::fromValue<uint>(server.id);
    case EndpointIdRole: return QVariant::fromValue<uint>(0);
    case Qt::FontRole: {
      QFont font;
      font.setBold(!server.stopped);
      return font;
    }
    case Qt::ForegroundRole:
      if (server.stopped) {
        return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
      }
      return {};
    case Qt::ToolTipRole: return tr("%1\nOS path: %2").arg(server.name, server.osPath);
    default: break;
  }
  const auto totals = [&] { return serverTotals(server); };
  switch (column) {
    case NameColumn: return role == Qt::DisplayRole ? server.name : QVariant();
    case StateColumn:
      if (role != Qt::DisplayRole) {
        return {};
      }
      if (server.stopped) {
        return tr("stopped");
      }
      {
        // Instances that were closed stay listed (their rows keep what they
        // did) but are no longer the server's: a max-2 server with one
        // closed and two new once read "serving, 3 instance(s)".
        const auto open = std::count_if(server.instances.begin(), server.instances.end(), [](const Instance& i) {
          return i.state != pipescope::EndpointState::closed;
        });
        return tr("serving, %n instance(s)", nullptr, static_cast<int>(open));
      }
    case BytesInColumn: return counterCell(totals().bytes_in, role);
    case BytesOutColumn: return counterCell(totals().bytes_out, role);
    case MessagesInColumn: return counterCell(totals().messages_in, role);
    case MessagesOutColumn: return counterCell(totals().messages_out, role);
    default: return {};
  }
}

QVariant ServersModel::instanceData(const Instance& instance, int column, int role) const {
  switch (role) {
    case EndpointIdRole: return QVariant::fromValue<uint>(instance.id);
    case StateRole: return static_cast<int>(instance.state);
    case Qt::ForegroundRole:
      if (instance.state == pipescope::EndpointState::closed) {
        return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
      }
      if (instance.state == pipescope::EndpointState::connected && column == StateColumn) {
        return QBrush(QColor(0x27, 0xae, 0x60));
      }
      return {};
    case Qt::ToolTipRole:
      if (column == StateColumn && instance.reason) {
        return tr("Reason: %1").arg(toQString(instance.reason.message()));
      }
      if (column == PeerUserColumn || column == PeerPidColumn) {
        return tr("Reported by the OS for the connected client (SO_PEERCRED / GetNamedPipeClientProcessId): "
                  "pid %1, uid %2, gid %3")
            .arg(instance.peer.pid)
            .arg(instance.peer.uid)
            .arg(instance.peer.gid);
      }
      return {};
    default: break;
  }
  if (column >= BytesInColumn) {
    const pipescope::Counters counters = lookup_.counters ? lookup_.counters(instance.id) : pipescope::Counters{};
    switch (column) {
      case BytesInColumn: return counterCell(counters.bytes_in, role);
      case BytesOutColumn: return counterCell(counters.bytes_out, role);
      case MessagesInColumn: return counterCell(counters.messages_in, role);
      case MessagesOutColumn: return counterCell(counters.messages_out, role);
      default: return {};
    }
  }
  if (role != Qt::DisplayRole) {
    return {};
  }
  switch (column) {
    case NameColumn: return instance.label;
    case StateColumn: return stateText(instance.state);
    case PeerPidColumn: return instance.peer.pid >= 0 ? QVariant::fromValue<qlonglong>(instance.peer.pid) : QVariant();
    case PeerUserColumn:
      if (!instance.peerUser.empty()) {
        return displayText(instance.peerUser);
      }
      return instance.peer.uid >= 0 ? tr("uid %1").arg(instance.peer.uid) : QVariant();
    default: return {};
  }
}

pipescope::Counters ServersModel::serverTotals(const Server& server) const {
  pipescope::Counters sum;
  if (!lookup_.counters) {
    return sum;
  }
  for (const Instance& instance : server.instances) {
    const pipescope::Counters c = lookup_.counters(instance.id);
    sum.bytes_in += c.bytes_in;
    sum.bytes_out += c.bytes_out;
    sum.messages_in += c.messages_in;
    sum.messages_out += c.messages_out;
  }
  return sum;
}

QVariant ServersModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractItemModel::headerData(section, orientation, role);
  }
  switch (section) {
    case NameColumn: return tr("Server / instance");
    case StateColumn: return tr("State");
    case PeerPidColumn: return tr("Client PID");
    case PeerUserColumn: return tr("Client user");
    case BytesInColumn: return tr("Bytes in");
    case BytesOutColumn: return tr("Bytes out");
    case MessagesInColumn: return tr("Msgs in");
    case MessagesOutColumn: return tr("Msgs out");
    default: return {};
  }
}

QModelIndex ServersModel::indexOfInstance(pipescope::EndpointId instance) const {
  for (std::size_t s = 0; s < servers_.size(); ++s) {
    const auto& instances = servers_[s].instances;
    for (std::size_t i = 0; i < instances.size(); ++i) {
      if (instances[i].id == instance) {
        return createIndex(static_cast<int>(i), 0, static_cast<quintptr>(servers_[s].id));
      }
    }
  }
  return {};
}

QModelIndex ServersModel::indexOfServer(pipescope::ServerId server) const {
  const int row = serverRow(server);
  return row < 0 ? QModelIndex() : createIndex(row, 0, kTopLevel);
}

int ServersModel::serverRow(pipescope::ServerId id) const {
  const auto it = std::find_if(servers_.begin(), servers_.end(), [id](const Server& s) { return s.id == id; });
  return it == servers_.end() ? -1 : static_cast<int>(it - servers_.begin());
}

void ServersModel::serverStarted(const pipescope::ServerStarted& event) {
  const int row = serverRow(event.server);  // inserted by insertNewRows()
  if (row < 0) {
    return;
  }
  Server& server = servers_[static_cast<std::size_t>(row)];
  server.name = displayText(event.name);
  server.osPath = displayText(event.os_path);
  server.stopped = false;
  emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ServersModel::serverStopped(const pipescope::ServerStopped& event) {
  const int row = serverRow(event.server);
  if (row < 0) {
    return;
  }
  servers_[static_cast<std::size_t>(row)].stopped = true;
  emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

ServersModel::Instance ServersModel::makeInstance(const pipescope::StateChanged& event) const {
  Instance instance;
  instance.id = event.endpoint;
  instance.state = event.state;
  instance.peer = event.peer;
  instance.reason = event.reason;
  const auto info = lookup_.info ? lookup_.info(event.endpoint) : std::nullopt;
  instance.label = info && !info->label.empty() ? shortLabel(info->label) : tr("instance %1").arg(event.endpoint);
  return instance;
}

void ServersModel::instanceChanged(const pipescope::StateChanged& event) {
  const int row = serverRow(event.server);  // inserted by insertNewRows(), as is the instance
  if (row < 0) {
    return;
  }
  Server& server = servers_[static_cast<std::size_t>(row)];
  const auto it = std::find_if(server.instances.begin(), server.instances.end(),
                               [&](const Instance& i) { return i.id == event.endpoint; });
  if (it == server.instances.end()) {
    return;
  }
  it->state = event.state;
  it->reason = event.reason;
  if (event.state == pipescope::EndpointState::connected) {
    it->peer = event.peer;
    // A new client of a reused instance: the last client's name is not its.
    it->peerUser.clear();
  }
  const QModelIndex serverIndex = index(row, 0);
  const int instanceRow = static_cast<int>(it - server.instances.begin());
  emit dataChanged(index(instanceRow, 0, serverIndex), index(instanceRow, ColumnCount - 1, serverIndex));
  // The server's row sums up its instances' states.
  emit dataChanged(index(row, StateColumn), index(row, StateColumn));
}

void ServersModel::peerIdentified(const pipescope::PeerIdentified& event) {
  for (std::size_t row = 0; row < servers_.size(); ++row) {
    auto& instances = servers_[row].instances;
    const auto it = std::find_if(instances.begin(), instances.end(),
                                 [&](const Instance& i) { return i.id == event.endpoint; });
    if (it == instances.end()) {
      continue;
    }
    it->peerUser = event.user;
    const int instanceRow = static_cast<int>(it - instances.begin());
    const QModelIndex serverIndex = index(static_cast<int>(row), 0);
    emit dataChanged(index(instanceRow, PeerUserColumn, serverIndex), index(instanceRow, PeerUserColumn, serverIndex));
    return;
  }
}

void ServersModel::insertNewRows(const EventBatch& batch) {
  // A hundred clients connecting at once arrive as one batch; inserting
  // their instances one by one would make every view lay itself out a
  // hundred times.
  std::vector<pipescope::ServerId> newServers;
  std::vector<std::pair<pipescope::ServerId, std::vector<Instance>>> newInstances;  // in order of arrival
  const auto known = [this](pipescope::ServerId server, pipescope::EndpointId instance) {
    const int row = serverRow(server);
    if (row < 0) {
      return false;
    }
    const auto& instances = servers_[static_cast<std::size_t>(row)].instances;
    return std::any_of(instances.begin(), instances.end(), [&](const Instance& i) { return i.id == instance; });
  };
  for (const pipescope::Event& event : batch) {
    const auto* started = std::get_if<pipescope::ServerStarted>(&event);
    const auto* changed = std::get_if<pipescope::StateChanged>(&event);
    if (changed != nullptr && changed->kind != pipescope::EndpointKind::instance) {
      changed = nullptr;
    }
    if (started == nullptr && changed == nullptr) {
      continue;
    }
    const pipescope::ServerId server = started != nullptr ? started->server : changed->server;
    if (serverRow(server) < 0 && std::find(newServers.begin(), newServers.end(), server) == newServers.end()) {
      newServers.push_back(server);
    }
    if (changed == nullptr || known(server, changed->endpoint)) {
      continue;
    }
    auto group = std::find_if(newInstances.begin(), newInstances.end(),
                              [&](const auto& entry) { return entry.first == server; });
    if (group == newInstances.end()) {
      group = newInstances.insert(newInstances.end(), {server, {}});
    }
    auto& instances = group->second;
    if (std::none_of(instances.begin(), instances.end(),
                     [&](const Instance& i) { return i.id == changed->endpoint; })) {
      instances.push_back(makeInstance(*changed));
    }
  }

  if (!newServers.empty()) {
    const int first = static_cast<int>(servers_.size());
    beginInsertRows({}, first, first + static_cast<int>(newServers.size()) - 1);
    for (pipescope::ServerId id : newServers) {
      Server server;
      server.id = id;
      server.name = tr("server %1").arg(id);
      servers_.push_back(std::move(server));
    }
    endInsertRows();
  }
  for (auto& [serverId, instances] : newInstances) {
    const int row = serverRow(serverId);
    auto& rows = servers_[static_cast<std::size_t>(row)].instances;
    const int first = static_cast<int>(rows.size());
    beginInsertRows(index(row, 0), first, first + static_cast<int>(instances.size()) - 1);
    std::move(instances.begin(), instances.end(), std::back_inserter(rows));
    endInsertRows();
    emit dataChanged(index(row, StateColumn), index(row, StateColumn));
  }
}

void ServersModel::onEvents(const EventBatch& batch) {
  insertNewRows(batch);
  // Then every event in order, as an update of rows that now exist.
  for (const pipescope::Event& event : batch) {
    if (const auto* started = std::get_if<pipescope::ServerStarted>(&event)) {
      serverStarted(*started);
    } else if (const auto* stopped = std::get_if<pipescope::ServerStopped>(&event)) {
      serverStopped(*stopped);
    } else if (const auto* changed = std::get_if<pipescope::StateChanged>(&event)) {
      if (changed->kind == pipescope::EndpointKind::instance) {
        instanceChanged(*changed);
      }
    } else if (const auto* identified = std::get_if<pipescope::PeerIdentified>(&event)) {
      peerIdentified(*identified);
    }
  }
}

void ServersModel::refreshCounters() {
  const int servers = static_cast<int>(servers_.size());
  if (servers == 0) {
    return;
  }
  emit dataChanged(index(0, BytesInColumn), index(servers - 1, MessagesOutColumn), {Qt::DisplayRole});
  for (int row = 0; row < servers; ++row) {
    const int instances = static_cast<int>(servers_[static_cast<std::size_t>(row)].instances.size());
    if (instances > 0) {
      const QModelIndex parent = index(row, 0);
      emit dataChanged(index(0, BytesInColumn, parent), index(instances - 1, MessagesOutColumn, parent),
                       {Qt::DisplayRole});
    }
  }
}

}  // namespace pipescope::ui
