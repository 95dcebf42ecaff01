#include "pipescope/options.hpp"

#include <fmt/format.h>

#include "pipescope/endpoint.hpp"
#include "pipescope/name.hpp"

namespace pipescope {

namespace {
constexpr std::uint32_t kMaxBufferSize = 64U * 1024U * 1024U;

Result<void> validate_name(const std::string& name) {
  auto parsed = PipeName::parse(name);
  if (!parsed) {
    return std::move(parsed).error();
  }
  return {};
}

Result<void> validate_read_buffer(std::uint32_t size) {
  if (size == 0 || size > kMaxBufferSize) {
    return make_error(Errc::invalid_parameter, "read buffer size",
                      fmt::format("{} bytes; choose 1 to {} bytes", size, kMaxBufferSize));
  }
  return {};
}
}  // namespace

Result<void> validate(const ServerOptions& o) {
  if (auto r = validate_name(o.name); !r) return r;
  if (o.max_instances < 1 || o.max_instances > kUnlimitedInstances) {
    return make_error(Errc::invalid_parameter, "max instances",
                      fmt::format("{}; choose 1 to 254, or 255 for unlimited (PIPE_UNLIMITED_INSTANCES)",
                                  o.max_instances));
  }
  if (o.type == PipeType::byte && o.read_mode == ReadMode::message) {
    return make_error(Errc::invalid_parameter, "read mode",
                      "a byte-type pipe has no message boundaries, so it cannot be read in message mode "
                      "(PIPE_TYPE_BYTE | PIPE_READMODE_MESSAGE)");
  }
  if (o.in_buffer_size > kMaxBufferSize || o.out_buffer_size > kMaxBufferSize) {
    return make_error(Errc::invalid_parameter, "buffer size",
                      fmt::format("in {} / out {} bytes; at most {} bytes", o.in_buffer_size, o.out_buffer_size,
                                  kMaxBufferSize));
  }
  if (o.default_timeout.count() < 0) {
    return make_error(Errc::invalid_parameter, "default timeout", "must not be negative");
  }
  if (o.security == SecurityPreset::custom && o.security_descriptor.empty()) {
    return make_error(Errc::invalid_parameter, "security descriptor",
                      "the custom security preset needs a descriptor (SDDL on Windows, an octal mode on POSIX)");
  }
  return validate_read_buffer(o.read_buffer_size);
}

Result<void> validate(const ClientOptions& o) {
  if (auto r = validate_name(o.name); !r) return r;
  if (o.busy_timeout.count() < 0) {
    return make_error(Errc::invalid_parameter, "busy timeout", "must not be negative");
  }
  return validate_read_buffer(o.read_buffer_size);
}

Result<void> validate(const ChildOptions& o) {
  if (o.argv.empty() || o.argv.front().empty()) {
    return make_error(Errc::invalid_parameter, "run child", "no program given");
  }
  return validate_read_buffer(o.read_buffer_size);
}

std::string_view to_string(PipeAccess v) noexcept {
  switch (v) {
    case PipeAccess::inbound: return "inbound";
    case PipeAccess::outbound: return "outbound";
    case PipeAccess::duplex: return "duplex";
  }
  return "?";
}
std::string_view to_string(PipeType v) noexcept { return v == PipeType::byte ? "byte" : "message"; }
std::string_view to_string(ReadMode v) noexcept { return v == ReadMode::byte ? "byte" : "message"; }
std::string_view to_string(WaitMode v) noexcept { return v == WaitMode::blocking ? "wait" : "nowait"; }
std::string_view to_string(SecurityPreset v) noexcept {
  switch (v) {
    case SecurityPreset::owner_only: return "owner";
    case SecurityPreset::everyone: return "everyone";
    case SecurityPreset::custom: return "custom";
  }
  return "?";
}
std::string_view to_string(Responder v) noexcept {
  switch (v) {
    case Responder::none: return "none";
    case Responder::echo: return "echo";
    case Responder::reverse: return "reverse";
  }
  return "?";
}
std::string_view to_string(ClientAccess v) noexcept {
  switch (v) {
    case ClientAccess::read: return "read";
    case ClientAccess::write: return "write";
    case ClientAccess::read_write: return "duplex";
  }
  return "?";
}
std::string_view to_string(ImpersonationLevel v) noexcept {
  switch (v) {
    case ImpersonationLevel::anonymous: return "anonymous";
    case ImpersonationLevel::identification: return "identification";
    case ImpersonationLevel::impersonation: return "impersonation";
    case ImpersonationLevel::delegation: return "delegation";
  }
  return "?";
}
std::string_view to_string(EndpointKind v) noexcept {
  switch (v) {
    case EndpointKind::instance: return "instance";
    case EndpointKind::client: return "client";
    case EndpointKind::child: return "child";
  }
  return "?";
}
std::string_view to_string(EndpointState v) noexcept {
  switch (v) {
    case EndpointState::listening: return "listening";
    case EndpointState::connecting: return "connecting";
    case EndpointState::connected: return "connected";
    case EndpointState::disconnected: return "disconnected";
    case EndpointState::closing: return "closing";
    case EndpointState::closed: return "closed";
  }
  return "?";
}

}  // namespace pipescope
