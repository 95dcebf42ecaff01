// serve NAME: a named pipe server that prints everything that happens on it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <variant>

#include <fmt/format.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "json_events.hpp"
#include "option_groups.hpp"
#include "pipescope/name.hpp"

namespace pipescope::cli {
namespace {

struct ServeSettings {
  ServerOptions server;
  std::uint64_t max_messages = 0;  ///< 0: no limit
  bool once = false;
  /// Not empty: every client is impersonated once and this file opened as it.
  std::string impersonate_probe;
};

/// How long a stopping server waits for its responder to answer what it
/// has read, and for the engine to confirm the server is gone.
constexpr std::chrono::milliseconds kFinishTimeout{2000};

std::string instances_text(std::uint32_t max_instances) {
  return max_instances == kUnlimitedInstances ? std::string("unlimited") : std::to_string(max_instances);
}

nlohmann::json options_to_json(const ServerOptions& o) {
  return nlohmann::json{{"access", to_string(o.access)},
                        {"type", to_string(o.type)},
                        {"read_mode", to_string(o.read_mode)},
                        {"wait_mode", to_string(o.wait_mode)},
                        {"max_instances", o.max_instances},
                        {"in_buffer_size", o.in_buffer_size},
                        {"out_buffer_size", o.out_buffer_size},
                        {"default_timeout_ms", o.default_timeout.count()},
                        {"first_instance", o.first_instance},
                        {"reject_remote", o.reject_remote},
                        {"security", to_string(o.security)},
                        {"security_descriptor", o.security_descriptor},
                        {"read_buffer_size", o.read_buffer_size},
                        {"responder", to_string(o.responder)}};
}

/// Counts what the server's instances receive, in the unit --max-messages
/// uses: whole messages in message read mode, lines in byte read mode (a
/// byte pipe keeps no boundaries, and lines are what its responder answers).
/// Remembers how many bytes had arrived when the limit was reached, so that
/// the server can wait until its responder has answered that many.
class MessageCounter {
 public:
  MessageCounter(ReadMode mode, std::uint64_t limit) : mode_(mode), limit_(limit) {}

  void received(std::span<const std::byte> payload, std::uint8_t flags) {
    if (mode_ == ReadMode::message) {
      bytes_ += payload.size();
      if ((flags & record_flags::more_data) == 0) {
        count_message(bytes_);
      }
      return;
    }
    for (std::size_t i = 0; i < payload.size(); ++i) {
      if (payload[i] == std::byte{'\n'}) {
        count_message(bytes_ + i + 1);
      }
    }
    bytes_ += payload.size();
  }

  [[nodiscard]] bool limit_reached() const noexcept { return limit_ != 0 && messages_ >= limit_; }
  /// Bytes received up to the end of the limit's last message.
  [[nodiscard]] std::uint64_t bytes_at_limit() const noexcept { return bytes_at_limit_; }

 private:
  void count_message(std::uint64_t bytes_so_far) {
    ++messages_;
    if (messages_ == limit_) {
      bytes_at_limit_ = bytes_so_far;
    }
  }

  ReadMode mode_;
  std::uint64_t limit_;
  std::uint64_t messages_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t bytes_at_limit_ = 0;
};

int serve_command(const ServeSettings& settings, Session& session) {
  const Console& console = session.console;
  const ServerOptions& options = settings.server;
  if (Result<void> valid = validate(options); !valid) {
    return fail(console, valid.error());
  }
  const Result<PipeName> name = PipeName::parse(options.name);
  if (!name) {
    return fail(console, name.error());
  }

  Engine engine(session.inbox.get());
  session.configure(engine);
  const Result<ServerId> started = engine.start_server(options);
  if (!started) {
    return fail(console, started.error());
  }
  const ServerId server = *started;

  // The line scripts wait for: from here on the name exists and clients may
  // connect.
  console.emit({{"event", "listening"},
                {"server", server},
                {"name", name->full()},
                {"backend", engine.backend_name()},
                {"options", options_to_json(options)}});
  console.say(fmt::format("listening on {}: {} pipe, {}, read mode {}, instances {}, responder {}. Ctrl-C stops.",
                          name->full(), to_string(options.type), to_string(options.access),
                          to_string(options.read_mode), instances_text(options.max_instances),
                          to_string(options.responder)));

  const auto is_our_instance = [&engine, server](EndpointId id) {
    const auto info = engine.endpoint(id);
    return info && info->kind == EndpointKind::instance && info->server == server;
  };

  MessageCounter counter(options.read_mode, settings.max_messages);
  std::uint64_t responder_bytes = 0;
  std::set<EndpointId> ever_connected;
  std::set<EndpointId> impersonated;
  bool finishing = false;
  auto finish_deadline = std::chrono::steady_clock::now();
  int exit_code = to_int(ExitCode::ok);

  const auto announce_stop = [&console](std::string_view why) {
    console.emit({{"event", "stopping"}, {"reason", why}});
    console.note(fmt::format("stopping: {}", why));
  };
  const auto start_finishing = [&](std::string_view why) {
    if (!finishing) {
      finishing = true;
      finish_deadline = std::chrono::steady_clock::now() + kFinishTimeout;
      announce_stop(why);
    }
  };
  const auto responder_is_done = [&] {
    if (options.responder == Responder::none || !counter.limit_reached()) {
      return true;
    }
    return responder_bytes >= counter.bytes_at_limit();
  };

  for (;;) {
    if (finishing && responder_is_done()) {
      break;
    }
    std::chrono::milliseconds timeout = kNoTimeout;
    if (finishing) {
      timeout = std::max(std::chrono::milliseconds{0}, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                           finish_deadline - std::chrono::steady_clock::now()));
    }
    std::optional<InboxItem> item = session.inbox->pop(timeout);
    if (!item) {
      console.note("the responder had not answered everything in time; stopping anyway");
      break;
    }
    if (const auto* stop = std::get_if<StopRequest>(&*item)) {
      announce_stop(stop->what);
      break;
    }
    const auto* event = std::get_if<Event>(&*item);
    if (event == nullptr) {
      continue;  // serve does not read standard input
    }
    console.event(*event, engine);

    if (const auto* data = std::get_if<Data>(event); data && is_our_instance(data->endpoint)) {
      if (data->direction == Direction::in) {
        // Windows lets a server impersonate its client only once it has read
        // from the pipe, so the first message is the moment on every system.
        if (!settings.impersonate_probe.empty() && impersonated.insert(data->endpoint).second) {
          if (Result<void> asked = engine.impersonate(data->endpoint, {settings.impersonate_probe}); !asked) {
            console.error(asked.error());
          }
        }
        counter.received(engine.log().payload(data->row), data->flags);
        if (counter.limit_reached()) {
          start_finishing(fmt::format("{} message(s) received (--max-messages)", settings.max_messages));
        }
      } else if ((data->flags & record_flags::responder) != 0) {
        responder_bytes += data->size;
      }
    } else if (const auto* state = std::get_if<StateChanged>(event); state && is_our_instance(state->endpoint)) {
      if (state->state == EndpointState::connected) {
        ever_connected.insert(state->endpoint);
      } else if (is_ended(state->state) && ever_connected.contains(state->endpoint) && settings.once) {
        start_finishing("the first client disconnected (--once)");
      }
    } else if (const auto* stopped = std::get_if<ServerStopped>(event); stopped && stopped->server == server) {
      // Only stop_server below should end the server; if the engine ended
      // it on its own, the error events before this one said why.
      console.note("the engine closed the server");
      return to_int(ExitCode::engine_error);
    }
  }

  if (Result<void> stop = engine.stop_server(server); !stop) {
    exit_code = fail(console, stop.error());
  }
  // Show the instances closing and the server's end, which the engine
  // reports asynchronously.
  (void)wait_for_event(session, engine, kFinishTimeout, [server](const Event& event) {
    const auto* stopped = std::get_if<ServerStopped>(&event);
    return stopped != nullptr && stopped->server == server;
  });
  return exit_code;
}

/// What serve's options hold before mapping onto its settings.
/// The defaults are the catalogue's; --read-mode has none of its own,
/// because it follows --type.
struct ServeWords {
  ServeSettings settings;
  std::string access = option_info(OptionKey::server_access).default_text;
  std::string type = option_info(OptionKey::pipe_type).default_text;
  std::string read_mode;
  std::string security = option_info(OptionKey::security).default_text;
  std::string descriptor;
  std::int64_t timeout_ms = static_cast<std::int64_t>(option_info(OptionKey::default_timeout).default_value);
  bool nowait = false;
  bool allow_remote = false;
  bool echo = false;
  bool reverse = false;
  CLI::Option* security_option = nullptr;
  CLI::Option* descriptor_option = nullptr;
};

void map_serve_words(ServeWords& w) {
  ServerOptions& options = w.settings.server;
  options.access = chosen<PipeAccess>(w.access);
  options.type = chosen<PipeType>(w.type);
  if (w.read_mode.empty()) {
    options.read_mode = options.type == PipeType::message ? ReadMode::message : ReadMode::byte;
  } else {
    options.read_mode = chosen<ReadMode>(w.read_mode);
  }
  options.wait_mode = w.nowait ? WaitMode::nonblocking : WaitMode::blocking;
  options.default_timeout = std::chrono::milliseconds(w.timeout_ms);
  options.reject_remote = !w.allow_remote;
  options.security = chosen<SecurityPreset>(w.security);
  if (w.descriptor_option->count() > 0) {
    if (w.security_option->count() > 0 && options.security != SecurityPreset::custom) {
      throw CLI::ValidationError("--descriptor", "a descriptor is only used with --security custom");
    }
    options.security = SecurityPreset::custom;
    options.security_descriptor = w.descriptor;
  } else if (options.security == SecurityPreset::custom) {
    throw CLI::ValidationError("--security custom", "needs the descriptor itself: add --descriptor TEXT");
  }
  options.responder = w.echo ? Responder::echo : w.reverse ? Responder::reverse : Responder::none;
}

CommandRunner declare_serve(CLI::App& serve) {
  auto w = std::make_shared<ServeWords>();
  ServerOptions& server = w->settings.server;
  serve.add_option("NAME", server.name,
                   "The pipe to create: a bare name (demo), the full Windows form (\\\\.\\pipe\\demo) or, on "
                   "POSIX, an absolute socket path.")
      ->required();
  add_catalogue_choice<PipeAccess>(&serve, OptionKey::server_access, w->access);
  add_catalogue_choice<PipeType>(&serve, OptionKey::pipe_type, w->type);
  add_catalogue_choice<ReadMode>(&serve, OptionKey::server_read_mode, w->read_mode, "Default: the same as --type.");
  add_catalogue_flag(&serve, OptionKey::wait_mode, w->nowait);
  const OptionInfo& instances = option_info(OptionKey::max_instances);
  serve.add_option(std::string(instances.flag), server.max_instances,
                   catalogue_help(instances, "'unlimited' is 255."))
      ->transform(CLI::Transformer({{"unlimited", std::to_string(kUnlimitedInstances)}}, CLI::ignore_case))
      ->check(CLI::Range(static_cast<std::uint32_t>(instances.range->min),
                         static_cast<std::uint32_t>(instances.range->max)))
      ->option_text(catalogue_value_text(instances, "N|unlimited"));
  add_catalogue_number(&serve, OptionKey::in_buffer_size, server.in_buffer_size);
  add_catalogue_number(&serve, OptionKey::out_buffer_size, server.out_buffer_size);
  add_catalogue_number(&serve, OptionKey::default_timeout, w->timeout_ms);
  add_catalogue_flag(&serve, OptionKey::first_instance, server.first_instance);
  add_catalogue_flag(&serve, OptionKey::remote_clients, w->allow_remote);
  w->security_option = add_catalogue_choice<SecurityPreset>(&serve, OptionKey::security, w->security,
                                                            "With custom, give the descriptor with --descriptor.");
  w->descriptor_option = add_catalogue_text(&serve, OptionKey::security_descriptor, w->descriptor,
                                            "Giving one implies --security custom.");
  add_catalogue_number(&serve, OptionKey::server_read_buffer, server.read_buffer_size);
  CLI::Option* echo =
      serve.add_flag("--echo", w->echo, "Answer everything received with the same bytes, as the engine reads them.");
  CLI::Option* reverse =
      // Microsoft's Win32 server samples ("Multithreaded Pipe Server",
      // learn.microsoft.com/windows/win32/ipc/multithreaded-pipe-server, and
      // the overlapped and completion-routine servers) answer every request
      // with the fixed text "default answer from server"; the reversing server
      // is the C# example of the project's pipe concepts notes.
      serve.add_flag("--reverse", w->reverse,
                     "Answer every message (in byte read mode: every line) with its bytes reversed, as the C# "
                     "server of PipeScope's pipe concepts notes does (NamedPipeServerStream, reading and writing "
                     "lines). Microsoft's own Win32 server samples answer every request with the fixed text "
                     "\"default answer from server\".");
  echo->excludes(reverse);
  serve.add_option("--max-messages", w->settings.max_messages,
                   "Stop and exit 0 once N messages have been received (whole messages in message read mode, "
                   "lines in byte read mode) and the responder has answered them.")
      ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()))
      ->option_text("N");
  serve.add_flag("--once", w->settings.once, "Stop and exit 0 when the first client disconnects.");
  // ImpersonateNamedPipeClient (learn.microsoft.com/windows/win32/api/namedpipeapi/
  // nf-namedpipeapi-impersonatenamedpipeclient): the context of the last
  // message read; a failure must be checked, or the server acts as itself.
  serve.add_option("--impersonate", w->settings.impersonate_probe,
                   "Impersonate every client once, after its first message has been read "
                   "(ImpersonateNamedPipeClient takes the security context of the last message read, so it needs "
                   "a read first), open FILE for reading as that client, revert and print who the client was and "
                   "whether the file opened. A failed impersonation is reported and nothing is opened: a server "
                   "that went on would act as itself. On POSIX the identity comes from the socket's peer "
                   "credentials, and only a process that may change ids really switches.")
      ->option_text("FILE");
  serve.callback([w] { map_serve_words(*w); });
  return [w](Session& session) { return serve_command(w->settings, session); };
}

const CommandRegistrar kServe{{.name = "serve",
                               .description = "Create a named pipe server (CreateNamedPipe) and print everything "
                                              "that happens on it until Ctrl-C or SIGTERM, --max-messages or --once.",
                               .help_rank = 10,
                               .declare = &declare_serve}};

}  // namespace
}  // namespace pipescope::cli
