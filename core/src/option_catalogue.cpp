// The catalogue of option_catalogue.hpp. Each entry's default is read from a
// default-constructed options struct and each choice list from the
// vocabulary, so that this file repeats neither.
#include "pipescope/option_catalogue.hpp"

#include <limits>
#include <stdexcept>
#include <utility>

#include "pipescope/options.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope {
namespace {

constexpr std::uint64_t kUint32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

const ServerOptions kServerDefaults{};
const ClientOptions kClientDefaults{};
const ChildOptions kChildDefaults{};

/// The fields every entry has.
OptionInfo entry(OptionKey key, OptionScope scope, OptionKind kind, std::string_view flag, std::string_view label,
                 std::vector<std::string_view> windows, std::string_view help) {
  OptionInfo info;
  info.key = key;
  info.scope = scope;
  info.kind = kind;
  info.flag = flag;
  info.label = label;
  info.windows = std::move(windows);
  info.help = help;
  return info;
}

/// An entry for an enum-valued option: choices, constants and the default
/// word come from E's vocabulary. `windows` names the parameter or call
/// that takes the value, before the constants of the vocabulary.
template <class E>
OptionInfo choice(OptionKey key, OptionScope scope, std::string_view flag, std::string_view label, E default_value,
                  std::vector<std::string_view> windows, std::string_view help) {
  OptionInfo info = entry(key, scope, OptionKind::choice, flag, label, std::move(windows), help);
  for (const Term<E>& term : terms<E>()) {
    info.choices.push_back({term.word, term.label, term.windows});
    if (!term.windows.empty()) info.windows.push_back(term.windows);
  }
  info.default_value = static_cast<std::uint64_t>(default_value);
  info.default_text = std::string(word_of(default_value));
  return info;
}

OptionInfo number(OptionKey key, OptionScope scope, std::string_view flag, std::string_view label,
                  std::string_view unit, std::vector<std::string_view> windows, OptionRange range,
                  std::uint64_t default_value, std::string_view help) {
  OptionInfo info = entry(key, scope, OptionKind::number, flag, label, std::move(windows), help);
  info.unit = unit;
  info.range = range;
  info.default_value = default_value;
  info.default_text = std::to_string(default_value);
  return info;
}

OptionInfo flag_option(OptionKey key, std::string_view flag, std::string_view label,
                       std::vector<std::string_view> windows, bool default_on, std::string_view help) {
  OptionInfo info = entry(key, OptionScope::server, OptionKind::flag, flag, label, std::move(windows), help);
  info.default_value = default_on ? 1U : 0U;
  info.default_text = default_on ? "on" : "off";
  return info;
}

OptionInfo text(OptionKey key, OptionScope scope, std::string_view flag, std::string_view label,
                std::vector<std::string_view> windows, std::string_view help) {
  return entry(key, scope, OptionKind::text, flag, label, std::move(windows), help);
}

constexpr std::string_view kReadBufferHelp =
    "How many bytes PipeScope asks for per read (the buffer given to ReadFile). A message larger than this "
    "arrives in parts, all but the last flagged more-data: ReadFile's ERROR_MORE_DATA is not a failure but the "
    "first part of a message. Make it smaller than your messages to watch this happen.";

std::vector<OptionInfo> make_catalogue() {
  using S = OptionScope;
  using K = OptionKey;
  std::vector<OptionInfo> entries;
  entries.push_back(choice<PipeAccess>(
      K::server_access, S::server, "--access", "Direction", kServerDefaults.access, {"dwOpenMode"},
      "Which way data flows, seen from the server: on an inbound pipe clients write and the server reads, on an "
      "outbound pipe the server writes and clients read, a duplex pipe carries both ways. A client must open the "
      "pipe with access that fits, or CreateFile fails with ERROR_ACCESS_DENIED."));
  entries.push_back(choice<PipeType>(
      K::pipe_type, S::server, "--type", "Type", kServerDefaults.type, {"dwPipeMode"},
      "How the pipe keeps what is written. A byte pipe is one stream: the reader sees bytes, not the boundaries "
      "between writes. A message pipe keeps every write as one message, which a reader in message mode gets "
      "whole. On POSIX, PipeScope uses SOCK_STREAM and SOCK_SEQPACKET sockets for the two."));
  entries.push_back(choice<ReadMode>(
      K::server_read_mode, S::server, "--read-mode", "Read mode", kServerDefaults.read_mode, {"dwPipeMode"},
      "How the server's end reads: in byte mode whatever has arrived, in message mode one whole message per read. "
      "Only a message pipe can be read as messages; a byte pipe refuses it with ERROR_INVALID_PARAMETER."));
  entries.push_back(choice<WaitMode>(
      K::wait_mode, S::server, "--nowait", "Wait mode", kServerDefaults.wait_mode, {"dwPipeMode"},
      "PIPE_NOWAIT is LAN Manager's old non-blocking mode, which Microsoft advises against in favour of "
      "overlapped I/O. PipeScope's own I/O is asynchronous either way; the mode is only passed on, to see what "
      "it does."));
  entries.push_back(number(
      K::max_instances, S::server, "--max-instances", "Max instances", "", {"nMaxInstances", "PIPE_UNLIMITED_INSTANCES"},
      {1, kUnlimitedInstances}, kServerDefaults.max_instances,
      "How many clients may be connected at the same time: 1 to 254, or 255 (PIPE_UNLIMITED_INSTANCES) for no "
      "limit. While every instance is busy, one client more gets ERROR_PIPE_BUSY and may wait with "
      "WaitNamedPipe."));
  // 255 is not a count but "no limit", and is shown as the word.
  if (entries.back().default_value == kUnlimitedInstances) entries.back().default_text = "unlimited";
  entries.push_back(number(
      K::out_buffer_size, S::server, "--out-buffer", "Out buffer", "bytes", {"nOutBufferSize"}, {0, kUint32Max},
      kServerDefaults.out_buffer_size,
      "Bytes the system should reserve for data on its way from the server to its clients. It is advisory: the "
      "system may grow or shrink it, and writes wait when the peer does not read and the buffer is full."));
  entries.push_back(number(
      K::in_buffer_size, S::server, "--in-buffer", "In buffer", "bytes", {"nInBufferSize"}, {0, kUint32Max},
      kServerDefaults.in_buffer_size,
      "Bytes the system should reserve for data on its way from clients to the server. It is advisory, like the "
      "out buffer."));
  entries.push_back(number(
      K::default_timeout, S::server, "--timeout", "Default timeout", "ms",
      {"nDefaultTimeOut", "NMPWAIT_USE_DEFAULT_WAIT"}, {0, kUint32Max},
      static_cast<std::uint64_t>(kServerDefaults.default_timeout.count()),
      "The pipe's default time-out in milliseconds: how long a client's WaitNamedPipe with "
      "NMPWAIT_USE_DEFAULT_WAIT waits for a free instance. 0 means the system's default of 50 ms."));
  entries.push_back(flag_option(
      K::first_instance, "--first-instance", "First instance only", {"FILE_FLAG_FIRST_PIPE_INSTANCE"},
      kServerDefaults.first_instance,
      "Fail with ERROR_ACCESS_DENIED if a server already owns this name, rather than joining it. This stops a "
      "program that squatted the name first from receiving your clients. On POSIX, PipeScope refuses while a "
      "live server answers on the socket and never takes over a live pipe."));
  entries.push_back(flag_option(
      K::remote_clients, "--allow-remote", "Allow remote clients", {"PIPE_REJECT_REMOTE_CLIENTS"},
      !kServerDefaults.reject_remote,
      "Accept clients from other machines (over SMB) by leaving out PIPE_REJECT_REMOTE_CLIENTS. It is off by "
      "default, because a pipe that only local programs may open is safer. POSIX sockets never have remote "
      "clients."));
  entries.push_back(choice<SecurityPreset>(
      K::security, S::server, "--security", "Access", kServerDefaults.security,
      {"lpSecurityAttributes", "SECURITY_DESCRIPTOR"},
      "Who may open the pipe: only your own account (the safe default), every local user, or whoever a custom "
      "descriptor lets in. On Windows this is the pipe's security descriptor (its DACL); on POSIX the socket "
      "file's mode and owner."));
  entries.push_back(text(
      K::security_descriptor, S::server, "--descriptor", "Descriptor",
      {"ConvertStringSecurityDescriptorToSecurityDescriptorW"},
      "A custom security descriptor: SDDL on Windows (D:(A;;GA;;;WD) grants everyone all access), an octal file "
      "mode for the socket on POSIX (0660)."));
  entries.push_back(number(K::server_read_buffer, S::server, "--read-buffer", "Read buffer", "bytes",
                           {"ReadFile", "ERROR_MORE_DATA"}, {1, kUint32Max}, kServerDefaults.read_buffer_size,
                           kReadBufferHelp));
  entries.push_back(choice<ClientAccess>(
      K::client_access, S::client, "--access", "Access", kClientDefaults.access, {"dwDesiredAccess"},
      "What this client opens the pipe for: reading, writing or both. It must fit the server's direction: a "
      "client that asks to write to an outbound pipe, or to read from an inbound one, is refused with "
      "ERROR_ACCESS_DENIED."));
  entries.push_back(choice<ReadMode>(
      K::client_read_mode, S::client, "--read-mode", "Read mode", kClientDefaults.read_mode,
      {"SetNamedPipeHandleState"},
      "How this client reads: in byte mode whatever has arrived, in message mode one whole message per read. "
      "Only a message pipe can be read as messages; a byte pipe refuses it with ERROR_INVALID_PARAMETER."));
  entries.push_back(number(
      K::busy_timeout, S::client, "--busy-timeout", "Busy wait", "ms",
      {"WaitNamedPipe", "ERROR_PIPE_BUSY", "NMPWAIT_WAIT_FOREVER"}, {0, kInt64Max},
      static_cast<std::uint64_t>(kClientDefaults.busy_timeout.count()),
      "How long to keep trying, in milliseconds, while every instance of the pipe is busy. CreateFile then fails "
      "with ERROR_PIPE_BUSY, and a client calls WaitNamedPipe and tries again; 0 gives up at once."));
  entries.push_back(choice<ImpersonationLevel>(
      K::impersonation, S::client, "--impersonation", "Impersonation allowed", kClientDefaults.impersonation,
      {"SECURITY_SQOS_PRESENT"},
      "How much of your identity the server may use. Anonymous gives it nothing; identification (the safe "
      "default) lets it see who you are but not act as you; impersonation lets it act as you on its machine, "
      "for example open files as you; delegation also towards other machines."));
  entries.push_back(number(K::client_read_buffer, S::client, "--read-buffer", "Read buffer", "bytes",
                           {"ReadFile", "ERROR_MORE_DATA"}, {1, kUint32Max}, kClientDefaults.read_buffer_size,
                           kReadBufferHelp));
  entries.push_back(number(K::child_read_buffer, S::child, "--read-buffer", "Read buffer", "bytes",
                           {"ReadFile", "CreatePipe"}, {1, kUint32Max}, kChildDefaults.read_buffer_size,
                           "How many bytes PipeScope asks for per read of the child's output."));
  entries.push_back(text(K::child_working_dir, S::child, "--cwd", "Working folder", {"lpCurrentDirectory"},
                         "The folder the child starts in. Left empty, it starts in PipeScope's current folder."));
  return entries;
}

}  // namespace

std::span<const OptionInfo> option_catalogue() {
  static const std::vector<OptionInfo> catalogue = make_catalogue();
  return catalogue;
}

const OptionInfo& option_info(OptionKey key) {
  for (const OptionInfo& info : option_catalogue()) {
    if (info.key == key) return info;
  }
  // Every key has an entry (option_catalogue_test checks it); a number cast
  // to OptionKey from outside the enum is a caller's mistake.
  throw std::out_of_range("option_info: no option has this key");
}

}  // namespace pipescope
