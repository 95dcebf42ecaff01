// The dialogs that create things: a server, a client connection, a child
// process with anonymous pipes. Each shows every engine option with a
// tooltip that teaches the concept, starts from safe defaults, and checks
// the choice with pipescope::validate before anything is created. If the
// engine then refuses, the dialog stays open and shows why.
#pragma once

#include <QDialog>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

#include "pipescope/error.hpp"
#include "pipescope/listing.hpp"
#include "pipescope/options.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace pipescope::ui {

class CommandLineField;

/// Tries to create what a dialog describes; returns the error if the engine refused.
template <class Options>
using Submitter = std::function<std::optional<pipescope::Error>(const Options&)>;

class NewServerDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit NewServerDialog(QWidget* parent = nullptr);

  void setOptions(const pipescope::ServerOptions& options);
  [[nodiscard]] pipescope::ServerOptions options() const;
  void setSubmitter(Submitter<pipescope::ServerOptions> submitter) { submitter_ = std::move(submitter); }
  /// The message shown after a refused accept (empty when all is well).
  [[nodiscard]] QString errorText() const;

 public slots:
  void accept() override;

 private:
  void showError(const pipescope::Error& error);
  void updateEnabled();

  QLineEdit* name_ = nullptr;
  QComboBox* access_ = nullptr;
  QComboBox* type_ = nullptr;
  QComboBox* readMode_ = nullptr;
  QComboBox* waitMode_ = nullptr;
  QCheckBox* unlimited_ = nullptr;
  QSpinBox* maxInstances_ = nullptr;
  QSpinBox* outBuffer_ = nullptr;
  QSpinBox* inBuffer_ = nullptr;
  QSpinBox* readBuffer_ = nullptr;
  QSpinBox* timeout_ = nullptr;
  QCheckBox* firstInstance_ = nullptr;
  QCheckBox* rejectRemote_ = nullptr;
  QComboBox* security_ = nullptr;
  QLineEdit* descriptor_ = nullptr;
  QComboBox* responder_ = nullptr;
  QLabel* error_ = nullptr;
  Submitter<pipescope::ServerOptions> submitter_;
};

class ConnectClientDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit ConnectClientDialog(QWidget* parent = nullptr);

  /// Names offered while typing (from the pipes browser). Typing or picking
  /// the name of a listed pipe chooses the read mode of its type: a message
  /// pipe read in byte mode loses its message boundaries, which is rarely
  /// what a person connecting to it means.
  void setKnownPipes(std::vector<pipescope::PipeInfo> pipes);
  void setOptions(const pipescope::ClientOptions& options);
  [[nodiscard]] pipescope::ClientOptions options() const;
  void setSubmitter(Submitter<pipescope::ClientOptions> submitter) { submitter_ = std::move(submitter); }
  [[nodiscard]] QString errorText() const;

 public slots:
  void accept() override;

 private:
  void showError(const pipescope::Error& error);
  void followKnownType(const QString& name);

  QLineEdit* name_ = nullptr;
  std::vector<pipescope::PipeInfo> knownPipes_;
  QComboBox* access_ = nullptr;
  QComboBox* readMode_ = nullptr;
  QSpinBox* busyTimeout_ = nullptr;
  QCheckBox* waitForever_ = nullptr;
  QComboBox* impersonation_ = nullptr;
  QSpinBox* readBuffer_ = nullptr;
  QLabel* error_ = nullptr;
  Submitter<pipescope::ClientOptions> submitter_;
};

class RunChildDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit RunChildDialog(QWidget* parent = nullptr);

  void setCommandLine(const QString& commandLine);
  /// Exactly what was typed, to be remembered as it is.
  [[nodiscard]] QString commandLine() const;
  /// The words of the command line (split by the platform's rules) as argv.
  [[nodiscard]] pipescope::ChildOptions options() const;
  void setSubmitter(Submitter<pipescope::ChildOptions> submitter) { submitter_ = std::move(submitter); }
  [[nodiscard]] QString errorText() const;

 public slots:
  void accept() override;

 private:
  void showError(const pipescope::Error& error);

  CommandLineField* command_ = nullptr;
  QPushButton* run_ = nullptr;
  QLineEdit* folder_ = nullptr;
  QSpinBox* readBuffer_ = nullptr;
  QLabel* error_ = nullptr;
  Submitter<pipescope::ChildOptions> submitter_;
};

}  // namespace pipescope::ui
