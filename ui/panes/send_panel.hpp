// Where a person writes what to send: text, hex or C escapes, checked as
// they type (the first error is marked where it is), the endpoint that
// writes (a newly connected client or child is chosen for them), a line end
// to append to text, a file to send, a history of what was sent and a
// library of named messages that is kept between sessions.
#pragma once

#include <QByteArray>
#include <QString>
#include <QWidget>

#include <unordered_set>
#include <vector>

#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSettings;

namespace pipescope::ui {

/// What the input means, or where and why it does not parse. The error
/// position counts QString characters, so it can place a cursor.
struct InputCheck {
  bool ok = true;
  QByteArray bytes;
  int errorPosition = -1;
  QString errorMessage;
};
[[nodiscard]] InputCheck checkInput(const QString& input, pipescope::InputFormat format);

class EndpointDirectory;

class SendPanel final : public QWidget {
  Q_OBJECT

 public:
  struct Target {
    pipescope::EndpointId id = 0;
    QString label;
  };

  explicit SendPanel(QWidget* parent = nullptr);

  /// The endpoints that may write; the current choice is kept if still there.
  void setTargets(const std::vector<Target>& targets);
  /// Keeps the targets to the directory's connected endpoints as they come
  /// and go, and chooses a client or child as soon as it connects: the one
  /// a person just connected is the one they mean to write from.
  void followDirectory(const EndpointDirectory* directory);
  void setCurrentTarget(pipescope::EndpointId id);
  [[nodiscard]] pipescope::EndpointId currentTarget() const;

  void setFormat(pipescope::InputFormat format);
  [[nodiscard]] pipescope::InputFormat format() const;
  /// What is appended to text (only text: hex and escapes say every byte).
  void setLineEnding(pipescope::LineEnding ending);
  [[nodiscard]] pipescope::LineEnding lineEnding() const;
  void setInput(const QString& text);
  [[nodiscard]] QString input() const;
  [[nodiscard]] const InputCheck& check() const noexcept { return check_; }
  [[nodiscard]] QStringList history() const;

  /// The panel's choices (format and line end, keys "send/…") and the
  /// library of saved messages (group "sendLibrary") live in these settings.
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;
  void addToLibrary(const QString& name);
  [[nodiscard]] QStringList libraryNames() const;
  void recallFromLibrary(const QString& name);

 public slots:
  /// Sends the input to the current target, if it parses.
  void send();
  /// Asks for a file and sends its bytes.
  void sendFile();

 signals:
  void sendRequested(pipescope::EndpointId target, const QByteArray& bytes);

 private:
  void revalidate();
  /// The bytes a send writes: the input's, and the line end in text mode.
  [[nodiscard]] QByteArray bytesToSend() const;
  void loadLibrary(QSettings& settings);
  void saveLibrary(QSettings& settings) const;
  void updateSendEnabled();
  void saveCurrentAs();
  void deleteSaved();

  struct Saved {
    QString name;
    pipescope::InputFormat format = pipescope::InputFormat::text;
    QString text;
  };

  QComboBox* format_ = nullptr;
  QComboBox* lineEnding_ = nullptr;
  QPlainTextEdit* editor_ = nullptr;
  QLabel* status_ = nullptr;
  QComboBox* target_ = nullptr;
  QPushButton* sendButton_ = nullptr;
  QComboBox* history_ = nullptr;
  QComboBox* library_ = nullptr;
  InputCheck check_;
  std::vector<Saved> saved_;
  /// Endpoints seen connected at the directory's last change: one that is
  /// connected now and was not there is new.
  std::unordered_set<pipescope::EndpointId> connected_;
};

}  // namespace pipescope::ui
