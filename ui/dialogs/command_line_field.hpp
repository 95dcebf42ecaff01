// The command line of the Run child dialog: what the person types, and
// under it, live, the words the child will get (argv[0], argv[1], …), each
// shown exactly between « and », or a red line that says where the typing
// cannot be split. The splitting is the engine's (pipescope/command_words.hpp),
// by the platform's rules: a POSIX shell's quoting here, CommandLineToArgvW's
// on Windows. No shell runs, so nothing is expanded; the hint under the list
// says so, and a problem takes its place.
#pragma once

#include <QWidget>

#include <string>
#include <vector>

#include "pipescope/command_words.hpp"

class QLabel;
class QLineEdit;
class QListWidget;

namespace pipescope::ui {

class CommandLineField final : public QWidget {
  Q_OBJECT

 public:
  explicit CommandLineField(QWidget* parent = nullptr,
                            pipescope::CommandRules rules = pipescope::native_command_rules());

  /// Exactly what was typed (what the dialog remembers).
  [[nodiscard]] QString text() const;
  void setText(const QString& text);
  /// The words of the text; empty while it cannot be split.
  [[nodiscard]] const std::vector<std::string>& words() const noexcept { return words_; }
  /// True when the text splits and names a program.
  [[nodiscard]] bool isRunnable() const noexcept { return runnable_; }
  /// Why the text cannot run (empty when it can, or when nothing is typed).
  [[nodiscard]] QString problem() const;
  [[nodiscard]] pipescope::CommandRules rules() const noexcept { return rules_; }

  [[nodiscard]] QLineEdit* lineEdit() const noexcept { return edit_; }
  [[nodiscard]] QListWidget* argumentList() const noexcept { return list_; }

  /// The rules in one sentence each, for the hint and the tooltip.
  [[nodiscard]] static QString rulesText(pipescope::CommandRules rules);

 signals:
  /// The words or their validity changed.
  void wordsChanged();

 private:
  void resplit();

  pipescope::CommandRules rules_;
  QLineEdit* edit_ = nullptr;
  QListWidget* list_ = nullptr;
  QLabel* problem_ = nullptr;
  QLabel* hint_ = nullptr;
  std::vector<std::string> words_;
  bool runnable_ = false;
};

}  // namespace pipescope::ui
