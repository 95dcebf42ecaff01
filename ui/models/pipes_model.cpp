#include "models/pipes_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QStringList>

#include <algorithm>
#include <unordered_map>

#include "common/qt_text.hpp"

namespace pipescope::ui {

PipesModel::PipesModel(QObject* parent) : QAbstractTableModel(parent) {}

int PipesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

int PipesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PipesModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Entry& entry = entries_[static_cast<std::size_t>(index.row())];
  const pipescope::PipeInfo& pipe = entry.info;
  switch (role) {
    case MarkRole: return static_cast<int>(entry.mark);
    case NameRole: return toQString(pipe.name);
    case Qt::BackgroundRole:
      if (entry.mark == Mark::appeared) {
        return QBrush(QColor(0x27, 0xae, 0x60, 60));
      }
      if (entry.mark == Mark::vanished) {
        return QBrush(QColor(0xc0, 0x39, 0x2b, 60));
      }
      return {};
    case Qt::FontRole:
      if (entry.mark == Mark::vanished) {
        QFont font;
        font.setStrikeOut(true);
        return font;
      }
      return {};
    case Qt::ToolTipRole:
      if (entry.mark == Mark::appeared) {
        return tr("Appeared since the previous refresh.");
      }
      if (entry.mark == Mark::vanished) {
        return tr("Gone since the previous refresh: its server closed the last instance.");
      }
      return tr("Double-click to connect a client.");
    case Qt::DisplayRole: break;
    default: return {};
  }
  switch (index.column()) {
    // Names and paths of other users' sockets: shown escaped, never obeyed.
    case NameColumn: return displayText(pipe.name);
    case InstancesColumn: {
      const QString current = pipe.current_instances >= 0 ? QString::number(pipe.current_instances) : tr("?");
      QString max = tr("?");
      if (pipe.max_instances == 255) {
        max = tr("unlimited");
      } else if (pipe.max_instances >= 0) {
        max = QString::number(pipe.max_instances);
      }
      return tr("%1 / %2").arg(current, max);
    }
    case TypeColumn: return pipe.type.empty() ? tr("?") : toQString(pipe.type);
    case ServerPidsColumn: {
      QStringList pids;
      for (const auto pid : pipe.server_pids) {
        pids << QString::number(pid);
      }
      return pids.join(QStringLiteral(", "));
    }
    case OsPathColumn: return displayText(pipe.os_path);
    default: return {};
  }
}

QVariant PipesModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case NameColumn: return tr("Pipe");
    case InstancesColumn: return tr("Instances");
    case TypeColumn: return tr("Type");
    case ServerPidsColumn: return tr("Server PIDs");
    case OsPathColumn: return tr("OS path");
    default: return {};
  }
}

void PipesModel::update(const std::vector<pipescope::PipeInfo>& pipes) {
  std::unordered_map<std::string, const pipescope::PipeInfo*> incoming;
  for (const auto& pipe : pipes) {
    incoming.emplace(pipe.name, &pipe);
  }
  // Rows that were already marked vanished leave now; remove from the end so
  // the row numbers of the rest stay valid while we go.
  for (int row = static_cast<int>(entries_.size()) - 1; row >= 0; --row) {
    const Entry& entry = entries_[static_cast<std::size_t>(row)];
    if (entry.mark == Mark::vanished && incoming.find(entry.info.name) == incoming.end()) {
      beginRemoveRows({}, row, row);
      entries_.erase(entries_.begin() + row);
      endRemoveRows();
    }
  }
  for (std::size_t row = 0; row < entries_.size(); ++row) {
    Entry& entry = entries_[row];
    const auto found = incoming.find(entry.info.name);
    if (found == incoming.end()) {
      entry.mark = Mark::vanished;
    } else {
      entry.info = *found->second;
      entry.mark = Mark::present;
      incoming.erase(found);
    }
  }
  if (!entries_.empty()) {
    emit dataChanged(index(0, 0), index(static_cast<int>(entries_.size()) - 1, ColumnCount - 1));
  }
  std::vector<Entry> added;
  for (const auto& pipe : pipes) {
    if (incoming.find(pipe.name) != incoming.end()) {
      added.push_back(Entry{pipe, listedOnce_ ? Mark::appeared : Mark::present});
      incoming.erase(pipe.name);
    }
  }
  if (!added.empty()) {
    const int first = static_cast<int>(entries_.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    std::move(added.begin(), added.end(), std::back_inserter(entries_));
    endInsertRows();
  }
  listedOnce_ = true;
}

std::vector<pipescope::PipeInfo> PipesModel::present() const {
  std::vector<pipescope::PipeInfo> pipes;
  for (const Entry& entry : entries_) {
    if (entry.mark != Mark::vanished) pipes.push_back(entry.info);
  }
  return pipes;
}

}  // namespace pipescope::ui
