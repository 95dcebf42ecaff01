// The engine's one error vocabulary: symbols, messages and teaching
// explanations for every Errc (their table is error_table.cpp), the
// pipescope error category, and the one table that turns an errno into an
// Errc.
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

#include "error_table.hpp"

namespace pipescope {
namespace {

using detail::ErrcInfo;

const ErrcInfo* find_info(Errc code) noexcept { return detail::find_errc_info(code); }

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
