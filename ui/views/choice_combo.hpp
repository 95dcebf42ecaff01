// Combo boxes over the engine's vocabulary (pipescope/vocabulary.hpp): each
// item is one term, shown by its label and carrying its value, so a choice
// is read back by value and never by its position in the list. The labels
// are translated in the "pipescope::vocabulary" context.
#pragma once

#include <QComboBox>
#include <QCoreApplication>
#include <QString>
#include <pipescope/vocabulary.hpp>

namespace pipescope::ui {

/// The label of a term as the GUI shows it (translated).
template <class E>
[[nodiscard]] QString termLabel(const Term<E> &term) {
  return QCoreApplication::translate("pipescope::vocabulary", std::string(term.label).c_str());
}

/// Fills `combo` with every term of E, in the vocabulary's order; an item's
/// tooltip names the Windows constant where there is one.
template <class E>
void fillChoices(QComboBox *combo) {
  combo->clear();
  for (const Term<E> &term : terms<E>()) {
    combo->addItem(termLabel(term), static_cast<int>(term.value));
    if (!term.windows.empty()) {
      combo->setItemData(combo->count() - 1,
                         QString::fromUtf8(term.windows.data(), static_cast<qsizetype>(term.windows.size())),
                         Qt::ToolTipRole);
    }
  }
}

/// The value chosen in a combo filled by fillChoices; `fallback` when none is.
template <class E>
[[nodiscard]] E chosenValue(const QComboBox *combo, E fallback) {
  const QVariant data = combo->currentData();
  if (!data.isValid()) {
    return fallback;
  }
  const int value = data.toInt();
  for (const Term<E> &term : terms<E>()) {
    if (static_cast<int>(term.value) == value) {
      return term.value;
    }
  }
  return fallback;
}

/// Selects the item of `value`; leaves the choice as it is if no item has it.
template <class E>
void chooseValue(QComboBox *combo, E value) {
  const int index = combo->findData(static_cast<int>(value));
  if (index >= 0) {
    combo->setCurrentIndex(index);
  }
}

}  // namespace pipescope::ui
