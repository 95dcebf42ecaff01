// serve NAME: a named pipe server that prints everything that happens on it.
#include <algorithm>
#include <chrono>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "json_events.hpp"
#include "pipescope/name.hpp"

namespace pipescope::cli {
namespace {

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

}  // namespace

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

}  // namespace pipescope::cli
