#include "dialogs/command_line_field.hpp"

#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {
/// The list shows this many words without scrolling: the example
/// (three) and a few more, without making the dialog tall.
constexpr int kVisibleWords = 4;
/// The command line holds this many characters before it scrolls.
constexpr int kVisibleCharacters = 64;
}  // namespace

CommandLineField::CommandLineField(QWidget* parent, pipescope::CommandRules rules) : QWidget(parent), rules_(rules) {
  edit_ = new QLineEdit(this);
  edit_->setObjectName(QStringLiteral("command"));
  edit_->setPlaceholderText(rules == pipescope::CommandRules::windows
                                ? tr("e.g. sort, or \"C:\\Program Files\\Python\\python.exe\" -u script.py")
                                : tr("e.g. sort, or sh -c 'echo hi; read x; echo got $x'"));
  const QString rulesSentence = rulesText(rules);
  edit_->setToolTip(tr("The program and its arguments. %1 The list below shows the words the child gets. Its "
                       "standard input, output and error are anonymous pipes (CreatePipe / pipe2): what it prints "
                       "streams into the log, and the send panel writes to its input.")
                        .arg(rulesSentence));
  setFocusProxy(edit_);
  // One width for every character, so that quotes, blanks and backslashes
  // line up between the line and its words, and "character 7" is easy to find.
  const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  edit_->setFont(fixed);
  edit_->setMinimumWidth(QFontMetrics(fixed).horizontalAdvance(QLatin1Char('x')) * kVisibleCharacters);

  list_ = new QListWidget(this);
  list_->setObjectName(QStringLiteral("arguments"));
  list_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  list_->setSelectionMode(QAbstractItemView::SingleSelection);
  list_->setUniformItemSizes(true);
  list_->setToolTip(tr("The words the child gets, argv[0] (the program) first, each exactly as it will receive "
                       "it between « and ». %1")
                        .arg(rulesSentence));
  list_->setAccessibleName(tr("Arguments the child gets"));
  list_->setFont(fixed);
  const int rowHeight = list_->fontMetrics().height() + 4;
  list_->setFixedHeight(rowHeight * kVisibleWords + 2 * list_->frameWidth() + 4);
  auto* listLabel = new QLabel(tr("&Arguments the child gets:"), this);
  listLabel->setBuddy(list_);

  problem_ = new QLabel(this);
  problem_->setObjectName(QStringLiteral("commandProblem"));
  problem_->setWordWrap(true);
  problem_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  problem_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  problem_->hide();

  hint_ = new QLabel(rulesSentence, this);
  hint_->setObjectName(QStringLiteral("commandRules"));
  hint_->setWordWrap(true);
  hint_->setForegroundRole(QPalette::PlaceholderText);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit_);
  layout->addWidget(listLabel);
  layout->addWidget(list_);
  layout->addWidget(problem_);
  layout->addWidget(hint_);
  // Space the shorter of hint and problem leaves goes below both, so the
  // list does not move away from its label.
  layout->addStretch(1);

  connect(edit_, &QLineEdit::textChanged, this, &CommandLineField::resplit);
  resplit();
}

QString CommandLineField::text() const { return edit_->text(); }

void CommandLineField::setText(const QString& text) { edit_->setText(text); }

QString CommandLineField::problem() const { return problem_->isHidden() ? QString() : problem_->text(); }

QString CommandLineField::rulesText(pipescope::CommandRules rules) {
  if (rules == pipescope::CommandRules::windows) {
    return tr("Split as CommandLineToArgvW does: \"…\" quotes, \\\" is a literal quote, backslashes before a quote "
              "are halved. No shell runs: %VAR% and * stay as typed (for those, run cmd /c …).");
  }
  return tr("Split as a POSIX shell does: '…' and \"…\" quote, \\ escapes. No shell runs: $, `, ~ and * stay as "
            "typed; quote | ; & < > ( ), or run sh -c '…' for the shell's meaning.");
}

void CommandLineField::resplit() {
  const std::string line = toStdString(edit_->text());
  const pipescope::CommandSplit split = pipescope::split_command_line(line, rules_);
  words_ = split.ok ? split.words : std::vector<std::string>{};
  QString problem;
  if (!split.ok) {
    // The engine counts bytes of UTF-8; a person counts characters.
    const qsizetype column = toQString(std::string_view(line).substr(0, split.error.position)).size() + 1;
    problem = tr("Character %1: %2.").arg(column).arg(toQString(split.error.message));
  } else if (!words_.empty() && words_.front().empty()) {
    problem = tr("The first word, the program, is empty.");
  }
  runnable_ = split.ok && !words_.empty() && !words_.front().empty();

  list_->clear();
  for (std::size_t index = 0; index < words_.size(); ++index) {
    const QString shown = displayText(words_[index]);
    const QString text = index == 0 ? tr("argv[%1]  «%2»  the program").arg(index).arg(shown)
                                    : tr("argv[%1]  «%2»").arg(index).arg(shown);
    auto* item = new QListWidgetItem(text, list_);
    // The exact word, for whoever reads the list (a test, an accessibility tool).
    item->setData(Qt::UserRole, toQString(words_[index]));
    item->setToolTip(tr("argv[%1]: %n byte(s)", nullptr, static_cast<int>(words_[index].size())).arg(index));
  }
  // The problem takes the place of the hint (which the tooltips repeat), so
  // the dialog keeps its size while the person types: a dialog that is
  // already shown does not grow for a label that appears in it.
  problem_->setText(problem);
  problem_->setVisible(!problem.isEmpty());
  hint_->setVisible(problem.isEmpty());
  emit wordsChanged();
}

}  // namespace pipescope::ui
