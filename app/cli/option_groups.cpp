#include "option_groups.hpp"

#include <limits>

namespace pipescope::cli {

std::string choices_text(const std::vector<std::string>& names, const std::string& default_word) {
  std::string shown;
  for (const std::string& name : names) {
    shown += (shown.empty() ? "" : "|") + name;
  }
  if (!default_word.empty()) {
    shown += " [" + default_word + "]";
  }
  return shown;
}

std::string catalogue_value_text(const OptionInfo& info, std::string_view placeholder) {
  std::string shown(placeholder);
  if (shown.empty()) shown = info.unit == "bytes" ? "BYTES" : info.unit == "ms" ? "MS" : "N";
  return shown + " [" + info.default_text + "]";
}

std::string catalogue_help(const OptionInfo& info, std::string_view note) {
  std::string help(info.help);
  if (!note.empty()) help += " " + std::string(note);
  return help;
}

CLI::Option* add_catalogue_text(CLI::App* app, OptionKey key, std::string& value, std::string_view note) {
  const OptionInfo& info = option_info(key);
  return app->add_option(std::string(info.flag), value, catalogue_help(info, note));
}

CLI::Option* add_catalogue_flag(CLI::App* app, OptionKey key, bool& value, std::string_view note) {
  const OptionInfo& info = option_info(key);
  return app->add_flag(std::string(info.flag), value, catalogue_help(info, note));
}

void add_client_options(CLI::App* app, ClientWords& words, ClientOptions& client, ClientUse use) {
  app->add_option("NAME", client.name,
                  "The pipe to open: a bare name (demo), the full Windows form (\\\\.\\pipe\\demo, or //./pipe/demo "
                  "in a shell) or, on POSIX, an absolute socket path (/run/x.sock).")
      ->required();
  // A transact and a call write the request and read the reply, so the
  // engine takes only read and write access for them (Engine::call,
  // PipeEnd::transact): an option with one possible value is not offered.
  if (use == ClientUse::open) add_catalogue_choice<ClientAccess>(app, OptionKey::client_access, words.access);
  add_catalogue_choice<ReadMode>(app, OptionKey::client_read_mode, words.read_mode);
  const OptionInfo& busy = option_info(OptionKey::busy_timeout);
  app->add_option(std::string(busy.flag), words.busy_timeout_ms,
                  catalogue_help(busy, "Give 'forever' to wait without a limit."))
      ->transform(CLI::Transformer({{"forever", std::to_string(kForeverWord)}}, CLI::ignore_case))
      ->check(CLI::Range(kForeverWord, static_cast<std::int64_t>(busy.range->max)))
      ->option_text(catalogue_value_text(busy, "MS|forever"));
  const bool call = use == ClientUse::call;
  add_catalogue_choice<ImpersonationLevel>(app, call ? OptionKey::call_impersonation : OptionKey::impersonation,
                                           words.impersonation);
  add_catalogue_number(app, call ? OptionKey::call_read_buffer : OptionKey::client_read_buffer,
                       client.read_buffer_size);
}

void apply_client_words(const ClientWords& words, ClientOptions& client) {
  client.access = chosen<ClientAccess>(words.access);
  client.read_mode = chosen<ReadMode>(words.read_mode);
  client.busy_timeout =
      words.busy_timeout_ms == kForeverWord ? kWaitForever : std::chrono::milliseconds(words.busy_timeout_ms);
  client.impersonation = chosen<ImpersonationLevel>(words.impersonation);
}

void add_message_input(CLI::App* app, MessageInputWords& words, std::string& format, const MessageInputHelp& help) {
  words.data_option = app->add_option("DATA", words.data, help.data);
  words.file_option = app->add_option("--file", words.file, help.file)->option_text("PATH");
  words.file_option->excludes(words.data_option);
  add_choice<InputFormat>(app, "--format", format,
                          "How DATA is read: text = as typed, with a line break (\\n) added unless --no-newline; "
                          "hex = bytes in hex (48 65 6c, 0x48,0x65); escaped = C escapes (\\r\\n, \\x41, \\0). "
                          "Nothing is sent if it does not parse.");
  app->add_flag("--no-newline", words.no_newline, help.no_newline);
}

void apply_message_input(const MessageInputWords& words, const std::string& format, SendSettings& settings) {
  settings.format = chosen<InputFormat>(format);
  if (words.data_option->count() > 0) {
    settings.data = words.data;
  } else if (words.file_option->count() > 0) {
    settings.file = words.file;
  } else {
    throw CLI::RequiredError("DATA or --file PATH");
  }
  // A file's bytes are sent as they are; only typed text gets a line break.
  settings.add_newline = settings.format == InputFormat::text && !settings.file && !words.no_newline;
}

CLI::Option* add_timeout_ms(CLI::App* app, const std::string& flags, std::int64_t& milliseconds,
                            const std::string& description) {
  return app->add_option(flags, milliseconds, description)
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()))
      ->option_text(value_text("MS", milliseconds));
}

}  // namespace pipescope::cli
