// A relay pairs two endpoints: what one reads, the other writes. On a
// message pipe it forwards message for message: a message that arrives in
// parts (ERROR_MORE_DATA, more-data records) is written on as one message
// once its last part is read. A hook sees each message on its way and may
// change it or drop it. Built on taps (pipescope/tap.hpp); the proxy and the
// relay benchmark use it.
#pragma once

#include <functional>

#include "pipescope/codec.hpp"
#include "pipescope/endpoint.hpp"
#include "pipescope/engine.hpp"
#include "pipescope/error.hpp"

namespace pipescope {

/// One message (or one read of a byte pipe) on its way through a relay.
struct RelayedMessage {
  EndpointId from = 0;
  EndpointId to = 0;
  Bytes bytes;  ///< may be changed by the hook
};

enum class RelayVerdict : std::uint8_t { forward, drop };

/// Runs on an engine thread for each message, in order within a direction:
/// it must return quickly and must not call the engine. The two directions
/// may call it at the same time (on Windows their reads complete on
/// different threads), so a hook that keeps state guards it.
using RelayHook = std::function<RelayVerdict(RelayedMessage& message)>;

/// Pairs `a` and `b` both ways. Fails for an unknown endpoint or a == b.
Result<void> relay(Engine& engine, EndpointId a, EndpointId b, RelayHook hook = {});

}  // namespace pipescope
