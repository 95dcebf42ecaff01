#include "account_lookup.hpp"

#include <atomic>
#include <cstring>
#include <exception>

#include "win_util.hpp"

namespace pipescope::detail::win {

namespace {
std::atomic<AccountNameFunction> g_account_name{&account_name};
}  // namespace

SidCopy::SidCopy(PSID sid) {
  if (sid == nullptr || !IsValidSid(sid)) return;
  bytes_.resize(GetLengthSid(sid));
  std::memcpy(bytes_.data(), sid, bytes_.size());
}

SidCopy process_user_sid(DWORD pid) {
  UniqueHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process) return {};
  HANDLE raw = nullptr;
  if (!OpenProcessToken(process.get(), TOKEN_QUERY, &raw)) return {};
  const UniqueHandle token(raw);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  if (size == 0) return {};
  std::vector<std::byte> buffer(size);
  if (!GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) return {};
  return SidCopy(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid);
}

AccountNameFunction replace_account_name_function(AccountNameFunction name) noexcept {
  return g_account_name.exchange(name);
}

std::string lookup_account_name(const SidCopy& sid) {
  if (sid.empty()) return {};
  return g_account_name.load()(sid.get());
}

AccountLookup::AccountLookup(EngineContext& context)
    : worker_([&context](const std::exception_ptr& failure) {
        // A job that throws (bad_alloc while naming) loses its own names and
        // says so; the thread goes on naming everyone else's.
        context.report(0, 0,
                       error_from_exception(failure, "LookupAccountSidW", "the account lookup thread",
                                            "that account stays unnamed"));
        context.flush();
      }) {}

AccountLookup::~AccountLookup() { worker_.stop(); }

void AccountLookup::post(std::function<void()> job) { worker_.post(std::move(job)); }

}  // namespace pipescope::detail::win
