#include "models/impersonation_model.hpp"

#include <QBrush>
#include <QColor>
#include <QStringList>

#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {
QString joinGroups(const std::vector<std::string>& groups) {
  QStringList list;
  for (const auto& group : groups) {
    list << displayText(group);
  }
  return list.join(QStringLiteral(", "));
}
}  // namespace

ImpersonationModel::ImpersonationModel(QObject* parent) : QAbstractTableModel(parent) {}

int ImpersonationModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int ImpersonationModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ImpersonationModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Row& row = rows_[static_cast<std::size_t>(index.row())];
  const pipescope::ImpersonationResult& r = row.result;
  if (role == Qt::ToolTipRole) {
    return describeRow(index.row());
  }
  if (role == Qt::ForegroundRole) {
    if (index.column() == ResultColumn) {
      return QBrush(r.impersonated ? QColor(0x27, 0xae, 0x60) : QColor(0xc0, 0x39, 0x2b));
    }
    if (index.column() == RevertedColumn && r.impersonated && !r.reverted) {
      return QBrush(QColor(0xc0, 0x39, 0x2b));
    }
    return {};
  }
  if (role != Qt::DisplayRole) {
    return {};
  }
  switch (index.column()) {
    case TimeColumn: return formatTime(row.timeNs);
    case InstanceColumn: return labeler_ ? labeler_(row.instance) : QString::number(row.instance);
    case ResultColumn:
      if (r.impersonated) {
        return tr("impersonated");
      }
      return r.error ? toQString(r.error->symbol_text()) : tr("failed");
    case UserColumn: return displayText(r.user);
    case SidColumn: return displayText(r.sid);
    case GroupsColumn: return joinGroups(r.groups);
    case LevelColumn: return toQString(r.level);
    case IntegrityColumn: return toQString(r.integrity_level);
    case ProbeColumn:
      if (r.probe_path.empty()) {
        return {};
      }
      if (r.probe_granted.value_or(false)) {
        return tr("%1: granted").arg(displayText(r.probe_path));
      }
      return tr("%1: denied%2")
          .arg(displayText(r.probe_path), r.probe_error ? QStringLiteral(" (%1)").arg(toQString(r.probe_error->symbol_text()))
                                                      : QString());
    case RevertedColumn:
      if (!r.impersonated) {
        return {};
      }
      return r.reverted ? tr("yes") : tr("NO");
    case NotesColumn: return displayText(r.notes);
    default: return {};
  }
}

QVariant ImpersonationModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case TimeColumn: return tr("Time");
    case InstanceColumn: return tr("Instance");
    case ResultColumn: return tr("Result");
    case UserColumn: return tr("User");
    case SidColumn: return tr("SID / uid");
    case GroupsColumn: return tr("Groups");
    case LevelColumn: return tr("Level");
    case IntegrityColumn: return tr("Integrity");
    case ProbeColumn: return tr("Probe");
    case RevertedColumn: return tr("Reverted");
    case NotesColumn: return tr("Notes");
    default: return {};
  }
}

QString ImpersonationModel::describeRow(int rowNumber) const {
  if (rowNumber < 0 || rowNumber >= static_cast<int>(rows_.size())) {
    return {};
  }
  const Row& row = rows_[static_cast<std::size_t>(rowNumber)];
  const pipescope::ImpersonationResult& r = row.result;
  QStringList lines;
  // The instance by the name its row shows ("sec #1"), not by its number.
  const QString instance = labeler_ ? labeler_(row.instance) : tr("Instance %1").arg(row.instance);
  lines << tr("%1 at %2").arg(instance, formatTime(row.timeNs));
  if (r.impersonated) {
    lines << tr("The server took on the client's identity: %1 (%2).").arg(displayText(r.user), displayText(r.sid));
  } else if (r.error) {
    lines << tr("Impersonation failed: %1").arg(errorDetails(*r.error));
  }
  if (!r.groups.empty()) {
    lines << tr("Groups: %1").arg(joinGroups(r.groups));
  }
  if (!r.level.empty()) {
    lines << tr("Level: %1").arg(toQString(r.level));
  }
  if (!r.integrity_level.empty()) {
    lines << tr("Integrity level: %1").arg(toQString(r.integrity_level));
  }
  if (!r.probe_path.empty()) {
    lines << tr("Probe %1 opened as the client: %2")
                 .arg(displayText(r.probe_path), r.probe_granted.value_or(false) ? tr("granted") : tr("denied"));
    if (r.probe_error) {
      // The engine's explanations are about pipes (an access-denied one
      // speaks of the pipe's security and FILE_FLAG_FIRST_PIPE_INSTANCE);
      // the probe opened a file, so it is explained as file access.
      lines << displayText(r.probe_error->summary());
      if (r.probe_error->errc() == pipescope::Errc::access_denied) {
        lines << tr("The file's permissions (its DACL on Windows, its mode and owner on POSIX) do not let the "
                    "client's identity open it for reading: a server that impersonates this client cannot read it "
                    "either, which is what the probe shows.");
      }
    }
  }
  if (r.impersonated) {
    lines << (r.reverted ? tr("Reverted to the server's own identity.")
                         : tr("WARNING: reverting to the server's own identity failed."));
  }
  if (!r.notes.empty()) {
    lines << displayText(r.notes);
  }
  return lines.join(QLatin1Char('\n'));
}

void ImpersonationModel::onEvents(const EventBatch& batch) {
  std::vector<Row> added;
  for (const pipescope::Event& event : batch) {
    if (const auto* imp = std::get_if<pipescope::Impersonated>(&event)) {
      added.push_back(Row{pipescope::MessageLog::now_ns(), imp->endpoint, imp->result});
    }
  }
  if (added.empty()) {
    return;
  }
  const int first = static_cast<int>(rows_.size());
  beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
  std::move(added.begin(), added.end(), std::back_inserter(rows_));
  endInsertRows();
}

}  // namespace pipescope::ui
