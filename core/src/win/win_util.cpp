#include "win_util.hpp"

#include <sddl.h>

#include <vector>

namespace pipescope::detail::win {

std::wstring widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int size = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring wide(static_cast<std::size_t>(size), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), wide.data(), size);
  return wide;
}

std::string narrow(std::wstring_view wide) {
  if (wide.empty()) return {};
  const int size =
      WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), nullptr, 0, nullptr, nullptr);
  std::string utf8(static_cast<std::size_t>(size), '\0');
  WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), utf8.data(), size, nullptr, nullptr);
  return utf8;
}

namespace {
using WineGetVersion = const char*(__cdecl*)();

WineGetVersion wine_get_version_function() noexcept {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == nullptr) return nullptr;
  // GetProcAddress returns a generic function pointer; this is its real type.
  return reinterpret_cast<WineGetVersion>(reinterpret_cast<void*>(GetProcAddress(ntdll, "wine_get_version")));
}
}  // namespace

bool running_under_wine() noexcept {
  static const bool under_wine = wine_get_version_function() != nullptr;
  return under_wine;
}

std::string wine_version() {
  auto get_version = wine_get_version_function();
  return get_version != nullptr ? std::string(get_version()) : std::string();
}

std::string sid_to_string(PSID sid) {
  LocalMemory<LPWSTR> text;
  if (sid == nullptr || !ConvertSidToStringSidW(sid, text.out())) return {};
  return narrow(text.get());
}

std::string account_name(PSID sid) {
  if (sid == nullptr) return {};
  wchar_t name[256];
  wchar_t domain[256];
  DWORD name_size = 256;
  DWORD domain_size = 256;
  SID_NAME_USE use{};
  if (!LookupAccountSidW(nullptr, sid, name, &name_size, domain, &domain_size, &use)) return {};
  std::wstring full = domain_size > 0 ? std::wstring(domain) + L"\\" + name : std::wstring(name);
  return narrow(full);
}

namespace {
/// The TokenUser information of a token, or empty.
std::vector<std::byte> token_user(HANDLE token) {
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<std::byte> buffer(size);
  if (size == 0 || !GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) return {};
  return buffer;
}
}  // namespace

Result<std::string> current_user_sid() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
    return error_from_win32(GetLastError(), IoContext::generic, "OpenProcessToken");
  }
  UniqueHandle token(raw);
  auto info = token_user(token.get());
  if (info.empty()) return error_from_win32(GetLastError(), IoContext::generic, "GetTokenInformation(TokenUser)");
  auto sid = sid_to_string(reinterpret_cast<TOKEN_USER*>(info.data())->User.Sid);
  if (sid.empty()) return error_from_win32(GetLastError(), IoContext::generic, "ConvertSidToStringSidW");
  return sid;
}

}  // namespace pipescope::detail::win
