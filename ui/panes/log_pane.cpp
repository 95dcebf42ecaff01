#include "panes/log_pane.hpp"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "common/qt_text.hpp"
#include "models/log_query_model.hpp"
#include "models/message_log_model.hpp"
#include "pipescope/codec.hpp"
#include "session/endpoint_directory.hpp"
#include "session/session.hpp"
#include "views/empty_view_hint.hpp"
#include "views/log_view.hpp"

namespace pipescope::ui {

namespace {

QString payloadText(std::span<const std::byte> payload) {
  return QString::fromUtf8(reinterpret_cast<const char*>(payload.data()), static_cast<qsizetype>(payload.size()));
}

}  // namespace

LogPane::LogPane(Session& session, QWidget* parent) : QWidget(parent), session_(session) {
  endpointFilter_ = new QComboBox(this);
  endpointFilter_->setObjectName(QStringLiteral("endpointFilter"));
  endpointFilter_->setToolTip(tr("Show the records of one endpoint only."));
  endpointFilter_->setMinimumContentsLength(14);
  directionFilter_ = new QComboBox(this);
  directionFilter_->setObjectName(QStringLiteral("directionFilter"));
  directionFilter_->addItem(tr("Both directions"));
  directionFilter_->addItem(tr("In (read)"), static_cast<int>(pipescope::Direction::in));
  directionFilter_->addItem(tr("Out (written)"), static_cast<int>(pipescope::Direction::out));
  directionFilter_->setToolTip(tr("In: what the endpoint read. Out: what it wrote."));
  textFilter_ = new QLineEdit(this);
  textFilter_->setObjectName(QStringLiteral("textFilter"));
  textFilter_->setPlaceholderText(tr("Filter payloads…"));
  textFilter_->setClearButtonEnabled(true);
  textFilter_->setMinimumWidth(160);
  regexFilter_ = new QCheckBox(tr("Regex"), this);
  regexFilter_->setObjectName(QStringLiteral("regexFilter"));
  regexFilter_->setToolTip(tr("Read the filter as a regular expression."));
  caseFilter_ = new QCheckBox(tr("Aa"), this);
  caseFilter_->setObjectName(QStringLiteral("caseFilter"));
  caseFilter_->setToolTip(tr("Match case."));
  findText_ = new QLineEdit(this);
  findText_->setObjectName(QStringLiteral("findText"));
  findText_->setPlaceholderText(tr("Find (Ctrl+F)…"));
  findText_->setClearButtonEnabled(true);
  findText_->setMinimumWidth(120);
  auto* previous = new QToolButton(this);
  previous->setText(tr("▲"));
  previous->setToolTip(tr("Find previous (Shift+F3)"));
  auto* next = new QToolButton(this);
  next->setText(tr("▼"));
  next->setToolTip(tr("Find next (F3)"));
  followTail_ = new QCheckBox(tr("Follow"), this);
  followTail_->setObjectName(QStringLiteral("followTail"));
  followTail_->setChecked(true);
  followTail_->setToolTip(tr("Keep the newest record in view as records arrive."));

  // Not a QTableView: see log_view.hpp for why the log has a view of its own.
  view_ = new LogView(this);
  view_->setObjectName(QStringLiteral("logView"));
  view_->setModel(session_.logProxy());
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setContextMenuPolicy(Qt::ActionsContextMenu);
  const QFontMetrics fm = view_->fontMetrics();
  view_->setColumnWidth(MessageLogModel::NumberColumn, fm.horizontalAdvance(QStringLiteral("0000000")));
  view_->setColumnWidth(MessageLogModel::TimeColumn, fm.horizontalAdvance(QStringLiteral("00:00:00.000000  ")));
  view_->setColumnWidth(MessageLogModel::EndpointColumn,
                        fm.horizontalAdvance(QStringLiteral("client 00 → pipescope-demo")));
  view_->setColumnWidth(MessageLogModel::DirectionColumn, fm.horizontalAdvance(QStringLiteral("Direction  ")));
  view_->setColumnWidth(MessageLogModel::LengthColumn, fm.horizontalAdvance(QStringLiteral("Length  ")));
  view_->setColumnWidth(MessageLogModel::FlagsColumn, fm.horizontalAdvance(QStringLiteral("message|more-data  ")));

  emptyHint_ = new EmptyViewHint(
      view_, session_.logProxy(), [this] { return session_.logProxy()->isFiltering(); },
      tr("No record matches the filter."));

  auto* bar = new QHBoxLayout;
  bar->addWidget(endpointFilter_);
  bar->addWidget(directionFilter_);
  bar->addWidget(textFilter_, 2);
  bar->addWidget(regexFilter_);
  bar->addWidget(caseFilter_);
  bar->addSpacing(12);
  bar->addWidget(findText_, 1);
  bar->addWidget(previous);
  bar->addWidget(next);
  bar->addWidget(followTail_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(bar);
  layout->addWidget(view_);

  connect(endpointFilter_, &QComboBox::currentIndexChanged, this, &LogPane::applyFilter);
  connect(directionFilter_, &QComboBox::currentIndexChanged, this, &LogPane::applyFilter);
  connect(textFilter_, &QLineEdit::textChanged, this, &LogPane::applyFilter);
  connect(regexFilter_, &QCheckBox::toggled, this, &LogPane::applyFilter);
  connect(caseFilter_, &QCheckBox::toggled, this, &LogPane::applyFilter);
  // Whatever the person does with the box is their choice again.
  connect(followTail_, &QCheckBox::toggled, this, [this] { followPausedByFind_ = false; });
  connect(findText_, &QLineEdit::returnPressed, this, &LogPane::findNext);
  connect(next, &QToolButton::clicked, this, &LogPane::findNext);
  connect(previous, &QToolButton::clicked, this, &LogPane::findPrevious);
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    emit currentRecordChanged(current.isValid()
                                  ? std::optional(current.data(MessageLogModel::LogRowRole).toULongLong())
                                  : std::nullopt);
  });
  connect(session_.logProxy(), &QAbstractItemModel::rowsInserted, this, [this] {
    if (followTail_->isChecked()) {
      view_->scrollToBottom();
    }
  });
  connect(session_.directory(), &EndpointDirectory::changed, this, &LogPane::updateEndpointFilter);
  // A new filter over a large log runs on a worker: say how far it got.
  connect(session_.logProxy(), &LogQueryModel::scanProgress, this, [this](qulonglong done, qulonglong total) {
    session_.tell(tr("Filtering: %1 of %2 records looked at…").arg(done).arg(total));
  });
  connect(session_.logProxy(), &LogQueryModel::scanFinished, this, [this] {
    session_.tell(tr("Filtered: %n record(s) match.", nullptr, session_.logProxy()->rowCount()));
  });
  updateEndpointFilter();
}

void LogPane::updateEndpointFilter() {
  const QVariant current = endpointFilter_->currentData();
  const QSignalBlocker block(endpointFilter_);
  endpointFilter_->clear();
  endpointFilter_->addItem(tr("All endpoints"), QVariant::fromValue<uint>(0));
  for (const DirectoryEntry& entry : session_.directory()->entries()) {
    endpointFilter_->addItem(entry.label, QVariant::fromValue<uint>(entry.id));
  }
  const int index = endpointFilter_->findData(current);
  endpointFilter_->setCurrentIndex(index < 0 ? 0 : index);
}

void LogPane::applyFilter() {
  LogQueryModel* proxy = session_.logProxy();
  // A scan this change cancels said "Filtering…" last: if no new scan takes
  // over (a small log, or no filter left), this pane states the outcome.
  const bool wasScanning = proxy->isScanning();
  proxy->setEndpointFilter(endpointFilter_->currentData().toUInt());
  const QVariant direction = directionFilter_->currentData();
  proxy->setDirectionFilter(direction.isValid()
                                ? std::optional(static_cast<pipescope::Direction>(direction.toInt()))
                                : std::nullopt);
  const bool ok = proxy->setTextFilter(textFilter_->text(), regexFilter_->isChecked(),
                                       caseFilter_->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive);
  textFilter_->setStyleSheet(ok ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c0392b; }"));
  textFilter_->setToolTip(ok ? tr("Keep records whose payload contains this text.") : proxy->patternError());
  if (!ok) {
    session_.tell(tr("Invalid regular expression: %1").arg(proxy->patternError()));
  } else if (wasScanning && !proxy->isScanning()) {
    session_.tell(proxy->isFiltering() ? tr("Filtered: %n record(s) match.", nullptr, proxy->rowCount())
                                       : tr("Filter cleared: every record is shown."));
  }
}

void LogPane::focusFind() {
  findText_->setFocus();
  findText_->selectAll();
}

void LogPane::find(bool forward) {
  const QString needle = findText_->text();
  QAbstractItemModel* model = view_->model();
  const int rows = model->rowCount();
  if (needle.isEmpty() || rows == 0) {
    return;
  }
  const pipescope::MessageLog& log = session_.engine().log();
  const int start = view_->currentIndex().isValid() ? view_->currentIndex().row() : (forward ? -1 : rows);
  for (int step = 1; step <= rows; ++step) {
    const int row = ((forward ? start + step : start - step) % rows + rows) % rows;
    const auto logRow = model->index(row, 0).data(MessageLogModel::LogRowRole).toULongLong();
    if (payloadText(log.payload(logRow)).contains(needle, Qt::CaseInsensitive)) {
      // Following would scroll the find away at the next record: it pauses,
      // and the pause is Find's, not the person's choice to keep.
      if (followTail_->isChecked()) {
        followTail_->setChecked(false);
        followPausedByFind_ = true;
        session_.tell(tr("Follow is paused while you look at what Find found; tick Follow (Ctrl+End) to go on."));
      }
      view_->setCurrentIndex(model->index(row, 0));
      view_->scrollTo(model->index(row, 0));
      return;
    }
  }
  session_.tell(tr("\"%1\" was not found.").arg(needle));
}

bool LogPane::followWanted() const { return followTail_->isChecked() || followPausedByFind_; }

void LogPane::findNext() { find(true); }

void LogPane::findPrevious() { find(false); }

void LogPane::copySelection(CopyForm form) {
  QModelIndexList rows = view_->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  if (rows.isEmpty()) {
    return;
  }
  const pipescope::MessageLog& log = session_.engine().log();
  pipescope::Bytes all;
  QStringList lines;
  for (const QModelIndex& index : rows) {
    const auto payload = log.payload(index.data(MessageLogModel::LogRowRole).toULongLong());
    all.insert(all.end(), payload.begin(), payload.end());
    if (form == CopyForm::hex) {
      lines << toQString(pipescope::format_hex(payload));
    } else {
      lines << toQString(pipescope::as_chars(payload));
    }
  }
  const QString text =
      form == CopyForm::c_array ? toQString(pipescope::format_c_array(all)) : lines.join(QLatin1Char('\n'));
  QGuiApplication::clipboard()->setText(text);
  session_.tell(tr("Copied %n record(s)", nullptr, static_cast<int>(rows.size())));
}

}  // namespace pipescope::ui
