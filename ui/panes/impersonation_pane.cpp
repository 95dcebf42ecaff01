#include "panes/impersonation_pane.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "models/impersonation_model.hpp"
#include "views/table_setup.hpp"

namespace pipescope::ui {

ImpersonationPane::ImpersonationPane(ImpersonationModel* model, QWidget* parent) : QWidget(parent) {
  view_ = new QTableView(this);
  view_->setObjectName(QStringLiteral("impersonationView"));
  view_->setModel(model);
  setupLiveTable(view_);
  probePath_ = new QLineEdit(this);
  probePath_->setObjectName(QStringLiteral("probePath"));
  probePath_->setPlaceholderText(tr("optional file to open as the client, e.g. /etc/shadow"));
  probePath_->setToolTip(tr("While impersonating, PipeScope tries to open this file for reading: it shows what the "
                            "client's identity may do, which is why a server should impersonate carefully."));
  auto* button = new QPushButton(tr("Impersonate selected instance"), this);
  button->setObjectName(QStringLiteral("impersonateButton"));
  connect(button, &QPushButton::clicked, this, &ImpersonationPane::impersonateRequested);
  auto* probeRow = new QHBoxLayout;
  auto* probeLabel = new QLabel(tr("Pro&be:"), this);
  probeLabel->setBuddy(probePath_);
  probeRow->addWidget(probeLabel);
  probeRow->addWidget(probePath_, 1);
  probeRow->addWidget(button);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(probeRow);
  layout->addWidget(view_);
}

QString ImpersonationPane::probePath() const { return probePath_->text(); }

void ImpersonationPane::setProbePath(const QString& path) { probePath_->setText(path); }

}  // namespace pipescope::ui
