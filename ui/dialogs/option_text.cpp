#include "dialogs/option_text.hpp"

#include <QCoreApplication>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QStringList>

#include <algorithm>
#include <limits>
#include <string>

#include "common/qt_text.hpp"

namespace pipescope::ui {

namespace {

/// The catalogue's English text, through the translator, so that a
/// translation of the options is made once for every dialog.
QString translated(std::string_view text) {
  return QCoreApplication::translate("pipescope::option", std::string(text).c_str());
}

int clippedToInt(std::uint64_t value) {
  return static_cast<int>(std::min<std::uint64_t>(value, std::numeric_limits<int>::max()));
}

}  // namespace

QString optionLabel(pipescope::OptionKey key, char mnemonic) {
  QString label = translated(pipescope::option_info(key).label);
  const auto at = label.indexOf(QLatin1Char(mnemonic), 0, Qt::CaseInsensitive);
  if (at >= 0) label.insert(at, QLatin1Char('&'));
  return label + QLatin1Char(':');
}

void addRowWithBuddy(QFormLayout* form, const QString& label, QLayout* field, QWidget* buddy) {
  auto* text = new QLabel(label, form->parentWidget());
  text->setBuddy(buddy);
  form->addRow(text, field);
}

QString optionTip(pipescope::OptionKey key) {
  const pipescope::OptionInfo& info = pipescope::option_info(key);
  QStringList windows;
  for (const std::string_view name : info.windows) windows << toQString(name);
  QString tip = translated(info.help);
  tip += QStringLiteral("\n\n") + QCoreApplication::translate("pipescope::option", "Windows: %1.")
                                      .arg(windows.join(QStringLiteral(", ")));
  if (!info.default_text.empty()) {
    tip += QLatin1Char(' ') + QCoreApplication::translate("pipescope::option", "Default: %1.")
                                  .arg(toQString(info.default_text));
  }
  return tip;
}

QSpinBox* makeOptionSpin(QWidget* parent, const QString& objectName, pipescope::OptionKey key) {
  const pipescope::OptionInfo& info = pipescope::option_info(key);
  auto* spin = new QSpinBox(parent);
  spin->setObjectName(objectName);
  if (info.range) {
    spin->setRange(clippedToInt(info.range->min), clippedToInt(info.range->max));
  }
  spin->setValue(clippedToInt(info.default_value));
  if (!info.unit.empty()) {
    spin->setSuffix(QLatin1Char(' ') + translated(info.unit));
  }
  spin->setToolTip(optionTip(key));
  spin->setGroupSeparatorShown(true);
  return spin;
}

}  // namespace pipescope::ui
