// demo: a newcomer's first look. A reverse server and a client in this one
// process exchange a few lines; every engine event is printed as it happens,
// with a sentence before each step saying what is about to happen.
#include <array>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "option_groups.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/name.hpp"

namespace pipescope::cli {
namespace {

struct DemoSettings {
  std::string name;  ///< empty: a fresh name for this run
};

/// Generous for one process talking to itself; only a broken engine needs it.
constexpr std::chrono::milliseconds kStepTimeout{5000};

constexpr std::array<std::string_view, 3> kLines{"hello, pipe", "PipeScope", "a man a plan a canal panama"};

std::string fresh_demo_name() {
  std::random_device random;
  return fmt::format("pipescope-demo-{:08x}", random());
}

int demo_command(const DemoSettings& settings, Session& session) {
  const Console& console = session.console;
  int step_number = 0;
  const auto step = [&](std::string_view text) {
    ++step_number;
    console.emit({{"event", "step"}, {"number", step_number}, {"text", text}});
    console.say(fmt::format("\n{}. {}", step_number, text));
  };
  const auto step_failed = [&](bool stopped) {
    if (stopped) {
      return to_int(ExitCode::ok);
    }
    return fail(console, make_error(Errc::sem_timeout, "demo",
                                    fmt::format("step {}: the expected event did not come within {} ms",
                                                step_number, kStepTimeout.count())));
  };

  ServerOptions server_options;
  server_options.name = settings.name.empty() ? fresh_demo_name() : settings.name;
  server_options.responder = Responder::reverse;
  const Result<PipeName> name = PipeName::parse(server_options.name);
  if (!name) {
    return fail(console, name.error());
  }

  Engine engine(session.inbox.get());
  session.configure(engine);
  console.say(fmt::format("PipeScope demo on the {} backend. Each step says what happens; the lines after it are "
                          "the engine's events as they arrive.",
                          engine.backend_name()));

  step(fmt::format("A server creates the pipe {} (CreateNamedPipe): a byte pipe, duplex, that answers every line "
                   "reversed. Its first instance starts listening for a client.",
                   name->full()));
  const Result<ServerId> server = engine.start_server(server_options);
  if (!server) {
    return fail(console, server.error());
  }
  bool stopped = false;
  const auto instance_listening = [](const Event& event) {
    const auto* state = std::get_if<StateChanged>(&event);
    return state != nullptr && state->kind == EndpointKind::instance && state->state == EndpointState::listening;
  };
  if (!wait_for_event(session, engine, kStepTimeout, instance_listening, {}, &stopped)) {
    return step_failed(stopped);
  }
  const auto instance_connected = [](const Event& event) {
    const auto* state = std::get_if<StateChanged>(&event);
    return state != nullptr && state->kind == EndpointKind::instance && state->state == EndpointState::connected;
  };
  const auto instance_ended = [](const Event& event) {
    const auto* state = std::get_if<StateChanged>(&event);
    return state != nullptr && state->kind == EndpointKind::instance && is_ended(state->state);
  };

  step("A client opens the pipe (CreateFile). The listening instance becomes connected, and the server makes "
       "another instance listen for the next client.");
  ClientOptions client_options;
  client_options.name = server_options.name;
  const Result<EndpointId> client = engine.connect(client_options);
  if (!client) {
    return fail(console, client.error());
  }
  if (!wait_for_event(session, engine, kStepTimeout, instance_connected, {}, &stopped) ||
      !wait_for_event(session, engine, kStepTimeout, instance_listening, {}, &stopped)) {
    return step_failed(stopped);
  }

  for (const std::string_view line : kLines) {
    step(fmt::format("The client writes \"{}\" and a line break (WriteFile). The server reads the line "
                     "(ReadFile), and its responder writes it back reversed.",
                     line));
    const Bytes bytes = to_bytes(fmt::format("{}\n", line));
    if (Result<void> sent = engine.send(*client, bytes); !sent) {
      return fail(console, sent.error());
    }
    const auto reply_arrived = [&](const Event& event) {
      const auto* data = std::get_if<Data>(&event);
      return data != nullptr && data->endpoint == *client && data->direction == Direction::in;
    };
    if (!wait_for_event(session, engine, kStepTimeout, reply_arrived, {}, &stopped)) {
      return step_failed(stopped);
    }
  }

  step("The client closes its end (CloseHandle). The server's instance sees the pipe break "
       "(ERROR_BROKEN_PIPE on its next read) and is disconnected.");
  const Counters client_counters = engine.counters(*client);
  if (Result<void> closed = engine.disconnect(*client); !closed) {
    return fail(console, closed.error());
  }
  if (!wait_for_event(session, engine, kStepTimeout, instance_ended, {}, &stopped)) {
    return step_failed(stopped);
  }

  step("The server closes every instance; the name is gone (on Windows, with its last handle).");
  if (Result<void> stop = engine.stop_server(*server); !stop) {
    return fail(console, stop.error());
  }
  if (!wait_for_event(
          session, engine, kStepTimeout,
          [&](const Event& event) {
            const auto* ended = std::get_if<ServerStopped>(&event);
            return ended != nullptr && ended->server == *server;
          },
          {}, &stopped)) {
    return step_failed(stopped);
  }

  console.emit({{"event", "summary"},
                {"bytes_out", client_counters.bytes_out},
                {"bytes_in", client_counters.bytes_in},
                {"messages_out", client_counters.messages_out},
                {"messages_in", client_counters.messages_in}});
  console.say(fmt::format("\nThe client wrote {} bytes and read {} bytes back. Next: try `pipescope-cli serve "
                          "demo --reverse` in one terminal and `pipescope-cli connect demo` in another.",
                          client_counters.bytes_out, client_counters.bytes_in));
  return to_int(ExitCode::ok);
}

CommandRunner declare_demo(CLI::App& demo) {
  auto settings = std::make_shared<DemoSettings>();
  demo.add_option("--name", settings->name, "The pipe name to use. Default: a fresh one, pipescope-demo-XXXXXXXX.");
  return [settings](Session& session) { return demo_command(*settings, session); };
}

const CommandRegistrar kDemo{
    {.name = "demo",
     .description = "A first look: a server that answers every line reversed and a client, in this one process, "
                    "exchange a few lines while every engine event is printed.",
     .help_rank = 90,
     .declare = &declare_demo}};

}  // namespace
}  // namespace pipescope::cli
