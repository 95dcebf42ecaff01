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

void add_client_options(CLI::App* app, ClientWords& words, ClientOptions& client) {
  app->add_option("NAME", client.name,
                  "The pipe to open: a bare name (demo), the full Windows form (\\\\.\\pipe\\demo, or //./pipe/demo "
                  "in a shell) or, on POSIX, an absolute socket path (/run/x.sock).")
      ->required();
  add_choice<ClientAccess>(
      app, "--access", words.access,
      "What this client opens the pipe for (GENERIC_READ / GENERIC_WRITE in CreateFile): read, write or "
      "duplex (both). It must fit the server's --access: a client asking to write to an outbound pipe is "
      "refused with ERROR_ACCESS_DENIED.");
  add_choice<ReadMode>(app, "--read-mode", words.read_mode,
                       "How this client reads (SetNamedPipeHandleState with PIPE_READMODE_*): byte = whatever has "
                       "arrived; message = one whole message per read, which only a message pipe allows (a byte "
                       "pipe refuses it with ERROR_INVALID_PARAMETER).");
  app->add_option("--busy-timeout", words.busy_timeout_ms,
                  "How long to wait in milliseconds while every instance of the pipe is busy (WaitNamedPipe), "
                  "before giving up with ERROR_PIPE_BUSY: 0 = do not wait, 'forever' = no limit.")
      ->transform(CLI::Transformer({{"forever", std::to_string(kForeverWord)}}, CLI::ignore_case))
      ->check(CLI::Range(kForeverWord, std::numeric_limits<std::int64_t>::max()))
      ->option_text(value_text("MS|forever", words.busy_timeout_ms));
  add_choice<ImpersonationLevel>(
      app, "--impersonation", words.impersonation,
      "How much of your identity the server may use (the SECURITY_SQOS flags of CreateFile): anonymous = "
      "nothing; identification = it may see who you are but not act as you (the safe default); "
      "impersonation = it may act as you on its machine; delegation = also towards other machines.");
  app->add_option("--read-buffer", client.read_buffer_size,
                  "Bytes asked for per read (the ReadFile buffer). A message larger than this arrives in several "
                  "parts, all but the last flagged more-data (ERROR_MORE_DATA is not a failure).")
      ->check(CLI::Range(1U, std::numeric_limits<std::uint32_t>::max()))
      ->option_text(value_text("BYTES", client.read_buffer_size));
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
