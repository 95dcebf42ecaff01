#include "models/clients_model.hpp"

#include <QBrush>
#include <QColor>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <utility>

#include "common/qt_text.hpp"

namespace pipescope::ui {

ClientsModel::ClientsModel(EndpointLookup lookup, QObject* parent)
    : QAbstractTableModel(parent), lookup_(std::move(lookup)) {}

int ClientsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int ClientsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString ClientsModel::peerText(const Row& row) const {
  if (row.kind == pipescope::EndpointKind::child) {
    QString text = row.childPid >= 0 ? tr("pid %1").arg(row.childPid) : QString();
    if (row.exitCode) {
      text += row.exitSignal != 0 ? tr(", killed by signal %1").arg(row.exitSignal)
                                  : tr(", exit code %1").arg(*row.exitCode);
    }
    return text;
  }
  if (row.peer.pid >= 0 && !row.peerUser.empty()) {
    return tr("server pid %1, user %2").arg(row.peer.pid).arg(displayText(row.peerUser));
  }
  if (row.peer.pid >= 0) {
    return tr("server pid %1").arg(row.peer.pid);
  }
  return {};
}

QVariant ClientsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Row& row = rows_[static_cast<std::size_t>(index.row())];
  const int column = index.column();
  switch (role) {
    case EndpointIdRole: return QVariant::fromValue<uint>(row.id);
    case StateRole: return static_cast<int>(row.state);
    case KindRole: return static_cast<int>(row.kind);
    case Qt::ForegroundRole:
      if (row.state == pipescope::EndpointState::closed) {
        return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
      }
      if (row.state == pipescope::EndpointState::connected && column == StateColumn) {
        return QBrush(QColor(0x27, 0xae, 0x60));
      }
      return {};
    case Qt::ToolTipRole:
      if (column == StateColumn && row.reason) {
        return tr("Reason: %1").arg(toQString(row.reason.message()));
      }
      if (column == PipeColumn) {
        return row.pipe;
      }
      return {};
    case Qt::TextAlignmentRole:
      if (column >= BytesInColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      }
      return {};
    case Qt::DisplayRole: break;
    default: return {};
  }
  if (column >= BytesInColumn) {
    const pipescope::Counters c = lookup_.counters ? lookup_.counters(row.id) : pipescope::Counters{};
    switch (column) {
      case BytesInColumn: return QVariant::fromValue<qulonglong>(c.bytes_in);
      case BytesOutColumn: return QVariant::fromValue<qulonglong>(c.bytes_out);
      case MessagesInColumn: return QVariant::fromValue<qulonglong>(c.messages_in);
      case MessagesOutColumn: return QVariant::fromValue<qulonglong>(c.messages_out);
      default: return {};
    }
  }
  switch (column) {
    case NameColumn: return row.label;
    case KindColumn: return kindText(row.kind);
    case PipeColumn: return row.pipe;
    case StateColumn: return stateText(row.state);
    case PeerColumn: return peerText(row);
    default: return {};
  }
}

QVariant ClientsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case NameColumn: return tr("Endpoint");
    case KindColumn: return tr("Kind");
    case PipeColumn: return tr("Pipe / command");
    case StateColumn: return tr("State");
    case PeerColumn: return tr("Peer / process");
    case BytesInColumn: return tr("Bytes in");
    case BytesOutColumn: return tr("Bytes out");
    case MessagesInColumn: return tr("Msgs in");
    case MessagesOutColumn: return tr("Msgs out");
    default: return {};
  }
}

QModelIndex ClientsModel::indexOfEndpoint(pipescope::EndpointId id) const {
  const int row = rowOf(id);
  return row < 0 ? QModelIndex() : index(row, 0);
}

int ClientsModel::rowOf(pipescope::EndpointId id) const {
  const auto it = std::find_if(rows_.begin(), rows_.end(), [id](const Row& r) { return r.id == id; });
  return it == rows_.end() ? -1 : static_cast<int>(it - rows_.begin());
}

ClientsModel::Row ClientsModel::makeRow(pipescope::EndpointId id, pipescope::EndpointKind kind) const {
  Row row;
  row.id = id;
  row.kind = kind;
  const auto info = lookup_.info ? lookup_.info(id) : std::nullopt;
  if (info) {
    row.label = shortLabel(info->label);
    row.pipe = displayText(info->pipe_name);
  }
  if (row.label.isEmpty()) {
    row.label = QStringLiteral("%1 %2").arg(kindText(kind)).arg(id);
  }
  return row;
}

void ClientsModel::onEvents(const EventBatch& batch) {
  // Changes to rows that already exist are applied at once; new endpoints are
  // collected and inserted with a single beginInsertRows at the end.
  std::vector<Row> added;
  const auto findRow = [&](pipescope::EndpointId id) -> Row* {
    if (const int r = rowOf(id); r >= 0) {
      return &rows_[static_cast<std::size_t>(r)];
    }
    const auto it = std::find_if(added.begin(), added.end(), [id](const Row& r) { return r.id == id; });
    return it == added.end() ? nullptr : &*it;
  };
  std::vector<int> changed;
  const auto touch = [&](pipescope::EndpointId id) {
    if (const int r = rowOf(id); r >= 0) {
      changed.push_back(r);
    }
  };
  for (const pipescope::Event& event : batch) {
    if (const auto* state = std::get_if<pipescope::StateChanged>(&event)) {
      if (state->kind == pipescope::EndpointKind::instance) {
        continue;
      }
      Row* row = findRow(state->endpoint);
      if (row == nullptr) {
        added.push_back(makeRow(state->endpoint, state->kind));
        row = &added.back();
      }
      row->state = state->state;
      row->reason = state->reason;
      if (state->state == pipescope::EndpointState::connected) {
        row->peer = state->peer;
      }
      touch(state->endpoint);
    } else if (const auto* identified = std::get_if<pipescope::PeerIdentified>(&event)) {
      // Instances are the servers pane's; an unknown id is one of them.
      if (Row* row = findRow(identified->endpoint)) {
        row->peerUser = identified->user;
        touch(identified->endpoint);
      }
    } else if (const auto* started = std::get_if<pipescope::ChildStarted>(&event)) {
      Row* row = findRow(started->endpoint);
      if (row == nullptr) {
        added.push_back(makeRow(started->endpoint, pipescope::EndpointKind::child));
        row = &added.back();
        row->state = pipescope::EndpointState::connected;
      }
      row->childPid = started->pid;
      if (row->pipe.isEmpty()) {
        row->pipe = displayText(started->command_line);
      }
      touch(started->endpoint);
    } else if (const auto* exited = std::get_if<pipescope::ChildExited>(&event)) {
      if (Row* row = findRow(exited->endpoint)) {
        row->exitCode = exited->exit_code;
        row->exitSignal = exited->signal;
        touch(exited->endpoint);
      }
    }
  }
  for (const int r : changed) {
    emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
  }
  if (!added.empty()) {
    const int first = static_cast<int>(rows_.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    std::move(added.begin(), added.end(), std::back_inserter(rows_));
    endInsertRows();
  }
}

void ClientsModel::refreshCounters() {
  if (!rows_.empty()) {
    emit dataChanged(index(0, BytesInColumn), index(static_cast<int>(rows_.size()) - 1, MessagesOutColumn),
                     {Qt::DisplayRole});
  }
}

}  // namespace pipescope::ui
