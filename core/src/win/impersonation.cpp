// ImpersonateNamedPipeClient and what the client's token shows. The thread
// goes back to its own identity through an RAII guard on every path, also
// when something in between fails or throws; if going back fails, the
// process ends (revert_failure.cpp says why and how).
#include <atomic>
#include <vector>

#include "impersonation.hpp"
#include "pipe_end.hpp"

// After <windows.h>, which it needs.
#include <sddl.h>

namespace pipescope::detail::win {

namespace {

std::atomic<RevertFunction> g_revert{&RevertToSelf};

/// Reverts the calling thread to its own token when it goes out of scope.
/// When the revert fails the thread must not go on (it still runs as the
/// client): the process ends (end_process_running_as_client), so revert()
/// returns only after a revert that worked.
class RevertGuard {
 public:
  explicit RevertGuard(const ImpersonatingEnd& end) noexcept : end_(end) {}
  RevertGuard(const RevertGuard&) = delete;
  RevertGuard& operator=(const RevertGuard&) = delete;
  ~RevertGuard() { revert(); }
  void revert() noexcept {
    if (reverted_) return;
    if (g_revert.load()() == FALSE) end_process_running_as_client(end_, GetLastError());
    reverted_ = true;
  }

 private:
  const ImpersonatingEnd& end_;
  bool reverted_ = false;
};

std::vector<std::byte> token_information(HANDLE token, TOKEN_INFORMATION_CLASS which) {
  DWORD size = 0;
  GetTokenInformation(token, which, nullptr, 0, &size);
  if (size == 0) return {};
  std::vector<std::byte> buffer(size);
  if (!GetTokenInformation(token, which, buffer.data(), size, &size)) return {};
  return buffer;
}

std::string level_name(SECURITY_IMPERSONATION_LEVEL level) {
  switch (level) {
    case SecurityAnonymous: return "Anonymous";
    case SecurityIdentification: return "Identification";
    case SecurityImpersonation: return "Impersonation";
    case SecurityDelegation: return "Delegation";
  }
  return "Unknown";
}

std::string integrity_name(DWORD rid) {
  if (rid >= SECURITY_MANDATORY_PROTECTED_PROCESS_RID) return "Protected";
  if (rid >= SECURITY_MANDATORY_SYSTEM_RID) return "System";
  if (rid >= SECURITY_MANDATORY_HIGH_RID) return "High";
  if (rid >= SECURITY_MANDATORY_MEDIUM_RID + 0x100) return "Medium Plus";  // SECURITY_MANDATORY_MEDIUM_PLUS_RID, missing from mingw-w64
  if (rid >= SECURITY_MANDATORY_MEDIUM_RID) return "Medium";
  if (rid >= SECURITY_MANDATORY_LOW_RID) return "Low";
  return "Untrusted";
}

/// The impersonation token of the calling thread, opened with the server's
/// own identity (OpenAsSelf), so that an identification-level token can be
/// opened too. An anonymous token cannot be opened at all (1347).
UniqueHandle open_thread_token(ImpersonationResult& result) {
  HANDLE raw = nullptr;
  if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &raw)) {
    result.error = error_from_win32(GetLastError(), IoContext::generic, "OpenThreadToken");
    return {};
  }
  return UniqueHandle(raw);
}

/// Reads user, groups, integrity and level from a token. Runs after
/// RevertToSelf: looking up account names asks the LSA, which an
/// identification-level identity may not do.
void describe_token(const UniqueHandle& token, ImpersonationResult& result) {
  auto user = token_information(token.get(), TokenUser);
  if (!user.empty()) {
    PSID sid = reinterpret_cast<TOKEN_USER*>(user.data())->User.Sid;
    result.sid = sid_to_string(sid);
    result.user = account_name(sid);
  }
  auto groups = token_information(token.get(), TokenGroups);
  if (!groups.empty()) {
    const auto* list = reinterpret_cast<TOKEN_GROUPS*>(groups.data());
    for (DWORD i = 0; i < list->GroupCount; ++i) {
      std::string name = account_name(list->Groups[i].Sid);
      result.groups.push_back(name.empty() ? sid_to_string(list->Groups[i].Sid) : name);
    }
  }
  auto label = token_information(token.get(), TokenIntegrityLevel);
  if (!label.empty()) {
    PSID sid = reinterpret_cast<TOKEN_MANDATORY_LABEL*>(label.data())->Label.Sid;
    const DWORD count = *GetSidSubAuthorityCount(sid);
    if (count > 0) result.integrity_level = integrity_name(*GetSidSubAuthority(sid, count - 1));
  }
  auto level = token_information(token.get(), TokenImpersonationLevel);
  if (level.size() >= sizeof(SECURITY_IMPERSONATION_LEVEL)) {
    result.level = level_name(*reinterpret_cast<SECURITY_IMPERSONATION_LEVEL*>(level.data()));
  }
}

void probe(const std::string& path, ImpersonationResult& result) {
  result.probe_path = path;
  UniqueHandle file(CreateFileW(widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                nullptr, OPEN_EXISTING, kProbeFlagsAndAttributes, nullptr));
  result.probe_granted = file.valid();
  if (!file) result.probe_error = error_from_win32(GetLastError(), IoContext::open, "CreateFileW", path);
}

bool thread_has_token() {
  HANDLE raw = nullptr;
  if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &raw)) {
    CloseHandle(raw);
    return true;
  }
  return false;
}

}  // namespace

RevertFunction replace_revert_function(RevertFunction revert) noexcept { return g_revert.exchange(revert); }

ImpersonationResult impersonate_client(HANDLE pipe, const ImpersonationRequest& request, const ImpersonatingEnd& end) {
  ImpersonationResult result;
  if (running_under_wine()) {
    result.notes =
        "Wine " + wine_version() +
        ": ImpersonateNamedPipeClient always succeeds, even without a client; the token is the server's own and "
        "its level is Impersonation whatever the client allowed. On Windows the client's SQOS level decides.";
  }
  UniqueHandle token;
  {
    RevertGuard guard(end);
    if (!ImpersonateNamedPipeClient(pipe)) {
      result.error = error_from_win32(GetLastError(), IoContext::generic, "ImpersonateNamedPipeClient");
    } else {
      result.impersonated = true;
      token = open_thread_token(result);
      // The probe is the one thing done as the client.
      if (!request.probe_path.empty()) probe(request.probe_path, result);
    }
    guard.revert();
  }
  if (token) describe_token(token, result);
  // Proof that the guard worked: no thread token may be left behind.
  result.reverted = !thread_has_token();
  return result;
}

}  // namespace pipescope::detail::win
