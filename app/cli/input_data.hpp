// Data a person gives the console tool to send: typed on the command line,
// read from standard input or from a file, as text, hex or C escapes.
// Nothing is sent unless all of it parses; a problem is reported with the
// place it was found.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "console.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/error.hpp"

namespace pipescope::cli {

/// Why some input cannot be sent, and where (if it was a parse error).
struct InputProblem {
  Error error;                    ///< PIPESCOPE_BAD_INPUT
  std::optional<InputCaret> caret;
};

/// The bytes `input` stands for in `format`, or the first problem.
/// `source` names the input in messages ("DATA", "stdin line 3", a file).
[[nodiscard]] std::variant<Bytes, InputProblem> parse_for_sending(std::string_view input, InputFormat format,
                                                                  std::string_view source);

/// The whole file as it is, or why it cannot be read.
[[nodiscard]] std::variant<std::string, InputProblem> read_input_file(const std::string& path);

/// Line, column and an excerpt with a caret position for a byte offset.
[[nodiscard]] InputCaret caret_at(std::string_view input, std::size_t position);

/// Prints the problem (with the caret, when there is one).
void report(const Console& console, const InputProblem& problem);

}  // namespace pipescope::cli
