#include "models/message_log_model.hpp"

#include <QColor>
#include <QFontDatabase>

#include <algorithm>
#include <limits>

#include "pipescope/codec.hpp"
#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {
// The preview column shows this many characters; the details view has the rest.
constexpr std::size_t kPreviewChars = 80;
}  // namespace

MessageLogModel::MessageLogModel(const pipescope::MessageLog& log, QObject* parent)
    : QAbstractTableModel(parent), log_(log), previewFont_(QFontDatabase::systemFont(QFontDatabase::FixedFont)) {
  catchUp();
}

int MessageLogModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }

int MessageLogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString MessageLogModel::endpointLabel(pipescope::EndpointId id) const {
  if (const auto cached = labels_.constFind(id); cached != labels_.constEnd()) {
    return *cached;
  }
  if (const auto info = log_.endpoint(id)) {
    // Labels never change once an endpoint is registered, so caching is safe.
    QString label = shortLabel(info->label);
    if (label.isEmpty()) {
      label = QStringLiteral("#%1").arg(id);
    }
    labels_.insert(id, label);
    return label;
  }
  return QStringLiteral("#%1").arg(id);
}

QVariant MessageLogModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const auto row = static_cast<std::uint64_t>(index.row());
  switch (role) {
    case LogRowRole: return QVariant::fromValue<qulonglong>(row);
    case Qt::TextAlignmentRole:
      if (index.column() == NumberColumn || index.column() == LengthColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      }
      return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
      if (index.column() == PreviewColumn) {
        return previewFont_;
      }
      return {};
    default: break;
  }
  if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::ForegroundRole && role != EndpointIdRole &&
      role != DirectionRole && role != FlagsRole) {
    return {};
  }
  const pipescope::Record record = log_.record(row);
  switch (role) {
    case EndpointIdRole: return QVariant::fromValue<uint>(record.endpoint);
    case DirectionRole: return static_cast<int>(record.direction);
    case FlagsRole: return static_cast<int>(record.flags);
    case Qt::ForegroundRole:
      if (index.column() == DirectionColumn) {
        // Mid-tone colours read on light and dark palettes alike.
        return record.direction == pipescope::Direction::in ? QColor(0x2f, 0x80, 0xed) : QColor(0x27, 0xae, 0x60);
      }
      if (index.column() == FlagsColumn && (record.flags & pipescope::record_flags::more_data) != 0) {
        return QColor(0xe6, 0x7e, 0x22);
      }
      return {};
    case Qt::ToolTipRole:
      if (index.column() == FlagsColumn) {
        return flagsExplanation(record.flags);
      }
      if (index.column() == EndpointColumn) {
        if (const auto info = log_.endpoint(record.endpoint)) {
          return tr("%1 %2 on %3").arg(kindText(info->kind), displayText(info->label), displayText(info->pipe_name));
        }
      }
      return {};
    default: break;
  }
  switch (index.column()) {
    case NumberColumn: return QVariant::fromValue<qulonglong>(row + 1);
    case TimeColumn: return formatTime(record.time_ns);
    case EndpointColumn: return endpointLabel(record.endpoint);
    case DirectionColumn:
      return record.direction == pipescope::Direction::in ? tr("\u2190 in") : tr("\u2192 out");
    case LengthColumn: return QVariant::fromValue<uint>(record.length);
    case FlagsColumn: return toQString(pipescope::flags_to_string(record.flags));
    case PreviewColumn: return toQString(pipescope::format_preview(log_.payload(record), kPreviewChars));
    default: return {};
  }
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
    return QAbstractTableModel::headerData(section, orientation, role);
  }
  switch (section) {
    case NumberColumn: return tr("No.");
    case TimeColumn: return tr("Time");
    case EndpointColumn: return tr("Endpoint");
    case DirectionColumn: return tr("Direction");
    case LengthColumn: return tr("Length");
    case FlagsColumn: return tr("Flags");
    case PreviewColumn: return tr("Preview");
    default: return {};
  }
}

void MessageLogModel::catchUp() {
  // Qt's item models count rows in int; a log beyond that many records shows
  // its first 2^31 - 1 rows (the rest stays in the log and its exports).
  const auto available = static_cast<int>(
      std::min<std::uint64_t>(log_.size(), static_cast<std::uint64_t>(std::numeric_limits<int>::max())));
  if (available < rows_) {
    // The log shrank, which only clear() or load can do: start over.
    reload();
    return;
  }
  if (available == rows_) {
    return;
  }
  beginInsertRows({}, rows_, available - 1);
  rows_ = available;
  endInsertRows();
}

void MessageLogModel::onEvents(const EventBatch& batch) {
  const bool hasData = std::any_of(batch.begin(), batch.end(), [](const pipescope::Event& event) {
    return std::holds_alternative<pipescope::Data>(event);
  });
  if (hasData) {
    catchUp();
  }
}

void MessageLogModel::reload() {
  beginResetModel();
  labels_.clear();
  rows_ = static_cast<int>(
      std::min<std::uint64_t>(log_.size(), static_cast<std::uint64_t>(std::numeric_limits<int>::max())));
  endResetModel();
}

}  // namespace pipescope::ui
