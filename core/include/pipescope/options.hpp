// Everything a person can choose when creating a server or opening a client.
// The fields mirror CreateNamedPipeW / CreateFileW; the POSIX backend maps
// each as DESIGN.md says, and refuses plainly what it cannot honour.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipescope/error.hpp"

namespace pipescope {

/// Direction of a server's pipe (PIPE_ACCESS_*), seen from the server:
/// inbound = client writes, server reads.
enum class PipeAccess : std::uint8_t { inbound, outbound, duplex };
/// PIPE_TYPE_BYTE / PIPE_TYPE_MESSAGE: how the pipe stores written data.
enum class PipeType : std::uint8_t { byte, message };
/// PIPE_READMODE_BYTE / PIPE_READMODE_MESSAGE: how this end reads.
enum class ReadMode : std::uint8_t { byte, message };
/// PIPE_WAIT / PIPE_NOWAIT (the latter exists only for LAN Manager
/// compatibility; the engine's I/O is asynchronous either way).
enum class WaitMode : std::uint8_t { blocking, nonblocking };
/// Who may open the pipe. owner_only is the default (secure by default).
enum class SecurityPreset : std::uint8_t { owner_only, everyone, custom };
/// What the engine answers on its own to each message or line it receives.
enum class Responder : std::uint8_t { none, echo, reverse };
/// The client's GENERIC_READ / GENERIC_WRITE choice.
enum class ClientAccess : std::uint8_t { read, write, read_write };
/// The SECURITY_SQOS level a client lets the server use.
enum class ImpersonationLevel : std::uint8_t { anonymous, identification, impersonation, delegation };

/// PIPE_UNLIMITED_INSTANCES: as on Windows, 255 means "no limit".
inline constexpr std::uint32_t kUnlimitedInstances = 255;
/// A client's busy wait that never gives up (NMPWAIT_WAIT_FOREVER).
inline constexpr std::chrono::milliseconds kWaitForever = std::chrono::milliseconds::max();
/// Whether a wait never gives up: kWaitForever, and every wait of a year or
/// more, which nobody means as a deadline and which would overflow a clock's
/// time point. Every backend decides with this one function, so that a
/// two-year timeout means the same on each.
[[nodiscard]] constexpr bool waits_forever(std::chrono::milliseconds wait) noexcept {
  return wait >= std::chrono::hours(24 * 365);
}

struct ServerOptions {
  std::string name;
  PipeAccess access = PipeAccess::duplex;
  PipeType type = PipeType::byte;
  ReadMode read_mode = ReadMode::byte;
  WaitMode wait_mode = WaitMode::blocking;
  std::uint32_t max_instances = kUnlimitedInstances;  ///< 1..254, or 255 = unlimited
  std::uint32_t out_buffer_size = 4096;                ///< nOutBufferSize (advisory)
  std::uint32_t in_buffer_size = 4096;                 ///< nInBufferSize (advisory)
  std::chrono::milliseconds default_timeout{50};       ///< nDefaultTimeOut for WaitNamedPipe
  bool first_instance = false;                         ///< FILE_FLAG_FIRST_PIPE_INSTANCE
  bool reject_remote = true;                           ///< PIPE_REJECT_REMOTE_CLIENTS
  SecurityPreset security = SecurityPreset::owner_only;
  /// With SecurityPreset::custom: SDDL on Windows ("D:(A;;GA;;;WD)"), an
  /// octal file mode on POSIX ("0660").
  std::string security_descriptor;
  /// How many bytes the engine asks for per read. A message larger than this
  /// arrives in parts flagged more-data, as ReadFile does with ERROR_MORE_DATA.
  std::uint32_t read_buffer_size = 65536;
  Responder responder = Responder::none;
};

struct ClientOptions {
  std::string name;
  ClientAccess access = ClientAccess::read_write;
  ReadMode read_mode = ReadMode::byte;
  /// How long to wait while every instance is busy (WaitNamedPipe);
  /// 0 = fail at once with ERROR_PIPE_BUSY; kWaitForever = no limit.
  std::chrono::milliseconds busy_timeout{5000};
  /// Secure by default: the server may identify, not impersonate, us.
  ImpersonationLevel impersonation = ImpersonationLevel::identification;
  std::uint32_t read_buffer_size = 65536;
};

/// A process started with anonymous pipes on its standard streams.
struct ChildOptions {
  std::vector<std::string> argv;  ///< program and arguments; argv[0] is looked up in PATH
  std::string working_dir;        ///< empty: the engine's current folder
  std::uint32_t read_buffer_size = 65536;
};

/// Checks values that need no OS: ranges, combinations (a byte pipe cannot be
/// read in message mode: ERROR_INVALID_PARAMETER), the name's syntax.
[[nodiscard]] Result<void> validate(const ServerOptions& options);
[[nodiscard]] Result<void> validate(const ClientOptions& options);
/// validate() without the name: for a caller that has parsed the name itself.
[[nodiscard]] Result<void> validate_settings(const ServerOptions& options);
[[nodiscard]] Result<void> validate_settings(const ClientOptions& options);
[[nodiscard]] Result<void> validate(const ChildOptions& options);

[[nodiscard]] std::string_view to_string(PipeAccess v) noexcept;
[[nodiscard]] std::string_view to_string(PipeType v) noexcept;
[[nodiscard]] std::string_view to_string(ReadMode v) noexcept;
[[nodiscard]] std::string_view to_string(WaitMode v) noexcept;
[[nodiscard]] std::string_view to_string(SecurityPreset v) noexcept;
[[nodiscard]] std::string_view to_string(Responder v) noexcept;
[[nodiscard]] std::string_view to_string(ClientAccess v) noexcept;
[[nodiscard]] std::string_view to_string(ImpersonationLevel v) noexcept;

}  // namespace pipescope
