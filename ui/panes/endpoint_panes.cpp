#include "panes/endpoint_panes.hpp"

#include "models/clients_model.hpp"
#include "models/pipes_model.hpp"
#include "models/servers_model.hpp"
#include "views/table_setup.hpp"

namespace pipescope::ui {

PipesPane::PipesPane(PipesModel* model, QWidget* parent) : QTableView(parent) {
  setObjectName(QStringLiteral("pipesView"));
  setModel(model);
  setupLiveTable(this);
  setColumnWidth(PipesModel::NameColumn, 200);
  connect(this, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
    emit connectRequested(index.siblingAtColumn(0).data(PipesModel::NameRole).toString());
  });
}

ServersPane::ServersPane(ServersModel* model, QWidget* parent) : QTreeView(parent) {
  setObjectName(QStringLiteral("serversView"));
  setModel(model);
  setUniformRowHeights(true);
  setAlternatingRowColors(true);
  setContextMenuPolicy(Qt::ActionsContextMenu);
  setColumnWidth(ServersModel::NameColumn, 190);
  setColumnWidth(ServersModel::StateColumn, 150);
  // A new server or instance is shown at once, not folded away.
  connect(model, &QAbstractItemModel::rowsInserted, this,
          [this](const QModelIndex& parent) { expand(parent.isValid() ? parent : QModelIndex()); });
  connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    emit endpointSelected(current.data(ServersModel::EndpointIdRole).toUInt(),
                          current.data(ServersModel::ServerIdRole).toUInt());
  });
}

ClientsPane::ClientsPane(ClientsModel* model, QWidget* parent) : QTableView(parent) {
  setObjectName(QStringLiteral("clientsView"));
  setModel(model);
  setupLiveTable(this);
  setContextMenuPolicy(Qt::ActionsContextMenu);
  connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    emit endpointSelected(current.data(ClientsModel::EndpointIdRole).toUInt(), 0);
  });
}

}  // namespace pipescope::ui
