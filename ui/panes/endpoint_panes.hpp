// The left-hand panes: the pipes this machine has, the session's servers
// with their instances, and its clients and children. Each says which
// endpoint the person picked; the window's actions act on it.
#pragma once

#include <QTableView>
#include <QTreeView>

#include "pipescope/endpoint.hpp"

namespace pipescope::ui {

class ClientsModel;
class PipesModel;
class ServersModel;

class PipesPane final : public QTableView {
  Q_OBJECT

 public:
  explicit PipesPane(PipesModel* model, QWidget* parent = nullptr);

 signals:
  /// A pipe was double-clicked: connect a client to it.
  void connectRequested(const QString& pipeName);
};

class ServersPane final : public QTreeView {
  Q_OBJECT

 public:
  explicit ServersPane(ServersModel* model, QWidget* parent = nullptr);

 signals:
  /// The current row: an instance (endpoint and its server) or a server
  /// alone (endpoint 0).
  void endpointSelected(pipescope::EndpointId endpoint, pipescope::ServerId server);
};

class ClientsPane final : public QTableView {
  Q_OBJECT

 public:
  explicit ClientsPane(ClientsModel* model, QWidget* parent = nullptr);

 signals:
  /// The current row's client or child (server 0).
  void endpointSelected(pipescope::EndpointId endpoint, pipescope::ServerId server);
};

}  // namespace pipescope::ui
