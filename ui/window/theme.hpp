#pragma once
// The dark palette of View > Dark palette.
//
// Qt 6.4 follows the system's light or dark setting on Linux desktops that
// publish one, but not on Windows (Qt 6.5 added that), so PipeScope offers
// its own: the Fusion style, which draws every control from the palette,
// with a dark palette. Switching back restores the style and palette the
// application started with. The models, the hex view, the log view and the
// plot take their colours from the palette or use mid-tones that read on
// both.

#include <QPalette>

namespace pipescope::ui {

/// The palette used when the dark palette is on.
[[nodiscard]] QPalette darkPalette();

/// Switches the whole application to the dark palette (Fusion style) or
/// back to the style and palette it had before the first switch.
void applyDarkPalette(bool dark);

/// Whether the dark palette is on.
[[nodiscard]] bool darkPaletteApplied();

}  // namespace pipescope::ui
