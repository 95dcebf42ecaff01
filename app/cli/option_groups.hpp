// The options several commands share, as functions each command calls when
// it declares its subcommand (command_registry.hpp): enum choices taken from
// the vocabulary, the engine's options with their text, range and default
// from the option catalogue (pipescope/option_catalogue.hpp), the client's
// options (connect, send, transact, call,
// inspect) and the input of a command that sends one message (send,
// transact, call). Parsing is CLI11's; these only declare and map.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "pipescope/codec.hpp"
#include "pipescope/option_catalogue.hpp"
#include "pipescope/options.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope::cli {

/// What send, transact and call were asked to write, and how to wait.
struct SendSettings {
  ClientOptions client;
  InputFormat format = InputFormat::text;
  std::optional<std::string> data;  ///< DATA, or
  std::optional<std::string> file;  ///< --file PATH
  bool add_newline = true;          ///< text format without --no-newline
  bool reply = false;
  std::chrono::milliseconds timeout{5000};
};

/// An enum option's choices: the words of the enum's vocabulary table
/// (pipescope/vocabulary.hpp), the same words JSON events and saved logs use.
template <class T>
std::vector<std::string> choice_names() {
  std::vector<std::string> names;
  for (const Term<T>& term : terms<T>()) {
    names.emplace_back(term.word);
  }
  return names;
}

/// The help page's text for a choice: "byte|message [byte]".
std::string choices_text(const std::vector<std::string>& names, const std::string& default_word);

/// Adds an option whose value must be one of T's words (any letter case);
/// CLI11 checks the word, and `chosen` later maps it to the enum.
template <class T>
CLI::Option* add_choice(CLI::App* app, const std::string& flags, std::string& word, const std::string& description) {
  const std::vector<std::string> names = choice_names<T>();
  return app->add_option(flags, word, description)
      ->check(CLI::IsMember(names, CLI::ignore_case))
      ->option_text(choices_text(names, word));
}

/// The enum value of a word that add_choice has already accepted.
template <class T>
T chosen(const std::string& word) {
  if (const std::optional<T> value = from_word<T>(word)) {
    return *value;
  }
  // IsMember has already refused every other word; reaching this is a
  // mistake in a declaration, reported like any bad argument.
  throw CLI::ValidationError(word, "is not one of the accepted words");
}

/// The help page shows "--timeout MS [50]" rather than CLI11's type and
/// validator notation.
template <class T>
std::string value_text(std::string_view what, const T& default_value) {
  return std::string(what) + " [" + std::to_string(default_value) + "]";
}

/// The help page's value of a catalogue option: "BYTES [4096]", "MS [50]".
/// `placeholder` replaces the one the option's unit gives (BYTES, MS, N).
std::string catalogue_value_text(const OptionInfo& info, std::string_view placeholder = {});

/// The teaching text of a catalogue option, followed by `note`, a sentence
/// about how the console tool takes the option (where it has one).
std::string catalogue_help(const OptionInfo& info, std::string_view note = {});

/// Adds a number option of the catalogue (option_catalogue.hpp): its flag,
/// its teaching text, the range check and the default on the help page.
template <class T>
CLI::Option* add_catalogue_number(CLI::App* app, OptionKey key, T& value, std::string_view note = {}) {
  const OptionInfo& info = option_info(key);
  return app->add_option(std::string(info.flag), value, catalogue_help(info, note))
      ->check(CLI::Range(static_cast<T>(info.range->min), static_cast<T>(info.range->max)))
      ->option_text(catalogue_value_text(info));
}

/// Adds an enum-valued option of the catalogue: its words are the
/// vocabulary's (add_choice), its text the catalogue's.
template <class T>
CLI::Option* add_catalogue_choice(CLI::App* app, OptionKey key, std::string& word, std::string_view note = {}) {
  const OptionInfo& info = option_info(key);
  return add_choice<T>(app, std::string(info.flag), word, catalogue_help(info, note));
}

/// Adds an on/off option of the catalogue.
CLI::Option* add_catalogue_flag(CLI::App* app, OptionKey key, bool& value, std::string_view note = {});

/// Adds a text option of the catalogue.
CLI::Option* add_catalogue_text(CLI::App* app, OptionKey key, std::string& value, std::string_view note = {});

/// Milliseconds that may also be "forever" (kept as -1 until mapped).
constexpr std::int64_t kForeverWord = -1;

/// What the options of a client hold before mapping; the defaults are the
/// catalogue's.
struct ClientWords {
  std::string access = option_info(OptionKey::client_access).default_text;
  std::string read_mode = option_info(OptionKey::client_read_mode).default_text;
  std::int64_t busy_timeout_ms = static_cast<std::int64_t>(option_info(OptionKey::busy_timeout).default_value);
  std::string impersonation = option_info(OptionKey::impersonation).default_text;
  std::string format = "text";
};

/// How a command uses the client it opens, which decides which client
/// options it offers and with which text.
enum class ClientUse : std::uint8_t {
  open,      ///< connect, send, inspect: every client option
  transact,  ///< TransactNamedPipe writes and reads: no --access, it is always both
  call,      ///< CallNamedPipe: no --access; its own texts for --impersonation and --read-buffer
};

/// NAME, --access (not for a transact or a call), --read-mode,
/// --busy-timeout, --impersonation and --read-buffer of a command that opens
/// a pipe as a client.
void add_client_options(CLI::App* app, ClientWords& words, ClientOptions& client, ClientUse use = ClientUse::open);

/// Maps what add_client_options parsed onto the client's options.
void apply_client_words(const ClientWords& words, ClientOptions& client);

/// The help texts of one command's message input, which say what the input
/// is for in that command.
struct MessageInputHelp {
  std::string data;
  std::string file;
  std::string no_newline;
};

/// What the message input (DATA or --file, --format, --no-newline) holds
/// before mapping.
struct MessageInputWords {
  std::string data;
  std::string file;
  bool no_newline = false;
  CLI::Option* data_option = nullptr;
  CLI::Option* file_option = nullptr;
};

/// DATA, --file, --format and --no-newline of send, transact and call;
/// `format` is the ClientWords' format word.
void add_message_input(CLI::App* app, MessageInputWords& words, std::string& format, const MessageInputHelp& help);

/// Maps the message input onto the settings; throws CLI11's RequiredError
/// if neither DATA nor --file was given.
void apply_message_input(const MessageInputWords& words, const std::string& format, SendSettings& settings);

/// Adds a "--timeout MS" option of milliseconds from 0 up.
CLI::Option* add_timeout_ms(CLI::App* app, const std::string& flags, std::int64_t& milliseconds,
                            const std::string& description);

}  // namespace pipescope::cli
