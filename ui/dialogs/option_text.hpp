// What the dialogs show of an engine option, taken from the option catalogue
// (pipescope/option_catalogue.hpp) that the console tool's --help is made
// from too: its form label, its tooltip (the teaching text, the Windows
// names it stands for, the default) and, for numbers, its range.
#pragma once

#include <QString>

#include "pipescope/option_catalogue.hpp"

class QFormLayout;
class QLayout;
class QSpinBox;
class QWidget;

namespace pipescope::ui {

/// The catalogue's label as a form label with a mnemonic: "Read &mode:" for
/// (server_read_mode, 'm'). Without that letter in the label, no mnemonic.
[[nodiscard]] QString optionLabel(pipescope::OptionKey key, char mnemonic);

/// Adds a form row whose field is a layout (a field and its button):
/// QFormLayout gives such a row's label no buddy, so that its mnemonic did
/// nothing and showed as a literal "&" ("&Busy wait:"). The label's
/// mnemonic goes to `buddy`.
void addRowWithBuddy(QFormLayout* form, const QString& label, QLayout* field, QWidget* buddy);

/// The teaching text, then "Windows: …" and "Default: …" lines.
[[nodiscard]] QString optionTip(pipescope::OptionKey key);

/// A spin box for a number option: the catalogue's range (clipped to what a
/// spin box holds), its unit as the suffix, its tooltip and default value.
[[nodiscard]] QSpinBox* makeOptionSpin(QWidget* parent, const QString& objectName, pipescope::OptionKey key);

}  // namespace pipescope::ui
