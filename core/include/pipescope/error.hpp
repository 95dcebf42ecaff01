// One error vocabulary for the whole engine, named after the Win32 codes.
//
// Every failure the engine reports is a std::error_code in pipe_category()
// whose value is the Win32 code (ERROR_PIPE_BUSY is 231 on every platform),
// plus the raw OS code it was made from, the operation that failed and a
// teaching explanation. Codes that Win32 has no name for use the
// "customer" bit (bit 29), which Windows reserves for applications.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace pipescope {

enum class Errc : std::int32_t {
  success = 0,
  invalid_function = 1,
  file_not_found = 2,
  path_not_found = 3,
  too_many_open_files = 4,
  access_denied = 5,
  invalid_handle = 6,
  not_enough_memory = 8,
  sharing_violation = 32,
  not_supported = 50,
  unexpected_network_error = 59,
  network_access_denied = 65,
  invalid_parameter = 87,
  broken_pipe = 109,
  insufficient_buffer = 122,
  sem_timeout = 121,
  invalid_name = 123,
  bad_pathname = 161,
  already_exists = 183,
  filename_exceeds_range = 206,
  pipe_local = 229,
  bad_pipe = 230,
  pipe_busy = 231,
  no_data = 232,
  pipe_not_connected = 233,
  more_data = 234,
  pipe_connected = 535,
  pipe_listening = 536,
  elevation_required = 740,
  operation_aborted = 995,
  io_pending = 997,
  no_token = 1008,
  session_credential_conflict = 1219,
  network_unreachable = 1231,
  host_unreachable = 1232,
  logon_failure = 1326,
  cant_open_anonymous = 1347,
  not_enough_quota = 1816,
  // PipeScope's own codes (Win32 "customer" bit 29 set).
  name_empty = 0x20000001,
  name_bad_prefix = 0x20000002,
  name_has_backslash = 0x20000003,
  name_server_empty = 0x20000004,
  name_remote_unsupported = 0x20000005,
  message_too_large = 0x20000006,
  unknown_endpoint = 0x20000007,
  unsupported_on_platform = 0x20000008,
  bad_input = 0x20000009,
  child_failed = 0x2000000A,
  log_full = 0x20000010,
  unknown = 0x2000FFFF,
};

/// The category of every engine error code. Its name is "pipescope".
const std::error_category& pipe_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), pipe_category()};
}

/// The Win32-style symbol, e.g. "ERROR_PIPE_BUSY", or "PIPESCOPE_NAME_EMPTY".
std::string_view error_symbol(Errc e) noexcept;
/// A short sentence, e.g. "All pipe instances are busy."
std::string_view error_message(Errc e) noexcept;
/// A few sentences for a learner: what happened and what a program does about it.
std::string_view error_explanation(Errc e) noexcept;

/// Where the raw code in an Error came from.
enum class OsDomain : std::uint8_t { none, posix_errno, win32 };

/// What the engine was doing when the OS said no. The same OS code means
/// different things in different places (libuv's lesson): errno EPIPE on a
/// write is ERROR_NO_DATA, ECONNREFUSED on a connect to an existing path is
/// ERROR_PIPE_BUSY, and so on.
enum class IoContext : std::uint8_t { generic, create, open, connect, accept, read, write, spawn };

/// A failure: the code in PipeScope's vocabulary, the raw OS code, what was
/// being done and any detail (a name, a path).
struct Error {
  std::error_code code;
  OsDomain os_domain = OsDomain::none;
  int os_code = 0;
  std::string operation;
  std::string detail;

  [[nodiscard]] Errc errc() const noexcept { return static_cast<Errc>(code.value()); }
  /// "ERROR_PIPE_BUSY (231)".
  [[nodiscard]] std::string symbol_text() const;
  /// One line: "connect \\.\pipe\demo: ERROR_PIPE_BUSY (231): All pipe
  /// instances are busy. [errno 111 ECONNREFUSED]".
  [[nodiscard]] std::string summary() const;
  /// The teaching explanation of the code.
  [[nodiscard]] std::string_view explanation() const noexcept { return error_explanation(errc()); }
};

[[nodiscard]] Error make_error(Errc code, std::string operation = {}, std::string detail = {});

/// The one errno table: maps an errno in the given context to our vocabulary
/// and keeps the errno as the raw code.
[[nodiscard]] Errc errc_from_errno(int err, IoContext context) noexcept;
[[nodiscard]] Error error_from_errno(int err, IoContext context, std::string operation,
                                     std::string detail = {});

/// A value or the Error that prevented it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  [[nodiscard]] const Error& error() const& { return std::get<1>(v_); }
  [[nodiscard]] Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Success or the Error that prevented it.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const Error& error() const& { return error_; }
  [[nodiscard]] Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

}  // namespace pipescope

template <>
struct std::is_error_code_enum<pipescope::Errc> : std::true_type {};
