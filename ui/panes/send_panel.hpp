// Where a person writes what to send: text, hex or C escapes, checked as
// they type (the first error is marked where it is), a target endpoint, a
// file to send, a history of what was sent and a library of named messages
// that is kept between sessions.
#pragma once

#include <QByteArray>
#include <QString>
#include <QWidget>

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

  /// The endpoints one may send to; the current choice is kept if still there.
  void setTargets(const std::vector<Target>& targets);
  /// Keeps the targets to the directory's connected endpoints as they come
  /// and go.
  void followDirectory(const EndpointDirectory* directory);
  void setCurrentTarget(pipescope::EndpointId id);
  [[nodiscard]] pipescope::EndpointId currentTarget() const;

  void setFormat(pipescope::InputFormat format);
  [[nodiscard]] pipescope::InputFormat format() const;
  void setInput(const QString& text);
  [[nodiscard]] QString input() const;
  [[nodiscard]] const InputCheck& check() const noexcept { return check_; }
  [[nodiscard]] QStringList history() const;

  /// The library of saved messages lives in these settings (group "sendLibrary").
  void loadLibrary(QSettings& settings);
  void saveLibrary(QSettings& settings) const;
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
  void updateSendEnabled();
  void saveCurrentAs();
  void deleteSaved();

  struct Saved {
    QString name;
    pipescope::InputFormat format = pipescope::InputFormat::text;
    QString text;
  };

  QComboBox* format_ = nullptr;
  QPlainTextEdit* editor_ = nullptr;
  QLabel* status_ = nullptr;
  QComboBox* target_ = nullptr;
  QPushButton* sendButton_ = nullptr;
  QComboBox* history_ = nullptr;
  QComboBox* library_ = nullptr;
  InputCheck check_;
  std::vector<Saved> saved_;
};

}  // namespace pipescope::ui
