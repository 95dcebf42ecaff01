// Conformance cases that pin what PipeScope teaches (the option catalogue,
// the error explanations, docs/concepts.md) where the engine can show it:
// a busy wait that runs out is ERROR_SEM_TIMEOUT, also for a call; "first
// instance" is refused while any instance exists, also a plain one of our
// own; a zero-length message is a record, not the end; ERROR_MORE_DATA comes
// only in message read mode, and a call loses the rest of a long reply
// while a transact reads it on; --nowait leaves nothing to see. They run
// against every backend (see conformance_fixture.hpp).
#include "conformance_fixture.hpp"

namespace pipescope::conformance {
namespace {

class Teaching : public EngineConformance {
 protected:
  /// A message pipe whose instances echo, read as messages.
  std::optional<Served> serve_echo(std::uint32_t max_instances = kUnlimitedInstances) {
    ServerOptions options = message_server_options();
    options.max_instances = max_instances;
    options.responder = Responder::echo;
    return serve(options);
  }

  static ClientOptions message_client(const std::string& name) {
    ClientOptions options = client_options(name);
    options.read_mode = ReadMode::message;
    return options;
  }

  /// The rows logged on `endpoint` in `direction` flagged more-data.
  std::size_t more_data_rows(EndpointId endpoint, Direction direction) {
    std::size_t count = 0;
    for (const LoggedRow& row : logged(endpoint, direction)) {
      if ((row.record.flags & record_flags::more_data) != 0) ++count;
    }
    return count;
  }
};

// WaitNamedPipeW: "If the time-out interval expires, the WaitNamedPipe
// function fails with the error ERROR_SEM_TIMEOUT" - not ERROR_PIPE_BUSY.
// CallNamedPipe waits the same way (connect's wait is
// EngineConformance.BusyWaitTimesOutWithSemTimeout).
TEST_F(Teaching, ACallsBusyWaitThatRunsOutIsSemTimeout) {
  auto served = serve_echo(1);
  ASSERT_TRUE(served);
  auto taken = connect_to(served->server, message_client(served->name));
  ASSERT_TRUE(taken);

  ClientOptions brief = message_client(served->name);
  brief.busy_timeout = 200ms;
  const auto started = Clock::now();
  auto reply = engine_.call(brief, as_bytes("wait for me"), kEventTimeout);
  const auto elapsed = Clock::now() - started;
  EXPECT_TRUE(fails_with(reply, Errc::sem_timeout)) << recent_events();
  EXPECT_GE(elapsed, 150ms) << "the call gave up before its 200 ms busy wait ran out";
  EXPECT_TRUE(state_is(engine_.state(taken->client), EndpointState::connected));
}

// PipeScope's --busy-timeout 0 does not wait at all (WaitNamedPipe's own 0
// would mean the server's default time-out): the first ERROR_PIPE_BUSY is
// the answer, for a connect and for a call alike.
TEST_F(Teaching, ZeroBusyTimeoutAnswersPipeBusyAtOnce) {
  ServerOptions options = message_server_options();
  options.max_instances = 1;
  // A default time-out far longer than the test may take: a client that
  // waited with NMPWAIT_USE_DEFAULT_WAIT would be seen to wait.
  options.default_timeout = std::chrono::milliseconds{kEventTimeout.count() * 4};
  auto served = serve(options);
  ASSERT_TRUE(served);
  auto taken = connect_to(served->server, message_client(served->name));
  ASSERT_TRUE(taken);

  ClientOptions impatient = message_client(served->name);
  impatient.busy_timeout = 0ms;
  const auto started = Clock::now();
  EXPECT_TRUE(fails_with(engine_.connect(impatient), Errc::pipe_busy)) << recent_events();
  EXPECT_TRUE(fails_with(engine_.call(impatient, as_bytes("x"), kEventTimeout), Errc::pipe_busy)) << recent_events();
  EXPECT_LT(Clock::now() - started, kEventTimeout) << "a zero busy wait waited for the pipe's default time-out";
}

// CreateNamedPipeW, FILE_FLAG_FIRST_PIPE_INSTANCE: creation fails with
// ERROR_ACCESS_DENIED while any instance of the name exists - also one this
// very process serves without the flag. It detects that the name is taken;
// the server that holds it keeps it and its clients. (Wine 8 ignores the
// flag, wine-notes.md; the engine asks WaitNamedPipeW first and follows
// Windows.)
TEST_F(Teaching, FirstInstanceIsRefusedWhileOurOwnPlainServerHoldsTheName) {
  ServerOptions plain = server_options();
  auto holder = serve(plain);
  ASSERT_TRUE(holder);

  ServerOptions first_only = plain;
  first_only.first_instance = true;
  EXPECT_TRUE(fails_with(engine_.start_server(first_only), Errc::access_denied)) << recent_events();

  // The holder keeps the name: a new client reaches it and is heard.
  auto link = connect_to(holder->server, client_options(plain.name));
  ASSERT_TRUE(link);
  EXPECT_TRUE(delivered(link->client, link->instance, "still the holder's"));
}

// Named Pipe Type, Read, and Wait Modes / ReadFile: a zero-byte message is a
// message; only the peer's close ends the stream. From the server to a
// client this time (the client-to-server way is
// EngineConformance.ZeroLengthMessageIsDelivered).
TEST_F(Teaching, ZeroLengthMessageFromTheServerIsARecordNotTheEnd) {
  auto link = connect_message_pipe();
  ASSERT_TRUE(link);

  ASSERT_TRUE(send_and_wait(link->instance, Bytes{}));
  ASSERT_TRUE(send_and_wait(link->instance, "after"));
  ASSERT_TRUE(await_records(link->client, Direction::in, 2)) << recent_events();
  const std::vector<LoggedRow> rows = logged(link->client, Direction::in);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].record.length, 0U);
  EXPECT_NE(rows[0].record.flags & record_flags::message, 0);
  EXPECT_EQ(rows[0].record.flags & record_flags::more_data, 0);
  EXPECT_EQ(text_of(rows[1].payload), "after");
  EXPECT_TRUE(state_is(engine_.state(link->client), EndpointState::connected));
}

// ReadFile gives ERROR_MORE_DATA only in message read mode; a message pipe
// read in byte mode (a client's default, "The client side of a named pipe
// starts out in byte mode") hands out bytes, never a more-data part.
TEST_F(Teaching, ByteReadModeOnAMessagePipeNeverFlagsMoreData) {
  ServerOptions options = message_server_options();
  options.read_mode = ReadMode::byte;
  options.read_buffer_size = 16;
  auto served = serve(options);
  ASSERT_TRUE(served);
  ClientOptions byte_reader = client_options(served->name);
  byte_reader.read_buffer_size = 16;
  ASSERT_EQ(byte_reader.read_mode, ReadMode::byte) << "a client reads in byte mode unless told otherwise";
  auto link = connect_to(served->server, byte_reader);
  ASSERT_TRUE(link);

  const Bytes message = pattern_bytes(100, 7);
  ASSERT_TRUE(send_and_wait(link->client, message));
  ASSERT_TRUE(send_and_wait(link->instance, message));
  ASSERT_TRUE(await_bytes(link->instance, Direction::in, message.size())) << recent_events();
  ASSERT_TRUE(await_bytes(link->client, Direction::in, message.size())) << recent_events();
  for (const EndpointId reader : {link->instance, link->client}) {
    SCOPED_TRACE("reader " + std::to_string(reader));
    const std::vector<LoggedRow> rows = logged(reader, Direction::in);
    EXPECT_GE(rows.size(), 7U) << "100 bytes in reads of at most 16";
    Bytes joined;
    for (const LoggedRow& row : rows) {
      EXPECT_LE(row.payload.size(), 16U);
      joined.insert(joined.end(), row.payload.begin(), row.payload.end());
    }
    EXPECT_EQ(joined, message);
    EXPECT_EQ(more_data_rows(reader, Direction::in), 0U);
  }
}

// CallNamedPipeW: a reply longer than the buffer gives ERROR_MORE_DATA, and
// "the remainder of the message is discarded, because CallNamedPipe closes
// the handle to the pipe before returning".
TEST_F(Teaching, CallReplyLargerThanTheBufferFailsWithMoreData) {
  auto served = serve_echo();
  ASSERT_TRUE(served);
  ClientOptions small = message_client(served->name);
  small.read_buffer_size = 8;
  const std::string request = "twenty bytes, or so!";
  auto reply = engine_.call(small, as_bytes(request), kEventTimeout);
  EXPECT_TRUE(fails_with(reply, Errc::more_data)) << recent_events();
  // The server did get the whole request.
  EXPECT_TRUE(await_bytes(served->first_instance, Direction::in, request.size())) << recent_events();
}

// TransactNamedPipe: a reply longer than the buffer also gives
// ERROR_MORE_DATA, but the pipe stays open and "the remainder of the
// message can be read by a subsequent call to ReadFile": the engine reads
// it on, so the whole reply comes back, logged in more-data parts.
TEST_F(Teaching, TransactReplyLargerThanTheBufferIsReadOnInParts) {
  auto served = serve_echo();
  ASSERT_TRUE(served);
  ClientOptions small = message_client(served->name);
  small.read_buffer_size = 8;
  auto link = connect_to(served->server, small);
  ASSERT_TRUE(link);

  const std::string request = "twenty bytes, or so!";
  auto reply = engine_.transact(link->client, as_bytes(request), kEventTimeout);
  ASSERT_TRUE(succeeded(reply)) << recent_events();
  EXPECT_EQ(text_of(*reply), request);
  const std::vector<LoggedRow> rows = logged(link->client, Direction::in);
  ASSERT_EQ(rows.size(), 3U) << "20 bytes in parts of 8";
  EXPECT_EQ(more_data_rows(link->client, Direction::in), 2U);
  EXPECT_EQ(rows.back().record.flags & record_flags::more_data, 0);
}

// PIPE_NOWAIT: the engine creates the instance in that mode and switches
// its own handle back to PIPE_WAIT (it uses overlapped I/O); the wait mode
// belongs to each handle and a client's starts blocking. So the pipe works
// as any other and GetNamedPipeHandleState says "wait" on both ends - what
// the catalogue's --nowait text says.
TEST_F(Teaching, NoWaitLeavesNothingToSeeOnEitherEnd) {
  ServerOptions options = message_server_options();
  options.wait_mode = WaitMode::nonblocking;
  auto served = serve(options);
  ASSERT_TRUE(served);
  auto link = connect_to(served->server, message_client(served->name));
  ASSERT_TRUE(link);
  EXPECT_TRUE(delivered(link->client, link->instance, "ping"));
  EXPECT_TRUE(delivered(link->instance, link->client, "pong"));

  auto instance = engine_.inspect(link->instance);
  ASSERT_TRUE(succeeded(instance));
  EXPECT_EQ(instance->wait_mode, "wait");
  auto client = engine_.inspect(link->client);
  ASSERT_TRUE(succeeded(client));
  EXPECT_EQ(client->wait_mode, "wait");
}

}  // namespace
}  // namespace pipescope::conformance
