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

/// The most bytes one message of the console tool may hold: 4 MiB. One
/// message of a message pipe is one send, and on POSIX it must fit in the
/// socket's send buffer, which the engine raises to 8 MiB; the kernel needs
/// room beside the payload, and sends from about 5 MiB up were seen to fail
/// with ENOBUFS. Half the buffer leaves that room, and keeps what the tool
/// holds in memory for one send small. A byte pipe would take more, but the
/// same limit for every pipe keeps a script's input valid whatever the pipe.
inline constexpr std::size_t kMaxMessageBytes = 4 * 1024 * 1024;

/// The most characters read to spell one message in `format`: the message
/// limit for text, whose bytes are sent as they are; eight times as many for
/// hex and escapes, which spell a byte in up to six characters ("0x41, ").
/// No more is ever read, so a file that never ends (/dev/zero, a FIFO) is
/// refused once this many characters came.
[[nodiscard]] std::size_t max_input_chars(InputFormat format) noexcept;

/// "4 MiB (4194304 bytes)": a limit as the messages state it.
[[nodiscard]] std::string limit_text(std::size_t limit);

/// A problem when `bytes` are more than one message may carry.
[[nodiscard]] std::optional<InputProblem> check_message_size(const Bytes& bytes, std::string_view source);

/// The bytes `input` stands for in `format`, or the first problem.
/// `source` names the input in messages ("DATA", "stdin line 3", a file).
[[nodiscard]] std::variant<Bytes, InputProblem> parse_for_sending(std::string_view input, InputFormat format,
                                                                  std::string_view source);

/// The whole file as it is, or why it cannot be read. At most `max_chars`
/// + 1 characters are read, whatever kind of file it is (its size is never
/// trusted: a FIFO, a device or a /proc file has none); a longer file is
/// refused.
[[nodiscard]] std::variant<std::string, InputProblem> read_input_file(const std::string& path, std::size_t max_chars);

/// Line, column and an excerpt with a caret position for a byte offset.
[[nodiscard]] InputCaret caret_at(std::string_view input, std::size_t position);

/// Prints the problem (with the caret, when there is one).
void report(const Console& console, const InputProblem& problem);

}  // namespace pipescope::cli
