#include "panes/details_pane.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStringDecoder>
#include <QVBoxLayout>

#include "common/qt_text.hpp"
#include "models/message_log_model.hpp"
#include "session/session.hpp"
#include "views/hex_view.hpp"

namespace pipescope::ui {

namespace {

enum class TextEncoding { utf8, latin1, utf16le, utf16be };

QByteArray toByteArray(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size())};
}

QString decode(const QByteArray& bytes, TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::latin1:
      return QString::fromLatin1(bytes);
    case TextEncoding::utf16le:
      return QStringDecoder(QStringDecoder::Utf16LE).decode(bytes);
    case TextEncoding::utf16be:
      return QStringDecoder(QStringDecoder::Utf16BE).decode(bytes);
    case TextEncoding::utf8:
      break;
  }
  return QString::fromUtf8(bytes);
}

}  // namespace

DetailsPane::DetailsPane(Session& session, QWidget* parent) : QWidget(parent), session_(session) {
  header_ = new QLabel(tr("Select a record in the log."), this);
  header_->setObjectName(QStringLiteral("detailsHeader"));
  header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  wholeMessage_ = new QCheckBox(tr("Whole message"), this);
  wholeMessage_->setObjectName(QStringLiteral("wholeMessage"));
  wholeMessage_->setToolTip(tr("Join the parts of a message that arrived in pieces (flagged \"more data\")."));
  encoding_ = new QComboBox(this);
  encoding_->setObjectName(QStringLiteral("encoding"));
  encoding_->addItem(QStringLiteral("UTF-8"), static_cast<int>(TextEncoding::utf8));
  encoding_->addItem(QStringLiteral("ISO-8859-1"), static_cast<int>(TextEncoding::latin1));
  encoding_->addItem(QStringLiteral("UTF-16LE"), static_cast<int>(TextEncoding::utf16le));
  encoding_->addItem(QStringLiteral("UTF-16BE"), static_cast<int>(TextEncoding::utf16be));
  encoding_->setToolTip(tr("How the text view decodes the bytes."));
  hexView_ = new HexView(this);
  hexView_->setObjectName(QStringLiteral("hexView"));
  textView_ = new QPlainTextEdit(this);
  textView_->setObjectName(QStringLiteral("textView"));
  textView_->setReadOnly(true);
  textView_->setFont(hexView_->font());
  auto* top = new QHBoxLayout;
  top->addWidget(header_, 1);
  top->addWidget(wholeMessage_);
  top->addWidget(encoding_);
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->addWidget(hexView_);
  splitter->addWidget(textView_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addLayout(top);
  layout->addWidget(splitter);
  connect(wholeMessage_, &QCheckBox::toggled, this, &DetailsPane::refresh);
  connect(encoding_, &QComboBox::currentIndexChanged, this, &DetailsPane::refresh);
  connect(&session_, &Session::logReplaced, this, [this] { showRecord(std::nullopt); });
}

void DetailsPane::showRecord(std::optional<std::uint64_t> logRow) {
  shownRow_ = logRow;
  refresh();
}

void DetailsPane::refresh() {
  if (!shownRow_) {
    header_->setText(tr("Select a record in the log."));
    header_->setToolTip({});
    hexView_->setData({});
    textView_->clear();
    return;
  }
  const pipescope::MessageLog& log = session_.engine().log();
  const pipescope::Record record = log.record(*shownRow_);
  const QByteArray bytes =
      wholeMessage_->isChecked() ? toByteArray(log.assemble_message(*shownRow_)) : toByteArray(log.payload(record));
  const QString flags = toQString(pipescope::flags_to_string(record.flags));
  header_->setText(tr("Record %1 · %2 · %3 · %n byte(s)%4", nullptr, static_cast<int>(bytes.size()))
                       .arg(*shownRow_ + 1)
                       .arg(session_.logModel()->endpointLabel(record.endpoint), directionText(record.direction),
                            flags.isEmpty() ? QString() : QStringLiteral(" · ") + flags));
  header_->setToolTip(flagsExplanation(record.flags));
  hexView_->setData(bytes);
  textView_->setPlainText(decode(bytes, static_cast<TextEncoding>(encoding_->currentData().toInt())));
}

}  // namespace pipescope::ui
