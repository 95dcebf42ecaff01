#include "models/endpoint_lookup.hpp"

#include "pipescope/engine.hpp"

namespace pipescope::ui {

EndpointLookup EndpointLookup::of(const pipescope::Engine& engine) {
  return EndpointLookup{
      [&engine](pipescope::EndpointId id) { return engine.counters(id); },
      [&engine](pipescope::EndpointId id) { return engine.endpoint(id); },
  };
}

}  // namespace pipescope::ui
