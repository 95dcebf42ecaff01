#include "console.hpp"

#include <cstdio>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "json_events.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/log.hpp"

namespace pipescope::cli {
namespace {

void write_line(std::FILE* stream, std::string_view line) {
  fmt::print(stream, "{}\n", line);
  std::fflush(stream);
}

std::string peer_text(const PeerInfo& peer) {
  std::string text;
  if (peer.pid >= 0) {
    text += fmt::format("pid {}", peer.pid);
  }
  if (peer.uid >= 0) {
    text += fmt::format("{}uid {}", text.empty() ? "" : ", ", peer.uid);
  }
  if (peer.session >= 0) {
    text += fmt::format("{}session {}", text.empty() ? "" : ", ", peer.session);
  }
  return text;
}

std::string reason_text(std::error_code reason) {
  if (reason.category() == pipe_category()) {
    const auto errc = static_cast<Errc>(reason.value());
    return fmt::format("{} ({}): {}", error_symbol(errc), reason.value(), error_message(errc));
  }
  return fmt::format("{} {}: {}", reason.category().name(), reason.value(), reason.message());
}

std::string impersonation_text(const ImpersonationResult& r) {
  if (!r.impersonated) {
    return fmt::format("impersonation failed: {}",
                       r.error ? escape_for_display(r.error->summary()) : std::string("no reason given"));
  }
  std::string text = fmt::format("impersonated {}", escape_for_display(r.user.empty() ? r.sid : r.user));
  if (!r.level.empty()) {
    text += fmt::format(", level {}", r.level);
  }
  if (!r.integrity_level.empty()) {
    text += fmt::format(", integrity {}", r.integrity_level);
  }
  if (!r.probe_path.empty()) {
    text += fmt::format(", opening {} was {}", escape_for_display(r.probe_path),
                        r.probe_granted.value_or(false) ? "allowed" : "refused");
  }
  text += r.reverted ? ", reverted" : ", NOT REVERTED";
  if (!r.notes.empty()) {
    text += fmt::format(" ({})", escape_for_display(r.notes));
  }
  return text;
}

}  // namespace

void Console::say(std::string_view line) const {
  if (!json_) {
    write_line(stdout, line);
  }
}

void Console::emit(const nlohmann::json& object) const {
  if (json_) {
    write_line(stdout, to_json_line(object));
  }
}

void Console::write_raw(std::span<const std::byte> bytes, bool to_stderr) const {
  std::FILE* stream = to_stderr ? stderr : stdout;
  std::fwrite(bytes.data(), 1, bytes.size(), stream);
  std::fflush(stream);
}

void Console::error(const Error& error) const { this->error(error, error.explanation()); }

void Console::error(const Error& error, std::string_view explanation) const {
  if (json_) {
    nlohmann::json object = error_to_json(error);
    object["explanation"] = explanation;
    write_line(stderr, to_json_line(object));
    return;
  }
  write_line(stderr, fmt::format("error: {}", escape_for_display(error.summary())));
  if (!explanation.empty()) {
    write_line(stderr, fmt::format("  {}", explanation));
  }
}

void Console::input_error(const Error& error, const InputCaret& caret) const {
  if (json_) {
    nlohmann::json object = error_to_json(error);
    object["position"] = caret.position;
    object["line"] = caret.line;
    object["column"] = caret.column;
    object["excerpt"] = caret.excerpt;
    write_line(stderr, to_json_line(object));
    return;
  }
  write_line(stderr, fmt::format("error: {}", escape_for_display(error.summary())));
  write_line(stderr, fmt::format("  {}", caret.excerpt));
  write_line(stderr, fmt::format("  {:>{}}", "^", caret.caret_column + 1));
  if (!error.explanation().empty()) {
    write_line(stderr, fmt::format("  {}", error.explanation()));
  }
}

void Console::note(std::string_view line) const {
  if (!json_) {
    write_line(stderr, line);
  }
}

void Console::event(const Event& event, Engine& engine, const TextFilter& filter) const {
  if (const auto* failure = std::get_if<ErrorEvent>(&event)) {
    if (json_) {
      write_line(stderr, to_json_line(event_to_json(event, engine)));
    } else {
      error(failure->error);
    }
    return;
  }
  if (json_) {
    write_line(stdout, to_json_line(event_to_json(event, engine)));
    return;
  }
  if (const auto* data = std::get_if<Data>(&event)) {
    const bool shown = data->direction == Direction::in ? filter.incoming_data : filter.outgoing_data;
    if (!shown) {
      return;
    }
  }
  // Who the peer is belongs with the state change that connected it.
  const bool about_state = std::holds_alternative<StateChanged>(event) || std::holds_alternative<PeerIdentified>(event);
  if (about_state && !filter.state_changes) {
    return;
  }
  write_line(stdout, event_text(event, engine));
}

std::string endpoint_label(Engine& engine, EndpointId id) {
  if (const auto info = engine.endpoint(id); info && !info->label.empty()) {
    return escape_for_display(info->label);
  }
  return fmt::format("endpoint {}", id);
}

std::string event_text(const Event& event, Engine& engine) {
  return std::visit(
      [&engine](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ServerStarted>) {
          return fmt::format("server {} started: {} (the OS calls it {})", e.server, escape_for_display(e.name),
                             escape_for_display(e.os_path));
        } else if constexpr (std::is_same_v<T, ServerStopped>) {
          return fmt::format("server {} stopped", e.server);
        } else if constexpr (std::is_same_v<T, StateChanged>) {
          std::string text = fmt::format("{}: {}", endpoint_label(engine, e.endpoint), to_string(e.state));
          if (e.state == EndpointState::connected) {
            if (const std::string peer = peer_text(e.peer); !peer.empty()) {
              text += fmt::format(" (peer {})", peer);
            }
          }
          if (e.reason) {
            text += fmt::format(" - {}", reason_text(e.reason));
          }
          return text;
        } else if constexpr (std::is_same_v<T, PeerIdentified>) {
          return fmt::format("{}: the peer runs as {}", endpoint_label(engine, e.endpoint), escape_for_display(e.user));
        } else if constexpr (std::is_same_v<T, Data>) {
          const auto payload = engine.log().payload(e.row);
          std::string text = fmt::format("{} {} \"{}\" ({} byte{}", endpoint_label(engine, e.endpoint),
                                         e.direction == Direction::in ? "<-" : "->", format_escaped(payload),
                                         e.size, e.size == 1 ? "" : "s");
          if (e.flags != 0) {
            text += fmt::format(", {}", flags_to_string(e.flags));
          }
          return text + ")";
        } else if constexpr (std::is_same_v<T, ErrorEvent>) {
          return fmt::format("{}: {}", endpoint_label(engine, e.endpoint), escape_for_display(e.error.summary()));
        } else if constexpr (std::is_same_v<T, Impersonated>) {
          return fmt::format("{}: {}", endpoint_label(engine, e.endpoint), impersonation_text(e.result));
        } else if constexpr (std::is_same_v<T, ChildStarted>) {
          return fmt::format("child {} started: {}", e.pid, escape_for_display(e.command_line));
        } else if constexpr (std::is_same_v<T, ChildExited>) {
          if (e.signal != 0) {
            return fmt::format("child {} ended by signal {}", e.pid, e.signal);
          }
          return fmt::format("child {} exited with code {}", e.pid, e.exit_code);
        }
      },
      event);
}

}  // namespace pipescope::cli
