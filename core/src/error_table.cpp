// The table of error_table.hpp: symbol, message and explanation of every
// Errc, kept apart from error.cpp's category and errno table because it is
// the part that teaches, and grows with every explanation.
#include "error_table.hpp"

#include <array>

namespace pipescope::detail {
namespace {

// Every Errc, once. The message of a Win32 code is the text of Microsoft's
// system error list ("System Error Codes (0-499)", (500-999), (1000-1299),
// (1300-1699), (1700-3999): learn.microsoft.com/windows/win32/debug/
// system-error-codes), word for word, except 1231 and 1232 (see there). Wine's
// FormatMessage has shorter texts of its own (dlls/kernelbase/winerror.mc:
// "Too many open files.", "Semaphore timeout.", "Invalid name."); PipeScope
// shows this table's text on every platform. The explanations are written
// for someone learning pipes; each one that teaches a pipe function names
// the Microsoft page it follows. Where a code is what Windows returns in a
// case its documentation does not name, the text says "observed".
constexpr std::array kErrcInfo{
    ErrcInfo{Errc::success, "ERROR_SUCCESS", "The operation completed successfully.",
             "Nothing went wrong. The call did what was asked."},
    ErrcInfo{Errc::invalid_function, "ERROR_INVALID_FUNCTION", "Incorrect function.",
             "The call does not apply to this kind of object, for example a pipe function given a handle "
             "that is not a pipe. Check which handle the call was given."},
    // WaitNamedPipeW (learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-waitnamedpipew):
    // "If no instances of the specified named pipe exist, the WaitNamedPipe
    // function returns immediately, regardless of the time-out value."
    ErrcInfo{Errc::file_not_found, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified.",
             "No pipe with this name exists: no server has created it yet, or the server has closed its last "
             "instance, and WaitNamedPipe then returns at once, whatever its time-out. A client checks the name "
             "and retries later, or the server is started first."},
    ErrcInfo{Errc::path_not_found, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified.",
             "A folder on the way to the object does not exist. Check the path; for a socket path, create "
             "its folder first."},
    // System Error Codes (0-499): 4 is "The system cannot open the file."
    // (Wine: "Too many open files.").
    ErrcInfo{Errc::too_many_open_files, "ERROR_TOO_MANY_OPEN_FILES", "The system cannot open the file.",
             "The process or the system has run out of handles (file descriptors on POSIX). Close handles "
             "that are no longer needed, or raise the limit (ulimit -n on POSIX)."},
    // Named Pipe Security and Access Rights (learn.microsoft.com/windows/win32/ipc/
    // named-pipe-security-and-access-rights): a new instance needs
    // FILE_CREATE_PIPE_INSTANCE. CreateNamedPipeW (.../api/namedpipeapi/
    // nf-namedpipeapi-createnamedpipew): FILE_FLAG_FIRST_PIPE_INSTANCE makes
    // the creation of a further instance fail with ERROR_ACCESS_DENIED; the
    // access mode, type, nMaxInstances and nDefaultTimeOut must be the same
    // for every instance (which code a mismatch gives is not documented).
    ErrcInfo{Errc::access_denied, "ERROR_ACCESS_DENIED", "Access is denied.",
             "The pipe's security descriptor does not grant the access asked for, or a client asked for a "
             "direction the pipe does not have (observed). CreateNamedPipe fails with it when the caller lacks "
             "FILE_CREATE_PIPE_INSTANCE, when FILE_FLAG_FIRST_PIPE_INSTANCE was asked for and any instance of the "
             "name exists (also one of this process); a new instance must also give the direction, type, instance "
             "count and time-out the existing ones have. Ask for less access, run as a user the descriptor "
             "allows, give every instance the same settings, or choose another name."},
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
    // Named Pipe Type, Read, and Wait Modes (learn.microsoft.com/windows/win32/ipc/
    // named-pipe-type-read-and-wait-modes): the client end starts in byte
    // read mode even when the server's is in message mode, and the two ends'
    // read modes may differ. CreateNamedPipeW: PIPE_TYPE_BYTE "cannot be used
    // with PIPE_READMODE_MESSAGE"; this code for it is observed.
    ErrcInfo{Errc::invalid_parameter, "ERROR_INVALID_PARAMETER", "The parameter is incorrect.",
             "One of the values passed is not acceptable; for pipes, Windows answers so (observed) when a byte "
             "pipe is to be read in message mode, in CreateNamedPipe or SetNamedPipeHandleState. A client that "
             "reads a message pipe in byte mode is normal and no error: a client's end starts in byte read mode, "
             "and the two ends of a pipe may read in different modes."},
    // ReadFile and WriteFile (learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile,
    // .../nf-fileapi-writefile): an anonymous pipe read after the write
    // handle closed, and a write after the read handle closed, fail with
    // ERROR_BROKEN_PIPE. ConnectNamedPipe (.../api/namedpipeapi/
    // nf-namedpipeapi-connectnamedpipe): an instance is reused after
    // DisconnectNamedPipe.
    ErrcInfo{Errc::broken_pipe, "ERROR_BROKEN_PIPE", "The pipe has been ended.",
             "The other end closed its handle. On a read this is the normal end of the stream: process what "
             "arrived, then close your handle, or, as a server, call DisconnectNamedPipe and ConnectNamedPipe to "
             "reuse the instance for the next client. Writing to an anonymous pipe whose read end is closed fails "
             "with it too."},
    ErrcInfo{Errc::insufficient_buffer, "ERROR_INSUFFICIENT_BUFFER",
             "The data area passed to a system call is too small.",
             "The buffer given to the call cannot hold the result. Call again with a larger buffer; the call "
             "usually reports the size it needs."},
    // System Error Codes (0-499): 121 is "The semaphore timeout period has
    // expired." (Wine: "Semaphore timeout."). WaitNamedPipeW: "If the time-out
    // interval expires, the WaitNamedPipe function fails with the error
    // ERROR_SEM_TIMEOUT."
    ErrcInfo{Errc::sem_timeout, "ERROR_SEM_TIMEOUT", "The semaphore timeout period has expired.",
             "A wait ran out of time: WaitNamedPipe fails with this code (not ERROR_PIPE_BUSY) when no instance "
             "became free within its time-out, and PipeScope uses it too for a transact or call whose reply did "
             "not come in time. Retry, wait longer, or report that the server is not answering."},
    // System Error Codes (0-499): 123 (Wine: "Invalid name.").
    ErrcInfo{Errc::invalid_name, "ERROR_INVALID_NAME",
             "The filename, directory name, or volume label syntax is incorrect.",
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
    // TransactNamedPipe (learn.microsoft.com/windows/win32/api/namedpipeapi/
    // nf-namedpipeapi-transactnamedpipe) fails on a byte pipe or an end not
    // in message read mode without naming the code; ERROR_BAD_PIPE
    // (STATUS_INVALID_PIPE_STATE) is what Windows returns, observed.
    ErrcInfo{Errc::bad_pipe, "ERROR_BAD_PIPE", "The pipe state is invalid.",
             "The pipe is in a state where this operation makes no sense. Windows answers so (observed, not "
             "documented) to a TransactNamedPipe on a byte pipe or on an end that reads in byte mode, and to calls "
             "on a pipe being torn down. Use a message pipe read in message mode, or close the handle and open "
             "or create the pipe again."},
    // CreateFileW, "Pipes" (learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew):
    // ERROR_PIPE_BUSY when no instance is listening. WaitNamedPipeW: a TRUE
    // result does not guarantee the next CreateFile. CreateNamedPipeW:
    // nMaxInstances is the same for every instance, and each instance is
    // one CreateNamedPipe call.
    ErrcInfo{Errc::pipe_busy, "ERROR_PIPE_BUSY", "All pipe instances are busy.",
             "No instance of the pipe is waiting for a client: each is connected, or its server has not called "
             "ConnectNamedPipe again. A client calls WaitNamedPipe and then CreateFile again, which may still "
             "find the pipe busy; a server serves more clients at once by creating more instances with "
             "CreateNamedPipe, up to nMaxInstances (the same value for every instance)."},
    // ConnectNamedPipe (learn.microsoft.com/windows/win32/api/namedpipeapi/
    // nf-namedpipeapi-connectnamedpipe): ERROR_NO_DATA when the previous
    // client has closed its handle but the server has not disconnected.
    // Named Pipe Type, Read, and Wait Modes: nonblocking reads return at once.
    ErrcInfo{Errc::no_data, "ERROR_NO_DATA", "The pipe is being closed.",
             "The other end has closed its handle, so what is written can no longer be delivered; ConnectNamedPipe "
             "says the same when the last client has closed its end but the server has not yet called "
             "DisconnectNamedPipe, and a read in non-blocking mode (PIPE_NOWAIT) says it when nothing waits. Stop "
             "writing and close your end; a server calls DisconnectNamedPipe and waits for the next client."},
    // DisconnectNamedPipe (learn.microsoft.com/windows/win32/api/namedpipeapi/
    // nf-namedpipeapi-disconnectnamedpipe): the client "receives an error the
    // next time it attempts to access the pipe" and "must still use the
    // CloseHandle function"; that the error is this code is observed. Unread
    // data is discarded, hence FlushFileBuffers first.
    ErrcInfo{Errc::pipe_not_connected, "ERROR_PIPE_NOT_CONNECTED", "No process is on the other end of the pipe.",
             "Nobody is on the other end: no client is connected to this instance, or the server has called "
             "DisconnectNamedPipe, after which the client's reads and writes fail with this code (observed) and "
             "the client must still close its handle. A server waits in ConnectNamedPipe for a client, and after "
             "a client leaves it calls DisconnectNamedPipe (after FlushFileBuffers, since a disconnect discards what "
             "the client has not read yet) before reusing the instance."},
    // ReadFile and TransactNamedPipe return FALSE with ERROR_MORE_DATA when a
    // message read in message mode is longer than the buffer, and the rest
    // can be read (learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile,
    // .../api/namedpipeapi/nf-namedpipeapi-transactnamedpipe); CallNamedPipeW
    // (.../api/namedpipeapi/nf-namedpipeapi-callnamedpipew) discards the rest.
    ErrcInfo{Errc::more_data, "ERROR_MORE_DATA", "More data is available.",
             "A message read in message read mode is larger than the buffer: ReadFile (or TransactNamedPipe) "
             "returns FALSE with this code, yet the bytes it read are valid and the rest of the message comes "
             "with the next reads; a read in byte mode never gives it. Read on, or read with a larger buffer; "
             "only CallNamedPipe loses the rest, because it has closed the pipe when it returns."},
    // System Error Codes (500-999): 535 is "There is a process on other end of
    // the pipe." ConnectNamedPipe (learn.microsoft.com/windows/win32/api/
    // namedpipeapi/nf-namedpipeapi-connectnamedpipe): a client that came
    // first is "a good connection"; an instance used before must be
    // disconnected first, or the call fails with ERROR_PIPE_CONNECTED while
    // that client still holds its handle; in nonblocking mode it answers so
    // while a client is connected.
    ErrcInfo{Errc::pipe_connected, "ERROR_PIPE_CONNECTED", "There is a process on other end of the pipe.",
             "ConnectNamedPipe found a client already connected, because it opened the instance before the "
             "server called ConnectNamedPipe; that counts as success, and the server can start talking. The same "
             "code says that an instance was not disconnected from its previous client, which still holds its "
             "handle (call DisconnectNamedPipe before reusing an instance), and, in non-blocking mode, that a "
             "client is connected."},
    // ConnectNamedPipe: in nonblocking mode it returns zero with
    // ERROR_PIPE_LISTENING while no client is connected. The engine also
    // gives the code when asked to write to or disconnect an instance that
    // has no client yet.
    ErrcInfo{Errc::pipe_listening, "ERROR_PIPE_LISTENING", "Waiting for a process to open the other end of the pipe.",
             "The instance is waiting for a client and nobody has connected yet, so there is no one to write to. "
             "ConnectNamedPipe answers so only in non-blocking mode (PIPE_NOWAIT), where the server calls it "
             "again and again until a client comes; a blocking or overlapped ConnectNamedPipe waits instead, "
             "and that is what to use."},
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
    // System Error Codes (1000-1299): 1219, both sentences.
    ErrcInfo{Errc::session_credential_conflict, "ERROR_SESSION_CREDENTIAL_CONFLICT",
             "Multiple connections to a server or shared resource by the same user, using more than one user "
             "name, are not allowed. Disconnect all previous connections to the server or shared resource and try "
             "again.",
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

}  // namespace

const ErrcInfo* find_errc_info(Errc code) noexcept {
  for (const auto& info : kErrcInfo) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

}  // namespace pipescope::detail
