// The one table from Win32 error codes into PipeScope's vocabulary. Most
// codes keep their meaning (our Errc values are the Win32 numbers); the
// context matters where the same code means different things, as libuv's
// src/win/error.c teaches: ERROR_BROKEN_PIPE on a read is the normal end of
// the stream, on a write it means the reader has gone.
#include "win_util.hpp"

namespace pipescope::detail::win {

namespace {
// ERROR_ELEVATION_REQUIRED, missing from mingw-w64's winerror.h.
constexpr DWORD kErrorElevationRequired = 740;
}  // namespace

Errc errc_from_win32(DWORD code, IoContext context) noexcept {
  switch (code) {
    case ERROR_SUCCESS: return Errc::success;
    case ERROR_INVALID_FUNCTION: return Errc::invalid_function;
    case ERROR_FILE_NOT_FOUND: return Errc::file_not_found;
    case ERROR_PATH_NOT_FOUND: return Errc::path_not_found;
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME: return Errc::path_not_found;
    case ERROR_TOO_MANY_OPEN_FILES: return Errc::too_many_open_files;
    case ERROR_SHARING_VIOLATION: return Errc::sharing_violation;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
    case ERROR_CANNOT_IMPERSONATE:
    case ERROR_BAD_IMPERSONATION_LEVEL: return Errc::access_denied;
    case ERROR_INVALID_HANDLE: return Errc::invalid_handle;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NO_SYSTEM_RESOURCES: return Errc::not_enough_memory;
    // Quotas of this process, not the machine's memory: pipe buffers are
    // charged to its non-paged pool quota, locked pages of large overlapped
    // I/O to its working set.
    case ERROR_NOT_ENOUGH_QUOTA:
    case ERROR_WORKING_SET_QUOTA: return Errc::not_enough_quota;
    case ERROR_NOT_SUPPORTED: return Errc::not_supported;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_SECURITY_DESCR:
    case ERROR_INVALID_ACL:
    case ERROR_INVALID_SID: return Errc::invalid_parameter;
    // The writer closed its end: on a read that is the end of the stream
    // (the caller treats it so); on a write it is the reader that left.
    case ERROR_BROKEN_PIPE:
    case ERROR_HANDLE_EOF:
    case ERROR_NETNAME_DELETED: return Errc::broken_pipe;
    case ERROR_SEM_TIMEOUT: return Errc::sem_timeout;
    case ERROR_INSUFFICIENT_BUFFER: return Errc::insufficient_buffer;
    case ERROR_INVALID_NAME: return Errc::invalid_name;
    case ERROR_BAD_PATHNAME: return Errc::bad_pathname;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return Errc::already_exists;
    case ERROR_FILENAME_EXCED_RANGE: return Errc::filename_exceeds_range;
    case ERROR_BAD_PIPE: return Errc::bad_pipe;
    case ERROR_PIPE_BUSY: return Errc::pipe_busy;
    // ERROR_NO_DATA on a write: the pipe is being closed by the reader. From
    // ConnectNamedPipe: a client came and left before the server accepted it,
    // which for the server is the same as a client that broke the pipe.
    case ERROR_NO_DATA: return context == IoContext::accept ? Errc::broken_pipe : Errc::no_data;
    case ERROR_PIPE_NOT_CONNECTED: return Errc::pipe_not_connected;
    case ERROR_MORE_DATA: return Errc::more_data;
    case ERROR_PIPE_CONNECTED: return Errc::pipe_connected;
    case ERROR_PIPE_LISTENING: return Errc::pipe_listening;
    case ERROR_OPERATION_ABORTED: return Errc::operation_aborted;
    case ERROR_IO_PENDING: return Errc::io_pending;
    // A remote pipe is opened through a network logon to its computer.
    case ERROR_UNEXP_NET_ERR: return Errc::unexpected_network_error;
    case ERROR_NETWORK_ACCESS_DENIED: return Errc::network_access_denied;
    case ERROR_NETWORK_UNREACHABLE: return Errc::network_unreachable;
    case ERROR_HOST_UNREACHABLE: return Errc::host_unreachable;
    case ERROR_LOGON_FAILURE: return Errc::logon_failure;
    case ERROR_SESSION_CREDENTIAL_CONFLICT: return Errc::session_credential_conflict;
    // GetNamedPipeClientComputerNameW on a client of this computer.
    case ERROR_PIPE_LOCAL: return Errc::pipe_local;
    // OpenThreadToken: the thread is not impersonating, or the client only
    // allowed SECURITY_ANONYMOUS.
    case ERROR_NO_TOKEN: return Errc::no_token;
    case ERROR_CANT_OPEN_ANONYMOUS: return Errc::cant_open_anonymous;
    // CreateProcessW of a program whose manifest asks for administrator.
    case kErrorElevationRequired: return Errc::elevation_required;
    // A child that cannot run here: not an executable, a folder, or built for
    // another machine type (a 64-bit program on a 32-bit Windows, ARM64 on
    // x64 without emulation).
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
    case ERROR_DIRECTORY: return context == IoContext::spawn ? Errc::child_failed : Errc::unknown;
    default: return Errc::unknown;
  }
}

Error error_from_win32(DWORD code, IoContext context, std::string operation, std::string detail) {
  Error error = make_error(errc_from_win32(code, context), std::move(operation), std::move(detail));
  error.os_domain = OsDomain::win32;
  error.os_code = static_cast<int>(code);
  return error;
}

}  // namespace pipescope::detail::win
