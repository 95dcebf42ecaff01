// connect NAME: an interactive (or scripted) client. Each line of standard
// input is one message; replies are printed as they arrive.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "input_data.hpp"
#include "option_groups.hpp"
#include "pipescope/name.hpp"

namespace pipescope::cli {
namespace {

struct ConnectSettings {
  ClientOptions client;
  InputFormat format = InputFormat::text;
  std::chrono::milliseconds linger{1000};
};

/// The bytes one input line stands for: text adds the line break back,
/// hex and escaped send exactly what they spell.
std::variant<Bytes, InputProblem> line_to_bytes(const InputLine& line, InputFormat format) {
  if (format == InputFormat::text) {
    Bytes bytes = to_bytes(line.text);
    bytes.push_back(std::byte{'\n'});
    return bytes;
  }
  return parse_for_sending(line.text, format, fmt::format("stdin line {}", line.number));
}

int connect_command(const ConnectSettings& settings, Session& session) {
  const Console& console = session.console;
  if (Result<void> valid = validate(settings.client); !valid) {
    return fail(console, valid.error());
  }
  const std::string pipe_name = PipeName::parse(settings.client.name)->full();

  Engine engine(session.inbox.get());
  session.configure(engine);
  const Result<EndpointId> connected = connect_or_exit(engine, settings.client, pipe_name, session);
  if (!connected) {
    return fail(console, connected.error());
  }
  const EndpointId me = *connected;

  // A read-only client has nothing to send: it listens until the server
  // leaves or the user stops it.
  const bool sends = settings.client.access != ClientAccess::read;
  if (sends) {
    console.say(fmt::format("connected to {}. Each line you type is sent; end with Ctrl-D (Ctrl-Z, Enter on "
                            "Windows) or Ctrl-C.",
                            pipe_name));
    // Text lines get their "\n" back, which must fit in the message too.
    const std::size_t max_line = settings.format == InputFormat::text ? kMaxMessageBytes - 1
                                                                      : max_input_chars(settings.format);
    start_stdin_reader(session.inbox, max_line);
  } else {
    console.say(fmt::format("connected to {} for reading. Ctrl-C stops.", pipe_name));
  }

  // What the replies to the user's input need to be complete: every queued
  // byte written, then a quiet moment of --linger ms.
  std::uint64_t unwritten = 0;
  bool input_ended = false;
  std::uint64_t refused_line = 0;  // the number of a line too long to send
  int result = to_int(ExitCode::ok);
  const TextFilter filter{.incoming_data = true, .outgoing_data = false, .state_changes = true};

  const auto peer_left = [&](const Error& error) {
    console.error(error);
    return to_int(ExitCode::peer_disconnected);
  };

  for (;;) {
    std::optional<InboxItem> item = session.inbox->pop(input_ended ? settings.linger : kNoTimeout);
    if (!item) {
      if (unwritten > 0) {
        return fail(console, make_error(Errc::sem_timeout, "finish writing",
                                        fmt::format("{}: {} byte(s) still unwritten after --linger {} ms",
                                                    pipe_name, unwritten, settings.linger.count())));
      }
      break;
    }
    if (const auto* stop = std::get_if<StopRequest>(&*item)) {
      console.note(fmt::format("stopping: {}", stop->what));
      break;
    }
    if (std::holds_alternative<InputEnd>(*item)) {
      input_ended = true;
      continue;
    }
    if (const auto* line = std::get_if<InputLine>(&*item)) {
      if (line->continues || line->number == refused_line) {
        // A line longer than one message: refused whole, its pieces skipped.
        if (line->number != refused_line) {
          refused_line = line->number;
          report(console, InputProblem{make_error(Errc::bad_input, "send",
                                                  fmt::format("stdin line {} is more than {}, the most one message "
                                                              "may carry; it was not sent",
                                                              line->number, limit_text(kMaxMessageBytes))),
                                       std::nullopt});
          result = to_int(ExitCode::bad_input);
        }
        continue;
      }
      auto bytes = line_to_bytes(*line, settings.format);
      if (const auto* problem = std::get_if<InputProblem>(&bytes)) {
        report(console, *problem);
        result = to_int(ExitCode::bad_input);
        continue;
      }
      const Bytes& payload = std::get<Bytes>(bytes);
      if (auto too_big = check_message_size(payload, fmt::format("stdin line {}", line->number))) {
        report(console, *too_big);
        result = to_int(ExitCode::bad_input);
        continue;
      }
      if (payload.empty()) {
        continue;  // an empty hex or escaped line spells no bytes
      }
      if (Result<void> sent = engine.send(me, payload); !sent) {
        if (is_peer_gone(sent.error())) {
          return peer_left(sent.error());
        }
        result = fail(console, sent.error());
        continue;
      }
      unwritten += payload.size();
      continue;
    }

    const Event& event = std::get<Event>(*item);
    console.event(event, engine, filter);
    if (const auto* data = std::get_if<Data>(&event); data && data->endpoint == me) {
      if (data->direction == Direction::out) {
        unwritten -= std::min<std::uint64_t>(unwritten, data->size);
      }
    } else if (const auto* failure = std::get_if<ErrorEvent>(&event); failure && failure->endpoint == me) {
      if (is_peer_gone(failure->error)) {
        return to_int(ExitCode::peer_disconnected);  // already printed
      }
      result = to_int(exit_code_for(failure->error));
    } else if (const auto* state = std::get_if<StateChanged>(&event);
               state && state->endpoint == me && is_ended(state->state)) {
      Error gone = make_error(Errc::broken_pipe, "read", fmt::format("{}: the server closed the pipe", pipe_name));
      if (state->reason && state->reason.category() == pipe_category()) {
        gone.code = state->reason;
      }
      return peer_left(gone);
    }
  }

  (void)engine.disconnect(me);
  return result;
}

/// What connect's options hold before mapping onto its settings.
struct ConnectWords {
  ConnectSettings settings;
  ClientWords client;
  std::int64_t linger_ms = 1000;
};

CommandRunner declare_connect(CLI::App& connect) {
  auto w = std::make_shared<ConnectWords>();
  add_client_options(&connect, w->client, w->settings.client);
  add_choice<InputFormat>(&connect, "--format", w->client.format,
                          "How each input line is read: text = as typed, sent with a line break (\\n) at its end; "
                          "hex = bytes in hex (48 65 6c, 0x48,0x65); escaped = C escapes (\\r\\n, \\x41, \\0). hex "
                          "and escaped send exactly the bytes given, nothing added. A line that does not parse is "
                          "reported and not sent.");
  add_timeout_ms(&connect, "--linger", w->linger_ms,
                 "At the end of input, keep waiting for replies until none has arrived for this many "
                 "milliseconds.");
  connect.callback([w] {
    apply_client_words(w->client, w->settings.client);
    w->settings.format = chosen<InputFormat>(w->client.format);
    w->settings.linger = std::chrono::milliseconds(w->linger_ms);
  });
  return [w](Session& session) { return connect_command(w->settings, session); };
}

const CommandRegistrar kConnect{
    {.name = "connect",
     .description = "Open a pipe as a client (CreateFile) and send each line of standard input as one message; "
                    "print what comes back. At the end of input, wait --linger ms for the last replies, then exit.",
     .help_rank = 20,
     .declare = &declare_connect}};

}  // namespace
}  // namespace pipescope::cli
