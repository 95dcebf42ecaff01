// The engine's one error vocabulary: symbols, messages and teaching
// explanations for every Errc, the pipescope error category, and the one
// table that turns an errno into an Errc.
//
// This file is portable. It names only errno constants that both glibc and
// the mingw-w64 C runtime define, and it never uses them as switch labels:
// on Linux EAGAIN equals EWOULDBLOCK and ENOTSUP equals EOPNOTSUPP, on mingw
// they differ, so plain tables searched in order serve both without #ifdef.
#include "pipescope/error.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace pipescope {
namespace {

struct ErrcInfo {
  Errc code;
  std::string_view symbol;
  std::string_view message;
  std::string_view explanation;
};

// Every Errc, once. The messages of Win32 codes follow the Windows text where
// it is clear; the explanations are written for someone learning pipes.
constexpr std::array kErrcInfo{
    ErrcInfo{Errc::success, "ERROR_SUCCESS", "The operation completed successfully.",
             "Nothing went wrong. The call did what was asked."},
    ErrcInfo{Errc::invalid_function, "ERROR_INVALID_FUNCTION", "Incorrect function.",
             "The call does not apply to this kind of object, for example a pipe function given a handle "
             "that is not a pipe. Check which handle the call was given."},
    ErrcInfo{Errc::file_not_found, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified.",
             "No pipe with this name exists: no server has created it yet, or the server has closed its last "
             "instance. A client checks the name and retries later, or the server is started first."},
    ErrcInfo{Errc::path_not_found, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified.",
             "A folder on the way to the object does not exist. Check the path; for a socket path, create "
             "its folder first."},
    ErrcInfo{Errc::too_many_open_files, "ERROR_TOO_MANY_OPEN_FILES", "Too many open files.",
             "The process or the system has run out of handles (file descriptors on POSIX). Close handles "
             "that are no longer needed, or raise the limit (ulimit -n on POSIX)."},
    ErrcInfo{Errc::access_denied, "ERROR_ACCESS_DENIED", "Access is denied.",
             "The pipe's security settings do not allow this access, or another server already owns the name "
             "and this one asked for FILE_FLAG_FIRST_PIPE_INSTANCE. Ask for less access, run as a user the "
             "security descriptor allows, or choose another name."},
    ErrcInfo{Errc::invalid_handle, "ERROR_INVALID_HANDLE", "The handle is invalid.",
             "The handle is not open: it was never valid or was already closed. This is a program bug, such "
             "as using a handle after CloseHandle."},
    ErrcInfo{Errc::not_enough_memory, "ERROR_NOT_ENOUGH_MEMORY",
             "Not enough memory resources are available to process this command.",
             "The system could not provide the memory or buffers the operation needs. Free resources, use "
             "smaller buffers, or retry later."},
    ErrcInfo{Errc::sharing_violation, "ERROR_SHARING_VIOLATION",
             "The process cannot access the file because it is being used by another process.",
             "Another process has the file open and did not share the access asked for here (its dwShareMode "
             "leaves it out). Wait until that process closes the file, or ask only for access it shares."},
    ErrcInfo{Errc::not_supported, "ERROR_NOT_SUPPORTED", "The request is not supported.",
             "This object or system does not offer the requested operation or option. Use another option or "
             "another way to reach the same goal."},
    ErrcInfo{Errc::unexpected_network_error, "ERROR_UNEXP_NET_ERR", "An unexpected network error occurred.",
             "The connection to the remote computer failed without the network saying why, for example it was "
             "dropped in the middle of the operation. Check the network and the remote computer, then open the "
             "pipe again."},
    ErrcInfo{Errc::network_access_denied, "ERROR_NETWORK_ACCESS_DENIED", "Network access is denied.",
             "The remote computer refused this user over the network: the account may not log on from the "
             "network there, or a connection without credentials (a null session) asked for a pipe the server "
             "does not list in NullSessionPipes. Connect with an account that computer allows (net use), or "
             "ask its administrator to allow the pipe."},
    ErrcInfo{Errc::invalid_parameter, "ERROR_INVALID_PARAMETER", "The parameter is incorrect.",
             "One of the values passed is not acceptable, for example message read mode on a byte-type pipe, "
             "or a byte-mode client on a message-mode server. Check the options given to the call."},
    ErrcInfo{Errc::broken_pipe, "ERROR_BROKEN_PIPE", "The pipe has been ended.",
             "The other end closed the pipe. On a read this is the normal end of the stream: process what "
             "arrived, then close your handle."},
    ErrcInfo{Errc::insufficient_buffer, "ERROR_INSUFFICIENT_BUFFER",
             "The data area passed to a system call is too small.",
             "The buffer given to the call cannot hold the result. Call again with a larger buffer; the call "
             "usually reports the size it needs."},
    ErrcInfo{Errc::sem_timeout, "ERROR_SEM_TIMEOUT", "The timeout period expired.",
             "The wait ended before the operation could complete, for example WaitNamedPipe found no free "
             "instance in time. Retry, wait longer, or report that the server is not answering."},
    ErrcInfo{Errc::invalid_name, "ERROR_INVALID_NAME", "The name syntax is incorrect.",
             "The name contains something no name may contain, such as a NUL character or bytes that are "
             "not valid UTF-8. Correct the name."},
    ErrcInfo{Errc::bad_pathname, "ERROR_BAD_PATHNAME", "The specified path is invalid.",
             "The path cannot be followed, for example because its symbolic links form a loop. Check the "
             "path."},
    ErrcInfo{Errc::already_exists, "ERROR_ALREADY_EXISTS", "Cannot create a file when that file already exists.",
             "Something with this name already exists. Use the existing object or choose another name."},
    ErrcInfo{Errc::filename_exceeds_range, "ERROR_FILENAME_EXCED_RANGE", "The filename or extension is too long.",
             "The name is longer than the system allows: Windows accepts at most 256 characters for a whole "
             "pipe name, and a Unix socket path must be shorter still. Choose a shorter name; PipeScope never "
             "shortens a name for you."},
    ErrcInfo{Errc::pipe_local, "ERROR_PIPE_LOCAL", "The pipe is local.",
             "GetNamedPipeClientComputerName has no computer name to give because the client runs on this "
             "computer. This is not a failure: it is the answer that the client is local."},
    ErrcInfo{Errc::bad_pipe, "ERROR_BAD_PIPE", "The pipe state is invalid.",
             "The pipe is in a state where this operation makes no sense, for example it is being torn down. "
             "Close the handle and open or create the pipe again."},
    ErrcInfo{Errc::pipe_busy, "ERROR_PIPE_BUSY", "All pipe instances are busy.",
             "Every instance of the pipe is already connected to a client. A client calls WaitNamedPipe and "
             "retries when an instance is free; the server can serve more clients at once by raising "
             "nMaxInstances."},
    ErrcInfo{Errc::no_data, "ERROR_NO_DATA", "The pipe is being closed.",
             "The other end has closed its handle, so what is written can no longer be delivered. Stop "
             "writing and close your end; a server calls DisconnectNamedPipe and waits for the next client."},
    ErrcInfo{Errc::pipe_not_connected, "ERROR_PIPE_NOT_CONNECTED", "No process is on the other end of the pipe.",
             "No client is connected to this instance, so there is nobody to talk to. A server waits in "
             "ConnectNamedPipe for a client, and after a client leaves it calls DisconnectNamedPipe before "
             "reusing the instance."},
    ErrcInfo{Errc::more_data, "ERROR_MORE_DATA", "More data is available.",
             "The message is larger than the read buffer, and this read returned its first part. This is not "
             "a failure: keep reading to receive the rest of the message, or read with a larger buffer."},
    ErrcInfo{Errc::pipe_connected, "ERROR_PIPE_CONNECTED", "There is a process on the other end of the pipe.",
             "A client connected between CreateNamedPipe and ConnectNamedPipe. This counts as success: the "
             "instance is connected and the server can start talking."},
    ErrcInfo{Errc::pipe_listening, "ERROR_PIPE_LISTENING", "Waiting for a process to open the other end of the pipe.",
             "The instance is waiting for a client and nobody has connected yet, so there is no one to read "
             "from or write to. Wait until ConnectNamedPipe completes."},
    ErrcInfo{Errc::elevation_required, "ERROR_ELEVATION_REQUIRED", "The requested operation requires elevation.",
             "The program to start asks to run as administrator (its manifest says requireAdministrator), and "
             "CreateProcess never raises a process's rights; only ShellExecuteEx shows the elevation prompt. "
             "Run PipeScope itself as administrator, or start a program that does not ask for elevation."},
    ErrcInfo{Errc::operation_aborted, "ERROR_OPERATION_ABORTED",
             "The I/O operation has been aborted because of either a thread exit or an application request.",
             "The operation was cancelled, by CancelIoEx, by closing the handle or because its thread ended. "
             "That is expected while shutting down; otherwise start the operation again."},
    ErrcInfo{Errc::io_pending, "ERROR_IO_PENDING", "Overlapped I/O operation is in progress.",
             "The operation has started and will finish later. This is not a failure: wait for its completion "
             "through an event, GetOverlappedResult or the completion port."},
    ErrcInfo{Errc::no_token, "ERROR_NO_TOKEN", "An attempt was made to reference a token that does not exist.",
             "The thread has no impersonation token to open: OpenThreadToken was called while the thread was not "
             "impersonating, for example before ImpersonateNamedPipeClient or after RevertToSelf. Impersonate "
             "first, or open the process's own token with OpenProcessToken."},
    ErrcInfo{Errc::session_credential_conflict, "ERROR_SESSION_CREDENTIAL_CONFLICT",
             "Multiple connections to a server or shared resource by the same user, using more than one user "
             "name, are not allowed.",
             "This logon session already has a connection to that computer under another user name, and Windows "
             "keeps only one set of credentials per server for a session. List the connections with net use, "
             "remove the other one (net use \\\\server\\IPC$ /delete), then open the pipe again."},
    // Windows gives 1231 and 1232 the same text ("The network location
    // cannot be reached."); ours tell them apart.
    ErrcInfo{Errc::network_unreachable, "ERROR_NETWORK_UNREACHABLE", "The network cannot be reached.",
             "No route leads to the remote computer's network (ENETUNREACH on POSIX). Check the computer name, "
             "this computer's network connection and any VPN, then try again."},
    ErrcInfo{Errc::host_unreachable, "ERROR_HOST_UNREACHABLE", "The remote computer cannot be reached.",
             "The remote computer does not answer although its network is known (EHOSTUNREACH on POSIX): it may "
             "be switched off, or a firewall drops file sharing (SMB, TCP port 445), which remote pipes use. "
             "Check the computer and its firewall, then try again."},
    ErrcInfo{Errc::logon_failure, "ERROR_LOGON_FAILURE", "The user name or password is incorrect.",
             "The remote computer did not accept the user name and password this program logged on with; a "
             "remote pipe is opened through a network logon to that computer. Connect first with an account it "
             "knows (net use \\\\server\\IPC$ /user:name), then open the pipe again."},
    ErrcInfo{Errc::cant_open_anonymous, "ERROR_CANT_OPEN_ANONYMOUS", "Cannot open an anonymous level security token.",
             "The client opened the pipe with SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS, so a server that "
             "impersonates it cannot open the token to see who it is (OpenThreadToken fails). That is the "
             "client's choice: a server that must know its client refuses it, and the client asks for "
             "SECURITY_IDENTIFICATION or more."},
    ErrcInfo{Errc::not_enough_quota, "ERROR_NOT_ENOUGH_QUOTA", "Not enough quota is available to process this command.",
             "The process has used up a quota Windows sets for it: pipe buffers are charged to its non-paged pool "
             "quota, and large overlapped reads and writes lock pages against its working set "
             "(ERROR_WORKING_SET_QUOTA). Use smaller buffers or fewer operations at once, or raise the working "
             "set with SetProcessWorkingSetSize."},
    ErrcInfo{Errc::name_empty, "PIPESCOPE_NAME_EMPTY", "The pipe name is empty.",
             "A pipe needs a name after \\pipe\\. Give one, such as \\\\.\\pipe\\demo or just demo."},
    ErrcInfo{Errc::name_bad_prefix, "PIPESCOPE_NAME_BAD_PREFIX", "The pipe name does not start with \\\\server\\pipe\\.",
             "A name that begins with two backslashes must go on with a server and \\pipe\\, as in "
             "\\\\.\\pipe\\demo or \\\\Server\\pipe\\demo. Write the whole prefix, or give only the part after "
             "it."},
    ErrcInfo{Errc::name_has_backslash, "PIPESCOPE_NAME_HAS_BACKSLASH", "The pipe name contains a backslash.",
             "The part of a pipe name after \\pipe\\ may contain any character except a backslash. Replace "
             "the backslash, for example with '_' or '/'."},
    ErrcInfo{Errc::name_server_empty, "PIPESCOPE_NAME_SERVER_EMPTY", "The server part of the pipe name is empty.",
             "Between the leading \\\\ and \\pipe\\ comes the computer that serves the pipe. Write . for this "
             "computer or the server's name."},
    ErrcInfo{Errc::name_remote_unsupported, "PIPESCOPE_NAME_REMOTE_UNSUPPORTED",
             "Pipes on other computers are not supported here.",
             "Only Windows can open a pipe on another computer (over SMB). Use a local name such as "
             "\\\\.\\pipe\\demo, or run PipeScope on Windows to reach a remote server."},
    ErrcInfo{Errc::message_too_large, "PIPESCOPE_MESSAGE_TOO_LARGE", "The message is too large.",
             "One message cannot be larger than the system allows; on Linux a message pipe carries at most "
             "4 MiB per message, and no more than the socket's send buffer. Send smaller messages, or use a "
             "byte-type pipe for bulk data."},
    ErrcInfo{Errc::unknown_endpoint, "PIPESCOPE_UNKNOWN_ENDPOINT", "There is no endpoint with this id.",
             "The id names no open instance, client or child: it was closed already or the id is wrong. "
             "Look up the current endpoints and use one of their ids."},
    ErrcInfo{Errc::unsupported_on_platform, "PIPESCOPE_UNSUPPORTED_ON_PLATFORM",
             "This is not supported on this platform.",
             "This operating system cannot provide the Windows behaviour that was asked for, so PipeScope "
             "refuses rather than imitate it badly. Run on Windows to use it."},
    ErrcInfo{Errc::bad_input, "PIPESCOPE_BAD_INPUT", "The input could not be read.",
             "The typed data could not be turned into bytes, for example an odd number of hex digits or an "
             "unknown escape. Correct the input at the position shown; nothing was sent."},
    ErrcInfo{Errc::child_failed, "PIPESCOPE_CHILD_FAILED", "The child process failed.",
             "The child process could not be started or ended abnormally. Check the program path and its "
             "arguments; the OS code or exit status shown with this error says more."},
    ErrcInfo{Errc::log_full, "PIPESCOPE_LOG_FULL", "The message log is full.",
             "The message log holds every byte in memory, up to its memory limit (a quarter of physical "
             "memory unless set otherwise), so that a peer flooding data cannot exhaust the machine. Beyond "
             "the limit the pipes keep working and every byte is still counted, but the log keeps only each "
             "record's time, endpoint, direction and length, flagged truncated, and once even those fill the "
             "limit it only counts further records. Raise the limit (pipescope-cli --log-memory-limit, the "
             "GUI's File > Log memory limit), or save and clear the log to start again."},
    ErrcInfo{Errc::unknown, "PIPESCOPE_UNKNOWN", "Unknown error.",
             "The operating system reported an error that PipeScope has no name for. The raw OS code shown "
             "with it identifies the problem."},
};

const ErrcInfo* find_info(Errc code) noexcept {
  for (const auto& info : kErrcInfo) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

// Values that are not an Errc (a foreign int cast to the enum) are reported
// as PIPESCOPE_UNKNOWN rather than as an empty string.
const ErrcInfo& info_or_unknown(Errc code) noexcept {
  const ErrcInfo* info = find_info(code);
  return info != nullptr ? *info : *find_info(Errc::unknown);
}

// Codes with the Win32 "customer" bit are ours; they read better in hex.
constexpr std::uint32_t kCustomerBit = 0x20000000U;

bool is_customer_code(int value) noexcept {
  return (static_cast<std::uint32_t>(value) & kCustomerBit) != 0;
}

std::string format_code_value(int value) {
  if (is_customer_code(value)) return fmt::format("0x{:08X}", static_cast<std::uint32_t>(value));
  return fmt::format("{}", value);
}

class PipeCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "pipescope"; }

  [[nodiscard]] std::string message(int value) const override {
    const Errc code = static_cast<Errc>(value);
    if (find_info(code) == nullptr) return fmt::format("PIPESCOPE_UNKNOWN: Unknown error {}.", format_code_value(value));
    return fmt::format("{}: {}", error_symbol(code), error_message(code));
  }

  // The codes that have a clear portable meaning compare equal to the
  // matching std::errc, so code written against <system_error> understands
  // them (ec == std::errc::permission_denied).
  [[nodiscard]] std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<Errc>(value)) {
      case Errc::file_not_found:
      case Errc::path_not_found:
        return std::errc::no_such_file_or_directory;
      case Errc::too_many_open_files:
        return std::errc::too_many_files_open;
      case Errc::access_denied:
        return std::errc::permission_denied;
      case Errc::invalid_handle:
        return std::errc::bad_file_descriptor;
      case Errc::not_enough_memory:
        return std::errc::not_enough_memory;
      case Errc::not_supported:
        return std::errc::not_supported;
      case Errc::invalid_parameter:
        return std::errc::invalid_argument;
      case Errc::broken_pipe:
      case Errc::no_data:
        return std::errc::broken_pipe;
      case Errc::sem_timeout:
        return std::errc::timed_out;
      case Errc::already_exists:
        return std::errc::file_exists;
      case Errc::filename_exceeds_range:
        return std::errc::filename_too_long;
      case Errc::pipe_not_connected:
        return std::errc::not_connected;
      case Errc::operation_aborted:
        return std::errc::operation_canceled;
      case Errc::message_too_large:
        return std::errc::message_size;
      case Errc::network_unreachable:
        return std::errc::network_unreachable;
      case Errc::host_unreachable:
        return std::errc::host_unreachable;
      default:
        return {value, *this};
    }
  }
};

// Where an errno row applies: in one context, or in every context.
struct ErrnoRow {
  int err;
  std::optional<IoContext> context;  // nullopt: any context
  Errc code;
};

// The one errno table. Rows are searched in order, so a context-specific row
// must come before the catch-all row for the same errno. Where POSIX and
// Windows disagree, the row bends the POSIX meaning toward what Windows
// reports in the same situation.
constexpr std::array kErrnoTable{
    ErrnoRow{0, std::nullopt, Errc::success},

    // A missing socket file means no server created the pipe. A missing
    // folder while creating the socket is a path problem.
    ErrnoRow{ENOENT, IoContext::create, Errc::path_not_found},
    ErrnoRow{ENOENT, std::nullopt, Errc::file_not_found},
    ErrnoRow{ENOTDIR, std::nullopt, Errc::path_not_found},
    // The POSIX backend makes a pipe whose instances are all busy refuse
    // connects (a missing path gives ENOENT instead), so a refused connect is
    // ERROR_PIPE_BUSY, as Windows says to the client in that case.
    ErrnoRow{ECONNREFUSED, std::nullopt, Errc::pipe_busy},
    // A full listen backlog: the server has not accepted the waiting clients.
    ErrnoRow{EAGAIN, IoContext::connect, Errc::pipe_busy},
    ErrnoRow{EAGAIN, IoContext::open, Errc::pipe_busy},
    ErrnoRow{EWOULDBLOCK, IoContext::connect, Errc::pipe_busy},
    ErrnoRow{EWOULDBLOCK, IoContext::open, Errc::pipe_busy},
    // fork/posix_spawn say EAGAIN when a process limit is reached; Windows
    // CreateProcess reports a lack of resources.
    ErrnoRow{EAGAIN, IoContext::spawn, Errc::not_enough_memory},
    // Elsewhere "try again" is the readiness model's way of saying that the
    // operation cannot finish now, which overlapped I/O calls pending.
    ErrnoRow{EAGAIN, std::nullopt, Errc::io_pending},
    ErrnoRow{EWOULDBLOCK, std::nullopt, Errc::io_pending},
    ErrnoRow{EINPROGRESS, std::nullopt, Errc::io_pending},
    ErrnoRow{EALREADY, std::nullopt, Errc::io_pending},

    // The peer went away. Windows tells a reader "the pipe has been ended"
    // (end of stream) and a writer "the pipe is being closed".
    ErrnoRow{EPIPE, IoContext::read, Errc::broken_pipe},
    ErrnoRow{EPIPE, std::nullopt, Errc::no_data},
    ErrnoRow{ECONNRESET, IoContext::write, Errc::no_data},
    ErrnoRow{ECONNRESET, std::nullopt, Errc::broken_pipe},
    // A client that connected and left before accept(): ConnectNamedPipe
    // fails with ERROR_NO_DATA in the same situation.
    ErrnoRow{ECONNABORTED, IoContext::accept, Errc::no_data},
    ErrnoRow{ECONNABORTED, std::nullopt, Errc::broken_pipe},
    ErrnoRow{ENOTCONN, std::nullopt, Errc::pipe_not_connected},
    ErrnoRow{EDESTADDRREQ, std::nullopt, Errc::pipe_not_connected},
    ErrnoRow{EISCONN, std::nullopt, Errc::pipe_connected},

    ErrnoRow{ETIMEDOUT, std::nullopt, Errc::sem_timeout},
    // The POSIX backend's local sockets never meet these; they keep the
    // meaning Windows gives a remote pipe whose computer cannot be reached.
    ErrnoRow{ENETUNREACH, std::nullopt, Errc::network_unreachable},
    ErrnoRow{EHOSTUNREACH, std::nullopt, Errc::host_unreachable},
    ErrnoRow{EACCES, std::nullopt, Errc::access_denied},
    ErrnoRow{EPERM, std::nullopt, Errc::access_denied},
    ErrnoRow{EROFS, std::nullopt, Errc::access_denied},
    ErrnoRow{EISDIR, std::nullopt, Errc::access_denied},
    // A second server for a live name: Windows answers a second creator that
    // asked for FILE_FLAG_FIRST_PIPE_INSTANCE with ERROR_ACCESS_DENIED.
    ErrnoRow{EADDRINUSE, std::nullopt, Errc::access_denied},
    ErrnoRow{EEXIST, std::nullopt, Errc::already_exists},

    ErrnoRow{ENAMETOOLONG, std::nullopt, Errc::filename_exceeds_range},
    // CreateProcess refuses a command line that is too long with
    // ERROR_FILENAME_EXCED_RANGE.
    ErrnoRow{E2BIG, IoContext::spawn, Errc::filename_exceeds_range},
    ErrnoRow{E2BIG, std::nullopt, Errc::invalid_parameter},
    ErrnoRow{ELOOP, std::nullopt, Errc::bad_pathname},
    ErrnoRow{EMSGSIZE, std::nullopt, Errc::message_too_large},
    ErrnoRow{EMFILE, std::nullopt, Errc::too_many_open_files},
    ErrnoRow{ENFILE, std::nullopt, Errc::too_many_open_files},
    ErrnoRow{ENOMEM, std::nullopt, Errc::not_enough_memory},
    ErrnoRow{ENOBUFS, std::nullopt, Errc::not_enough_memory},
    ErrnoRow{EINVAL, std::nullopt, Errc::invalid_parameter},
    ErrnoRow{EFAULT, std::nullopt, Errc::invalid_parameter},
    // Connecting a message-mode (SOCK_SEQPACKET) client to a byte-mode
    // (SOCK_STREAM) server or the other way round: a mode mismatch.
    ErrnoRow{EPROTOTYPE, std::nullopt, Errc::invalid_parameter},
    ErrnoRow{EBADF, std::nullopt, Errc::invalid_handle},
    ErrnoRow{ENOTSOCK, std::nullopt, Errc::invalid_handle},
    ErrnoRow{ECANCELED, std::nullopt, Errc::operation_aborted},
    ErrnoRow{EINTR, std::nullopt, Errc::operation_aborted},
    ErrnoRow{ENOSYS, std::nullopt, Errc::not_supported},
    ErrnoRow{ENOTSUP, std::nullopt, Errc::not_supported},
    ErrnoRow{EOPNOTSUPP, std::nullopt, Errc::not_supported},
    ErrnoRow{EAFNOSUPPORT, std::nullopt, Errc::not_supported},
    ErrnoRow{EPROTONOSUPPORT, std::nullopt, Errc::not_supported},
    // The program to start is missing or is no executable. Windows would say
    // ERROR_BAD_EXE_FORMAT for the latter, which our vocabulary folds into
    // "not found": there is no program to run under that name.
    ErrnoRow{ENOEXEC, std::nullopt, Errc::file_not_found},
};

struct ErrnoName {
  int err;
  std::string_view name;
};

// Names for display only. On Linux some of these share a value (EAGAIN and
// EWOULDBLOCK); the first row wins, which is the name glibc's strerror pairs
// with the value.
constexpr std::array kErrnoNames{
    ErrnoName{EPERM, "EPERM"},
    ErrnoName{ENOENT, "ENOENT"},
    ErrnoName{ESRCH, "ESRCH"},
    ErrnoName{EINTR, "EINTR"},
    ErrnoName{EIO, "EIO"},
    ErrnoName{ENXIO, "ENXIO"},
    ErrnoName{E2BIG, "E2BIG"},
    ErrnoName{ENOEXEC, "ENOEXEC"},
    ErrnoName{EBADF, "EBADF"},
    ErrnoName{ECHILD, "ECHILD"},
    ErrnoName{EAGAIN, "EAGAIN"},
    ErrnoName{ENOMEM, "ENOMEM"},
    ErrnoName{EACCES, "EACCES"},
    ErrnoName{EFAULT, "EFAULT"},
    ErrnoName{EBUSY, "EBUSY"},
    ErrnoName{EEXIST, "EEXIST"},
    ErrnoName{ENOTDIR, "ENOTDIR"},
    ErrnoName{EISDIR, "EISDIR"},
    ErrnoName{EINVAL, "EINVAL"},
    ErrnoName{ENFILE, "ENFILE"},
    ErrnoName{EMFILE, "EMFILE"},
    ErrnoName{ENOSPC, "ENOSPC"},
    ErrnoName{ESPIPE, "ESPIPE"},
    ErrnoName{EROFS, "EROFS"},
    ErrnoName{EPIPE, "EPIPE"},
    ErrnoName{ENAMETOOLONG, "ENAMETOOLONG"},
    ErrnoName{ENOSYS, "ENOSYS"},
    ErrnoName{ELOOP, "ELOOP"},
    ErrnoName{EWOULDBLOCK, "EWOULDBLOCK"},
    ErrnoName{ENOTSOCK, "ENOTSOCK"},
    ErrnoName{EDESTADDRREQ, "EDESTADDRREQ"},
    ErrnoName{EMSGSIZE, "EMSGSIZE"},
    ErrnoName{EPROTOTYPE, "EPROTOTYPE"},
    ErrnoName{EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    ErrnoName{ENOTSUP, "ENOTSUP"},
    ErrnoName{EOPNOTSUPP, "EOPNOTSUPP"},
    ErrnoName{EAFNOSUPPORT, "EAFNOSUPPORT"},
    ErrnoName{EADDRINUSE, "EADDRINUSE"},
    ErrnoName{ECONNABORTED, "ECONNABORTED"},
    ErrnoName{ECONNRESET, "ECONNRESET"},
    ErrnoName{ENOBUFS, "ENOBUFS"},
    ErrnoName{EISCONN, "EISCONN"},
    ErrnoName{ENOTCONN, "ENOTCONN"},
    ErrnoName{ENETUNREACH, "ENETUNREACH"},
    ErrnoName{ETIMEDOUT, "ETIMEDOUT"},
    ErrnoName{EHOSTUNREACH, "EHOSTUNREACH"},
    ErrnoName{ECONNREFUSED, "ECONNREFUSED"},
    ErrnoName{EALREADY, "EALREADY"},
    ErrnoName{EINPROGRESS, "EINPROGRESS"},
    ErrnoName{ECANCELED, "ECANCELED"},
};

std::string_view errno_name(int err) noexcept {
  for (const auto& row : kErrnoNames) {
    if (row.err == err) return row.name;
  }
  return {};
}

}  // namespace

const std::error_category& pipe_category() noexcept {
  static const PipeCategory category;
  return category;
}

std::string_view error_symbol(Errc e) noexcept { return info_or_unknown(e).symbol; }

std::string_view error_message(Errc e) noexcept { return info_or_unknown(e).message; }

std::string_view error_explanation(Errc e) noexcept { return info_or_unknown(e).explanation; }

std::string Error::symbol_text() const {
  // A code from another category (not made by this engine) is shown by that
  // category's name so that it is never mistaken for one of ours.
  if (code.category() != pipe_category()) return fmt::format("{} error {}", code.category().name(), code.value());
  return fmt::format("{} ({})", error_symbol(errc()), format_code_value(code.value()));
}

std::string Error::summary() const {
  std::string line;
  if (!operation.empty() && !detail.empty()) {
    line = fmt::format("{} {}: ", operation, detail);
  } else if (!operation.empty() || !detail.empty()) {
    line = fmt::format("{}: ", operation.empty() ? detail : operation);
  }
  const std::string message = code.category() == pipe_category() ? std::string(error_message(errc())) : code.message();
  line += fmt::format("{}: {}", symbol_text(), message);
  switch (os_domain) {
    case OsDomain::posix_errno: {
      const std::string_view name = errno_name(os_code);
      line += name.empty() ? fmt::format(" [errno {}]", os_code) : fmt::format(" [errno {} {}]", os_code, name);
      break;
    }
    case OsDomain::win32:
      line += fmt::format(" [Win32 error {}]", os_code);
      break;
    case OsDomain::none:
      break;
  }
  return line;
}

Error make_error(Errc code, std::string operation, std::string detail) {
  Error error;
  error.code = make_error_code(code);
  error.operation = std::move(operation);
  error.detail = std::move(detail);
  return error;
}

Errc errc_from_errno(int err, IoContext context) noexcept {
  for (const auto& row : kErrnoTable) {
    if (row.err == err && (!row.context || *row.context == context)) return row.code;
  }
  return Errc::unknown;
}

Error error_from_errno(int err, IoContext context, std::string operation, std::string detail) {
  Error error = make_error(errc_from_errno(err, context), std::move(operation), std::move(detail));
  error.os_domain = OsDomain::posix_errno;
  error.os_code = err;
  return error;
}

}  // namespace pipescope
