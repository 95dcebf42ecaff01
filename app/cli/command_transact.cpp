// transact NAME DATA, call NAME DATA and inspect NAME: one message each way
// through TransactNamedPipe or CallNamedPipe, and what the OS tells about a
// client's end of a pipe.
#include <memory>
#include <string>
#include <variant>

#include <fmt/format.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "json_events.hpp"
#include "option_groups.hpp"
#include "platform.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/name.hpp"

namespace pipescope::cli {
namespace {

/// inspect NAME: connect, show what the OS tells about the client's end.
struct InspectSettings {
  ClientOptions client;
};

/// The request, or the exit code after the problem with it (invalid client
/// options, input that does not parse) was reported.
std::variant<Bytes, int> request_of(const SendSettings& settings, Session& session) {
  const Console& console = session.console;
  if (Result<void> valid = validate(settings.client); !valid) return fail(console, valid.error());
  auto prepared = bytes_to_send_or_exit(settings, session);
  if (const auto* problem = std::get_if<InputProblem>(&prepared)) {
    report(console, *problem);
    return to_int(ExitCode::bad_input);
  }
  return std::get<Bytes>(std::move(prepared));
}

/// Prints the reply: a JSON object, or the bytes exactly as they came.
void print_reply(const Console& console, EndpointId endpoint, const Bytes& reply) {
  nlohmann::json object{{"event", "reply"}, {"size", reply.size()}};
  if (endpoint != 0) object["endpoint"] = endpoint;
  add_payload(object, reply);
  console.emit(object);
  if (!console.json()) {
    use_binary_output();
    console.write_raw(reply);
  }
}

/// Shows the engine's events so far (JSON mode shows all; text mode only
/// errors), without waiting for more. Only after a success: a failure is
/// printed once, by fail(), not also as the engine's error event.
void drain_events(Session& session, Engine& engine) {
  const TextFilter quiet{.incoming_data = false, .outgoing_data = false, .state_changes = false};
  static_cast<void>(wait_for_event(session, engine, std::chrono::milliseconds{0}, [](const Event&) { return false; },
                                   quiet));
}

std::string number_or_unknown(std::int64_t value) { return value < 0 ? "unknown" : std::to_string(value); }

int transact_command(const SendSettings& settings, Session& session) {
  const Console& console = session.console;
  auto request = request_of(settings, session);
  if (const int* code = std::get_if<int>(&request)) return *code;

  Engine engine(session.inbox.get());
  session.configure(engine);
  const std::string pipe_name = PipeName::parse(settings.client.name)->full();
  EndpointId me = 0;
  const Result<Bytes> reply = [&]() -> Result<Bytes> {
    // TransactNamedPipe (and the busy wait before it) blocks this thread.
    const StopEndsProcess stop(session, Errc::sem_timeout, "transact", fmt::format("while waiting on {}", pipe_name));
    const Result<EndpointId> connected = engine.connect(settings.client);
    if (!connected) return connected.error();
    me = *connected;
    return engine.transact(me, std::get<Bytes>(request), settings.timeout);
  }();
  if (!reply) return fail(console, reply.error());
  drain_events(session, engine);
  print_reply(console, me, *reply);
  static_cast<void>(engine.disconnect(me));
  return to_int(ExitCode::ok);
}

int call_command(const SendSettings& settings, Session& session) {
  const Console& console = session.console;
  auto request = request_of(settings, session);
  if (const int* code = std::get_if<int>(&request)) return *code;

  Engine engine(session.inbox.get());
  session.configure(engine);
  const std::string pipe_name = PipeName::parse(settings.client.name)->full();
  const Result<Bytes> reply = [&] {
    // CallNamedPipe waits for an instance and for the reply on this thread.
    const StopEndsProcess stop(session, Errc::sem_timeout, "call", fmt::format("while waiting on {}", pipe_name));
    return engine.call(settings.client, std::get<Bytes>(request), settings.timeout);
  }();
  if (!reply) return fail(console, reply.error());
  drain_events(session, engine);
  print_reply(console, 0, *reply);
  return to_int(ExitCode::ok);
}

int inspect_command(const InspectSettings& settings, Session& session) {
  const Console& console = session.console;
  if (Result<void> valid = validate(settings.client); !valid) return fail(console, valid.error());
  const std::string pipe_name = PipeName::parse(settings.client.name)->full();

  Engine engine(session.inbox.get());
  session.configure(engine);
  const Result<EndpointId> connected = [&] {
    // A busy pipe is waited for as long as --busy-timeout says.
    const StopEndsProcess stop(session, Errc::sem_timeout, "connect", fmt::format("while connecting to {}", pipe_name));
    return engine.connect(settings.client);
  }();
  if (!connected) return fail(console, connected.error());
  const EndpointId me = *connected;
  const Result<PipeInspection> inspection = engine.inspect(me);
  if (!inspection) return fail(console, inspection.error());
  drain_events(session, engine);
  const PipeInspection& i = *inspection;

  console.emit({{"event", "inspection"},
                {"endpoint", me},
                {"name", pipe_name},
                {"bytes_available", i.bytes_available},
                {"message_bytes_left", i.message_bytes_left},
                {"type", i.type},
                {"read_mode", i.read_mode},
                {"wait_mode", i.wait_mode},
                {"server_end", i.server_end},
                {"current_instances", i.current_instances},
                {"max_instances", i.max_instances},
                {"in_buffer_size", i.in_buffer_size},
                {"out_buffer_size", i.out_buffer_size},
                {"collect_data_count", i.collect_data_count},
                {"collect_data_timeout_ms", i.collect_data_timeout_ms},
                {"user_name", i.user_name},
                {"client_pid", i.client_pid},
                {"server_pid", i.server_pid},
                {"client_session", i.client_session},
                {"server_session", i.server_session},
                {"client_computer", i.client_computer},
                {"security_descriptor", i.security_descriptor},
                {"notes", i.notes}});
  const std::string max_text = i.max_instances == static_cast<std::int64_t>(kUnlimitedInstances)
                                   ? std::string("unlimited")
                                   : number_or_unknown(i.max_instances);
  console.say(fmt::format("{} (client end)", escape_for_display(pipe_name)));
  console.say(fmt::format("  type: {}, read mode: {}, wait mode: {}", i.type.empty() ? "unknown" : i.type,
                          i.read_mode.empty() ? "unknown" : i.read_mode, i.wait_mode.empty() ? "unknown" : i.wait_mode));
  console.say(fmt::format("  bytes available: {}, left in this message: {}", number_or_unknown(i.bytes_available),
                          number_or_unknown(i.message_bytes_left)));
  console.say(fmt::format("  instances: {} of {}", number_or_unknown(i.current_instances), max_text));
  console.say(fmt::format("  buffers: in {}, out {}", number_or_unknown(i.in_buffer_size),
                          number_or_unknown(i.out_buffer_size)));
  console.say(fmt::format("  server pid: {}, session: {}; client pid: {}, session: {}", number_or_unknown(i.server_pid),
                          number_or_unknown(i.server_session), number_or_unknown(i.client_pid),
                          number_or_unknown(i.client_session)));
  console.say(fmt::format("  security: {}", i.security_descriptor.empty() ? "unknown" : escape_for_display(i.security_descriptor)));
  if (!i.notes.empty()) console.say(fmt::format("  notes: {}", escape_for_display(i.notes)));
  static_cast<void>(engine.disconnect(me));
  return to_int(ExitCode::ok);
}

/// What transact's and call's options hold before mapping: send's input
/// options; the reply is always one message.
struct ExchangeWords {
  SendSettings settings;
  ClientWords client{.read_mode = "message"};
  MessageInputWords input;
  std::int64_t timeout_ms = 5000;
};

/// transact and call: send's client and input options, one message each way.
std::shared_ptr<ExchangeWords> declare_exchange(CLI::App& exchange, ClientUse use) {
  auto w = std::make_shared<ExchangeWords>();
  add_client_options(&exchange, w->client, w->settings.client, use);
  add_message_input(&exchange, w->input, w->client.format,
                    {.data = "The request, in the --format given.",
                     .file = "Send the contents of this file as the request instead of DATA (in --format: text "
                             "sends the bytes as they are, hex and escaped parse them first). One message holds at "
                             "most 4 MiB; a larger file (or one without end, such as a FIFO or /dev/zero) is "
                             "refused and nothing is sent.",
                     .no_newline = "With --format text, send DATA exactly, without a line break."});
  add_timeout_ms(&exchange, "--timeout", w->timeout_ms, "How long to wait, in milliseconds, for the reply.");
  exchange.callback([w] {
    apply_client_words(w->client, w->settings.client);
    if (w->settings.client.read_mode != ReadMode::message) {
      throw CLI::ValidationError("--read-mode byte",
                                 "a transact reads its reply as one message: leave --read-mode out (it is message)");
    }
    apply_message_input(w->input, w->client.format, w->settings);
    w->settings.reply = true;
    w->settings.timeout = std::chrono::milliseconds(w->timeout_ms);
  });
  return w;
}

CommandRunner declare_transact(CLI::App& transact) {
  return [w = declare_exchange(transact, ClientUse::transact)](Session& session) {
    return transact_command(w->settings, session);
  };
}

CommandRunner declare_call(CLI::App& call) {
  return [w = declare_exchange(call, ClientUse::call)](Session& session) {
    return call_command(w->settings, session);
  };
}

CommandRunner declare_inspect(CLI::App& inspect) {
  struct InspectWords {
    InspectSettings settings;
    ClientWords client;
  };
  auto w = std::make_shared<InspectWords>();
  add_client_options(&inspect, w->client, w->settings.client);
  inspect.callback([w] { apply_client_words(w->client, w->settings.client); });
  return [w](Session& session) { return inspect_command(w->settings, session); };
}

// TransactNamedPipe (learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-transactnamedpipe):
// a message pipe, an end in message read mode, read and write access; "The
// maximum guaranteed size of a named pipe transaction is 64 kilobytes." The
// code of the refused message mode on a byte pipe is observed.
const CommandRegistrar kTransact{
    {.name = "transact",
     .description = "Connect for reading and writing in message read mode, then TransactNamedPipe: write one "
                    "message and read the one that answers it in a single call; print the reply, disconnect. "
                    "TransactNamedPipe needs a message pipe that carries both ways: on a byte pipe the switch to "
                    "message read mode already fails (ERROR_INVALID_PARAMETER, observed). A reply larger than "
                    "--read-buffer is read on in parts. Microsoft guarantees transactions of up to 64 KB only.",
     .help_rank = 40,
     .declare = &declare_transact}};

// CallNamedPipeW (learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-callnamedpipew):
// CreateFile (or WaitNamedPipe), TransactNamedPipe and CloseHandle in one;
// "CallNamedPipe fails if the pipe is a byte-type pipe"; a longer reply's
// rest is discarded.
const CommandRegistrar kCall{{.name = "call",
                              .description = "CallNamedPipe: open the pipe for reading and writing (waiting "
                                             "--busy-timeout for a free instance), transact one message and close, "
                                             "all in one call; print the reply. It fails on a byte pipe, and the "
                                             "part of a reply beyond --read-buffer is lost.",
                              .help_rank = 50,
                              .declare = &declare_call}};

const CommandRegistrar kInspect{
    {.name = "inspect",
     // GetNamedPipeInfo gives nMaxInstances; GetNamedPipeHandleState the
     // current count (learn.microsoft.com/windows/win32/api/namedpipeapi/
     // nf-namedpipeapi-getnamedpipeinfo, .../nf-namedpipeapi-getnamedpipehandlestatew).
     .description = "Connect and show what the OS tells about the pipe from the client's end: PeekNamedPipe (bytes "
                    "waiting), GetNamedPipeInfo (type, buffer sizes, maximum instances), GetNamedPipeHandleState "
                    "(read mode, wait mode, current instances), the server's process and session ids and the "
                    "pipe's security descriptor; then disconnect.",
     .help_rank = 60,
     .declare = &declare_inspect}};

}  // namespace
}  // namespace pipescope::cli
