// The message log at the centre of the window: the filter bar (endpoint,
// direction, payload text or regular expression), find, follow, and the
// virtualised log view, with copying of the selected payloads.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace pipescope::ui {

class EmptyViewHint;
class LogView;
class Session;

class LogPane final : public QWidget {
  Q_OBJECT

 public:
  enum class CopyForm { text, hex, c_array };

  explicit LogPane(Session& session, QWidget* parent = nullptr);

  [[nodiscard]] LogView* view() const noexcept { return view_; }
  /// What the log says while it shows no row (the main window gives it
  /// the actions that bring traffic).
  [[nodiscard]] EmptyViewHint* emptyHint() const noexcept { return emptyHint_; }
  [[nodiscard]] QCheckBox* followTail() const noexcept { return followTail_; }
  /// Whether the person wants new records followed: what the box says,
  /// unless only Find unticked it (the setting to keep for the next start).
  [[nodiscard]] bool followWanted() const;
  /// Puts the keyboard focus in the find field, its text selected.
  void focusFind();
  /// Copies the selected records' payloads to the clipboard.
  void copySelection(CopyForm form);

 public slots:
  void findNext();
  void findPrevious();

 signals:
  /// The record shown in the details (its log row), or none.
  void currentRecordChanged(std::optional<std::uint64_t> logRow);

 private:
  void applyFilter();
  void updateEndpointFilter();
  void find(bool forward);

  Session& session_;
  QComboBox* endpointFilter_ = nullptr;
  QComboBox* directionFilter_ = nullptr;
  QLineEdit* textFilter_ = nullptr;
  QCheckBox* regexFilter_ = nullptr;
  QCheckBox* caseFilter_ = nullptr;
  QLineEdit* findText_ = nullptr;
  QCheckBox* followTail_ = nullptr;
  bool followPausedByFind_ = false;  ///< Find unticked Follow, and nobody has touched it since
  LogView* view_ = nullptr;
  EmptyViewHint* emptyHint_ = nullptr;
};

}  // namespace pipescope::ui
