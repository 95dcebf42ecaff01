// What the models need to know about endpoints beyond the events: their
// counters and names. In the application these come from the Engine; tests
// may supply their own.
#pragma once

#include <functional>
#include <optional>

#include "pipescope/endpoint.hpp"

namespace pipescope {
class Engine;
}

namespace pipescope::ui {

struct EndpointLookup {
  std::function<pipescope::Counters(pipescope::EndpointId)> counters;
  std::function<std::optional<pipescope::EndpointInfo>(pipescope::EndpointId)> info;

  /// Reads both from a live engine, which must outlive the lookup.
  [[nodiscard]] static EndpointLookup of(const pipescope::Engine& engine);
};

}  // namespace pipescope::ui
