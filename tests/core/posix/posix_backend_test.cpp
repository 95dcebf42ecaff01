// POSIX-only cases beside the conformance suite: how the POSIX backend maps
// Windows pipe concepts onto socket files, and how foreign peers (plain
// AF_UNIX sockets that know nothing of PipeScope) see our pipes.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <pipescope/codec.hpp>
#include <pipescope/engine.hpp>

#include "posix_fixture.hpp"

namespace pipescope {
namespace {

using namespace std::chrono_literals;
using posix_test::kTimeout;
using posix_test::socket_path;

mode_t file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

/// A plain AF_UNIX socket: the foreign peer.
struct RawSocket {
  int fd = -1;
  explicit RawSocket(int type = SOCK_STREAM) : fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) {
    // A blocking connect to a full queue waits; bound it so a bug fails the
    // test instead of hanging it.
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  }
  ~RawSocket() {
    if (fd >= 0) ::close(fd);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  static sockaddr_un address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    return addr;
  }
  /// 0 or the errno of connect().
  int connect_to(const std::string& path) const {
    auto addr = address(path);
    return ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
  }
  bool bind_to(const std::string& path) const {
    auto addr = address(path);
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  }
};

class PosixBackend : public posix_test::EngineFixture {
 protected:
  PosixBackend() : EngineFixture("posix") {}
};

TEST_F(PosixBackend, NewPipesAreForTheOwnerOnly) {
  auto o = options("owner");
  ASSERT_TRUE(engine_.start_server(o).ok());
  EXPECT_EQ(file_mode(socket_path(o.name)), 0600U);
}

TEST_F(PosixBackend, SecurityPresetsBecomeSocketModes) {
  auto everyone = options("everyone");
  everyone.security = SecurityPreset::everyone;
  ASSERT_TRUE(engine_.start_server(everyone).ok());
  EXPECT_EQ(file_mode(socket_path(everyone.name)), 0666U);

  auto custom = options("custom");
  custom.security = SecurityPreset::custom;
  custom.security_descriptor = "0640";
  ASSERT_TRUE(engine_.start_server(custom).ok());
  EXPECT_EQ(file_mode(socket_path(custom.name)), 0640U);

  // Execute bits carry the pipe's direction, so a custom mode cannot set them.
  auto with_x = options("custom-x");
  with_x.security = SecurityPreset::custom;
  with_x.security_descriptor = "0755";
  ASSERT_TRUE(engine_.start_server(with_x).ok());
  EXPECT_EQ(file_mode(socket_path(with_x.name)), 0644U);
}

TEST_F(PosixBackend, BadCustomModeIsRefusedWithTheReason) {
  auto o = options("bad-mode");
  o.security = SecurityPreset::custom;
  o.security_descriptor = "D:(A;;GA;;;WD)";  // SDDL means nothing here
  auto r = engine_.start_server(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errc(), Errc::invalid_parameter);
  EXPECT_NE(r.error().detail.find("octal"), std::string::npos) << r.error().summary();
  struct stat st {};
  EXPECT_NE(::stat(socket_path(o.name).c_str(), &st), 0) << "nothing may be created";
}

TEST_F(PosixBackend, OneWayPipesMarkTheirDirection) {
  auto in = options("inbound");
  in.access = PipeAccess::inbound;
  ASSERT_TRUE(engine_.start_server(in).ok());
  EXPECT_EQ(file_mode(socket_path(in.name)), 0600U | S_ISVTX | S_IXUSR);

  auto out = options("outbound");
  out.access = PipeAccess::outbound;
  ASSERT_TRUE(engine_.start_server(out).ok());
  EXPECT_EQ(file_mode(socket_path(out.name)), 0600U | S_ISVTX | S_IXGRP);
}

TEST_F(PosixBackend, StaleSocketFileIsReplaced) {
  auto o = options("stale");
  o.first_instance = true;
  {
    RawSocket dead;
    ASSERT_TRUE(dead.bind_to(socket_path(o.name)));
  }  // closed without unlinking: the file stays, nobody listens
  ASSERT_EQ(::access(socket_path(o.name).c_str(), F_OK), 0);
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok()) << server.error().summary();
  ClientOptions c;
  c.name = o.name;
  EXPECT_TRUE(engine_.connect(c).ok());
}

TEST_F(PosixBackend, FileThatIsNotASocketIsNeverReplaced) {
  auto o = options("regular-file");
  { std::ofstream(socket_path(o.name)) << "precious"; }
  auto r = engine_.start_server(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errc(), Errc::access_denied);
  std::ifstream f(socket_path(o.name));
  std::string content;
  f >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(PosixBackend, LiveForeignServerIsNeverTakenOver) {
  auto o = options("foreign");
  RawSocket foreign;
  ASSERT_TRUE(foreign.bind_to(socket_path(o.name)));
  ASSERT_EQ(::listen(foreign.fd, 4), 0);

  for (bool first : {false, true}) {
    o.first_instance = first;
    auto r = engine_.start_server(o);
    ASSERT_FALSE(r.ok()) << "first_instance=" << first;
    EXPECT_EQ(r.error().errc(), Errc::access_denied);
  }
  // Our client still reaches the foreign server.
  ClientOptions c;
  c.name = o.name;
  EXPECT_TRUE(engine_.connect(c).ok());
}

TEST_F(PosixBackend, BusyPipeRefusesForeignClientsUntilAnInstanceFrees) {
  auto o = options("busy-foreign");
  o.max_instances = 1;
  ASSERT_TRUE(engine_.start_server(o).ok());
  ClientOptions c;
  c.name = o.name;
  auto first = engine_.connect(c);
  ASSERT_TRUE(first.ok());

  // No waiting for the server to accept the first client: a connect that
  // races with that accept must be refused too, never queued as a client
  // beyond the maximum.
  RawSocket refused;
  EXPECT_EQ(refused.connect_to(socket_path(o.name)), ECONNREFUSED) << "busy = refused on an existing path";
  EXPECT_EQ(::access(socket_path(o.name).c_str(), F_OK), 0) << "the name never goes missing";

  ASSERT_TRUE(engine_.disconnect(*first).ok());
  // A fresh listening instance appears once the busy one is gone.
  ASSERT_TRUE(await<StateChanged>([](const StateChanged& s) {
    return s.kind == EndpointKind::instance && s.state == EndpointState::listening && s.endpoint > 2;
  }));
  RawSocket accepted;
  EXPECT_EQ(accepted.connect_to(socket_path(o.name)), 0);
}

TEST_F(PosixBackend, MessagePipeIsSeqpacketForForeignPeers) {
  auto o = options("seqpacket");
  o.type = PipeType::message;
  o.read_mode = ReadMode::message;
  o.responder = Responder::echo;
  ASSERT_TRUE(engine_.start_server(o).ok());

  RawSocket stream(SOCK_STREAM);
  EXPECT_EQ(stream.connect_to(socket_path(o.name)), EPROTOTYPE) << "a message pipe is not a byte stream";
  RawSocket peer(SOCK_SEQPACKET);
  ASSERT_EQ(peer.connect_to(socket_path(o.name)), 0);
  ASSERT_EQ(::send(peer.fd, "one", 3, 0), 3);
  ASSERT_EQ(::send(peer.fd, "two!", 4, 0), 4);
  char buffer[16];
  EXPECT_EQ(::recv(peer.fd, buffer, sizeof buffer, 0), 3) << "boundaries survive the echo";
  EXPECT_EQ(::recv(peer.fd, buffer, sizeof buffer, 0), 4);
}

TEST_F(PosixBackend, MessageBeyondTheSocketBufferIsAClearErrorAndTheLinkSurvives) {
  auto o = options("too-big");
  o.type = PipeType::message;
  o.read_mode = ReadMode::message;
  ASSERT_TRUE(engine_.start_server(o).ok());
  ClientOptions c;
  c.name = o.name;
  c.read_mode = ReadMode::message;
  auto client = engine_.connect(c);
  ASSERT_TRUE(client.ok());

  const Bytes huge(64U * 1024U * 1024U, std::byte{'x'});
  ASSERT_TRUE(engine_.send(*client, huge).ok());
  auto error = await<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == *client; });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error.errc(), Errc::message_too_large) << error->error.summary();
  EXPECT_NE(error->error.detail.find("nothing was sent"), std::string::npos);

  ASSERT_TRUE(engine_.send(*client, as_bytes("small")).ok());
  EXPECT_TRUE(await<Data>([&](const Data& d) { return d.direction == Direction::in && d.size == 5; }));
  EXPECT_EQ(engine_.counters(*client).bytes_out, 5U) << "the refused message never crossed";
}

// Between two of our own ends, sends are written from the caller's thread
// while the I/O thread reads (see PosixBackend::send). The log must still
// show every byte leaving before it arrives, and the events must come in
// row order. Both ends send at once, from threads of their own, in pieces
// big enough to take the direct path on a byte pipe as on a message pipe.
class DirectWriteOrder : public PosixBackend, public ::testing::WithParamInterface<PipeType> {};

TEST_P(DirectWriteOrder, EverySendIsLoggedBeforeItsArrival) {
  auto o = options("order");
  o.type = GetParam();
  o.read_mode = GetParam() == PipeType::message ? ReadMode::message : ReadMode::byte;
  ASSERT_TRUE(engine_.start_server(o).ok());
  ClientOptions c;
  c.name = o.name;
  c.read_mode = o.read_mode;
  auto client = engine_.connect(c);
  ASSERT_TRUE(client.ok()) << client.error().summary();
  auto connected = await<StateChanged>([](const StateChanged& s) {
    return s.kind == EndpointKind::instance && s.state == EndpointState::connected;
  });
  ASSERT_TRUE(connected);
  const EndpointId instance = connected->endpoint;

  constexpr std::size_t kPiece = 16 * 1024;
  constexpr int kPieces = 300;
  constexpr std::uint64_t kTotal = std::uint64_t{kPiece} * kPieces;
  const auto send_all = [&](EndpointId from, char fill) {
    const Bytes piece(kPiece, static_cast<std::byte>(fill));
    for (int i = 0; i < kPieces; ++i) ASSERT_TRUE(engine_.send(from, piece).ok());
  };
  std::thread client_sender([&] { send_all(*client, 'c'); });
  std::thread instance_sender([&] { send_all(instance, 'i'); });
  client_sender.join();
  instance_sender.join();
  ASSERT_TRUE(events_.wait_until(
      [&](std::span<const Event>) {
        return engine_.counters(instance).bytes_in == kTotal && engine_.counters(*client).bytes_in == kTotal;
      },
      kTimeout * 4))
      << "instance read " << engine_.counters(instance).bytes_in << ", client read "
      << engine_.counters(*client).bytes_in << " of " << kTotal;

  // Walking the rows in order, no end may have read more than its peer had
  // written by then.
  const MessageLog& log = engine_.log();
  std::uint64_t client_out = 0, client_in = 0, instance_out = 0, instance_in = 0;
  for (std::uint64_t row = 0; row < log.size(); ++row) {
    const Record r = log.record(row);
    const bool from_client = r.endpoint == *client;
    std::uint64_t& total = from_client ? (r.direction == Direction::out ? client_out : client_in)
                                       : (r.direction == Direction::out ? instance_out : instance_in);
    total += r.length;
    if (r.direction == Direction::in) {
      const std::uint64_t written = from_client ? instance_out : client_out;
      ASSERT_LE(total, written) << "row " << row << ": " << (from_client ? "the client" : "the instance")
                                << " has read bytes its peer's log does not show as sent yet";
    }
  }
  EXPECT_EQ(client_out, kTotal);
  EXPECT_EQ(instance_out, kTotal);

  std::uint64_t next_row = 0;
  for (const Event& e : events_.history()) {
    if (const auto* d = std::get_if<Data>(&e)) {
      ASSERT_EQ(d->row, next_row) << "Data events reach the sink in row order";
      ++next_row;
    }
  }
  EXPECT_EQ(next_row, log.size());
}

INSTANTIATE_TEST_SUITE_P(BothTypes, DirectWriteOrder, ::testing::Values(PipeType::byte, PipeType::message),
                         [](const ::testing::TestParamInfo<PipeType>& info) {
                           return info.param == PipeType::byte ? std::string("byte") : std::string("message");
                         });

TEST_F(PosixBackend, SocketPathThatDoesNotFitIsRefusedNotTruncated) {
  ServerOptions o;
  o.name = std::string(100, 'n');  // a fine pipe name, but "/tmp/CoreFxPipe_" + 100 > 107 bytes
  auto r = engine_.start_server(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errc(), Errc::filename_exceeds_range);
  EXPECT_NE(r.error().detail.find("107"), std::string::npos) << r.error().summary();
}

TEST_F(PosixBackend, StopRemovesOnlyOurOwnSocketFile) {
  auto o = options("unlink");
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(engine_.stop_server(*server).ok());
  EXPECT_NE(::access(socket_path(o.name).c_str(), F_OK), 0);

  auto again = engine_.start_server(o);
  ASSERT_TRUE(again.ok());
  // Someone replaces the file behind our back: stopping must not delete theirs.
  ::unlink(socket_path(o.name).c_str());
  { std::ofstream(socket_path(o.name)) << "theirs"; }
  ASSERT_TRUE(engine_.stop_server(*again).ok());
  EXPECT_EQ(::access(socket_path(o.name).c_str(), F_OK), 0);
}

TEST_F(PosixBackend, PeerCredentialsNameThisProcessAndUser) {
  auto o = options("peercred");
  ASSERT_TRUE(engine_.start_server(o).ok());
  ClientOptions c;
  c.name = o.name;
  ASSERT_TRUE(engine_.connect(c).ok());
  auto connected = await<StateChanged>([](const StateChanged& s) {
    return s.kind == EndpointKind::instance && s.state == EndpointState::connected;
  });
  ASSERT_TRUE(connected);
  EXPECT_EQ(connected->peer.pid, ::getpid());
  EXPECT_EQ(connected->peer.uid, ::getuid());
  EXPECT_EQ(connected->peer.gid, ::getgid());
}

TEST_F(PosixBackend, ImpersonationReportsThePeerAndAProbeAsThePeer) {
  auto o = options("impersonate");
  auto server = engine_.start_server(o);
  ASSERT_TRUE(server.ok());
  ClientOptions c;
  c.name = o.name;
  ASSERT_TRUE(engine_.connect(c).ok());
  auto instance = await<StateChanged>([](const StateChanged& s) {
    return s.kind == EndpointKind::instance && s.state == EndpointState::connected;
  });
  ASSERT_TRUE(instance);
  ASSERT_TRUE(engine_.impersonate(instance->endpoint, {"/proc/self/status"}).ok());
  auto result = await<Impersonated>([](const Impersonated&) { return true; });
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->result.impersonated);
  EXPECT_TRUE(result->result.reverted);
  EXPECT_NE(result->result.sid.find("uid " + std::to_string(::getuid())), std::string::npos);
  ASSERT_TRUE(result->result.probe_granted.has_value());
  EXPECT_TRUE(*result->result.probe_granted);
  // The engine's thread is itself again: the process's ids never changed.
  EXPECT_EQ(::geteuid(), ::getuid());
}

TEST_F(PosixBackend, ServerStartedSecurityIsTheSocketFileModeAndOwner) {
  const std::string owner = "mode 0600, owner uid " + std::to_string(::getuid());
  const std::string everyone_mode = "mode 0666, owner uid " + std::to_string(::getuid());
  auto o = options("sd-owner");
  auto owner_server = engine_.start_server(o);
  ASSERT_TRUE(owner_server.ok());
  auto started = await<ServerStarted>([&](const ServerStarted& e) { return e.server == *owner_server; });
  ASSERT_TRUE(started);
  EXPECT_EQ(started->security_descriptor.rfind(owner, 0), 0U) << started->security_descriptor;

  auto everyone = options("sd-everyone");
  everyone.security = SecurityPreset::everyone;
  auto everyone_server = engine_.start_server(everyone);
  ASSERT_TRUE(everyone_server.ok());
  started = await<ServerStarted>([&](const ServerStarted& e) { return e.server == *everyone_server; });
  ASSERT_TRUE(started);
  EXPECT_EQ(started->security_descriptor.rfind(everyone_mode, 0), 0U) << started->security_descriptor;
}

// A transact against a foreign SOCK_SEQPACKET server whose reply is larger
// than the client's read buffer: the caller gets the whole message, the log
// has it in read-buffer parts flagged more-data, every part flagged transact.
// Inspecting a client of a foreign server says what a socket cannot tell.
TEST_F(PosixBackend, TransactWithAForeignServerKeepsTheWholeReply) {
  const std::string path = socket_path(unique_name("transact-foreign"));
  cleanup_.push_back(path);
  RawSocket listener(SOCK_SEQPACKET);
  ASSERT_TRUE(listener.bind_to(path));
  ASSERT_EQ(::listen(listener.fd, 4), 0);
  std::thread foreign([&] {
    const int fd = ::accept(listener.fd, nullptr, nullptr);
    if (fd < 0) return;
    char request[64];
    if (::recv(fd, request, sizeof request, 0) == 1) {
      const std::string reply(100, 'r');
      ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    // Wait for the client to leave (end of stream), then go.
    while (::recv(fd, request, sizeof request, 0) > 0) {
    }
    ::close(fd);
  });

  ClientOptions c;
  c.name = path;
  c.read_mode = ReadMode::message;
  c.read_buffer_size = 40;
  auto client = engine_.connect(c);
  ASSERT_TRUE(client.ok()) << client.error().summary();

  auto inspection = engine_.inspect(*client);
  ASSERT_TRUE(inspection.ok());
  EXPECT_EQ(inspection->current_instances, -1);
  EXPECT_NE(inspection->notes.find("another process"), std::string::npos) << inspection->notes;
  EXPECT_EQ(inspection->server_pid, ::getpid());

  auto reply = engine_.transact(*client, as_bytes("?"), kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.error().summary();
  EXPECT_EQ(as_chars(*reply), std::string(100, 'r'));
  std::vector<Record> parts;
  for (std::uint64_t row = 0; row < engine_.log().size(); ++row) {
    const Record r = engine_.log().record(row);
    if (r.endpoint == *client && r.direction == Direction::in) parts.push_back(r);
  }
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(parts[0].length, 40U);
  EXPECT_EQ(parts[2].length, 20U);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_NE(parts[i].flags & record_flags::transact, 0) << "part " << i;
    EXPECT_EQ((parts[i].flags & record_flags::more_data) != 0, i + 1 < parts.size()) << "part " << i;
  }
  ASSERT_TRUE(engine_.disconnect(*client).ok());
  foreign.join();
}

TEST_F(PosixBackend, TmpdirIsHonoured) {
  std::string dir_template = posix_test::temp_folder() + "/pipescope-tmpdir-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template.data()), nullptr);
  const std::string dir = dir_template;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  ServerOptions o;
  o.name = "tmpdir-pipe";
  auto server = engine_.start_server(o);
  if (old != nullptr) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
  ASSERT_TRUE(server.ok()) << server.error().summary();
  EXPECT_EQ(::access((dir + "/CoreFxPipe_tmpdir-pipe").c_str(), F_OK), 0);
  ASSERT_TRUE(engine_.stop_server(*server).ok());
  ::rmdir(dir.c_str());
}

// A socket outside the pipe layout is no pipe: the listing leaves it out
// unless every socket is asked for, and then shows it by its path.
TEST_F(PosixBackend, ListingShowsForeignSocketsByPathOnlyWhenAskedForEverySocket) {
  const std::string path = posix_test::temp_folder() + "/" + unique_name("listed") + ".sock";
  cleanup_.push_back(path);
  RawSocket foreign;
  ASSERT_TRUE(foreign.bind_to(path));
  ASSERT_EQ(::listen(foreign.fd, 4), 0);
  auto pipes_only = engine_.list_pipes();
  ASSERT_TRUE(pipes_only.ok());
  EXPECT_TRUE(std::none_of(pipes_only->begin(), pipes_only->end(), [&](const PipeInfo& p) { return p.os_path == path; }))
      << "a socket outside the pipe layout was listed as a pipe";
  auto pipes = engine_.list_pipes(ListOptions{.every_socket = true});
  ASSERT_TRUE(pipes.ok());
  auto it = std::find_if(pipes->begin(), pipes->end(), [&](const PipeInfo& p) { return p.os_path == path; });
  ASSERT_NE(it, pipes->end());
  EXPECT_EQ(it->name, path) << "not in the pipe layout, so shown by its path";
  EXPECT_EQ(it->type, "byte");
  EXPECT_NE(std::find(it->server_pids.begin(), it->server_pids.end(), ::getpid()), it->server_pids.end());
}

// This engine's own server is listed wherever it serves, at a socket path
// outside the layout too, and the layout's pipes are listed as before.
TEST_F(PosixBackend, ListingShowsItsOwnServersOutsideTheLayout) {
  const std::string path = posix_test::temp_folder() + "/" + unique_name("own") + ".sock";
  cleanup_.push_back(path);
  ServerOptions at_path;
  at_path.name = path;
  ASSERT_TRUE(engine_.start_server(at_path).ok());
  ServerOptions in_layout;
  in_layout.name = unique_name("layout");
  ASSERT_TRUE(engine_.start_server(in_layout).ok());
  auto pipes = engine_.list_pipes();
  ASSERT_TRUE(pipes.ok()) << pipes.error().summary();
  EXPECT_TRUE(std::any_of(pipes->begin(), pipes->end(), [&](const PipeInfo& p) { return p.os_path == path; }));
  EXPECT_TRUE(std::any_of(pipes->begin(), pipes->end(),
                          [&](const PipeInfo& p) { return p.name == "\\\\.\\pipe\\" + in_layout.name; }));
}

}  // namespace
}  // namespace pipescope
