#include "session/endpoint_directory.hpp"

#include <algorithm>
#include <variant>

#include "common/qt_text.hpp"

namespace pipescope::ui {

EndpointDirectory::EndpointDirectory(EndpointLookup lookup, QObject* parent)
    : QAbstractListModel(parent), lookup_(std::move(lookup)) {}

int EndpointDirectory::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant EndpointDirectory::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const DirectoryEntry& entry = entries_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole:
      return entry.label;
    case Qt::ToolTipRole:
      return tr("%1: %2, %3").arg(entry.label, kindText(entry.kind), stateText(entry.state));
    case EndpointIdRole:
      return QVariant::fromValue<uint>(entry.id);
    case KindRole:
      return static_cast<int>(entry.kind);
    case StateRole:
      return static_cast<int>(entry.state);
    case ServerIdRole:
      return QVariant::fromValue<uint>(entry.server);
    case ConnectedRole:
      return entry.isConnected();
    default:
      return {};
  }
}

const DirectoryEntry* EndpointDirectory::find(pipescope::EndpointId id) const {
  const auto it = rows_.find(id);
  return it == rows_.end() ? nullptr : &entries_[static_cast<std::size_t>(it->second)];
}

QString EndpointDirectory::label(pipescope::EndpointId id) const {
  const DirectoryEntry* entry = find(id);
  return entry != nullptr ? entry->label : tr("endpoint %1").arg(id);
}

QString EndpointDirectory::engineLabel(pipescope::EndpointId id, const QString& fallback) const {
  if (lookup_.info) {
    if (const auto info = lookup_.info(id); info && !info->label.empty()) {
      return shortLabel(info->label);
    }
  }
  return fallback;
}

DirectoryEntry& EndpointDirectory::entryFor(pipescope::EndpointId id, std::vector<DirectoryEntry>& added,
                                            int& firstChanged, int& lastChanged) {
  if (const auto it = rows_.find(id); it != rows_.end()) {
    firstChanged = std::min(firstChanged, it->second);
    lastChanged = std::max(lastChanged, it->second);
    return entries_[static_cast<std::size_t>(it->second)];
  }
  // New in this batch: looked for among the batch's additions first, which
  // are inserted together at the end.
  const auto found = std::find_if(added.begin(), added.end(), [id](const DirectoryEntry& e) { return e.id == id; });
  if (found != added.end()) {
    return *found;
  }
  DirectoryEntry& entry = added.emplace_back();
  entry.id = id;
  return entry;
}

void EndpointDirectory::onEvents(const EventBatch& batch) {
  std::vector<DirectoryEntry> added;
  int firstChanged = static_cast<int>(entries_.size());
  int lastChanged = -1;
  for (const pipescope::Event& event : batch) {
    if (const auto* state = std::get_if<pipescope::StateChanged>(&event)) {
      DirectoryEntry& entry = entryFor(state->endpoint, added, firstChanged, lastChanged);
      if (entry.label.isEmpty()) {
        entry.label = engineLabel(state->endpoint, tr("endpoint %1").arg(state->endpoint));
      }
      entry.kind = state->kind;
      entry.state = state->state;
      entry.server = state->server;
    } else if (const auto* child = std::get_if<pipescope::ChildStarted>(&event)) {
      DirectoryEntry& entry = entryFor(child->endpoint, added, firstChanged, lastChanged);
      entry.kind = pipescope::EndpointKind::child;
      entry.state = pipescope::EndpointState::connected;
      entry.label = engineLabel(child->endpoint, tr("child %1").arg(child->pid));
    }
  }
  if (lastChanged >= firstChanged) {
    emit dataChanged(index(firstChanged), index(lastChanged));
  }
  if (!added.empty()) {
    const int first = static_cast<int>(entries_.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    for (DirectoryEntry& entry : added) {
      rows_.emplace(entry.id, static_cast<int>(entries_.size()));
      entries_.push_back(std::move(entry));
    }
    endInsertRows();
  }
  if (lastChanged >= firstChanged || !added.empty()) {
    emit changed();
  }
}

}  // namespace pipescope::ui
