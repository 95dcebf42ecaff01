// The echo and reverse responders as taps: a server started with
// ServerOptions::responder gets one on each of its instances.
#pragma once

#include "pipescope/options.hpp"
#include "pipescope/tap.hpp"

namespace pipescope::detail {

/// The factory of the responder's taps; empty for Responder::none.
[[nodiscard]] TapFactory responder_taps(Responder kind);

}  // namespace pipescope::detail
