// Every endpoint the session has seen, in the order they appeared: the one
// table the send targets, the log's endpoint filter, the plot's series names
// and the actions' enabled states all read, fed by the engine's events.
#pragma once

#include <QAbstractListModel>
#include <QString>

#include <unordered_map>
#include <vector>

#include "models/endpoint_lookup.hpp"
#include "pipescope/endpoint.hpp"
#include "session/engine_bridge.hpp"

namespace pipescope::ui {

struct DirectoryEntry {
  pipescope::EndpointId id = 0;
  pipescope::EndpointKind kind = pipescope::EndpointKind::instance;
  pipescope::EndpointState state = pipescope::EndpointState::listening;
  pipescope::ServerId server = 0;
  QString label;

  /// Open: bytes may still be sent or the endpoint disconnected.
  [[nodiscard]] bool isLive() const noexcept { return state != pipescope::EndpointState::closed; }
  [[nodiscard]] bool isConnected() const noexcept { return state == pipescope::EndpointState::connected; }
};

class EndpointDirectory final : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role {
    EndpointIdRole = Qt::UserRole + 1,
    KindRole,
    StateRole,
    ServerIdRole,
    ConnectedRole,
  };

  /// `lookup.info` names the endpoints (its label); it may be empty.
  explicit EndpointDirectory(EndpointLookup lookup, QObject* parent = nullptr);

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role) const override;

  /// The entry of `id`, or nullptr before its first event.
  [[nodiscard]] const DirectoryEntry* find(pipescope::EndpointId id) const;
  /// The entry's label, or "endpoint N" for one not seen yet.
  [[nodiscard]] QString label(pipescope::EndpointId id) const;
  [[nodiscard]] const std::vector<DirectoryEntry>& entries() const noexcept { return entries_; }

 public slots:
  /// Takes in the batch's state changes and child starts: new endpoints are
  /// inserted with one beginInsertRows, changed ones reported with one
  /// dataChanged, and `changed` is emitted once if anything changed.
  void onEvents(const pipescope::ui::EventBatch& batch);

 signals:
  /// An endpoint appeared or changed state in the last batch.
  void changed();

 private:
  /// The entry of `id`, appended to `added` if it is new.
  DirectoryEntry& entryFor(pipescope::EndpointId id, std::vector<DirectoryEntry>& added, int& firstChanged,
                           int& lastChanged);
  [[nodiscard]] QString engineLabel(pipescope::EndpointId id, const QString& fallback) const;

  EndpointLookup lookup_;
  std::vector<DirectoryEntry> entries_;
  std::unordered_map<pipescope::EndpointId, int> rows_;
};

}  // namespace pipescope::ui
