#include "pipescope/options.hpp"

#include <fmt/format.h>

#include "pipescope/endpoint.hpp"
#include "pipescope/name.hpp"
#include "pipescope/vocabulary.hpp"

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
  return validate_settings(o);
}

Result<void> validate_settings(const ServerOptions& o) {
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
  return validate_settings(o);
}

Result<void> validate_settings(const ClientOptions& o) {
  if (o.busy_timeout.count() < 0) {
    return make_error(Errc::invalid_parameter, "busy timeout", "must not be negative");
  }
  return validate_read_buffer(o.read_buffer_size);
}

Result<void> validate(const ChildOptions& o) {
  if (o.argv.empty() || o.argv.front().empty()) {
    return make_error(Errc::invalid_parameter, "run child", "no program given");
  }
  // The OS takes each argument as a C string, which ends at the first NUL.
  for (std::size_t index = 0; index < o.argv.size(); ++index) {
    if (o.argv[index].find('\0') != std::string::npos) {
      return make_error(Errc::invalid_parameter, "run child",
                        "argument " + std::to_string(index) + " contains a NUL character");
    }
  }
  return validate_read_buffer(o.read_buffer_size);
}

// The words come from the one table per enum (vocabulary.cpp).
std::string_view to_string(PipeAccess v) noexcept { return word_of(v); }
std::string_view to_string(PipeType v) noexcept { return word_of(v); }
std::string_view to_string(ReadMode v) noexcept { return word_of(v); }
std::string_view to_string(WaitMode v) noexcept { return word_of(v); }
std::string_view to_string(SecurityPreset v) noexcept { return word_of(v); }
std::string_view to_string(Responder v) noexcept { return word_of(v); }
std::string_view to_string(ClientAccess v) noexcept { return word_of(v); }
std::string_view to_string(ImpersonationLevel v) noexcept { return word_of(v); }
std::string_view to_string(EndpointKind v) noexcept { return word_of(v); }
std::string_view to_string(EndpointState v) noexcept { return word_of(v); }

}  // namespace pipescope
