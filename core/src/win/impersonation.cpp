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

/// Reads user, groups, integrity and level from a token, after
/// RevertToSelf. The SIDs are named later (name_accounts), as the process:
/// looking up account names asks the LSA, which an identification-level
/// identity may not do, and which may take seconds.
void describe_token(const UniqueHandle& token, ImpersonationFindings& findings) {
  ImpersonationResult& result = findings.result;
  auto user = token_information(token.get(), TokenUser);
  if (!user.empty()) {
    PSID sid = reinterpret_cast<TOKEN_USER*>(user.data())->User.Sid;
    result.sid = sid_to_string(sid);
    findings.user = SidCopy(sid);
  }
  auto groups = token_information(token.get(), TokenGroups);
  if (!groups.empty()) {
    const auto* list = reinterpret_cast<TOKEN_GROUPS*>(groups.data());
    for (DWORD i = 0; i < list->GroupCount; ++i) findings.groups.emplace_back(list->Groups[i].Sid);
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

/// Whether this process's own token holds SeImpersonatePrivilege, enabled;
/// nullopt when the token cannot be read. Called as the process, never while
/// impersonating.
std::optional<bool> process_has_impersonate_privilege() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) return std::nullopt;
  const UniqueHandle token(raw);
  LUID impersonate{};
  if (!LookupPrivilegeValueW(nullptr, SE_IMPERSONATE_NAME, &impersonate)) return std::nullopt;
  auto privileges = token_information(token.get(), TokenPrivileges);
  if (privileges.empty()) return std::nullopt;
  const auto* list = reinterpret_cast<const TOKEN_PRIVILEGES*>(privileges.data());
  for (DWORD i = 0; i < list->PrivilegeCount; ++i) {
    const LUID_AND_ATTRIBUTES& entry = list->Privileges[i];
    if (entry.Luid.LowPart == impersonate.LowPart && entry.Luid.HighPart == impersonate.HighPart) {
      return (entry.Attributes & SE_PRIVILEGE_ENABLED) != 0;
    }
  }
  return false;
}

void add_note(ImpersonationResult& result, const std::string& note) {
  if (note.empty()) return;
  if (!result.notes.empty()) result.notes += ' ';
  result.notes += note;
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

std::string identification_note(std::string_view level, std::optional<bool> server_has_impersonate_privilege) {
  if (level != "Identification") return {};
  // ImpersonateNamedPipeClient's remarks: more than Identification only when
  // the server holds SeImpersonatePrivilege, the client is the server's own
  // user, or the token came from LogonUser in the server's logon session.
  std::string note =
      "At Identification the server may read who the client is but not act as it: either the client allowed no "
      "more (SECURITY_IDENTIFICATION), or the client runs as another user and this server lacks "
      "SeImpersonatePrivilege, without which Windows gives a server only Identification for another user's "
      "client.";
  if (server_has_impersonate_privilege.has_value()) {
    note += *server_has_impersonate_privilege ? " This server holds SeImpersonatePrivilege."
                                              : " This server does not hold SeImpersonatePrivilege (services and "
                                                "elevated administrators do).";
  }
  return note;
}

std::string user_name_unavailable_note(bool server_has_read, DWORD error) {
  // GetNamedPipeHandleStateW finds the user name by impersonating the
  // client, and the pipe file system lets a server impersonate only once it
  // has read from the pipe (ERROR_CANNOT_IMPERSONATE: "Unable to impersonate
  // using a named pipe until data has been read from that pipe.").
  if (!server_has_read || error == ERROR_CANNOT_IMPERSONATE) {
    return "The client's user name is not available yet: Windows reads it by impersonating the client, which it "
           "allows only after the server has read from the pipe. Inspect again after the client has written.";
  }
  if (error == ERROR_BAD_IMPERSONATION_LEVEL || error == ERROR_CANT_OPEN_ANONYMOUS) {
    return "The client's user name is not available: the client allowed only Identification or Anonymous, and "
           "Windows gives the name only to a server the client lets impersonate it (SECURITY_IMPERSONATION or "
           "more).";
  }
  return "The client's user name is not available: GetNamedPipeHandleStateW failed with " +
         error_from_win32(error, IoContext::generic, "GetNamedPipeHandleStateW").symbol_text() + ".";
}

ImpersonationFindings impersonate_client(HANDLE pipe, const ImpersonationRequest& request,
                                         const ImpersonatingEnd& end) {
  ImpersonationFindings findings;
  ImpersonationResult& result = findings.result;
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
  if (token) describe_token(token, findings);
  add_note(result, identification_note(result.level, process_has_impersonate_privilege()));
  // Proof that the guard worked: no thread token may be left behind.
  result.reverted = !thread_has_token();
  return findings;
}

ImpersonationResult name_accounts(const ImpersonationFindings& findings) {
  ImpersonationResult result = findings.result;
  result.user = lookup_account_name(findings.user);
  for (const SidCopy& group : findings.groups) {
    std::string name = lookup_account_name(group);
    result.groups.push_back(name.empty() ? sid_to_string(group.get()) : std::move(name));
  }
  return result;
}

}  // namespace pipescope::detail::win
