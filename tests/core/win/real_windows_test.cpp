// What the Win32 backend decides for real Windows where Wine cannot show the
// result: Wine applies no pipe DACL and gives every server the level
// Impersonation whatever the client allowed (wine-notes.md). Each test checks
// the decision itself (the access mask granted, the access asked for, the
// flags of an open) against the rule Windows documents, and says which rule
// and where it is written; where the behaviour can be run, it runs it and
// names Wine's deviation.
#include <windows.h>
// After <windows.h>, which it needs.
#include <sddl.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "conformance_fixture.hpp"
#include "raw_peers.hpp"
#include "win/access_rights.hpp"
#include "win/win_util.hpp"

namespace pipescope::conformance {
namespace {

using detail::win::client_desired_access;
using detail::win::client_sqos_flags;
using detail::win::kEveryonePipeRights;
using detail::win::running_under_wine;
using detail::win::UniqueHandle;
using detail::win::widen;

/// How the pipe file system maps GENERIC_* for a pipe (File Security and
/// Access Rights: a pipe's generic rights are those of a file).
GENERIC_MAPPING file_mapping() { return {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS}; }

/// AccessCheck of `desired` (generic rights mapped as for a file) against a
/// descriptor whose DACL is `dacl`, for this process's own token. The
/// descriptor has an owner that is not us (the SYSTEM account) so that only
/// the DACL decides: an owner gets READ_CONTROL and WRITE_DAC implicitly.
bool access_granted(const std::string& dacl, DWORD desired) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const std::wstring sddl = widen("O:SYG:SY" + dacl);
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr)) {
    ADD_FAILURE() << "SDDL " << dacl << ": " << GetLastError();
    return false;
  }
  HANDLE process_token = nullptr;
  HANDLE token = nullptr;
  bool granted = false;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process_token) &&
      DuplicateToken(process_token, SecurityImpersonation, &token)) {
    GENERIC_MAPPING mapping = file_mapping();
    MapGenericMask(&desired, &mapping);
    // What the pipe file system does with a client's request before the
    // check: it removes FILE_CREATE_PIPE_INSTANCE, nothing else.
    desired &= ~static_cast<DWORD>(FILE_CREATE_PIPE_INSTANCE);
    PRIVILEGE_SET privileges{};
    DWORD privileges_size = sizeof privileges;
    DWORD granted_access = 0;
    BOOL status = FALSE;
    if (AccessCheck(descriptor, token, desired, &mapping, &privileges, &privileges_size, &granted_access, &status)) {
      granted = status != FALSE;
    } else {
      ADD_FAILURE() << "AccessCheck: " << GetLastError();
    }
  } else {
    ADD_FAILURE() << "token: " << GetLastError();
  }
  if (token != nullptr) CloseHandle(token);
  if (process_token != nullptr) CloseHandle(process_token);
  LocalFree(descriptor);
  return granted;
}

std::string everyone_dacl(DWORD rights) {
  char ace[64];
  std::snprintf(ace, sizeof ace, "D:P(A;;0x%lx;;;WD)", static_cast<unsigned long>(rights));
  return ace;
}

// The "everyone" preset must let another user's client open the pipe for
// reading and writing, as CallNamedPipe, `cmd > \\.\pipe\...` and .NET's
// NamedPipeClientStream do: GENERIC_WRITE maps to FILE_GENERIC_WRITE, which
// includes FILE_WRITE_EA. The ACE once granted 0x12018b, which lacks it, so
// every such client of another user got ERROR_ACCESS_DENIED on Windows.
// This process's user is checked against the Everyone ACE alone, as another
// user would be. (Wine implements AccessCheck, though not on pipes.)
TEST(WinPipeSecurity, EveryoneAceGrantsAnotherUsersReadingAndWritingClient) {
  EXPECT_EQ(kEveryonePipeRights, 0x12019BU) << "what .NET's PipeAccessRights.ReadWrite grants, with SYNCHRONIZE";
  EXPECT_EQ(detail::win::everyone_ace(), "(A;;0x12019b;;;WD)");
  const std::string dacl = everyone_dacl(kEveryonePipeRights);
  EXPECT_TRUE(access_granted(dacl, GENERIC_READ | GENERIC_WRITE));
  EXPECT_TRUE(access_granted(dacl, GENERIC_WRITE)) << "cmd's redirection opens for writing";
  EXPECT_TRUE(access_granted(dacl, GENERIC_READ));
  EXPECT_TRUE(access_granted(dacl, GENERIC_READ | FILE_WRITE_ATTRIBUTES)) << "a reader that sets message mode";
  EXPECT_FALSE(access_granted(everyone_dacl(0x12018B), GENERIC_WRITE))
      << "the check must tell: the old ACE refuses a writing client";
}

// ... but never the right to create an instance of our pipe, with which
// another user's program could pose as our server for the next client.
TEST(WinPipeSecurity, EveryoneAceNeverGrantsCreatingAnInstance) {
  EXPECT_EQ(kEveryonePipeRights & FILE_CREATE_PIPE_INSTANCE, 0U);
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const std::wstring sddl = widen("O:SYG:SY" + everyone_dacl(kEveryonePipeRights));
  ASSERT_TRUE(ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr));
  HANDLE process_token = nullptr;
  HANDLE token = nullptr;
  ASSERT_TRUE(OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process_token));
  ASSERT_TRUE(DuplicateToken(process_token, SecurityImpersonation, &token));
  GENERIC_MAPPING mapping = file_mapping();
  PRIVILEGE_SET privileges{};
  DWORD privileges_size = sizeof privileges;
  DWORD granted = 0;
  BOOL status = TRUE;
  ASSERT_TRUE(AccessCheck(descriptor, token, FILE_CREATE_PIPE_INSTANCE, &mapping, &privileges, &privileges_size,
                          &granted, &status));
  EXPECT_FALSE(status) << "a server's second instance needs FILE_CREATE_PIPE_INSTANCE (CreateNamedPipe)";
  CloseHandle(token);
  CloseHandle(process_token);
  LocalFree(descriptor);
}

// A pipe made with the default descriptor grants Everyone read access only
// (CreateNamedPipe: "The ACLs in the default security descriptor for a
// named pipe grant ... read access to members of the Everyone group"). A
// byte-mode reader must therefore ask for GENERIC_READ alone; only a reader
// that sets message read mode needs FILE_WRITE_ATTRIBUTES
// (SetNamedPipeHandleState: "the handle must have GENERIC_WRITE or
// FILE_WRITE_ATTRIBUTES access").
TEST(WinClientAccess, AReaderAsksForWriteAttributesOnlyToSetMessageMode) {
  EXPECT_EQ(client_desired_access(ClientAccess::read, ReadMode::byte), static_cast<DWORD>(GENERIC_READ));
  EXPECT_EQ(client_desired_access(ClientAccess::read, ReadMode::message),
            static_cast<DWORD>(GENERIC_READ | FILE_WRITE_ATTRIBUTES));
  EXPECT_EQ(client_desired_access(ClientAccess::write, ReadMode::byte),
            static_cast<DWORD>(GENERIC_WRITE | FILE_READ_ATTRIBUTES));
  EXPECT_EQ(client_desired_access(ClientAccess::read_write, ReadMode::message),
            static_cast<DWORD>(GENERIC_READ | GENERIC_WRITE));
  // And such a reader is let in where the descriptor grants read only.
  EXPECT_TRUE(access_granted("D:P(A;;FR;;;WD)", client_desired_access(ClientAccess::read, ReadMode::byte)));
  EXPECT_FALSE(access_granted("D:P(A;;FR;;;WD)", GENERIC_READ | FILE_WRITE_ATTRIBUTES))
      << "the check must tell: asking for FILE_WRITE_ATTRIBUTES too is refused there";
}

// Without SECURITY_SQOS_PRESENT a server gets SecurityImpersonation with
// dynamic tracking whatever the user chose (CreateFileW, dwFlagsAndAttributes).
TEST(WinClientAccess, EveryImpersonationLevelIsSentAsSecurityQualityOfService) {
  EXPECT_EQ(client_sqos_flags(ImpersonationLevel::anonymous), static_cast<DWORD>(SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS));
  EXPECT_EQ(client_sqos_flags(ImpersonationLevel::identification),
            static_cast<DWORD>(SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION));
  EXPECT_EQ(client_sqos_flags(ImpersonationLevel::impersonation),
            static_cast<DWORD>(SECURITY_SQOS_PRESENT | SECURITY_IMPERSONATION));
  EXPECT_EQ(client_sqos_flags(ImpersonationLevel::delegation),
            static_cast<DWORD>(SECURITY_SQOS_PRESENT | SECURITY_DELEGATION));
  for (const auto level : {ImpersonationLevel::anonymous, ImpersonationLevel::identification,
                           ImpersonationLevel::impersonation, ImpersonationLevel::delegation}) {
    EXPECT_EQ(client_sqos_flags(level) & SECURITY_CONTEXT_TRACKING, 0U) << "static tracking: the level at open";
  }
}

// Engine::call used CallNamedPipeW, which opens without security quality of
// service: a server squatting on the name got full impersonation of the
// user, though the call's options said Identification. A raw server here
// impersonates the engine's call and reads the level its token has. On
// Windows it is the level the call chose; Wine gives every server the level
// Impersonation whatever the client sent (wine-notes.md), so there only
// the exchange itself is checked.
TEST_F(EngineConformance, CallOpensWithTheChosenImpersonationLevel) {
  const std::string name = unique_name();
  const std::wstring wide = widen("\\\\.\\pipe\\" + name);
  UniqueHandle server = raw_message_server(wide);
  ASSERT_TRUE(server.valid()) << GetLastError();
  SECURITY_IMPERSONATION_LEVEL seen = SecurityAnonymous;
  bool impersonated = false;
  std::thread raw([&] {
    if (!ConnectNamedPipe(server.get(), nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) return;
    char buffer[64];
    DWORD n = 0;
    if (!ReadFile(server.get(), buffer, sizeof buffer, &n, nullptr)) return;
    if (ImpersonateNamedPipeClient(server.get())) {
      HANDLE token = nullptr;
      if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
        DWORD size = 0;
        impersonated = GetTokenInformation(token, TokenImpersonationLevel, &seen, sizeof seen, &size) != FALSE;
        CloseHandle(token);
      }
      // A test must never go on as someone else.
      if (!RevertToSelf()) std::abort();
    }
    WriteFile(server.get(), "ok", 2, &n, nullptr);
    FlushFileBuffers(server.get());
    DisconnectNamedPipe(server.get());
  });

  ClientOptions options = client_options(name);
  options.impersonation = ImpersonationLevel::identification;
  auto reply = engine_.call(options, as_bytes("who"), kEventTimeout);
  raw.join();
  ASSERT_TRUE(succeeded(reply)) << recent_events();
  EXPECT_EQ(text_of(*reply), "ok");
  ASSERT_TRUE(impersonated) << "the raw server could not read its client's token";
  if (running_under_wine()) {
    // Difference: Wine's ImpersonateNamedPipeClient gives level Impersonation.
    EXPECT_EQ(seen, SecurityImpersonation) << "Wine now honours SQOS levels: update wine-notes.md";
  } else {
    EXPECT_EQ(seen, SecurityIdentification);
  }
}

}  // namespace
}  // namespace pipescope::conformance

namespace pipescope::conformance {
namespace {

// A CreateFileW to another machine's pipe can take as long as the network's
// timeouts; with one connector thread every local connect (and close_all)
// waited behind it. Remote names now have a connector of their own, made at
// the first one. Wine fails a remote name at once (it has no SMB client), so
// the stall itself cannot be shown here; the test checks the routing: the
// thread appears with the first remote connect, that connect ends with an
// error on its own endpoint, and local connects are served meanwhile.
TEST_F(EngineConformance, RemoteConnectsHaveAConnectorOfTheirOwn) {
  const std::size_t threads_before = engine_.thread_count();
  ClientOptions remote = client_options("\\\\pipescope-no-such-host\\pipe\\nobody");
  remote.busy_timeout = std::chrono::milliseconds{0};
  auto remote_client = engine_.connect(remote);
  EXPECT_EQ(engine_.thread_count(), threads_before + 1) << "remote connects get their own connector thread";

  auto served = serve(server_options());
  ASSERT_TRUE(served);
  ASSERT_TRUE(connect_to(served->server, client_options(served->name))) << recent_events();

  if (remote_client.ok()) {
    ASSERT_TRUE(await_state(*remote_client, EndpointState::closed, std::chrono::seconds{60})) << recent_events();
    EXPECT_TRUE(await_error(*remote_client, std::chrono::milliseconds{0})) << "the remote connect's failure is told";
  }
  engine_.close_all();
  EXPECT_EQ(engine_.thread_count(), threads_before + 1) << "made once, kept for the next remote connect";
}

}  // namespace
}  // namespace pipescope::conformance
