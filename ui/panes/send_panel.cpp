#include "panes/send_panel.hpp"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

#include <string_view>
#include <utility>

#include "common/qt_text.hpp"
#include "pipescope/vocabulary.hpp"
#include "session/endpoint_directory.hpp"
#include "views/choice_combo.hpp"

namespace pipescope::ui {

namespace {
// Older entries fall off the end of the history.
constexpr int kHistoryLimit = 50;
// A file is sent as one message; beyond this it is probably a mistake.
constexpr qint64 kFileLimit = 64LL * 1024 * 1024;
}  // namespace

InputCheck checkInput(const QString& input, pipescope::InputFormat format) {
  const QByteArray utf8 = input.toUtf8();
  const pipescope::ParseResult result =
      pipescope::parse_input(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())), format);
  InputCheck check;
  check.ok = result.ok;
  if (result.ok) {
    check.bytes = QByteArray(reinterpret_cast<const char*>(result.bytes.data()), static_cast<qsizetype>(result.bytes.size()));
    return check;
  }
  const auto bytePosition = static_cast<qsizetype>(std::min<std::size_t>(result.error.position, static_cast<std::size_t>(utf8.size())));
  // The engine counts bytes of UTF-8; the editor counts UTF-16 characters.
  check.errorPosition = static_cast<int>(QString::fromUtf8(utf8.constData(), bytePosition).size());
  check.errorMessage = toQString(result.error.message);
  return check;
}

SendPanel::SendPanel(QWidget* parent) : QWidget(parent) {
  format_ = new QComboBox(this);
  format_->setObjectName(QStringLiteral("sendFormat"));
  fillChoices<pipescope::InputFormat>(format_);
  format_->setToolTip(tr("Text: sent as typed (UTF-8).\nHex: byte values such as \"48 65 6c\" or \"0x48,0x65\".\n"
                         "Escapes: C escapes such as \\r\\n, \\x1b, \\0, \\u00e9."));

  lineEnding_ = new QComboBox(this);
  lineEnding_->setObjectName(QStringLiteral("sendLineEnding"));
  fillChoices<pipescope::LineEnding>(lineEnding_);
  lineEnding_->setToolTip(tr("What is appended to text when it is sent. A program that reads lines (a shell's "
                             "read, .NET's ReadLine) waits until a line end comes: \\n on POSIX, \\r\\n on "
                             "Windows. Hex and escapes send exactly the bytes written."));

  target_ = new QComboBox(this);
  target_->setObjectName(QStringLiteral("sendTarget"));
  target_->setToolTip(tr("The endpoint that writes (WriteFile on its handle): a client writes to the server "
                         "instance it is connected to, an instance to its client, and for a child PipeScope "
                         "writes to the child's standard input. A client or child is chosen as soon as it "
                         "connects. On a message pipe each send is one message (on Linux at most 4 MiB)."));
  target_->setMinimumContentsLength(16);

  editor_ = new QPlainTextEdit(this);
  editor_->setObjectName(QStringLiteral("sendInput"));
  editor_->setFont(QFont(QStringLiteral("monospace")));
  editor_->setPlaceholderText(tr("Type what to send; Ctrl+Return sends."));
  editor_->setTabChangesFocus(true);

  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("sendStatus"));
  status_->setWordWrap(true);

  sendButton_ = new QPushButton(tr("&Send"), this);
  sendButton_->setObjectName(QStringLiteral("sendButton"));
  sendButton_->setToolTip(tr("Write the bytes to the chosen endpoint (Ctrl+Return)."));
  // Alt+F opens the File menu; the button takes Alt+L.
  auto* fileButton = new QPushButton(tr("Send fi&le…"), this);
  fileButton->setObjectName(QStringLiteral("sendFileButton"));
  fileButton->setToolTip(tr("Send the bytes of a file, as one write."));

  history_ = new QComboBox(this);
  history_->setObjectName(QStringLiteral("sendHistory"));
  history_->setToolTip(tr("What you sent before; choose one to put it back in the editor."));
  history_->setPlaceholderText(tr("History"));
  library_ = new QComboBox(this);
  library_->setObjectName(QStringLiteral("sendLibrary"));
  library_->setToolTip(tr("Saved messages, kept between sessions; choose one to put it in the editor."));
  library_->setPlaceholderText(tr("Saved messages"));
  auto* saveButton = new QToolButton(this);
  saveButton->setText(tr("Save…"));
  saveButton->setToolTip(tr("Save the editor's contents under a name."));
  auto* deleteButton = new QToolButton(this);
  deleteButton->setText(tr("Delete"));
  deleteButton->setToolTip(tr("Forget the chosen saved message."));

  auto* top = new QHBoxLayout;
  auto* targetLabel = new QLabel(tr("&Write from:"), this);
  targetLabel->setBuddy(target_);
  auto* formatLabel = new QLabel(tr("As:"), this);
  formatLabel->setBuddy(format_);
  auto* lineEndingLabel = new QLabel(tr("Appe&nd:"), this);
  lineEndingLabel->setBuddy(lineEnding_);
  top->addWidget(targetLabel);
  top->addWidget(target_, 1);
  top->addWidget(formatLabel);
  top->addWidget(format_);
  top->addWidget(lineEndingLabel);
  top->addWidget(lineEnding_);
  auto* bottom = new QHBoxLayout;
  bottom->addWidget(history_, 1);
  bottom->addWidget(library_, 1);
  bottom->addWidget(saveButton);
  bottom->addWidget(deleteButton);
  bottom->addStretch();
  bottom->addWidget(fileButton);
  bottom->addWidget(sendButton_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(top);
  layout->addWidget(editor_, 1);
  layout->addWidget(status_);
  layout->addLayout(bottom);

  connect(editor_, &QPlainTextEdit::textChanged, this, &SendPanel::revalidate);
  connect(format_, &QComboBox::currentIndexChanged, this, &SendPanel::revalidate);
  connect(lineEnding_, &QComboBox::currentIndexChanged, this, &SendPanel::revalidate);
  connect(target_, &QComboBox::currentIndexChanged, this, &SendPanel::updateSendEnabled);
  connect(sendButton_, &QPushButton::clicked, this, &SendPanel::send);
  connect(fileButton, &QPushButton::clicked, this, &SendPanel::sendFile);
  connect(saveButton, &QToolButton::clicked, this, &SendPanel::saveCurrentAs);
  connect(deleteButton, &QToolButton::clicked, this, &SendPanel::deleteSaved);
  connect(history_, &QComboBox::activated, this, [this](int index) {
    setFormat(static_cast<pipescope::InputFormat>(history_->itemData(index).toInt()));
    setInput(history_->itemText(index));
  });
  connect(library_, &QComboBox::activated, this,
          [this](int index) { recallFromLibrary(library_->itemText(index)); });
  // An action, not a QShortcut, so that Help > Keyboard shortcuts lists it.
  auto* sendKey = new QAction(tr("Send"), editor_);
  sendKey->setObjectName(QStringLiteral("actionSendFromEditor"));
  sendKey->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  sendKey->setShortcutContext(Qt::WidgetShortcut);
  sendKey->setStatusTip(tr("Write what the editor holds from the chosen endpoint (while the editor has the focus)."));
  editor_->addAction(sendKey);
  connect(sendKey, &QAction::triggered, this, &SendPanel::send);
  revalidate();
}

void SendPanel::followDirectory(const EndpointDirectory* directory) {
  const auto update = [this, directory] {
    std::vector<Target> targets;
    std::unordered_set<pipescope::EndpointId> connected;
    pipescope::EndpointId newest = 0;
    for (const DirectoryEntry& entry : directory->entries()) {
      if (!entry.isConnected()) continue;
      connected.insert(entry.id);
      if (entry.kind == pipescope::EndpointKind::child) {
        targets.push_back({entry.id, tr("%1 (its standard input)").arg(entry.label)});
      } else {
        targets.push_back({entry.id, tr("%1 (%2)").arg(entry.label, kindText(entry.kind))});
      }
      // An instance is not chosen for the person: its client, if it is
      // ours, is what they just connected.
      if (entry.kind != pipescope::EndpointKind::instance && !connected_.contains(entry.id)) newest = entry.id;
    }
    connected_ = std::move(connected);
    setTargets(targets);
    if (newest != 0) setCurrentTarget(newest);
  };
  connect(directory, &EndpointDirectory::changed, this, update);
  update();
}

void SendPanel::setTargets(const std::vector<Target>& targets) {
  const pipescope::EndpointId current = currentTarget();
  const QSignalBlocker block(target_);
  target_->clear();
  for (const Target& target : targets) {
    target_->addItem(target.label, QVariant::fromValue<uint>(target.id));
  }
  if (targets.empty()) {
    target_->setPlaceholderText(tr("no connected endpoint"));
  }
  setCurrentTarget(current);
  if (target_->currentIndex() < 0 && target_->count() > 0) {
    target_->setCurrentIndex(0);
  }
  updateSendEnabled();
}

void SendPanel::setCurrentTarget(pipescope::EndpointId id) {
  const int index = target_->findData(QVariant::fromValue<uint>(id));
  if (index >= 0) {
    target_->setCurrentIndex(index);
  }
}

pipescope::EndpointId SendPanel::currentTarget() const {
  return target_->currentIndex() < 0 ? 0 : target_->currentData().toUInt();
}

void SendPanel::setFormat(pipescope::InputFormat format) {
  chooseValue(format_, format);
}

pipescope::InputFormat SendPanel::format() const {
  return chosenValue(format_, pipescope::InputFormat::text);
}

void SendPanel::setLineEnding(pipescope::LineEnding ending) { chooseValue(lineEnding_, ending); }

pipescope::LineEnding SendPanel::lineEnding() const {
  return chosenValue(lineEnding_, pipescope::LineEnding::none);
}

QByteArray SendPanel::bytesToSend() const {
  QByteArray bytes = check_.bytes;
  if (format() == pipescope::InputFormat::text) {
    const std::string_view ending = pipescope::line_ending_bytes(lineEnding());
    bytes.append(ending.data(), static_cast<qsizetype>(ending.size()));
  }
  return bytes;
}

void SendPanel::setInput(const QString& text) { editor_->setPlainText(text); }

QString SendPanel::input() const { return editor_->toPlainText(); }

QStringList SendPanel::history() const {
  QStringList items;
  for (int i = 0; i < history_->count(); ++i) {
    items << history_->itemText(i);
  }
  return items;
}

void SendPanel::revalidate() {
  check_ = checkInput(input(), format());
  const bool text = format() == pipescope::InputFormat::text;
  lineEnding_->setEnabled(text);
  QList<QTextEdit::ExtraSelection> marks;
  if (check_.ok) {
    status_->setStyleSheet(QString());
    const QString ending = text && lineEnding() != pipescope::LineEnding::none
                               ? tr(", with %1").arg(lineEnding_->currentText())
                               : QString();
    status_->setText(tr("%n byte(s) to send", nullptr, static_cast<int>(bytesToSend().size())) + ending);
  } else {
    status_->setStyleSheet(QStringLiteral("color: #c0392b;"));
    status_->setText(tr("Character %1: %2").arg(check_.errorPosition + 1).arg(check_.errorMessage));
    // Mark the first bad character (or the end, if the input stopped short).
    QTextEdit::ExtraSelection mark;
    mark.cursor = QTextCursor(editor_->document());
    mark.cursor.setPosition(std::min(check_.errorPosition, static_cast<int>(input().size())));
    mark.cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
    mark.format.setBackground(QColor(0xc0, 0x39, 0x2b, 90));
    mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    mark.format.setUnderlineColor(QColor(0xc0, 0x39, 0x2b));
    marks << mark;
  }
  editor_->setExtraSelections(marks);
  updateSendEnabled();
}

void SendPanel::updateSendEnabled() { sendButton_->setEnabled(check_.ok && currentTarget() != 0); }

void SendPanel::send() {
  if (!check_.ok || currentTarget() == 0) {
    return;
  }
  emit sendRequested(currentTarget(), bytesToSend());
  const QString text = input();
  const int existing = history_->findText(text);
  if (existing >= 0) {
    history_->removeItem(existing);
  }
  history_->insertItem(0, text, static_cast<int>(format()));
  while (history_->count() > kHistoryLimit) {
    history_->removeItem(history_->count() - 1);
  }
  history_->setCurrentIndex(-1);
}

void SendPanel::sendFile() {
  if (currentTarget() == 0) {
    status_->setText(tr("Choose an endpoint to send to first."));
    return;
  }
  const QString path = QFileDialog::getOpenFileName(this, tr("Send a file"));
  if (path.isEmpty()) {
    return;
  }
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    QMessageBox::warning(this, tr("Send a file"), tr("Cannot read %1: %2").arg(path, file.errorString()));
    return;
  }
  if (file.size() > kFileLimit) {
    QMessageBox::warning(this, tr("Send a file"),
                         tr("%1 is %2; files up to %3 are sent in one write.")
                             .arg(path, formatBytes(static_cast<double>(file.size())),
                                  formatBytes(static_cast<double>(kFileLimit))));
    return;
  }
  emit sendRequested(currentTarget(), file.readAll());
}

void SendPanel::loadSettings(QSettings& settings) {
  const auto format = pipescope::from_word<pipescope::InputFormat>(
      settings.value(QStringLiteral("send/format")).toString().toStdString());
  if (format) setFormat(*format);
  const auto ending = pipescope::from_word<pipescope::LineEnding>(
      settings.value(QStringLiteral("send/lineEnding")).toString().toStdString());
  if (ending) setLineEnding(*ending);
  loadLibrary(settings);
}

void SendPanel::saveSettings(QSettings& settings) const {
  const std::string_view format = pipescope::word_of(this->format());
  const std::string_view ending = pipescope::word_of(lineEnding());
  settings.setValue(QStringLiteral("send/format"), QString::fromUtf8(format.data(), static_cast<qsizetype>(format.size())));
  settings.setValue(QStringLiteral("send/lineEnding"),
                    QString::fromUtf8(ending.data(), static_cast<qsizetype>(ending.size())));
  saveLibrary(settings);
}

void SendPanel::loadLibrary(QSettings& settings) {
  saved_.clear();
  const int count = settings.beginReadArray(QStringLiteral("sendLibrary"));
  for (int i = 0; i < count; ++i) {
    settings.setArrayIndex(i);
    Saved entry;
    entry.name = settings.value(QStringLiteral("name")).toString();
    entry.format = static_cast<pipescope::InputFormat>(settings.value(QStringLiteral("format")).toInt());
    entry.text = settings.value(QStringLiteral("text")).toString();
    if (!entry.name.isEmpty()) {
      saved_.push_back(entry);
    }
  }
  settings.endArray();
  library_->clear();
  for (const Saved& entry : saved_) {
    library_->addItem(entry.name);
  }
  library_->setCurrentIndex(-1);
}

void SendPanel::saveLibrary(QSettings& settings) const {
  settings.beginWriteArray(QStringLiteral("sendLibrary"), static_cast<int>(saved_.size()));
  for (std::size_t i = 0; i < saved_.size(); ++i) {
    settings.setArrayIndex(static_cast<int>(i));
    settings.setValue(QStringLiteral("name"), saved_[i].name);
    settings.setValue(QStringLiteral("format"), static_cast<int>(saved_[i].format));
    settings.setValue(QStringLiteral("text"), saved_[i].text);
  }
  settings.endArray();
}

void SendPanel::addToLibrary(const QString& name) {
  const auto it = std::find_if(saved_.begin(), saved_.end(), [&](const Saved& s) { return s.name == name; });
  if (it != saved_.end()) {
    it->format = format();
    it->text = input();
    return;
  }
  saved_.push_back(Saved{name, format(), input()});
  library_->addItem(name);
  library_->setCurrentIndex(-1);
}

QStringList SendPanel::libraryNames() const {
  QStringList names;
  for (const Saved& entry : saved_) {
    names << entry.name;
  }
  return names;
}

void SendPanel::recallFromLibrary(const QString& name) {
  const auto it = std::find_if(saved_.begin(), saved_.end(), [&](const Saved& s) { return s.name == name; });
  if (it != saved_.end()) {
    setFormat(it->format);
    setInput(it->text);
  }
}

void SendPanel::saveCurrentAs() {
  bool ok = false;
  const QString name = QInputDialog::getText(this, tr("Save message"), tr("Name:"), QLineEdit::Normal, QString(), &ok);
  if (ok && !name.trimmed().isEmpty()) {
    addToLibrary(name.trimmed());
  }
}

void SendPanel::deleteSaved() {
  const int index = library_->currentIndex();
  if (index < 0) {
    return;
  }
  const QString name = library_->itemText(index);
  saved_.erase(std::remove_if(saved_.begin(), saved_.end(), [&](const Saved& s) { return s.name == name; }),
               saved_.end());
  library_->removeItem(index);
  library_->setCurrentIndex(-1);
}

}  // namespace pipescope::ui
