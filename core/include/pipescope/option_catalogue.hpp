// The options a person can set on a server, a client or a child, once: for
// each, the console tool's flag, the label of a GUI form, the Windows
// constants it stands for, its range and default, and one teaching text
// that serves as the console tool's --help and as the GUI's tooltip alike.
// Enum-valued options take their choices from the vocabulary
// (pipescope/vocabulary.hpp); defaults are read from the option structs
// (pipescope/options.hpp), so neither can drift from the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pipescope {

/// One stable key per option; never reordered by meaning, only appended to.
enum class OptionKey : std::uint8_t {
  server_access,        ///< ServerOptions::access
  pipe_type,            ///< ServerOptions::type
  server_read_mode,     ///< ServerOptions::read_mode
  wait_mode,            ///< ServerOptions::wait_mode
  max_instances,        ///< ServerOptions::max_instances
  out_buffer_size,      ///< ServerOptions::out_buffer_size
  in_buffer_size,       ///< ServerOptions::in_buffer_size
  default_timeout,      ///< ServerOptions::default_timeout
  first_instance,       ///< ServerOptions::first_instance
  remote_clients,       ///< ServerOptions::reject_remote, seen as "allow remote clients"
  security,             ///< ServerOptions::security
  security_descriptor,  ///< ServerOptions::security_descriptor
  server_read_buffer,   ///< ServerOptions::read_buffer_size
  client_access,        ///< ClientOptions::access
  client_read_mode,     ///< ClientOptions::read_mode
  busy_timeout,         ///< ClientOptions::busy_timeout
  impersonation,        ///< ClientOptions::impersonation
  client_read_buffer,   ///< ClientOptions::read_buffer_size
  child_read_buffer,    ///< ChildOptions::read_buffer_size
  child_working_dir,    ///< ChildOptions::working_dir
  call_read_buffer,     ///< ClientOptions::read_buffer_size, as a call's reply buffer
  call_impersonation,   ///< ClientOptions::impersonation, as a call opens the pipe
};

/// Which options struct an option belongs to. A flag is unique within one.
/// `call` holds the client options whose meaning differs for a call
/// (CallNamedPipe), with a text true for it; the call command takes those
/// instead of the client's entries of the same flag.
enum class OptionScope : std::uint8_t { server, client, child, call };

/// What kind of value an option takes.
enum class OptionKind : std::uint8_t {
  choice,  ///< one word of an enum's vocabulary
  number,  ///< a whole number within `range`
  flag,    ///< on or off
  text,    ///< free text (a folder, a security descriptor)
};

/// One choice of an enum-valued option, as the vocabulary has it.
struct OptionChoice {
  std::string_view word;     ///< what is typed: "message"
  std::string_view label;    ///< what a GUI list shows: "Messages"
  std::string_view windows;  ///< the constant: "PIPE_TYPE_MESSAGE"; empty when none
};

/// The smallest and largest value a number option accepts (both included).
struct OptionRange {
  std::uint64_t min = 0;
  std::uint64_t max = 0;
};

struct OptionInfo {
  OptionKey key = OptionKey::server_access;
  OptionScope scope = OptionScope::server;
  OptionKind kind = OptionKind::text;
  std::string_view flag;   ///< the console tool's option: "--max-instances"
  std::string_view label;  ///< a GUI form's label: "Max instances"
  std::string_view unit;   ///< "bytes", "ms" or empty: what a number counts
  /// The Windows constants, parameters or calls the option maps to; never empty.
  std::vector<std::string_view> windows;
  /// Numbers only: the accepted values.
  std::optional<OptionRange> range;
  /// The default, as the options struct sets it: the number (milliseconds,
  /// bytes), 1 or 0 for a flag, the enum's value for a choice, 0 for text.
  std::uint64_t default_value = 0;
  /// The default as a person reads it: "4096", "duplex", "unlimited", "off";
  /// empty for text without a default.
  std::string default_text;
  /// Choices only: every value, in the vocabulary's order.
  std::vector<OptionChoice> choices;
  /// What the option means on Windows, and what PipeScope does on POSIX
  /// where that differs: full sentences, for --help and tooltips.
  std::string_view help;
};

/// Every option, in the order the server, client and child forms list them.
[[nodiscard]] std::span<const OptionInfo> option_catalogue();

/// The entry of one option.
[[nodiscard]] const OptionInfo& option_info(OptionKey key);

}  // namespace pipescope
