// Windows-only cases of the Win32 backend, beside the shared conformance
// suite. Each test asserts the documented Windows result; where Wine 8
// behaves differently (wine-notes.md), the test asserts what Wine was
// measured to do when it runs under Wine, and names the difference.
//
// Raw Win32 calls play the foreign peer here: a program nobody on this team
// wrote would use exactly these calls against our server.
#include <windows.h>
// After <windows.h>, which it needs.
#include <tlhelp32.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "conformance_fixture.hpp"
#include "raw_peers.hpp"
#include "pipescope/name.hpp"
#include "win/win_util.hpp"

namespace pipescope::conformance {
namespace {

using detail::win::running_under_wine;
using detail::win::UniqueHandle;
using detail::win::widen;

class WinBackend : public EngineConformance {
 protected:
  /// Opens a raw client handle to one of our servers, the way any Windows
  /// program would, waiting for a free instance first.
  static UniqueHandle open_raw(const std::string& name, DWORD access = GENERIC_READ | GENERIC_WRITE,
                               DWORD flags = 0) {
    const std::wstring wide = widen("\\\\.\\pipe\\" + name);
    WaitNamedPipeW(wide.c_str(), 5000);
    return UniqueHandle(CreateFileW(wide.c_str(), access, 0, nullptr, OPEN_EXISTING, flags, nullptr));
  }

  /// The DACL part ("D:...") of the security descriptor a pipe handle
  /// reports, read with the engine's own handle_sddl() (the handle needs
  /// READ_CONTROL). Empty, with a failure added, when it cannot be read.
  static std::string dacl_sddl(HANDLE handle) {
    auto sddl = detail::win::handle_sddl(handle);
    if (!sddl) {
      ADD_FAILURE() << sddl.error().summary();
      return {};
    }
    const std::size_t dacl = sddl->find("D:");
    return dacl == std::string::npos ? std::string() : sddl->substr(dacl);
  }

  /// The first instance of `server` that reported connected.
  std::optional<EndpointId> instance_connected(ServerId server) {
    auto connected = await_instance_state(server, EndpointState::connected);
    if (!connected) return std::nullopt;
    return connected->endpoint;
  }

  static std::size_t thread_count_of_this_process() {
    UniqueHandle snapshot(CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0));
    std::size_t count = 0;
    THREADENTRY32 entry{};
    entry.dwSize = sizeof(entry);
    for (BOOL more = Thread32First(snapshot.get(), &entry); more; more = Thread32Next(snapshot.get(), &entry)) {
      if (entry.th32OwnerProcessID == GetCurrentProcessId()) ++count;
    }
    return count;
  }
};

TEST_F(WinBackend, NamesItselfWin32) { EXPECT_EQ(engine_.backend_name(), "win32"); }

// One completion port and a small pool, never a thread per instance: forty
// connected clients (eighty pipe ends and a listening instance) add no thread.
TEST_F(WinBackend, ManyPipeEndsAddNoThreads) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  ASSERT_TRUE(connect_to(served->server, client_options(served->name)));
  const std::size_t threads_before = thread_count_of_this_process();
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(connect_to(served->server, client_options(served->name))) << "client " << i;
  }
  EXPECT_EQ(thread_count_of_this_process(), threads_before);
  // At most four pool threads, the connector, the account lookup thread and
  // the forwarding thread.
  EXPECT_LE(engine_.thread_count(), 7U);
}

// Windows refuses a second creator of a pipe with FILE_FLAG_FIRST_PIPE_INSTANCE
// (ERROR_ACCESS_DENIED). Wine 8 ignores the flag; the engine refuses anyway,
// on both, because it asks first (WaitNamedPipeW) whether the name exists.
TEST_F(WinBackend, FirstPipeInstanceFlagAtTheOsLevelAndInTheEngine) {
  const std::wstring wide = widen("\\\\.\\pipe\\" + unique_name());
  UniqueHandle first(CreateNamedPipeW(wide.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE,
                                      PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, nullptr));
  ASSERT_TRUE(first.valid()) << GetLastError();
  UniqueHandle second(CreateNamedPipeW(wide.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                       PIPE_TYPE_BYTE, PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, nullptr));
  const DWORD second_error = GetLastError();
  if (running_under_wine()) {
    // Difference: Wine 8 ignores FILE_FLAG_FIRST_PIPE_INSTANCE.
    EXPECT_TRUE(second.valid()) << "Wine now honours FILE_FLAG_FIRST_PIPE_INSTANCE: update wine-notes.md";
  } else {
    EXPECT_FALSE(second.valid());
    EXPECT_EQ(second_error, static_cast<DWORD>(ERROR_ACCESS_DENIED));
  }

  ServerOptions options;
  options.name = detail::win::narrow(wide);
  options.first_instance = true;
  auto refused = engine_.start_server(options);
  EXPECT_TRUE(fails_with(refused, Errc::access_denied));
}

// The engine's default is owner-only: the DACL the pipe really has names this
// process's user and nobody else. Read back through a client handle with
// READ_CONTROL, as any tool would.
TEST_F(WinBackend, DefaultSecurityIsOwnerOnly) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  UniqueHandle client = open_raw(served->name, GENERIC_READ | GENERIC_WRITE | READ_CONTROL);
  ASSERT_TRUE(client.valid()) << GetLastError();
  const std::string sddl = dacl_sddl(client.get());
  auto user = detail::win::current_user_sid();
  ASSERT_TRUE(user.ok());
  EXPECT_NE(sddl.find(*user), std::string::npos) << sddl;
  EXPECT_EQ(sddl.find(";WD)"), std::string::npos) << "everyone must not be granted anything: " << sddl;
  EXPECT_EQ(sddl.rfind("D:P", 0), 0U) << "the DACL must be protected from inheritance: " << sddl;
}

// A custom SDDL is applied as written and reads back as SDDL.
TEST_F(WinBackend, CustomSddlRoundTrip) {
  ServerOptions options = server_options();
  options.security = SecurityPreset::custom;
  options.security_descriptor = "D:P(A;;GA;;;WD)";
  auto served = serve(options);
  ASSERT_TRUE(served);
  UniqueHandle client = open_raw(served->name, GENERIC_READ | GENERIC_WRITE | READ_CONTROL);
  ASSERT_TRUE(client.valid()) << GetLastError();
  const std::string sddl = dacl_sddl(client.get());
  // Windows maps GA to the file-specific FA when it stores the ACE; Wine
  // stores GA as given. Either way the one ACE grants everyone all access.
  EXPECT_TRUE(sddl == "D:P(A;;FA;;;WD)" || sddl == "D:P(A;;GA;;;WD)") << sddl;
}

TEST_F(WinBackend, MalformedSddlIsRejectedClearly) {
  ServerOptions options = server_options();
  options.security = SecurityPreset::custom;
  options.security_descriptor = "D:(this is not SDDL";
  auto refused = engine_.start_server(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().os_domain, OsDomain::win32);
  EXPECT_NE(refused.error().detail.find("this is not SDDL"), std::string::npos) << refused.error().summary();
}

// A DACL that grants nobody anything: Windows refuses every open with
// ERROR_ACCESS_DENIED. Wine 8 stores DACLs on pipes but never enforces them.
TEST_F(WinBackend, EmptyDaclRefusesClientsOnWindows) {
  ServerOptions options = server_options();
  options.security = SecurityPreset::custom;
  options.security_descriptor = "D:P";
  auto served = serve(options);
  ASSERT_TRUE(served);
  ClientOptions client = client_options(served->name);
  client.busy_timeout = 0ms;
  auto opened = engine_.connect(client);
  if (running_under_wine()) {
    // Difference: Wine does not enforce pipe DACLs.
    EXPECT_TRUE(succeeded(opened));
  } else {
    EXPECT_TRUE(fails_with(opened, Errc::access_denied));
  }
}

// The peer's process and session ids come from GetNamedPipeClientProcessId /
// GetNamedPipeServerProcessId and their session counterparts.
TEST_F(WinBackend, PeerProcessAndSessionIds) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  DWORD session = 0;
  ASSERT_TRUE(ProcessIdToSessionId(GetCurrentProcessId(), &session));
  for (EndpointId endpoint : {link->instance, link->client}) {
    auto connected = await_state(endpoint, EndpointState::connected);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->peer.pid, static_cast<std::int64_t>(GetCurrentProcessId())) << "endpoint " << endpoint;
    EXPECT_EQ(connected->peer.session, static_cast<std::int64_t>(session)) << "endpoint " << endpoint;
  }
}

// What the engine writes on a message pipe is one message each: a raw reader
// sees it with PeekNamedPipe (bytes available, bytes left in this message)
// and reads it whole in message mode.
TEST_F(WinBackend, EngineWritesAreWholeMessagesForARawReader) {
  auto served = serve(message_server_options());
  ASSERT_TRUE(served);
  UniqueHandle client = open_raw(served->name);
  ASSERT_TRUE(client.valid()) << GetLastError();
  DWORD mode = PIPE_READMODE_MESSAGE;
  ASSERT_TRUE(SetNamedPipeHandleState(client.get(), &mode, nullptr, nullptr)) << GetLastError();
  auto instance = instance_connected(served->server);
  ASSERT_TRUE(instance) << recent_events();
  ASSERT_TRUE(send_and_wait(*instance, "first"));
  ASSERT_TRUE(send_and_wait(*instance, "second!"));

  DWORD available = 0;
  DWORD left_in_message = 0;
  ASSERT_TRUE(PeekNamedPipe(client.get(), nullptr, 0, nullptr, &available, &left_in_message)) << GetLastError();
  EXPECT_EQ(available, 12U);
  EXPECT_EQ(left_in_message, 5U);

  char buffer[3];
  DWORD read = 0;
  EXPECT_FALSE(ReadFile(client.get(), buffer, sizeof(buffer), &read, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
  EXPECT_EQ(std::string(buffer, read), "fir");
  char rest[64];
  ASSERT_TRUE(ReadFile(client.get(), rest, sizeof(rest), &read, nullptr));
  EXPECT_EQ(std::string(rest, read), "st");
  ASSERT_TRUE(ReadFile(client.get(), rest, sizeof(rest), &read, nullptr));
  EXPECT_EQ(std::string(rest, read), "second!");
}

// A raw client's message larger than the engine's read buffer arrives in
// parts flagged more-data (ERROR_MORE_DATA), the last one not, all message.
TEST_F(WinBackend, RawMessageLargerThanReadBufferArrivesInFlaggedParts) {
  ServerOptions options = message_server_options();
  options.read_buffer_size = 4;
  auto served = serve(options);
  ASSERT_TRUE(served);
  UniqueHandle client = open_raw(served->name);
  ASSERT_TRUE(client.valid()) << GetLastError();
  auto instance = instance_connected(served->server);
  ASSERT_TRUE(instance);
  DWORD written = 0;
  ASSERT_TRUE(WriteFile(client.get(), "0123456789", 10, &written, nullptr));
  ASSERT_TRUE(await_bytes(*instance, Direction::in, 10)) << recent_events();
  auto rows = logged(*instance, Direction::in);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].record.flags, record_flags::message | record_flags::more_data);
  EXPECT_EQ(rows[1].record.flags, record_flags::message | record_flags::more_data);
  EXPECT_EQ(rows[2].record.flags, record_flags::message);
  EXPECT_EQ(text_of(engine_.log().assemble_message(rows[0].row)), "0123456789");
}

// CallNamedPipeW and TransactNamedPipe (synchronous forms; Wine breaks the
// overlapped TransactNamedPipe) against the engine's echo responder.
TEST_F(WinBackend, CallNamedPipeAndTransactAgainstEcho) {
  ServerOptions options = message_server_options();
  options.responder = Responder::echo;
  auto served = serve(options);
  ASSERT_TRUE(served);
  const std::wstring wide = widen("\\\\.\\pipe\\" + served->name);
  char reply[64];
  DWORD read = 0;
  ASSERT_TRUE(CallNamedPipeW(wide.c_str(), const_cast<char*>("ping"), 4, reply, sizeof(reply), &read, 5000))
      << GetLastError();
  EXPECT_EQ(std::string(reply, read), "ping");

  UniqueHandle client = open_raw(served->name);
  ASSERT_TRUE(client.valid()) << GetLastError();
  DWORD mode = PIPE_READMODE_MESSAGE;
  ASSERT_TRUE(SetNamedPipeHandleState(client.get(), &mode, nullptr, nullptr));
  ASSERT_TRUE(TransactNamedPipe(client.get(), const_cast<char*>("transact"), 8, reply, sizeof(reply), &read, nullptr))
      << GetLastError();
  EXPECT_EQ(std::string(reply, read), "transact");
}

// The engine's own transact against a raw server nobody here wrote: the
// client's pending overlapped read is cancelled and resumed around it. A
// message the server sent before is an ordinary message; the reply, larger
// than the client's read buffer, comes back whole and is logged in parts
// flagged more-data and transact. On Windows the engine calls
// TransactNamedPipe (and ReadFile for the rest after ERROR_MORE_DATA); under
// Wine, whose overlapped TransactNamedPipe returns before the reply arrived,
// it writes the request and reads one message. The raw server sees the same
// either way.
TEST_F(WinBackend, EngineTransactAgainstARawServerPausesAndResumesItsRead) {
  const std::string name = unique_name();
  const std::wstring wide = widen("\\\\.\\pipe\\" + name);
  UniqueHandle server = raw_message_server(wide, 2);
  ASSERT_TRUE(server.valid()) << GetLastError();
  std::string request_seen;
  std::thread raw([&] {
    if (!ConnectNamedPipe(server.get(), nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) return;
    DWORD n = 0;
    WriteFile(server.get(), "early", 5, &n, nullptr);
    char buffer[64];
    if (ReadFile(server.get(), buffer, sizeof buffer, &n, nullptr)) request_seen.assign(buffer, n);
    const std::string reply(100, 'r');
    WriteFile(server.get(), reply.data(), static_cast<DWORD>(reply.size()), &n, nullptr);
    FlushFileBuffers(server.get());
    // Wait until the client leaves (the read fails), then disconnect.
    while (ReadFile(server.get(), buffer, sizeof buffer, &n, nullptr)) {
    }
    DisconnectNamedPipe(server.get());
  });
  // Should an assertion end the test early, the raw server must not stay
  // blocked: close the engine's ends and knock once, so that it returns.
  struct JoinOnExit {
    std::thread& thread;
    Engine& engine;
    const std::wstring& pipe;
    ~JoinOnExit() {
      if (!thread.joinable()) return;
      engine.close_all();
      UniqueHandle knock(CreateFileW(pipe.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
      knock.reset();
      thread.join();
    }
  } join_on_exit{raw, engine_, wide};

  ClientOptions options = client_options(name);
  options.read_mode = ReadMode::message;
  options.read_buffer_size = 40;
  auto client = engine_.connect(options);
  ASSERT_TRUE(succeeded(client)) << recent_events();
  ASSERT_TRUE(await_bytes(*client, Direction::in, 5)) << recent_events();

  auto inspection = engine_.inspect(*client);
  ASSERT_TRUE(succeeded(inspection));
  EXPECT_EQ(inspection->max_instances, 2);
  EXPECT_EQ(inspection->server_pid, static_cast<std::int64_t>(GetCurrentProcessId()));
  EXPECT_EQ(inspection->type, "message");

  auto reply = engine_.transact(*client, as_bytes("question"), kEventTimeout);
  ASSERT_TRUE(succeeded(reply)) << (running_under_wine() ? "write + read of one message (Wine)"
                                                         : "TransactNamedPipe (Windows)")
                                << recent_events();
  EXPECT_EQ(text_of(*reply), std::string(100, 'r'));
  const std::vector<LoggedRow> in = logged(*client, Direction::in);
  ASSERT_EQ(in.size(), 4U) << "one early message and the reply in three parts" << recent_events();
  EXPECT_EQ(text_of(in[0].payload), "early");
  EXPECT_EQ(in[0].record.flags & record_flags::transact, 0);
  for (std::size_t i = 1; i < in.size(); ++i) {
    EXPECT_NE(in[i].record.flags & record_flags::transact, 0) << "part " << i;
    EXPECT_EQ((in[i].record.flags & record_flags::more_data) != 0, i + 1 < in.size()) << "part " << i;
  }
  EXPECT_TRUE(engine_.disconnect(*client).ok());
  raw.join();
  EXPECT_EQ(request_seen, "question");
}

// The security a pipe really has, as SDDL: the owner-only DACL grants the
// current user and nobody else, in ServerStarted and in an inspection. The
// client's computer name: Windows answers ERROR_PIPE_LOCAL for a local
// client; under Wine the call would abort the process, so the engine does
// not make it and says so.
TEST_F(WinBackend, InspectionShowsTheSddlAndTheComputerNameOrNamesWine) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto started = await<ServerStarted>([&](const ServerStarted& e) { return e.server == served->server; });
  ASSERT_TRUE(started);
  auto user = detail::win::current_user_sid();
  ASSERT_TRUE(user.ok());
  const std::string& sddl = started->security_descriptor;
  EXPECT_EQ(sddl.rfind("O:", 0), 0U) << "owner first: " << sddl;
  EXPECT_NE(sddl.find("D:P"), std::string::npos) << "a protected DACL: " << sddl;
  EXPECT_NE(sddl.find(*user), std::string::npos) << sddl;
  EXPECT_EQ(sddl.find(";WD)"), std::string::npos) << "nothing for everyone: " << sddl;

  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  auto instance = engine_.inspect(link->instance);
  ASSERT_TRUE(succeeded(instance));
  EXPECT_EQ(instance->security_descriptor, sddl);
  EXPECT_TRUE(instance->client_computer.empty());
  if (running_under_wine()) {
    EXPECT_NE(instance->notes.find("unavailable under Wine"), std::string::npos) << instance->notes;
  } else {
    EXPECT_NE(instance->notes.find("ERROR_PIPE_LOCAL"), std::string::npos) << instance->notes;
  }
  DWORD session = 0;
  ASSERT_TRUE(ProcessIdToSessionId(GetCurrentProcessId(), &session));
  EXPECT_EQ(instance->client_session, static_cast<std::int64_t>(session));
  EXPECT_EQ(instance->collect_data_count, -1) << "local pipes have no collect-data settings";
}

// ImpersonateNamedPipeClient after a read: the thread token's user, SID,
// groups and level, an access probe, and RevertToSelf on every path.
TEST_F(WinBackend, ImpersonationReportsTheClientAndReverts) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  ClientOptions client = client_options(served->name);
  client.impersonation = ImpersonationLevel::identification;
  auto link = connect_to(served->server, client);
  ASSERT_TRUE(link);
  // Asked before anything was read: it runs after the first read.
  ImpersonationRequest request;
  char module[MAX_PATH];
  GetModuleFileNameA(nullptr, module, MAX_PATH);
  request.probe_path = module;
  ASSERT_TRUE(succeeded(engine_.impersonate(link->instance, request)));
  ASSERT_TRUE(send_and_wait(link->client, "who am I"));
  auto done = await<Impersonated>([&](const Impersonated& e) { return e.endpoint == link->instance; });
  ASSERT_TRUE(done) << recent_events();
  const ImpersonationResult& result = done->result;
  EXPECT_TRUE(result.impersonated) << (result.error ? result.error->summary() : "");
  EXPECT_TRUE(result.reverted) << "a thread token was left behind";
  EXPECT_EQ(result.sid.rfind("S-1-", 0), 0U) << result.sid;
  EXPECT_FALSE(result.user.empty());
  EXPECT_FALSE(result.groups.empty());
  EXPECT_EQ(result.probe_path, request.probe_path);
  ASSERT_TRUE(result.probe_granted.has_value());
  if (running_under_wine()) {
    // Difference: Wine's ImpersonateNamedPipeClient gives the server's own
    // token at level Impersonation, whatever the client allowed.
    EXPECT_EQ(result.level, "Impersonation");
    EXPECT_TRUE(*result.probe_granted);
    EXPECT_NE(result.notes.find("Wine"), std::string::npos) << result.notes;
  } else {
    // An identification-level token may be inspected but not used to open
    // files: ERROR_BAD_IMPERSONATION_LEVEL.
    EXPECT_EQ(result.level, "Identification");
    EXPECT_FALSE(*result.probe_granted);
  }
  if (!running_under_wine()) {
    EXPECT_FALSE(result.integrity_level.empty());
  }
}

TEST_F(WinBackend, ImpersonationLevelFollowsTheClientOnWindows) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  ClientOptions client = client_options(served->name);
  client.impersonation = ImpersonationLevel::impersonation;
  auto link = connect_to(served->server, client);
  ASSERT_TRUE(link);
  ASSERT_TRUE(send_and_wait(link->client, "x"));
  ASSERT_TRUE(await_bytes(link->instance, Direction::in, 1));
  ASSERT_TRUE(succeeded(engine_.impersonate(link->instance)));
  auto done = await<Impersonated>([&](const Impersonated& e) { return e.endpoint == link->instance; });
  ASSERT_TRUE(done) << recent_events();
  EXPECT_TRUE(done->result.impersonated);
  EXPECT_TRUE(done->result.reverted);
  EXPECT_EQ(done->result.level, "Impersonation");
}

// As on POSIX: a listening instance has no client to disconnect.
TEST_F(WinBackend, DisconnectingAListeningInstanceIsRefused) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  EXPECT_TRUE(fails_with(engine_.disconnect(served->first_instance), Errc::pipe_listening));
  EXPECT_TRUE(state_is(engine_.state(served->first_instance), EndpointState::listening));
  EXPECT_TRUE(connect_to(served->server, client_options(served->name)));
}

TEST_F(WinBackend, ImpersonatingAClientEndIsRefused) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, client_options(served->name));
  ASSERT_TRUE(link);
  EXPECT_TRUE(fails_with(engine_.impersonate(link->client), Errc::invalid_parameter));
}

// Windows lists \\.\pipe\ with instance counts; Wine 8 cannot list pipes at
// all, and the engine says so plainly instead of returning an empty list.
TEST_F(WinBackend, ListingShowsOurPipeOrNamesWine) {
  ServerOptions options = server_options();
  options.max_instances = 3;
  auto served = serve(options);
  ASSERT_TRUE(served);
  auto pipes = engine_.list_pipes();
  if (running_under_wine()) {
    // Difference: Wine 8 cannot enumerate the pipe file system.
    ASSERT_FALSE(pipes.ok());
    EXPECT_EQ(pipes.error().errc(), Errc::unsupported_on_platform);
    EXPECT_NE(pipes.error().detail.find("Wine"), std::string::npos) << pipes.error().summary();
    return;
  }
  ASSERT_TRUE(succeeded(pipes));
  const std::string full = "\\\\.\\pipe\\" + served->name;
  auto it = std::find_if(pipes->begin(), pipes->end(), [&](const PipeInfo& p) { return iequals(p.name, full); });
  ASSERT_NE(it, pipes->end());
  EXPECT_EQ(it->current_instances, 1);
  EXPECT_EQ(it->max_instances, 3);
}

// A peer nobody here wrote: cmd.exe's redirection writes into our server.
TEST_F(WinBackend, CmdEchoWritesIntoOurServer) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  ChildOptions child;
  child.argv = {"cmd.exe", "/c", "echo hello>\\\\.\\pipe\\" + served->name};
  auto started = engine_.run_child(child);
  ASSERT_TRUE(succeeded(started));
  auto instance = await_instance_state(served->server, EndpointState::connected);
  ASSERT_TRUE(instance) << recent_events();
  ASSERT_TRUE(await_state(instance->endpoint, EndpointState::disconnected)) << recent_events();
  EXPECT_EQ(text_of(logged_bytes(instance->endpoint, Direction::in)), "hello\r\n");
  auto exited = await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *started; });
  ASSERT_TRUE(exited);
  EXPECT_EQ(exited->exit_code, 0);
}

// And cmd.exe's "type" reads what our server sends, until we disconnect
// (FlushFileBuffers first, so nothing is lost).
TEST_F(WinBackend, CmdTypeReadsWhatOurServerSends) {
  auto served = serve(server_options());
  ASSERT_TRUE(served);
  ChildOptions child;
  child.argv = {"cmd.exe", "/c", "type \\\\.\\pipe\\" + served->name};
  auto started = engine_.run_child(child);
  ASSERT_TRUE(succeeded(started));
  auto instance = await_instance_state(served->server, EndpointState::connected);
  ASSERT_TRUE(instance) << recent_events();
  ASSERT_TRUE(send_and_wait(instance->endpoint, "served by PipeScope\r\n"));
  ASSERT_TRUE(succeeded(engine_.disconnect(instance->endpoint)));
  auto exited = await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *started; });
  ASSERT_TRUE(exited) << recent_events();
  EXPECT_NE(text_of(logged_bytes(*started, Direction::in)).find("served by PipeScope"), std::string::npos)
      << recent_events();
}

// The parent closes its copy of the child's stdin read end, so closing our
// write end (disconnect) is an end of input the child really sees.
TEST_F(WinBackend, ChildSeesEndOfInputWhenStdinIsClosed) {
  ChildOptions options;
  options.argv = {child_helper_path(), "cat"};
  auto child = engine_.run_child(options);
  ASSERT_TRUE(succeeded(child));
  ASSERT_TRUE(send_and_wait(*child, "line\n"));
  ASSERT_TRUE(succeeded(engine_.disconnect(*child)));
  auto exited = await<ChildExited>([&](const ChildExited& e) { return e.endpoint == *child; });
  ASSERT_TRUE(exited) << recent_events();
  EXPECT_EQ(exited->exit_code, 0);
  EXPECT_EQ(text_of(logged_bytes(*child, Direction::in)), "line\n");
}

TEST_F(WinBackend, MissingProgramFailsAtOnce) {
  ChildOptions options;
  options.argv = {"pipescope-no-such-program-here.exe"};
  auto child = engine_.run_child(options);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().os_domain, OsDomain::win32);
  EXPECT_EQ(child.error().errc(), Errc::file_not_found) << child.error().summary();
}

// The one Win32 table: the same code means different things by context.
TEST(WinErrorTable, ContextDecidesTheMeaning) {
  using detail::win::errc_from_win32;
  EXPECT_EQ(errc_from_win32(ERROR_BROKEN_PIPE, IoContext::read), Errc::broken_pipe);
  EXPECT_EQ(errc_from_win32(ERROR_NO_DATA, IoContext::write), Errc::no_data);
  EXPECT_EQ(errc_from_win32(ERROR_NO_DATA, IoContext::accept), Errc::broken_pipe);
  EXPECT_EQ(errc_from_win32(ERROR_PIPE_BUSY, IoContext::open), Errc::pipe_busy);
  EXPECT_EQ(errc_from_win32(ERROR_SEM_TIMEOUT, IoContext::open), Errc::sem_timeout);
  EXPECT_EQ(errc_from_win32(ERROR_MORE_DATA, IoContext::read), Errc::more_data);
  EXPECT_EQ(errc_from_win32(ERROR_PIPE_CONNECTED, IoContext::accept), Errc::pipe_connected);
  EXPECT_EQ(errc_from_win32(ERROR_FILENAME_EXCED_RANGE, IoContext::create), Errc::filename_exceeds_range);
  EXPECT_EQ(errc_from_win32(12345, IoContext::generic), Errc::unknown);
  Error error = detail::win::error_from_win32(ERROR_PIPE_BUSY, IoContext::open, "CreateFileW", "\\\\.\\pipe\\x");
  EXPECT_EQ(error.os_domain, OsDomain::win32);
  EXPECT_EQ(error.os_code, 231);
  EXPECT_EQ(error.operation, "CreateFileW");
}

TEST(WinDetection, WineIsDetectedByNtdllExport) {
  // Under the mingw lane this always runs under Wine; on Windows it must not
  // claim to be Wine.
  EXPECT_EQ(running_under_wine(), !detail::win::wine_version().empty());
}

}  // namespace
}  // namespace pipescope::conformance
