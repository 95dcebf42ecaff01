// Endpoints: every instance, client and child stream has a stable id that
// names it in events and log records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipescope {

/// Stable for the engine's (and the log's) lifetime; 0 means "none".
using EndpointId = std::uint32_t;
/// Stable for the engine's lifetime; 0 means "none".
using ServerId = std::uint32_t;

enum class EndpointKind : std::uint8_t { instance, client, child };

/// The life of an endpoint. An instance starts listening; a client starts
/// connecting; both become connected, then disconnected (the peer left or we
/// disconnected) and finally closed (its handle or socket is gone).
enum class EndpointState : std::uint8_t { listening, connecting, connected, disconnected, closing, closed };

struct EndpointInfo {
  EndpointId id = 0;
  EndpointKind kind = EndpointKind::instance;
  ServerId server = 0;     ///< the owning server, for instances
  std::string pipe_name;   ///< "\\.\pipe\demo" or, for a child, its command line
  std::string label;       ///< short name for tables: "demo #2", "client 3 → demo", "child 4711"
};

/// Who is at the other end, as the OS tells it (SO_PEERCRED,
/// GetNamedPipeClientProcessId, ...). -1 where unknown.
struct PeerInfo {
  std::int64_t pid = -1;
  std::int64_t uid = -1;
  std::int64_t gid = -1;
  std::int64_t session = -1;
  // The peer's account name is not here: it may take seconds to look up,
  // so it comes later, in its own event (PeerIdentified).
};

/// Bytes and messages that crossed one endpoint. "in" is what the endpoint
/// read, "out" what it wrote.
struct Counters {
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
};

[[nodiscard]] std::string_view to_string(EndpointKind v) noexcept;
[[nodiscard]] std::string_view to_string(EndpointState v) noexcept;

}  // namespace pipescope
