#include "window/theme.hpp"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

#include <optional>

namespace pipescope::ui {

namespace {

/// What the application looked like before the first switch, to go back to.
struct Original {
  QString styleName;
  QPalette palette;
};
std::optional<Original> original;
bool applied = false;

}  // namespace

QPalette darkPalette() {
  const QColor window(0x2d, 0x2d, 0x30);
  const QColor base(0x1e, 0x1e, 0x1e);
  const QColor text(0xdc, 0xdc, 0xdc);
  const QColor disabled(0x80, 0x80, 0x80);
  QPalette palette;
  palette.setColor(QPalette::Window, window);
  palette.setColor(QPalette::WindowText, text);
  palette.setColor(QPalette::Base, base);
  palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x28));
  palette.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3c, 0x3f));
  palette.setColor(QPalette::ToolTipText, text);
  palette.setColor(QPalette::PlaceholderText, disabled);
  palette.setColor(QPalette::Text, text);
  palette.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3d));
  palette.setColor(QPalette::ButtonText, text);
  palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
  palette.setColor(QPalette::Light, QColor(0x4a, 0x4a, 0x4e));
  palette.setColor(QPalette::Midlight, QColor(0x40, 0x40, 0x44));
  palette.setColor(QPalette::Mid, QColor(0x30, 0x30, 0x33));
  palette.setColor(QPalette::Dark, QColor(0x1a, 0x1a, 0x1c));
  palette.setColor(QPalette::Shadow, QColor(0x10, 0x10, 0x10));
  palette.setColor(QPalette::Link, QColor(0x5a, 0xb0, 0xff));
  palette.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xff));
  palette.setColor(QPalette::Highlight, QColor(0x2f, 0x80, 0xed));
  palette.setColor(QPalette::HighlightedText, Qt::white);
  for (const auto role : {QPalette::Text, QPalette::WindowText, QPalette::ButtonText}) {
    palette.setColor(QPalette::Disabled, role, disabled);
  }
  palette.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x50, 0x50, 0x55));
  return palette;
}

void applyDarkPalette(bool dark) {
  if (dark == applied) {
    return;
  }
  if (!original) {
    original = Original{QApplication::style()->name(), QApplication::palette()};
  }
  if (dark) {
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(darkPalette());
  } else {
    if (QStyle* style = QStyleFactory::create(original->styleName)) {
      QApplication::setStyle(style);
    }
    QApplication::setPalette(original->palette);
  }
  applied = dark;
}

bool darkPaletteApplied() { return applied; }

}  // namespace pipescope::ui
