// Every choice of every combo box in every dialog reaches the engine as the
// option it names. The New server dialog once listed Duplex, Inbound,
// Outbound while the engine's enum is inbound, outbound, duplex, and read
// the choice back by its position: choosing Duplex created an inbound pipe.
// Here each item is chosen in the real dialog of the real main window, the
// dialog is accepted, and the options the engine received are compared with
// the term whose label the item shows.
#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTest>

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>
#include <vector>
#include <optional>

#include "views/choice_combo.hpp"
#include "models/clients_model.hpp"
#include "dialogs/dialogs.hpp"
#include "dialogs/option_text.hpp"
#include "pipescope/option_catalogue.hpp"
#include "window/main_window.hpp"
#include "models/pipes_model.hpp"
#include "models/servers_model.hpp"
#include "ui_test_support.hpp"

using namespace pipescope::ui;
using namespace pipescope::ui::test;

namespace {

void clickOk(QDialog* dialog) {
  auto* buttons = dialog->findChild<QDialogButtonBox*>();
  QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

/// The term whose label `text` is; nullptr when no term shows it.
template <class E>
const pipescope::Term<E>* termShownAs(const QString& text) {
  for (const pipescope::Term<E>& term : pipescope::terms<E>()) {
    if (termLabel(term) == text) {
      return &term;
    }
  }
  return nullptr;
}

/// A security descriptor the custom preset accepts on this platform.
QString customDescriptor() {
#if defined(_WIN32)
  return QStringLiteral("D:P(A;;GA;;;OW)");
#else
  return QStringLiteral("0600");
#endif
}

int g_serial = 0;

}  // namespace

class DialogChoicesTest : public QObject {
  Q_OBJECT

  /// For each item of combo `comboName` of the New server dialog: opens the
  /// dialog, chooses the item, accepts, and compares the option the engine
  /// received with the term the item shows.
  template <class E>
  void checkServerChoices(const char* comboName, E pipescope::ServerOptions::*field) {
    MainWindow window;
    window.show();
    auto* probe = new NewServerDialog(&window);
    const int count = probe->findChild<QComboBox*>(QString::fromLatin1(comboName))->count();
    delete probe;
    QCOMPARE(static_cast<std::size_t>(count), pipescope::terms<E>().size());
    for (int index = 0; index < count; ++index) {
      window.findChild<QAction*>(QStringLiteral("actionNewServer"))->trigger();
      QPointer<NewServerDialog> dialog = window.findChild<NewServerDialog*>();
      QVERIFY(dialog);
      const QString name = uniqueName("choice") + QStringLiteral("-%1").arg(++g_serial);
      auto* nameEdit = dialog->findChild<QLineEdit*>(QStringLiteral("name"));
      nameEdit->clear();
      QTest::keyClicks(nameEdit, name);
      auto* combo = dialog->findChild<QComboBox*>(QString::fromLatin1(comboName));
      QVERIFY(combo);
      // Choices that need a companion: message read mode a message pipe,
      // the custom preset a descriptor.
      dialog->findChild<QComboBox*>(QStringLiteral("type"))
          ->setCurrentIndex(dialog->findChild<QComboBox*>(QStringLiteral("type"))
                                ->findText(termLabel(*pipescope::find_term(pipescope::PipeType::message))));
      combo->setCurrentIndex(index);
      dialog->findChild<QLineEdit*>(QStringLiteral("descriptor"))->setText(customDescriptor());
      const QString shown = combo->currentText();
      const pipescope::Term<E>* meant = termShownAs<E>(shown);
      QVERIFY2(meant != nullptr, qPrintable(QStringLiteral("%1 shows \"%2\", which no term of the engine's vocabulary is")
                                                .arg(QLatin1String(comboName), shown)));
      clickOk(dialog);
      QTRY_VERIFY2_WITH_TIMEOUT(dialog.isNull(),
                                qPrintable(dialog ? dialog->errorText() : QStringLiteral("closed")), kTimeoutMs);

      ServersModel& servers = *window.serversModel();
      std::optional<pipescope::ServerId> server;
      QTRY_VERIFY_WITH_TIMEOUT(
          [&] {
            for (int row = 0; row < servers.rowCount(); ++row) {
              const QModelIndex index = servers.index(row, 0);
              if (index.data().toString().endsWith(name)) {
                server = static_cast<pipescope::ServerId>(index.data(ServersModel::ServerIdRole).toUInt());
                return true;
              }
            }
            return false;
          }(),
          kTimeoutMs);
      const std::optional<pipescope::ServerOptions> received = window.engine().server_options(*server);
      QVERIFY(received);
      QVERIFY2((*received).*field == meant->value,
               qPrintable(QStringLiteral("%1: chose \"%2\", the engine got %3")
                              .arg(QLatin1String(comboName), shown,
                                   QString::fromUtf8(std::string(pipescope::word_of((*received).*field)).c_str()))));
    }
  }

  /// The same for the Connect client dialog, against a server of the engine.
  template <class E>
  void checkClientChoices(const char* comboName, E pipescope::ClientOptions::*field) {
    MainWindow window;
    window.show();
    // A duplex message pipe takes every client access and read mode.
    pipescope::ServerOptions served;
    served.name = (uniqueName("choice-server") + QStringLiteral("-%1").arg(++g_serial)).toStdString();
    served.type = pipescope::PipeType::message;
    auto server = window.engine().start_server(served);
    QVERIFY2(server.ok(), server.ok() ? "" : server.error().summary().c_str());

    auto* probe = new ConnectClientDialog(&window);
    const int count = probe->findChild<QComboBox*>(QString::fromLatin1(comboName))->count();
    delete probe;
    QCOMPARE(static_cast<std::size_t>(count), pipescope::terms<E>().size());
    ClientsModel& clients = *window.clientsModel();
    for (int index = 0; index < count; ++index) {
      const int rowsBefore = clients.rowCount();
      window.findChild<QAction*>(QStringLiteral("actionConnectClient"))->trigger();
      QPointer<ConnectClientDialog> dialog = window.findChild<ConnectClientDialog*>();
      QVERIFY(dialog);
      auto* nameEdit = dialog->findChild<QLineEdit*>(QStringLiteral("name"));
      nameEdit->clear();
      QTest::keyClicks(nameEdit, QString::fromStdString(served.name));
      auto* combo = dialog->findChild<QComboBox*>(QString::fromLatin1(comboName));
      QVERIFY(combo);
      combo->setCurrentIndex(index);
      const QString shown = combo->currentText();
      const pipescope::Term<E>* meant = termShownAs<E>(shown);
      QVERIFY2(meant != nullptr, qPrintable(QStringLiteral("%1 shows \"%2\", which no term of the engine's vocabulary is")
                                                .arg(QLatin1String(comboName), shown)));
      clickOk(dialog);
      QTRY_VERIFY2_WITH_TIMEOUT(dialog.isNull(),
                                qPrintable(dialog ? dialog->errorText() : QStringLiteral("closed")), kTimeoutMs);
      QTRY_COMPARE_WITH_TIMEOUT(clients.rowCount(), rowsBefore + 1, kTimeoutMs);
      const auto client =
          static_cast<pipescope::EndpointId>(clients.index(rowsBefore, 0).data(ClientsModel::EndpointIdRole).toUInt());
      const std::optional<pipescope::ClientOptions> received = window.engine().client_options(client);
      QVERIFY(received);
      QVERIFY2((*received).*field == meant->value,
               qPrintable(QStringLiteral("%1: chose \"%2\", the engine got %3")
                              .arg(QLatin1String(comboName), shown,
                                   QString::fromUtf8(std::string(pipescope::word_of((*received).*field)).c_str()))));
    }
  }

 private slots:
  void initTestCase() { useOwnSettings("dialog_choices_test"); }

  // Every option widget of the three dialogs says what the option
  // catalogue says (the text the console tool's --help shows too), and a
  // number takes exactly the catalogue's range, as far as a spin box holds.
  void optionWidgetsFollowTheCatalogue() {
    using pipescope::OptionKey;
    struct Widget {
      const char* name;
      OptionKey key;
    };
    NewServerDialog server;
    ConnectClientDialog client;
    RunChildDialog child;
    const std::vector<std::pair<QDialog*, std::vector<Widget>>> dialogs{
        {&server,
         {{"access", OptionKey::server_access}, {"type", OptionKey::pipe_type}, {"readMode", OptionKey::server_read_mode},
          {"waitMode", OptionKey::wait_mode}, {"maxInstances", OptionKey::max_instances},
          {"outBuffer", OptionKey::out_buffer_size}, {"inBuffer", OptionKey::in_buffer_size},
          {"readBuffer", OptionKey::server_read_buffer}, {"timeout", OptionKey::default_timeout},
          {"firstInstance", OptionKey::first_instance}, {"rejectRemote", OptionKey::remote_clients},
          {"security", OptionKey::security}, {"descriptor", OptionKey::security_descriptor}}},
        {&client,
         {{"access", OptionKey::client_access}, {"readMode", OptionKey::client_read_mode},
          {"busyTimeout", OptionKey::busy_timeout}, {"impersonation", OptionKey::impersonation},
          {"readBuffer", OptionKey::client_read_buffer}}},
        {&child, {{"readBuffer", OptionKey::child_read_buffer}, {"folder", OptionKey::child_working_dir}}},
    };
    for (const auto& [dialog, widgets] : dialogs) {
      for (const Widget& widget : widgets) {
        auto* found = dialog->findChild<QWidget*>(QString::fromLatin1(widget.name));
        QVERIFY2(found != nullptr, widget.name);
        const pipescope::OptionInfo& info = pipescope::option_info(widget.key);
        QCOMPARE(found->toolTip(), optionTip(widget.key));
        const QString help = QString::fromUtf8(info.help.data(), static_cast<qsizetype>(info.help.size()));
        QVERIFY2(found->toolTip().startsWith(help), widget.name);
        if (auto* spin = qobject_cast<QSpinBox*>(found); spin != nullptr) {
          QVERIFY(info.range.has_value());
          QCOMPARE(static_cast<std::uint64_t>(spin->minimum()), info.range->min);
          const std::uint64_t max = std::min<std::uint64_t>(info.range->max, std::numeric_limits<int>::max());
          // Max instances stops below 255, which the Unlimited box stands for.
          const std::uint64_t expected = widget.key == OptionKey::max_instances ? max - 1 : max;
          QCOMPARE(static_cast<std::uint64_t>(spin->maximum()), expected);
        }
      }
    }
    QCOMPARE(optionLabel(OptionKey::server_read_mode, 'm'), QStringLiteral("Read &mode:"));
    // Unlimited is the default; unticked, the count starts small, not at 254.
    QCOMPARE(server.findChild<QSpinBox*>(QStringLiteral("maxInstances"))->value(), 4);
  }

  void newServerDirection() { checkServerChoices("access", &pipescope::ServerOptions::access); }
  void newServerType() { checkServerChoices("type", &pipescope::ServerOptions::type); }
  void newServerReadMode() { checkServerChoices("readMode", &pipescope::ServerOptions::read_mode); }
  void newServerWaitMode() { checkServerChoices("waitMode", &pipescope::ServerOptions::wait_mode); }
  void newServerSecurity() { checkServerChoices("security", &pipescope::ServerOptions::security); }
  void newServerResponder() { checkServerChoices("responder", &pipescope::ServerOptions::responder); }
  void connectClientAccess() { checkClientChoices("access", &pipescope::ClientOptions::access); }
  void connectClientReadMode() { checkClientChoices("readMode", &pipescope::ClientOptions::read_mode); }
  void connectClientImpersonation() { checkClientChoices("impersonation", &pipescope::ClientOptions::impersonation); }

  // Choosing Message as the type chooses message read mode too, and Byte
  // byte mode: the common case takes one choice, not two.
  void newServerReadModeFollowsTheType() {
    NewServerDialog dialog;
    auto* type = dialog.findChild<QComboBox*>(QStringLiteral("type"));
    auto* readMode = dialog.findChild<QComboBox*>(QStringLiteral("readMode"));
    type->setCurrentIndex(type->findData(static_cast<int>(pipescope::PipeType::message)));
    QCOMPARE(chosenValue(readMode, pipescope::ReadMode::byte), pipescope::ReadMode::message);
    type->setCurrentIndex(type->findData(static_cast<int>(pipescope::PipeType::byte)));
    QCOMPARE(chosenValue(readMode, pipescope::ReadMode::message), pipescope::ReadMode::byte);
  }

  // A pipe the browser lists as a message pipe is connected to in message
  // read mode once its name is typed; a remembered name is selected, so
  // that typing replaces it.
  void connectFollowsTheListedTypeAndReplacesTheRememberedName() {
    MainWindow window;
    const QString name = uniqueName("listed");
    pipescope::ServerOptions server;
    server.name = name.toStdString();
    server.type = pipescope::PipeType::message;
    server.read_mode = pipescope::ReadMode::message;
    QVERIFY(!window.createServer(server).has_value());
    const auto listed = [&] {
      for (const pipescope::PipeInfo& pipe : window.pipesModel()->present()) {
        if (QString::fromStdString(pipe.name).endsWith(name) && pipe.type == "message") return true;
      }
      return false;
    };
    // Wine 8 cannot list \\.\pipe\ (docs/win32-backend.md); Windows and
    // POSIX can.
    const auto listing = window.engine().list_pipes();
    const bool canList = listing.ok() || listing.error().errc() != pipescope::Errc::unsupported_on_platform;
    if (canList) {
      window.refreshPipes();
      QTRY_VERIFY_WITH_TIMEOUT(listed(), kTimeoutMs);
    }
    QSettings().setValue(QStringLiteral("recent/clientName"), QStringLiteral("an-older-pipe"));

    window.findChild<QAction*>(QStringLiteral("actionConnectClient"))->trigger();
    QPointer<ConnectClientDialog> dialog = window.findChild<ConnectClientDialog*>();
    QVERIFY(dialog);
    if (!canList) {
      // The listing the pipes browser would have had, as Windows gives it.
      qInfo("this platform cannot list pipes (%s): the dialog is given the listing Windows would give",
            listing.error().summary().c_str());
      pipescope::PipeInfo info;
      info.name = "\\\\.\\pipe\\" + name.toStdString();
      info.type = "message";
      dialog->setKnownPipes({info});
    }
    auto* edit = dialog->findChild<QLineEdit*>(QStringLiteral("name"));
    auto* readMode = dialog->findChild<QComboBox*>(QStringLiteral("readMode"));
    QCOMPARE(edit->text(), QStringLiteral("an-older-pipe"));
    QCOMPARE(chosenValue(readMode, pipescope::ReadMode::message), pipescope::ReadMode::byte);
    QTest::keyClicks(edit, name);
    QCOMPARE(edit->text(), name);
    QCOMPARE(chosenValue(readMode, pipescope::ReadMode::byte), pipescope::ReadMode::message);
    QCOMPARE(dialog->options().read_mode, pipescope::ReadMode::message);
    // The same pipe by its full name in other letters is still that pipe
    // (the engine's PipeName rules), and an unknown one changes nothing.
    readMode->setCurrentIndex(readMode->findData(static_cast<int>(pipescope::ReadMode::byte)));
    edit->setText(QStringLiteral(R"(\\.\PIPE\)") + name.toUpper());
    QCOMPARE(chosenValue(readMode, pipescope::ReadMode::byte), pipescope::ReadMode::message);
    readMode->setCurrentIndex(readMode->findData(static_cast<int>(pipescope::ReadMode::byte)));
    edit->setText(name + QStringLiteral("-not-listed"));
    QCOMPARE(chosenValue(readMode, pipescope::ReadMode::message), pipescope::ReadMode::byte);
    dialog->reject();
  }

  // Every form label with a mnemonic has a field to go to: a label without
  // a buddy shows its "&" as it is ("&Busy wait:", "&Working folder:").
  void everyMnemonicLabelHasAField() {
    const auto check = [](QDialog& dialog) {
      int labelled = 0;
      for (const QLabel* label : dialog.findChildren<QLabel*>()) {
        const QString text = label->text();
        // "&" before a letter or digit is a mnemonic; "& " in a sentence is
        // an ampersand.
        static const QRegularExpression kMnemonic(QStringLiteral("(^|[^&])&[A-Za-z0-9]"));
        const bool mnemonic = kMnemonic.match(text).hasMatch() && !Qt::mightBeRichText(text);
        if (!mnemonic) continue;
        QVERIFY2(label->buddy() != nullptr, qPrintable(QStringLiteral("%1: \"%2\" has no field to go to")
                                                           .arg(QString::fromLatin1(dialog.metaObject()->className()), text)));
        ++labelled;
      }
      QVERIFY(labelled >= 3);
    };
    NewServerDialog server;
    check(server);
    ConnectClientDialog client;
    check(client);
    RunChildDialog child;
    check(child);
  }

  // The default a new dialog shows is what the engine would choose itself.
  void newServerShowsTheEnginesDefaults() {
    NewServerDialog dialog;
    const pipescope::ServerOptions defaults;
    const pipescope::ServerOptions shown = dialog.options();
    QCOMPARE(shown.access, defaults.access);
    QCOMPARE(shown.type, defaults.type);
    QCOMPARE(shown.read_mode, defaults.read_mode);
    QCOMPARE(shown.security, defaults.security);
    QCOMPARE(dialog.findChild<QComboBox*>(QStringLiteral("access"))->currentText(),
             termLabel(*pipescope::find_term(defaults.access)));
  }
};

QTEST_MAIN(DialogChoicesTest)
#include "dialog_choices_test.moc"
