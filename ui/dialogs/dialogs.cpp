#include "dialogs/dialogs.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStringListModel>
#include <QToolButton>
#include <QVBoxLayout>

#include "dialogs/command_line_field.hpp"
#include "dialogs/option_text.hpp"
#include "pipescope/name.hpp"
#include "views/choice_combo.hpp"
#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {

/// A combo box of every term of E (choice_combo.hpp), read back by value.
template <class E>
QComboBox* makeChoiceCombo(QWidget* parent, const QString& objectName, const QString& tip) {
  auto* combo = new QComboBox(parent);
  combo->setObjectName(objectName);
  fillChoices<E>(combo);
  combo->setToolTip(tip);
  return combo;
}

QLabel* makeErrorLabel(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setObjectName(QStringLiteral("errorLabel"));
  label->setWordWrap(true);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label->setStyleSheet(QStringLiteral("color: #c0392b;"));
  label->hide();
  return label;
}

void setError(QLabel* label, const pipescope::Error& error) {
  label->setText(errorDetails(error));
  label->show();
}

/// What OK does in each dialog: the engine's own validation first, then the
/// submitter, which creates the server, client or child. The first refusal
/// is shown in the dialog's error label and the dialog stays open; true means
/// it may close.
template <class Options>
bool submit(const Options& options, const Submitter<Options>& submitter, QLabel* errorLabel) {
  if (auto valid = pipescope::validate(options); !valid) {
    setError(errorLabel, valid.error());
    return false;
  }
  if (submitter) {
    if (const auto refused = submitter(options)) {
      setError(errorLabel, *refused);
      return false;
    }
  }
  errorLabel->hide();
  return true;
}

QDialogButtonBox* makeButtons(QDialog* dialog, const QString& okText) {
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
  buttons->button(QDialogButtonBox::Ok)->setText(okText);
  QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  return buttons;
}

/// What Max instances shows when the Unlimited box is first unticked.
constexpr int kLimitedInstancesToStartFrom = 4;

std::uint32_t spinValue(const QSpinBox* spin) { return static_cast<std::uint32_t>(spin->value()); }

}  // namespace

// ---------------------------------------------------------------- New server

NewServerDialog::NewServerDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("New server"));
  setObjectName(QStringLiteral("newServerDialog"));

  name_ = new QLineEdit(this);
  name_->setObjectName(QStringLiteral("name"));
  name_->setPlaceholderText(tr(R"(\\.\pipe\MyPipe or MyPipe)"));
  name_->setToolTip(tr("The pipe's name. \"MyPipe\" means \\\\.\\pipe\\MyPipe, the local pipe file system. "
                       "Names are compared without regard to case, and must not be longer than 256 characters: "
                       "PipeScope never shortens a name silently. On Linux the pipe is a Unix socket at "
                       "$TMPDIR/CoreFxPipe_MyPipe, where .NET programs find it too."));

  access_ = makeChoiceCombo<pipescope::PipeAccess>(this, QStringLiteral("access"), optionTip(pipescope::OptionKey::server_access));
  type_ = makeChoiceCombo<pipescope::PipeType>(this, QStringLiteral("type"), optionTip(pipescope::OptionKey::pipe_type));
  readMode_ = makeChoiceCombo<pipescope::ReadMode>(this, QStringLiteral("readMode"), optionTip(pipescope::OptionKey::server_read_mode));
  waitMode_ = makeChoiceCombo<pipescope::WaitMode>(this, QStringLiteral("waitMode"), optionTip(pipescope::OptionKey::wait_mode));

  unlimited_ = new QCheckBox(tr("Unlimited"), this);
  unlimited_->setObjectName(QStringLiteral("unlimited"));
  unlimited_->setChecked(true);
  // The box stands for 255 of the count beside it, which the catalogue's
  // text explains (CreateNamedPipeW, nMaxInstances).
  unlimited_->setToolTip(optionTip(pipescope::OptionKey::max_instances));
  maxInstances_ = makeOptionSpin(this, QStringLiteral("maxInstances"), pipescope::OptionKey::max_instances);
  // 255 is PIPE_UNLIMITED_INSTANCES, which the Unlimited box beside it stands for.
  maxInstances_->setMaximum(static_cast<int>(pipescope::kUnlimitedInstances) - 1);
  // The default is unlimited (255), which the box stands for; unticking it
  // starts from a small count rather than the largest one.
  maxInstances_->setValue(kLimitedInstancesToStartFrom);

  outBuffer_ = makeOptionSpin(this, QStringLiteral("outBuffer"), pipescope::OptionKey::out_buffer_size);
  inBuffer_ = makeOptionSpin(this, QStringLiteral("inBuffer"), pipescope::OptionKey::in_buffer_size);
  readBuffer_ = makeOptionSpin(this, QStringLiteral("readBuffer"), pipescope::OptionKey::server_read_buffer);
  timeout_ = makeOptionSpin(this, QStringLiteral("timeout"), pipescope::OptionKey::default_timeout);

  firstInstance_ = new QCheckBox(tr("First instance only (FILE_FLAG_FIRST_PIPE_INSTANCE)"), this);
  firstInstance_->setObjectName(QStringLiteral("firstInstance"));
  firstInstance_->setToolTip(optionTip(pipescope::OptionKey::first_instance));
  rejectRemote_ = new QCheckBox(tr("Reject remote clients (PIPE_REJECT_REMOTE_CLIENTS)"), this);
  rejectRemote_->setObjectName(QStringLiteral("rejectRemote"));
  rejectRemote_->setChecked(true);
  rejectRemote_->setToolTip(optionTip(pipescope::OptionKey::remote_clients));

  security_ = makeChoiceCombo<pipescope::SecurityPreset>(this, QStringLiteral("security"), optionTip(pipescope::OptionKey::security));
  descriptor_ = new QLineEdit(this);
  descriptor_->setObjectName(QStringLiteral("descriptor"));
  descriptor_->setPlaceholderText(tr("SDDL such as D:(A;;GA;;;WD), or an octal mode such as 0660"));
  descriptor_->setToolTip(optionTip(pipescope::OptionKey::security_descriptor));

  responder_ = makeChoiceCombo<pipescope::Responder>(
      this, QStringLiteral("responder"),
      tr("What PipeScope answers on its own: nothing, the same bytes back (echo), or each "
         "message or line reversed. Handy to try a client without writing a server."));

  auto* nameBox = new QGroupBox(tr("Name"), this);
  auto* nameForm = new QFormLayout(nameBox);
  nameForm->addRow(tr("&Pipe name:"), name_);
  nameForm->addRow(tr("&Responder:"), responder_);

  auto* modeBox = new QGroupBox(tr("Direction and type"), this);
  auto* modeForm = new QFormLayout(modeBox);
  modeForm->addRow(optionLabel(pipescope::OptionKey::server_access, 'd'), access_);
  modeForm->addRow(optionLabel(pipescope::OptionKey::pipe_type, 't'), type_);
  modeForm->addRow(optionLabel(pipescope::OptionKey::server_read_mode, 'm'), readMode_);
  modeForm->addRow(optionLabel(pipescope::OptionKey::wait_mode, 'w'), waitMode_);

  auto* capacityBox = new QGroupBox(tr("Instances, buffers and timeout"), this);
  auto* capacityForm = new QFormLayout(capacityBox);
  auto* instancesRow = new QHBoxLayout;
  instancesRow->addWidget(maxInstances_);
  instancesRow->addWidget(unlimited_);
  addRowWithBuddy(capacityForm, optionLabel(pipescope::OptionKey::max_instances, 'x'), instancesRow, maxInstances_);
  capacityForm->addRow(optionLabel(pipescope::OptionKey::out_buffer_size, 'o'), outBuffer_);
  capacityForm->addRow(optionLabel(pipescope::OptionKey::in_buffer_size, 'n'), inBuffer_);
  capacityForm->addRow(optionLabel(pipescope::OptionKey::server_read_buffer, 'b'), readBuffer_);
  capacityForm->addRow(optionLabel(pipescope::OptionKey::default_timeout, 'u'), timeout_);

  auto* securityBox = new QGroupBox(tr("Security"), this);
  auto* securityForm = new QFormLayout(securityBox);
  securityForm->addRow(optionLabel(pipescope::OptionKey::security, 'a'), security_);
  securityForm->addRow(optionLabel(pipescope::OptionKey::security_descriptor, 'c'), descriptor_);
  securityForm->addRow(firstInstance_);
  securityForm->addRow(rejectRemote_);

  error_ = makeErrorLabel(this);
  auto* grid = new QGridLayout;
  grid->addWidget(nameBox, 0, 0, 1, 2);
  grid->addWidget(modeBox, 1, 0);
  grid->addWidget(capacityBox, 1, 1);
  grid->addWidget(securityBox, 2, 0, 1, 2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(grid);
  layout->addWidget(error_);
  layout->addWidget(makeButtons(this, tr("Create server")));

  connect(unlimited_, &QCheckBox::toggled, this, &NewServerDialog::updateEnabled);
  connect(security_, &QComboBox::currentIndexChanged, this, &NewServerDialog::updateEnabled);
  // A message pipe is mostly read in messages, and message read mode exists
  // only on one: the read mode follows the type, so that the common case
  // needs one choice, not two (the other mode can still be chosen after).
  connect(type_, &QComboBox::currentIndexChanged, this, [this] {
    chooseValue(readMode_, chosenValue(type_, pipescope::PipeType::byte) == pipescope::PipeType::message
                               ? pipescope::ReadMode::message
                               : pipescope::ReadMode::byte);
  });
  name_->setText(QStringLiteral("pipescope-test"));
  updateEnabled();
}

void NewServerDialog::updateEnabled() {
  maxInstances_->setEnabled(!unlimited_->isChecked());
  descriptor_->setEnabled(chosenValue(security_, pipescope::SecurityPreset::owner_only) ==
                          pipescope::SecurityPreset::custom);
}

void NewServerDialog::setOptions(const pipescope::ServerOptions& o) {
  name_->setText(toQString(o.name));
  name_->selectAll();  // typing replaces a remembered name
  chooseValue(access_, o.access);
  chooseValue(type_, o.type);
  chooseValue(readMode_, o.read_mode);
  chooseValue(waitMode_, o.wait_mode);
  unlimited_->setChecked(o.max_instances == pipescope::kUnlimitedInstances);
  if (o.max_instances != pipescope::kUnlimitedInstances) {
    maxInstances_->setValue(static_cast<int>(o.max_instances));
  }
  outBuffer_->setValue(static_cast<int>(o.out_buffer_size));
  inBuffer_->setValue(static_cast<int>(o.in_buffer_size));
  readBuffer_->setValue(static_cast<int>(o.read_buffer_size));
  timeout_->setValue(static_cast<int>(o.default_timeout.count()));
  firstInstance_->setChecked(o.first_instance);
  rejectRemote_->setChecked(o.reject_remote);
  chooseValue(security_, o.security);
  descriptor_->setText(toQString(o.security_descriptor));
  chooseValue(responder_, o.responder);
  updateEnabled();
}

pipescope::ServerOptions NewServerDialog::options() const {
  pipescope::ServerOptions o;
  o.name = toStdString(name_->text().trimmed());
  o.access = chosenValue(access_, o.access);
  o.type = chosenValue(type_, o.type);
  o.read_mode = chosenValue(readMode_, o.read_mode);
  o.wait_mode = chosenValue(waitMode_, o.wait_mode);
  o.max_instances = unlimited_->isChecked() ? pipescope::kUnlimitedInstances : spinValue(maxInstances_);
  o.out_buffer_size = spinValue(outBuffer_);
  o.in_buffer_size = spinValue(inBuffer_);
  o.read_buffer_size = spinValue(readBuffer_);
  o.default_timeout = std::chrono::milliseconds(timeout_->value());
  o.first_instance = firstInstance_->isChecked();
  o.reject_remote = rejectRemote_->isChecked();
  o.security = chosenValue(security_, o.security);
  o.security_descriptor = toStdString(descriptor_->text().trimmed());
  o.responder = chosenValue(responder_, o.responder);
  return o;
}

QString NewServerDialog::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void NewServerDialog::showError(const pipescope::Error& error) { setError(error_, error); }

void NewServerDialog::accept() {
  if (submit(options(), submitter_, error_)) {
    QDialog::accept();
  }
}

// ------------------------------------------------------------ Connect client

ConnectClientDialog::ConnectClientDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Connect a client"));
  setObjectName(QStringLiteral("connectClientDialog"));
  name_ = new QLineEdit(this);
  name_->setObjectName(QStringLiteral("name"));
  name_->setPlaceholderText(tr(R"(\\.\pipe\MyPipe or MyPipe)"));
  name_->setToolTip(tr("The pipe to open (CreateFile). Start typing to pick from the pipes this machine has."));
  auto* completer = new QCompleter(new QStringListModel(this), this);
  completer->setCaseSensitivity(Qt::CaseInsensitive);
  completer->setFilterMode(Qt::MatchContains);
  name_->setCompleter(completer);

  access_ = makeChoiceCombo<pipescope::ClientAccess>(this, QStringLiteral("access"), optionTip(pipescope::OptionKey::client_access));
  chooseValue(access_, pipescope::ClientAccess::read_write);
  readMode_ = makeChoiceCombo<pipescope::ReadMode>(this, QStringLiteral("readMode"), optionTip(pipescope::OptionKey::client_read_mode));
  busyTimeout_ = makeOptionSpin(this, QStringLiteral("busyTimeout"), pipescope::OptionKey::busy_timeout);
  waitForever_ = new QCheckBox(tr("Wait forever (NMPWAIT_WAIT_FOREVER)"), this);
  waitForever_->setObjectName(QStringLiteral("waitForever"));
  impersonation_ = makeChoiceCombo<pipescope::ImpersonationLevel>(this, QStringLiteral("impersonation"), optionTip(pipescope::OptionKey::impersonation));
  chooseValue(impersonation_, pipescope::ImpersonationLevel::identification);
  readBuffer_ = makeOptionSpin(this, QStringLiteral("readBuffer"), pipescope::OptionKey::client_read_buffer);
  error_ = makeErrorLabel(this);

  auto* form = new QFormLayout;
  form->addRow(tr("&Pipe name:"), name_);
  form->addRow(optionLabel(pipescope::OptionKey::client_access, 'a'), access_);
  form->addRow(optionLabel(pipescope::OptionKey::client_read_mode, 'm'), readMode_);
  auto* waitRow = new QHBoxLayout;
  waitRow->addWidget(busyTimeout_);
  waitRow->addWidget(waitForever_);
  addRowWithBuddy(form, optionLabel(pipescope::OptionKey::busy_timeout, 'b'), waitRow, busyTimeout_);
  form->addRow(optionLabel(pipescope::OptionKey::impersonation, 'i'), impersonation_);
  form->addRow(optionLabel(pipescope::OptionKey::client_read_buffer, 'u'), readBuffer_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(makeButtons(this, tr("Connect")));
  connect(waitForever_, &QCheckBox::toggled, busyTimeout_, &QSpinBox::setDisabled);
  connect(name_, &QLineEdit::textChanged, this, &ConnectClientDialog::followKnownType);
}

void ConnectClientDialog::setKnownPipes(std::vector<pipescope::PipeInfo> pipes) {
  knownPipes_ = std::move(pipes);
  if (auto* model = qobject_cast<QStringListModel*>(name_->completer()->model())) {
    QStringList names;
    for (const pipescope::PipeInfo& pipe : knownPipes_) names << toQString(pipe.name);
    model->setStringList(names);
  }
  followKnownType(name_->text());
}

void ConnectClientDialog::followKnownType(const QString& name) {
  // The engine's own name rules decide which listed pipe is meant: "Name"
  // and "\\.\pipe\Name" are one pipe, letter case aside, as on Windows.
  const auto wanted = pipescope::PipeName::parse(toStdString(name.trimmed()));
  if (!wanted) return;
  for (const pipescope::PipeInfo& pipe : knownPipes_) {
    const std::optional<pipescope::PipeType> type = pipescope::from_word<pipescope::PipeType>(pipe.type);
    const auto listed = pipescope::PipeName::parse(pipe.name);
    if (!type || !listed || !(*listed == *wanted)) continue;
    chooseValue(readMode_, *type == pipescope::PipeType::message ? pipescope::ReadMode::message
                                                                 : pipescope::ReadMode::byte);
    return;
  }
}

void ConnectClientDialog::setOptions(const pipescope::ClientOptions& o) {
  name_->setText(toQString(o.name));
  // A remembered name is selected, so that typing replaces it rather than
  // appending to it.
  name_->selectAll();
  chooseValue(access_, o.access);
  chooseValue(readMode_, o.read_mode);
  followKnownType(name_->text());
  waitForever_->setChecked(o.busy_timeout == pipescope::kWaitForever);
  if (o.busy_timeout != pipescope::kWaitForever) {
    busyTimeout_->setValue(static_cast<int>(o.busy_timeout.count()));
  }
  chooseValue(impersonation_, o.impersonation);
  readBuffer_->setValue(static_cast<int>(o.read_buffer_size));
}

pipescope::ClientOptions ConnectClientDialog::options() const {
  pipescope::ClientOptions o;
  o.name = toStdString(name_->text().trimmed());
  o.access = chosenValue(access_, o.access);
  o.read_mode = chosenValue(readMode_, o.read_mode);
  o.busy_timeout = waitForever_->isChecked() ? pipescope::kWaitForever : std::chrono::milliseconds(busyTimeout_->value());
  o.impersonation = chosenValue(impersonation_, o.impersonation);
  o.read_buffer_size = spinValue(readBuffer_);
  return o;
}

QString ConnectClientDialog::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void ConnectClientDialog::showError(const pipescope::Error& error) { setError(error_, error); }

void ConnectClientDialog::accept() {
  if (submit(options(), submitter_, error_)) {
    QDialog::accept();
  }
}

// ----------------------------------------------------------------- Run child

RunChildDialog::RunChildDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Run a child with anonymous pipes"));
  setObjectName(QStringLiteral("runChildDialog"));
  command_ = new CommandLineField(this);
  folder_ = new QLineEdit(this);
  folder_->setObjectName(QStringLiteral("folder"));
  folder_->setPlaceholderText(tr("(PipeScope's current folder)"));
  folder_->setToolTip(optionTip(pipescope::OptionKey::child_working_dir));
  auto* browse = new QToolButton(this);
  browse->setText(tr("…"));
  browse->setToolTip(tr("Choose the folder."));
  readBuffer_ = makeOptionSpin(this, QStringLiteral("readBuffer"), pipescope::OptionKey::child_read_buffer);
  error_ = makeErrorLabel(this);
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("&Command line:"), command_);
  addRowWithBuddy(form, optionLabel(pipescope::OptionKey::child_working_dir, 'w'), folderRow, folder_);
  form->addRow(optionLabel(pipescope::OptionKey::child_read_buffer, 'b'), readBuffer_);
  // Anonymous Pipes (learn.microsoft.com/windows/win32/ipc/anonymous-pipes):
  // "implemented using a named pipe with a unique name"; a handle reaches
  // another process by inheritance or DuplicateHandle. Anonymous Pipe
  // Operations (.../ipc/anonymous-pipe-operations): one-way, no overlapped
  // (asynchronous) reads and writes.
  auto* note = new QLabel(tr("Anonymous pipes have no name to open them by (Windows makes each one as a named "
                             "pipe with a unique name): a process uses one through a handle it inherited, as this "
                             "child inherits its standard input, output and error, or that was duplicated into it "
                             "(DuplicateHandle). Each carries bytes one way and has no overlapped I/O."),
                          this);
  note->setWordWrap(true);
  auto* buttons = makeButtons(this, tr("Run"));
  run_ = buttons->button(QDialogButtonBox::Ok);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(note);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(buttons);
  // Run waits for a command line that splits and names a program; the
  // field says what is wrong meanwhile.
  const auto updateRun = [this] { run_->setEnabled(command_->isRunnable()); };
  connect(command_, &CommandLineField::wordsChanged, this, updateRun);
  updateRun();
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Working folder"), folder_->text());
    if (!dir.isEmpty()) {
      folder_->setText(QDir::toNativeSeparators(dir));
    }
  });
}

void RunChildDialog::setCommandLine(const QString& commandLine) { command_->setText(commandLine); }

QString RunChildDialog::commandLine() const { return command_->text(); }

pipescope::ChildOptions RunChildDialog::options() const {
  pipescope::ChildOptions o;
  o.argv = command_->words();
  o.working_dir = toStdString(folder_->text().trimmed());
  o.read_buffer_size = spinValue(readBuffer_);
  return o;
}

QString RunChildDialog::errorText() const { return error_->isHidden() ? QString() : error_->text(); }

void RunChildDialog::showError(const pipescope::Error& error) { setError(error_, error); }

void RunChildDialog::accept() {
  // Run is disabled meanwhile, but a default button is not the only way in.
  if (!command_->isRunnable()) return;
  if (submit(options(), submitter_, error_)) {
    QDialog::accept();
  }
}

}  // namespace pipescope::ui
