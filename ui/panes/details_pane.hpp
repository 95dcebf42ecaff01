// Message details: which record it is, its bytes in the hex view and as
// text in a chosen encoding, one part or the whole message it belongs to.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace pipescope::ui {

class HexView;
class MessageLogModel;
class Session;

class DetailsPane final : public QWidget {
  Q_OBJECT

 public:
  explicit DetailsPane(Session& session, QWidget* parent = nullptr);

  [[nodiscard]] HexView* hexView() const noexcept { return hexView_; }

 public slots:
  /// Shows the record at this log row, or the hint to pick one.
  void showRecord(std::optional<std::uint64_t> logRow);

 private:
  void refresh();

  Session& session_;
  QLabel* header_ = nullptr;
  QCheckBox* wholeMessage_ = nullptr;
  QComboBox* encoding_ = nullptr;
  HexView* hexView_ = nullptr;
  QPlainTextEdit* textView_ = nullptr;
  std::optional<std::uint64_t> shownRow_;
};

}  // namespace pipescope::ui
