#include "json_events.hpp"

#include <type_traits>
#include <variant>

#include "pipescope/codec.hpp"
#include "pipescope/log.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope::cli {
namespace {

using nlohmann::json;

std::string_view os_domain_name(OsDomain domain) noexcept {
  switch (domain) {
    case OsDomain::posix_errno:
      return "errno";
    case OsDomain::win32:
      return "win32";
    case OsDomain::none:
      break;
  }
  return "none";
}

json flags_to_json(std::uint8_t flags) {
  // The flag words are the vocabulary's, so the console, the GUI and saved
  // logs all use the same words.
  json names = json::array();
  for (const auto& [bit, word] : kRecordFlagWords) {
    if ((flags & bit) != 0) names.push_back(word);
  }
  return names;
}

json peer_to_json(const PeerInfo& peer) {
  return json{{"pid", peer.pid}, {"uid", peer.uid}, {"gid", peer.gid}, {"session", peer.session}};
}

void add_endpoint(json& object, EndpointId id, Engine& engine) {
  object["endpoint"] = id;
  if (const auto info = engine.endpoint(id)) {
    object["label"] = info->label;
  }
}

json impersonation_to_json(const ImpersonationResult& result) {
  json object{{"impersonated", result.impersonated},
              {"user", result.user},
              {"sid", result.sid},
              {"groups", result.groups},
              {"integrity_level", result.integrity_level},
              {"level", result.level},
              {"reverted", result.reverted},
              {"notes", result.notes}};
  if (result.error) {
    object["error"] = error_to_json(*result.error);
  }
  if (!result.probe_path.empty()) {
    object["probe_path"] = result.probe_path;
  }
  if (result.probe_granted) {
    object["probe_granted"] = *result.probe_granted;
  }
  if (result.probe_error) {
    object["probe_error"] = error_to_json(*result.probe_error);
  }
  return object;
}

}  // namespace

json error_to_json(const Error& error) {
  return json{{"event", "error"},
              {"code", error.code.value()},
              {"symbol", error_symbol(error.errc())},
              {"message", error_message(error.errc())},
              {"os_domain", os_domain_name(error.os_domain)},
              {"os_code", error.os_code},
              {"operation", error.operation},
              {"detail", error.detail},
              {"summary", error.summary()},
              {"explanation", error.explanation()}};
}

void add_payload(json& object, std::span<const std::byte> payload) {
  object["hex"] = format_hex(payload, "");
  object["text"] = format_escaped(payload);
}

json error_code_to_json(std::error_code code) {
  json object{{"code", code.value()}, {"message", code.message()}};
  if (code.category() == pipe_category()) {
    object["symbol"] = error_symbol(static_cast<Errc>(code.value()));
  } else {
    object["category"] = code.category().name();
  }
  return object;
}

json event_to_json(const Event& event, Engine& engine) {
  return std::visit(
      [&engine](const auto& e) -> json {
        using T = std::decay_t<decltype(e)>;
        json object;
        if constexpr (std::is_same_v<T, ServerStarted>) {
          object = json{{"event", "server_started"}, {"server", e.server},   {"name", e.name},
                        {"os_path", e.os_path},     {"security_descriptor", e.security_descriptor}};
        } else if constexpr (std::is_same_v<T, ServerStopped>) {
          object = json{{"event", "server_stopped"}, {"server", e.server}};
        } else if constexpr (std::is_same_v<T, StateChanged>) {
          object = json{{"event", "state"}};
          add_endpoint(object, e.endpoint, engine);
          object["kind"] = to_string(e.kind);
          object["server"] = e.server;
          object["state"] = to_string(e.state);
          if (e.state == EndpointState::connected) {
            object["peer"] = peer_to_json(e.peer);
          }
          if (e.reason) {
            object["reason"] = error_code_to_json(e.reason);
          }
        } else if constexpr (std::is_same_v<T, PeerIdentified>) {
          object = json{{"event", "peer_identified"}};
          add_endpoint(object, e.endpoint, engine);
          object["user"] = e.user;
        } else if constexpr (std::is_same_v<T, Data>) {
          object = json{{"event", "data"}};
          add_endpoint(object, e.endpoint, engine);
          object["direction"] = to_string(e.direction);
          // A record the full log only counted has no row and no time.
          const bool in_log = e.row != MessageLog::kNoRow;
          const Record record = in_log ? engine.log().record(e.row) : Record{};
          object["row"] = in_log ? json(e.row) : json(nullptr);
          object["time_ns"] = in_log ? json(record.time_ns) : json(nullptr);
          object["size"] = e.size;
          object["flags"] = flags_to_json(e.flags);
          if (const auto info = engine.endpoint(e.endpoint); info && info->kind == EndpointKind::child) {
            // A child is one endpoint with three streams; say which one.
            const bool is_stderr = (e.flags & record_flags::stderr_stream) != 0;
            object["stream"] = is_stderr ? "stderr" : (e.direction == Direction::in ? "stdout" : "stdin");
          }
          add_payload(object, engine.log().payload(record));
        } else if constexpr (std::is_same_v<T, ErrorEvent>) {
          object = error_to_json(e.error);
          add_endpoint(object, e.endpoint, engine);
          object["server"] = e.server;
        } else if constexpr (std::is_same_v<T, Impersonated>) {
          object = json{{"event", "impersonated"}};
          add_endpoint(object, e.endpoint, engine);
          object["result"] = impersonation_to_json(e.result);
        } else if constexpr (std::is_same_v<T, ChildStarted>) {
          object = json{{"event", "child_started"}};
          add_endpoint(object, e.endpoint, engine);
          object["pid"] = e.pid;
          object["command_line"] = e.command_line;
        } else if constexpr (std::is_same_v<T, ChildExited>) {
          object = json{{"event", "child_exited"}};
          add_endpoint(object, e.endpoint, engine);
          object["pid"] = e.pid;
          object["exit_code"] = e.exit_code;
          object["signal"] = e.signal;
        }
        return object;
      },
      event);
}

json pipe_to_json(const PipeInfo& pipe) {
  return json{{"event", "pipe"},
              {"name", pipe.name},
              {"os_path", pipe.os_path},
              {"current_instances", pipe.current_instances},
              {"max_instances", pipe.max_instances},
              {"type", pipe.type},
              {"server_pids", pipe.server_pids}};
}

std::string to_json_line(const json& object) {
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pipescope::cli
