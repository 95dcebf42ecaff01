// How every live table of the window looks and behaves.
#pragma once

class QTableView;

namespace pipescope::ui {

/// Fixed row heights (never resized to their contents on a live table),
/// whole-row selection, alternating colours, no word wrap, the last column
/// stretched.
void setupLiveTable(QTableView* view);

}  // namespace pipescope::ui
