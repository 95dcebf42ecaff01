// Small Win32 helpers shared by the backend's files: owned handles, UTF-8 <->
// UTF-16, the one Win32 error table, SID text and Wine detection.
#pragma once

#include <windows.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "pipescope/error.hpp"

namespace pipescope::detail::win {

/// Owns a kernel handle and closes it once. Both null and INVALID_HANDLE_VALUE
/// mean "no handle", because Win32 uses either depending on the function.
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(HANDLE handle) noexcept : handle_(handle) {}
  UniqueHandle(UniqueHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(std::exchange(other.handle_, nullptr));
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  [[nodiscard]] HANDLE get() const noexcept { return handle_; }
  [[nodiscard]] bool valid() const noexcept { return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE; }
  explicit operator bool() const noexcept { return valid(); }
  [[nodiscard]] HANDLE release() noexcept { return std::exchange(handle_, nullptr); }
  void reset(HANDLE handle = nullptr) noexcept {
    if (valid()) CloseHandle(handle_);
    handle_ = handle;
  }

 private:
  HANDLE handle_ = nullptr;
};

/// Frees memory that Win32 allocated with LocalAlloc (security descriptors,
/// SID strings) when it goes out of scope.
template <class T>
class LocalMemory {
 public:
  LocalMemory() = default;
  LocalMemory(const LocalMemory&) = delete;
  LocalMemory& operator=(const LocalMemory&) = delete;
  LocalMemory(LocalMemory&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  LocalMemory& operator=(LocalMemory&& other) noexcept {
    if (this != &other) {
      reset();
      ptr_ = std::exchange(other.ptr_, nullptr);
    }
    return *this;
  }
  ~LocalMemory() { reset(); }
  void reset() noexcept {
    if (ptr_ != nullptr) LocalFree(reinterpret_cast<HLOCAL>(ptr_));
    ptr_ = nullptr;
  }
  [[nodiscard]] T get() const noexcept { return ptr_; }
  [[nodiscard]] T* out() noexcept {
    reset();
    return &ptr_;
  }

 private:
  T ptr_ = nullptr;
};

[[nodiscard]] std::wstring widen(std::string_view utf8);
[[nodiscard]] std::string narrow(std::wstring_view wide);

/// The one Win32 table: maps a Win32 error code, in the context it was seen
/// in, to our vocabulary. The raw code is kept by error_from_win32.
[[nodiscard]] Errc errc_from_win32(DWORD code, IoContext context) noexcept;
[[nodiscard]] Error error_from_win32(DWORD code, IoContext context, std::string operation, std::string detail = {});

/// An exception that a handler on an engine thread let out, as an Error:
/// std::bad_alloc is ERROR_NOT_ENOUGH_MEMORY, anything else
/// PIPESCOPE_UNKNOWN. The detail reads "<where>: <the exception's type and
/// message> escaped the engine's handler; <consequence>" (io_failure.cpp).
[[nodiscard]] Error error_from_exception(const std::exception_ptr& exception, std::string operation,
                                         std::string_view where, std::string_view consequence);

/// True when the process runs under Wine (ntdll exports wine_get_version).
[[nodiscard]] bool running_under_wine() noexcept;
/// "8.0" under Wine, empty on Windows.
[[nodiscard]] std::string wine_version();

/// "S-1-5-21-..." for a SID, empty if it cannot be converted.
[[nodiscard]] std::string sid_to_string(PSID sid);
/// "DOMAIN\user" for a SID, empty if the account cannot be looked up.
[[nodiscard]] std::string account_name(PSID sid);
/// The SID of the user this process runs as, as text.
[[nodiscard]] Result<std::string> current_user_sid();
/// The owner, group and DACL a kernel object (a pipe) really has, as SDDL:
/// GetSecurityInfo + ConvertSecurityDescriptorToStringSecurityDescriptorW.
[[nodiscard]] Result<std::string> handle_sddl(HANDLE handle);

}  // namespace pipescope::detail::win
