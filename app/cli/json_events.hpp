// Engine events and console results as JSON objects, one per output line.
// Every object has an "event" member naming what it is; docs/cli.md lists
// them all.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>

#include <nlohmann/json.hpp>

#include "pipescope/engine.hpp"
#include "pipescope/error.hpp"
#include "pipescope/event.hpp"
#include "pipescope/listing.hpp"

namespace pipescope::cli {

/// {"event":"error","code":231,"symbol":"ERROR_PIPE_BUSY",...}: every field of
/// the Error plus its one-line summary and teaching explanation.
[[nodiscard]] nlohmann::json error_to_json(const Error& error);

/// "hex" (no separators) and "text" (C escapes, lossless) of some bytes.
void add_payload(nlohmann::json& object, std::span<const std::byte> payload);

/// The JSON object for an engine event. Data events carry their payload,
/// read from the engine's message log; every endpoint is also named by its
/// label.
[[nodiscard]] nlohmann::json event_to_json(const Event& event, Engine& engine);

/// {"event":"pipe",...}: one row of the pipe listing.
[[nodiscard]] nlohmann::json pipe_to_json(const PipeInfo& pipe);

/// A std::error_code as {"code":109,"symbol":"ERROR_BROKEN_PIPE","message":"..."}.
[[nodiscard]] nlohmann::json error_code_to_json(std::error_code code);

/// One line of output. Bytes that are not valid UTF-8 (in a pipe name, say)
/// are replaced rather than aborting the output.
[[nodiscard]] std::string to_json_line(const nlohmann::json& object);

}  // namespace pipescope::cli
