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

// ReadFile (learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile):
// in message read mode a longer message makes ReadFile return FALSE with
// ERROR_MORE_DATA, and the rest is read by the next calls. Named Pipe Type,
// Read, and Wait Modes (.../windows/win32/ipc/named-pipe-type-read-and-wait-modes):
// in byte read mode a read returns what has arrived, with no boundaries.
constexpr std::string_view kReadBufferHelp =
    "How many bytes PipeScope asks for per read (the buffer given to ReadFile). In message read mode a message "
    "larger than this arrives in parts, all but the last flagged more-data: ReadFile returns FALSE with "
    "ERROR_MORE_DATA, the bytes read are valid, and the next reads bring the rest. In byte read mode (a "
    "client's default) a read returns whatever bytes have arrived, up to this many, and no message boundary "
    "is seen. Make it smaller than your messages, in message read mode, to watch the parts.";

std::vector<OptionInfo> make_catalogue() {
  using S = OptionScope;
  using K = OptionKey;
  std::vector<OptionInfo> entries;
  // CreateNamedPipeW, dwOpenMode (learn.microsoft.com/windows/win32/api/namedpipeapi/
  // nf-namedpipeapi-createnamedpipew): a duplex pipe's client may ask for
  // GENERIC_READ, GENERIC_WRITE or both, an inbound one's must write, an
  // outbound one's must read; the same mode for every instance. The code of
  // a refused open is observed.
  entries.push_back(choice<PipeAccess>(
      K::server_access, S::server, "--access", "Direction", kServerDefaults.access, {"dwOpenMode"},
      "Which way data flows, seen from the server: on an inbound pipe clients write and the server reads, on an "
      "outbound pipe the server writes and clients read, a duplex pipe carries both ways and its clients may "
      "open it for reading, writing or both. A client that asks for the direction a one-way pipe does not have "
      "is refused (ERROR_ACCESS_DENIED, observed). Every instance of a pipe must have the same direction."));
  entries.push_back(choice<PipeType>(
      K::pipe_type, S::server, "--type", "Type", kServerDefaults.type, {"dwPipeMode"},
      "How the pipe keeps what is written. A byte pipe is one stream: the reader sees bytes, not the boundaries "
      "between writes. A message pipe keeps every write as one message, which a reader in message read mode gets "
      "whole and a reader in byte read mode as bytes. On POSIX, PipeScope uses SOCK_STREAM and SOCK_SEQPACKET "
      "sockets for the two."));
  entries.push_back(choice<ReadMode>(
      K::server_read_mode, S::server, "--read-mode", "Read mode", kServerDefaults.read_mode, {"dwPipeMode"},
      "How the server's end reads: in byte mode whatever has arrived, in message mode one whole message per read. "
      "The two ends may read in different modes. Only a message pipe can be read as messages; CreateNamedPipe "
      "refuses PIPE_TYPE_BYTE with PIPE_READMODE_MESSAGE (ERROR_INVALID_PARAMETER, observed)."));
  // Named Pipe Type, Read, and Wait Modes: PIPE_NOWAIT exists for LAN Manager
  // 2.0 compatibility and should not be used for asynchronous I/O; the wait
  // mode belongs to each handle. What PipeScope does with it is
  // Server::create_pipe_handle (core/src/win/server.cpp).
  entries.push_back(choice<WaitMode>(
      K::wait_mode, S::server, "--nowait", "Wait mode", kServerDefaults.wait_mode, {"dwPipeMode"},
      "PIPE_NOWAIT is LAN Manager's old non-blocking mode, which Microsoft advises against in favour of "
      "overlapped I/O: on a handle in that mode ReadFile, WriteFile and ConnectNamedPipe return at once. "
      "PipeScope creates each instance with PIPE_NOWAIT and at once switches its own handle back to PIPE_WAIT, "
      "because it drives the handle with overlapped I/O. So nothing of the mode can be seen: the wait mode "
      "belongs to each handle, a client's handle starts blocking, and inspect (GetNamedPipeHandleState) shows "
      "wait on both ends. On POSIX the option changes nothing either."));
  // CreateNamedPipeW, nMaxInstances: 1 to PIPE_UNLIMITED_INSTANCES (255),
  // the same for every instance; each instance is one CreateNamedPipe call.
  // WaitNamedPipeW: the client's wait.
  entries.push_back(number(
      K::max_instances, S::server, "--max-instances", "Max instances", "", {"nMaxInstances", "PIPE_UNLIMITED_INSTANCES"},
      {1, kUnlimitedInstances}, kServerDefaults.max_instances,
      "How many instances of the pipe may exist at once, and so how many clients can be connected at the same "
      "time: 1 to 254, or 255 (PIPE_UNLIMITED_INSTANCES) for no limit but the system's resources. Windows makes "
      "no instance by itself: each one is a CreateNamedPipe call, and PipeScope makes the next one whenever the "
      "listening instance gets its client, up to this limit. Every instance of a pipe must give the same value. "
      "While every instance is busy, one client more gets ERROR_PIPE_BUSY and may wait with WaitNamedPipe."));
  // 255 is not a count but "no limit", and is shown as the word.
  if (entries.back().default_value == kUnlimitedInstances) entries.back().default_text = "unlimited";
  // CreateNamedPipeW, nOutBufferSize and nInBufferSize: advisory sizes.
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
  // CreateNamedPipeW, nDefaultTimeOut: used by WaitNamedPipe with
  // NMPWAIT_USE_DEFAULT_WAIT; the same for every instance; 0 gives 50 ms.
  entries.push_back(number(
      K::default_timeout, S::server, "--timeout", "Default timeout", "ms",
      {"nDefaultTimeOut", "NMPWAIT_USE_DEFAULT_WAIT"}, {0, kUint32Max},
      static_cast<std::uint64_t>(kServerDefaults.default_timeout.count()),
      "The pipe's default time-out in milliseconds: how long a client's WaitNamedPipe with "
      "NMPWAIT_USE_DEFAULT_WAIT waits for a free instance. 0 means the system's default of 50 ms. Every "
      "instance of a pipe must give the same value."));
  // CreateNamedPipeW, FILE_FLAG_FIRST_PIPE_INSTANCE: "creation of the first
  // instance succeeds, but creation of the next instance fails with
  // ERROR_ACCESS_DENIED". Wine ignores the flag (wine-notes.md); the Win32
  // backend asks WaitNamedPipeW first, so it refuses there too.
  entries.push_back(flag_option(
      K::first_instance, "--first-instance", "First instance only", {"FILE_FLAG_FIRST_PIPE_INSTANCE"},
      kServerDefaults.first_instance,
      "Create the pipe only if no instance of this name exists yet: with FILE_FLAG_FIRST_PIPE_INSTANCE, "
      "CreateNamedPipe fails with ERROR_ACCESS_DENIED if any instance exists, even one of this process, instead "
      "of adding an instance to it. That detects a program that took the name first (squatting); it does not "
      "stop it, which keeps the name and its clients. On POSIX, PipeScope refuses while a live server answers "
      "on the socket and never takes over a live pipe."));
  // CreateNamedPipeW, dwPipeMode: PIPE_ACCEPT_REMOTE_CLIENTS (0) is the
  // default; PIPE_REJECT_REMOTE_CLIENTS rejects them.
  entries.push_back(flag_option(
      K::remote_clients, "--allow-remote", "Allow remote clients", {"PIPE_REJECT_REMOTE_CLIENTS"},
      !kServerDefaults.reject_remote,
      "Accept clients from other machines (over SMB) by leaving out PIPE_REJECT_REMOTE_CLIENTS, as Windows "
      "itself does unless told otherwise. PipeScope sets the flag by default, because a pipe that only local "
      "programs may open is safer. POSIX sockets never have remote clients."));
  // Named Pipe Security and Access Rights (learn.microsoft.com/windows/win32/ipc/
  // named-pipe-security-and-access-rights): the default descriptor of a pipe
  // created without one. The everyone preset's rights are
  // kEveryonePipeRights (core/src/win/access_rights.hpp).
  entries.push_back(choice<SecurityPreset>(
      K::security, S::server, "--security", "Access", kServerDefaults.security,
      {"lpSecurityAttributes", "SECURITY_DESCRIPTOR"},
      "Who may open the pipe: only your own account (PipeScope's default), everyone (every account, remote "
      "users too once remote clients are allowed; they may talk to the server but not add instances of it), "
      "or whoever a custom descriptor lets in. On Windows this is the pipe's security descriptor (its DACL); a "
      "pipe created without one gets Windows' default, which gives LocalSystem, administrators and the creator "
      "owner full control and Everyone and the anonymous account read access. On POSIX it is the socket "
      "file's mode and owner."));
  // Named Pipe Security and Access Rights: FILE_GENERIC_WRITE includes
  // FILE_APPEND_DATA, which is FILE_CREATE_PIPE_INSTANCE. 0x12019B is
  // FILE_GENERIC_READ | FILE_GENERIC_WRITE without FILE_APPEND_DATA.
  entries.push_back(text(
      K::security_descriptor, S::server, "--descriptor", "Descriptor",
      {"ConvertStringSecurityDescriptorToSecurityDescriptorW", "FILE_CREATE_PIPE_INSTANCE"},
      "A custom security descriptor: SDDL on Windows, an octal file mode for the socket on POSIX (0660). "
      "D:(A;;GA;;;WD) grants everyone all access, and so also FILE_CREATE_PIPE_INSTANCE (part of GENERIC_WRITE "
      "too): anyone may then add server instances of the pipe and receive your clients. To let everyone read "
      "and write but not serve, grant the rights one by one, as in D:(A;;0x12019B;;;WD)."));
  entries.push_back(number(K::server_read_buffer, S::server, "--read-buffer", "Read buffer", "bytes",
                           {"ReadFile", "ERROR_MORE_DATA"}, {1, kUint32Max}, kServerDefaults.read_buffer_size,
                           kReadBufferHelp));
  // CreateNamedPipeW, dwOpenMode (see --access). Named Pipe Security and
  // Access Rights: switching a read-only client to message mode needs
  // FILE_WRITE_ATTRIBUTES, which client_desired_access adds
  // (core/src/win/access_rights.cpp).
  entries.push_back(choice<ClientAccess>(
      K::client_access, S::client, "--access", "Access", kClientDefaults.access, {"dwDesiredAccess"},
      "What this client opens the pipe for: reading, writing or both. A duplex pipe takes any of the three; a "
      "client that asks to write to an outbound pipe, or to read from an inbound one, is refused "
      "(ERROR_ACCESS_DENIED, observed). A read-only client in message read mode needs FILE_WRITE_ATTRIBUTES "
      "as well, to switch the mode; PipeScope asks for it."));
  // Named Pipe Type, Read, and Wait Modes: "The client side of a named pipe
  // starts out in byte mode, even if the server side is in message mode."
  entries.push_back(choice<ReadMode>(
      K::client_read_mode, S::client, "--read-mode", "Read mode", kClientDefaults.read_mode,
      {"SetNamedPipeHandleState"},
      "How this client reads: in byte mode whatever has arrived, in message mode one whole message per read. A "
      "client's end starts in byte mode whatever the server's mode; PipeScope switches it with "
      "SetNamedPipeHandleState when message is chosen. Only a message pipe can be read as messages; on a byte "
      "pipe Windows refuses message mode with ERROR_INVALID_PARAMETER (observed, not documented)."));
  // WaitNamedPipeW (learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-waitnamedpipew):
  // a wait that runs out fails with ERROR_SEM_TIMEOUT; nTimeOut 0 is
  // NMPWAIT_USE_DEFAULT_WAIT; a missing pipe returns at once. The busy wait
  // is core/src/win/client.cpp.
  entries.push_back(number(
      K::busy_timeout, S::client, "--busy-timeout", "Busy wait", "ms",
      {"WaitNamedPipe", "ERROR_PIPE_BUSY", "ERROR_SEM_TIMEOUT", "NMPWAIT_WAIT_FOREVER"}, {0, kInt64Max},
      static_cast<std::uint64_t>(kClientDefaults.busy_timeout.count()),
      "How long to wait, in milliseconds, while every instance of the pipe is busy: CreateFile fails with "
      "ERROR_PIPE_BUSY, PipeScope waits with WaitNamedPipe for the time left and opens again. A wait that "
      "runs out ends with ERROR_SEM_TIMEOUT. 0 does not wait at all: the first ERROR_PIPE_BUSY ends it and "
      "WaitNamedPipe is not called (WaitNamedPipe's own 0, NMPWAIT_USE_DEFAULT_WAIT, would wait the server's "
      "default time-out). A missing pipe is never waited for."));
  // Impersonation Levels (learn.microsoft.com/windows/win32/secauthz/impersonation-levels):
  // remote connections ignore the client's flags. Impersonating a Named
  // Pipe Client (.../windows/win32/ipc/impersonating-a-named-pipe-client):
  // "By default, a server impersonates at the SecurityImpersonation level."
  entries.push_back(choice<ImpersonationLevel>(
      K::impersonation, S::client, "--impersonation", "Impersonation allowed", kClientDefaults.impersonation,
      {"SECURITY_SQOS_PRESENT"},
      "How much of your identity the server may use. Anonymous gives it nothing; identification (PipeScope's "
      "default) lets it see who you are but not act as you; impersonation, Windows' own default for a client "
      "that sets no level, lets it act as you on its machine, for example open files as you; delegation also "
      "towards other machines. For a pipe on another machine Windows ignores the client's choice: the level "
      "is what the server's account is enabled for."));
  entries.push_back(number(K::client_read_buffer, S::client, "--read-buffer", "Read buffer", "bytes",
                           {"ReadFile", "ERROR_MORE_DATA"}, {1, kUint32Max}, kClientDefaults.read_buffer_size,
                           kReadBufferHelp));
  entries.push_back(number(K::child_read_buffer, S::child, "--read-buffer", "Read buffer", "bytes",
                           {"ReadFile", "CreatePipe"}, {1, kUint32Max}, kChildDefaults.read_buffer_size,
                           "How many bytes PipeScope asks for per read of the child's output."));
  entries.push_back(text(K::child_working_dir, S::child, "--cwd", "Working folder", {"lpCurrentDirectory"},
                         "The folder the child starts in. Left empty, it starts in PipeScope's current folder."));
  // CallNamedPipeW (learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-callnamedpipew):
  // a reply longer than nOutBufferSize gives ERROR_MORE_DATA and "the
  // remainder of the message is discarded, because CallNamedPipe closes the
  // handle to the pipe before returning".
  entries.push_back(number(
      K::call_read_buffer, S::call, "--read-buffer", "Reply buffer", "bytes", {"nOutBufferSize", "ERROR_MORE_DATA"},
      {1, kUint32Max}, kClientDefaults.read_buffer_size,
      "How many bytes of the reply the call can take (CallNamedPipe's nOutBufferSize). A longer reply fails "
      "with ERROR_MORE_DATA after its first part: CallNamedPipe has closed the pipe when it returns, so the "
      "rest of the message is lost. Use transact to read a long reply in parts."));
  // CallNamedPipeW takes no impersonation flags: it opens the pipe as
  // CreateFile does without SECURITY_SQOS_PRESENT, and Impersonating a Named
  // Pipe Client says the server then impersonates at SecurityImpersonation.
  // PipeScope's call is built from CallNamedPipe's documented steps with the
  // level (CallJob in core/src/win/transact.cpp).
  entries.push_back(choice<ImpersonationLevel>(
      K::call_impersonation, S::call, "--impersonation", "Impersonation allowed", kClientDefaults.impersonation,
      {"SECURITY_SQOS_PRESENT", "CallNamedPipe"},
      "How much of your identity the server may use. CallNamedPipe itself takes no such choice: it opens the "
      "pipe without one, and the server may then impersonate you. PipeScope's call makes CallNamedPipe's steps "
      "itself (CreateFile with this level, SetNamedPipeHandleState, TransactNamedPipe, CloseHandle), so that "
      "anonymous, identification (the default), impersonation or delegation applies as chosen."));
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
