#include "commands.hpp"

#include <cstdlib>
#include <variant>

#include <fmt/format.h>

#include "exit_codes.hpp"

namespace pipescope::cli {

Session::Session(bool json) : console(json), inbox(std::make_shared<Inbox>()) { post_stop_requests_to(inbox); }

void Session::configure(Engine& engine) const {
  if (log_memory_limit != 0) engine.log().set_memory_limit(log_memory_limit);
}

int run_command(const CliSettings& settings) {
  Session session(settings.json);
  session.log_memory_limit = settings.log_memory_limit;
  switch (settings.command) {
    case Command::serve:
      return serve_command(settings.serve, session);
    case Command::connect:
      return connect_command(settings.connect, session);
    case Command::send:
      return send_command(settings.send, session);
    case Command::run:
      return run_child_command(settings.run, session);
    case Command::list:
      return list_command(session);
    case Command::demo:
      return demo_command(settings.demo, session);
    case Command::bench:
      return bench_command(settings.bench, session);
    case Command::transact:
      return transact_command(settings.transact, session);
    case Command::call:
      return call_command(settings.call, session);
    case Command::inspect:
      return inspect_command(settings.inspect, session);
    case Command::log:
      return log_command(settings.log, session);
    case Command::none:
      break;
  }
  // CLI11 requires exactly one subcommand, so this is not reached.
  return to_int(ExitCode::bad_arguments);
}

StopEndsProcess::StopEndsProcess(Session& session, Errc errc, std::string operation, std::string detail)
    : session_(session) {
  const Console* console = &session.console;
  session.inbox->set_stop_action([console, errc, operation = std::move(operation),
                                  detail = std::move(detail)](std::string_view what) {
    const Error error = make_error(errc, operation, fmt::format("interrupted by {} {}", what, detail));
    console->error(error);
    // The main thread is inside a call that does not return soon; its
    // objects hold nothing that must be written or removed (see the class).
    std::_Exit(to_int(exit_code_for(error)));
  });
}

StopEndsProcess::~StopEndsProcess() { session_.inbox->set_stop_action({}); }

int fail(const Console& console, const Error& error) {
  console.error(error);
  return to_int(exit_code_for(error));
}

Result<EndpointId> connect_and_announce(Engine& engine, const ClientOptions& options, const std::string& pipe_name,
                                        const Console& console) {
  Result<EndpointId> connected = engine.connect(options);
  if (!connected) {
    return connected;
  }
  const EndpointId id = *connected;
  console.emit({{"event", "connected"}, {"endpoint", id}, {"label", endpoint_label(engine, id)}, {"name", pipe_name}});
  return connected;
}

bool is_peer_gone(const Error& error) noexcept { return exit_code_for(error) == ExitCode::peer_disconnected; }

bool is_ended(EndpointState state) noexcept {
  return state == EndpointState::disconnected || state == EndpointState::closing || state == EndpointState::closed;
}

bool wait_for_event(Session& session, Engine& engine, std::chrono::milliseconds timeout,
                    const std::function<bool(const Event&)>& done, const TextFilter& filter, bool* stopped) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) {
      // A wait of zero shows what is already queued, however long printing
      // each event takes (a slow terminal, a sanitizer), for at most a
      // second, so that a peer that floods cannot keep it going: a wait
      // with a time of its own ends at its deadline.
      if (timeout.count() != 0 || left < -std::chrono::milliseconds{1000}) {
        return false;
      }
      left = std::chrono::milliseconds{0};
    }
    std::optional<InboxItem> item = session.inbox->pop(left);
    if (!item) {
      return false;
    }
    if (std::holds_alternative<StopRequest>(*item)) {
      if (stopped != nullptr) {
        *stopped = true;
      }
      return false;
    }
    if (const auto* event = std::get_if<Event>(&*item)) {
      session.console.event(*event, engine, filter);
      if (done(*event)) {
        return true;
      }
    }
  }
}

}  // namespace pipescope::cli
