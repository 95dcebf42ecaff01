// send NAME DATA: connect, write one message, optionally read one reply.
#include <chrono>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "input_data.hpp"
#include "json_events.hpp"
#include "option_groups.hpp"
#include "platform.hpp"
#include "pipescope/name.hpp"

namespace pipescope::cli {

namespace {

/// The parsed bytes, or a problem when they are more than one message.
std::variant<Bytes, InputProblem> within_limit(std::variant<Bytes, InputProblem> parsed, std::string_view source) {
  if (const auto* bytes = std::get_if<Bytes>(&parsed)) {
    if (auto too_big = check_message_size(*bytes, source)) {
      return std::move(*too_big);
    }
  }
  return parsed;
}

}  // namespace

std::variant<Bytes, InputProblem> bytes_to_send(const SendSettings& settings) {
  if (settings.file) {
    auto content = read_input_file(*settings.file, max_input_chars(settings.format));
    if (auto* problem = std::get_if<InputProblem>(&content)) {
      return std::move(*problem);
    }
    const std::string& text = std::get<std::string>(content);
    if (settings.format == InputFormat::text) {
      return to_bytes(text);
    }
    return within_limit(parse_for_sending(text, settings.format, *settings.file), *settings.file);
  }
  auto parsed = parse_for_sending(settings.data.value_or(""), settings.format, "DATA");
  if (auto* bytes = std::get_if<Bytes>(&parsed); bytes && settings.add_newline) {
    bytes->push_back(std::byte{'\n'});
  }
  return within_limit(std::move(parsed), "DATA");
}

std::variant<Bytes, InputProblem> bytes_to_send_or_exit(const SendSettings& settings, Session& session) {
  // Reading a FIFO or a device may block for as long as its writer likes.
  const StopEndsProcess stop(session, Errc::bad_input, "read the data", "while reading it; nothing was sent");
  return bytes_to_send(settings);
}

Result<EndpointId> connect_or_exit(Engine& engine, const ClientOptions& options, const std::string& pipe_name,
                                   Session& session) {
  // A busy pipe is waited for as long as --busy-timeout says.
  const StopEndsProcess stop(session, Errc::sem_timeout, "connect", fmt::format("while connecting to {}", pipe_name));
  return connect_and_announce(engine, options, pipe_name, session.console);
}

namespace {

int send_command(const SendSettings& settings, Session& session) {
  const Console& console = session.console;
  if (Result<void> valid = validate(settings.client); !valid) {
    return fail(console, valid.error());
  }
  const std::string pipe_name = PipeName::parse(settings.client.name)->full();

  auto prepared = bytes_to_send_or_exit(settings, session);
  if (const auto* problem = std::get_if<InputProblem>(&prepared)) {
    report(console, *problem);
    return to_int(ExitCode::bad_input);
  }
  const Bytes& payload = std::get<Bytes>(prepared);
  if (payload.empty()) {
    // A write of no bytes is not a message on a byte pipe, and nothing
    // would ever confirm it; say so instead of waiting for the timeout.
    console.error(make_error(Errc::bad_input, "send", "the data is empty"),
                  "There is nothing to send: give some DATA, or a file that is not empty.");
    return to_int(ExitCode::bad_input);
  }

  Engine engine(session.inbox.get());
  session.configure(engine);
  const Result<EndpointId> connected = connect_or_exit(engine, settings.client, pipe_name, session);
  if (!connected) {
    return fail(console, connected.error());
  }
  const EndpointId me = *connected;

  if (Result<void> sent = engine.send(me, payload); !sent) {
    return fail(console, sent.error());
  }

  // Text mode stays quiet apart from the result (and errors), so that the
  // reply can be used by a script; --json shows every event.
  const TextFilter quiet{.incoming_data = false, .outgoing_data = false, .state_changes = false};
  const bool message_reply = settings.client.read_mode == ReadMode::message;
  std::uint64_t written = 0;
  bool write_seen = false;
  Bytes reply;
  bool reply_complete = false;
  std::optional<Error> failure;

  const auto complete = [&] {
    const bool all_written = write_seen && written >= payload.size();
    return all_written && (!settings.reply || reply_complete);
  };
  const auto finished = [&](const Event& event) {
    if (const auto* data = std::get_if<Data>(&event); data && data->endpoint == me) {
      if (data->direction == Direction::out) {
        written += data->size;
        write_seen = true;
      } else if (settings.reply && !reply_complete) {
        const auto part = engine.log().payload(data->row);
        reply.insert(reply.end(), part.begin(), part.end());
        // A byte pipe has no message boundaries: its reply is the first read.
        reply_complete = !message_reply || (data->flags & record_flags::more_data) == 0;
      }
    } else if (const auto* error = std::get_if<ErrorEvent>(&event); error && error->endpoint == me) {
      failure = error->error;
      return true;
    } else if (const auto* state = std::get_if<StateChanged>(&event);
               state && state->endpoint == me && is_ended(state->state)) {
      if (!complete()) {
        failure = make_error(Errc::broken_pipe, settings.reply ? "wait for the reply" : "write",
                             fmt::format("{}: the server closed the pipe", pipe_name));
        console.error(*failure);
      }
      return true;
    }
    return complete();
  };

  bool stopped = false;
  const bool done = wait_for_event(session, engine, settings.timeout, finished, quiet, &stopped);
  if (failure) {
    return to_int(exit_code_for(*failure));  // printed already
  }
  if (!done) {
    // Ctrl-C while waiting is a wait cut short: the same class as a timeout.
    const bool writing = !write_seen || written < payload.size();
    return fail(console, make_error(Errc::sem_timeout, writing ? "write" : "wait for the reply",
                                    stopped ? fmt::format("{}: interrupted by {} while waiting", pipe_name,
                                                          session.inbox->stop_reason())
                                            : fmt::format("{}: nothing after --timeout {} ms", pipe_name,
                                                          settings.timeout.count())));
  }

  if (settings.reply) {
    nlohmann::json object{{"event", "reply"}, {"endpoint", me}, {"size", reply.size()}};
    add_payload(object, reply);
    console.emit(object);
    if (!console.json()) {
      // The reply exactly as it came, also on Windows.
      use_binary_output();
      console.write_raw(reply);
    }
  } else {
    console.emit({{"event", "sent"}, {"endpoint", me}, {"size", payload.size()}});
    console.say(fmt::format("sent {} byte{} to {}", payload.size(), payload.size() == 1 ? "" : "s", pipe_name));
  }
  (void)engine.disconnect(me);
  return to_int(ExitCode::ok);
}

/// What send's options hold before mapping onto its settings.
struct SendWords {
  SendSettings settings;
  ClientWords client;
  MessageInputWords input;
  std::int64_t timeout_ms = 5000;
};

CommandRunner declare_send(CLI::App& send) {
  auto w = std::make_shared<SendWords>();
  add_client_options(&send, w->client, w->settings.client);
  add_message_input(&send, w->input, w->client.format,
                    {.data = "What to send, in the --format given.",
                     .file = "Send the contents of this file instead of DATA (in --format: text sends the bytes as "
                             "they are, hex and escaped parse them first). One message holds at most 4 MiB; a "
                             "larger file (or one without end, such as a FIFO or /dev/zero) is refused and nothing "
                             "is sent.",
                     .no_newline = "With --format text, send DATA exactly, without the line break that is otherwise "
                                   "added (a byte-pipe server that answers lines would then wait for the rest of "
                                   "the line)."});
  send.add_flag("--reply", w->settings.reply,
                "Wait for one reply and print it: one whole message in message read mode; on a byte pipe, "
                "what the first read returns.");
  add_timeout_ms(&send, "--timeout", w->timeout_ms,
                 "How long to wait, in milliseconds, for the write to complete and for the reply.");
  send.callback([w] {
    apply_client_words(w->client, w->settings.client);
    apply_message_input(w->input, w->client.format, w->settings);
    w->settings.timeout = std::chrono::milliseconds(w->timeout_ms);
  });
  return [w](Session& session) { return send_command(w->settings, session); };
}

const CommandRegistrar kSend{
    {.name = "send",
     .description = "Connect, send one message, optionally wait for one reply (--reply), disconnect.",
     .help_rank = 30,
     .declare = &declare_send}};

}  // namespace
}  // namespace pipescope::cli
