#include "options_cli.hpp"

#include <algorithm>
#include <iostream>
#include <limits>
#include <string_view>
#include <utility>

#include <CLI/CLI.hpp>

#include "console.hpp"
#include "exit_codes.hpp"
#include "pipescope/log.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope::cli {
namespace {

/// An enum option's choices: the words of the enum's vocabulary table
/// (pipescope/vocabulary.hpp), the same words JSON events and saved logs use.
template <class T>
struct Choices {};

constexpr Choices<PipeAccess> kPipeAccess{};
constexpr Choices<PipeType> kPipeType{};
constexpr Choices<ReadMode> kReadMode{};
constexpr Choices<SecurityPreset> kSecurity{};
constexpr Choices<ClientAccess> kClientAccess{};
constexpr Choices<ImpersonationLevel> kImpersonation{};
constexpr Choices<InputFormat> kInputFormat{};

template <class T>
std::vector<std::string> choice_names(Choices<T> /*choices*/) {
  std::vector<std::string> names;
  for (const Term<T>& term : terms<T>()) {
    names.emplace_back(term.word);
  }
  return names;
}

/// Adds an option whose value must be one of the choices (any letter case);
/// CLI11 checks the word, and `chosen` later maps it to the enum.
template <class T>
CLI::Option* add_choice(CLI::App* app, const std::string& flags, std::string& word, Choices<T> choices,
                        const std::string& description) {
  const std::vector<std::string> names = choice_names(choices);
  std::string shown;
  for (const std::string& name : names) {
    shown += (shown.empty() ? "" : "|") + name;
  }
  if (!word.empty()) {
    shown += " [" + word + "]";
  }
  return app->add_option(flags, word, description)->check(CLI::IsMember(names, CLI::ignore_case))->option_text(shown);
}

/// The help page shows "--timeout MS [50]" rather than CLI11's type and
/// validator notation.
template <class T>
std::string value_text(std::string_view what, const T& default_value) {
  return std::string(what) + " [" + std::to_string(default_value) + "]";
}

template <class T>
T chosen(Choices<T> /*choices*/, const std::string& word) {
  if (const std::optional<T> value = from_word<T>(word)) {
    return *value;
  }
  // IsMember has already refused every other word; reaching this is a
  // mistake in this file, reported like any bad argument.
  throw CLI::ValidationError(word, "is not one of the accepted words");
}

/// Milliseconds that may also be "forever" (kept as -1 until mapped).
constexpr std::int64_t kForeverWord = -1;

/// What the options of a client (connect, send) hold before mapping.
struct ClientWords {
  std::string access = "duplex";
  std::string read_mode = "byte";
  std::int64_t busy_timeout_ms = 5000;
  std::string impersonation = "identification";
  std::string format = "text";
};

void add_client_options(CLI::App* app, ClientWords& words, ClientOptions& client) {
  app->add_option("NAME", client.name,
                  "The pipe to open: a bare name (demo), the full Windows form (\\\\.\\pipe\\demo, or //./pipe/demo "
                  "in a shell) or, on POSIX, an absolute socket path (/run/x.sock).")
      ->required();
  add_choice(app, "--access", words.access, kClientAccess,
             "What this client opens the pipe for (GENERIC_READ / GENERIC_WRITE in CreateFile): read, write or "
             "duplex (both). It must fit the server's --access: a client asking to write to an outbound pipe is "
             "refused with ERROR_ACCESS_DENIED.");
  add_choice(app, "--read-mode", words.read_mode, kReadMode,
             "How this client reads (SetNamedPipeHandleState with PIPE_READMODE_*): byte = whatever has "
             "arrived; message = one whole message per read, which only a message pipe allows (a byte pipe "
             "refuses it with ERROR_INVALID_PARAMETER).");
  app->add_option("--busy-timeout", words.busy_timeout_ms,
                  "How long to wait in milliseconds while every instance of the pipe is busy (WaitNamedPipe), "
                  "before giving up with ERROR_PIPE_BUSY: 0 = do not wait, 'forever' = no limit.")
      ->transform(CLI::Transformer({{"forever", std::to_string(kForeverWord)}}, CLI::ignore_case))
      ->check(CLI::Range(kForeverWord, std::numeric_limits<std::int64_t>::max()))
      ->option_text(value_text("MS|forever", words.busy_timeout_ms));
  add_choice(app, "--impersonation", words.impersonation, kImpersonation,
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
  client.access = chosen(kClientAccess, words.access);
  client.read_mode = chosen(kReadMode, words.read_mode);
  client.busy_timeout =
      words.busy_timeout_ms == kForeverWord ? kWaitForever : std::chrono::milliseconds(words.busy_timeout_ms);
  client.impersonation = chosen(kImpersonation, words.impersonation);
}

/// What transact and call hold before mapping: send's input options; the
/// reply is always one message.
struct ExchangeWords {
  ClientWords words{.read_mode = "message"};
  std::int64_t timeout_ms = 5000;
  bool no_newline = false;
  std::string data;
  std::string file;
  CLI::Option* data_option = nullptr;
  CLI::Option* file_option = nullptr;
};

/// transact and call: send's client and input options, one message each way.
void add_exchange_command(CLI::App& app, const char* name, const char* description, Command command,
                          ExchangeWords& w, SendSettings& settings, Command& chosen_command) {
  CLI::App* sub = app.add_subcommand(name, description);
  add_client_options(sub, w.words, settings.client);
  w.data_option = sub->add_option("DATA", w.data, "The request, in the --format given.");
  w.file_option = sub->add_option("--file", w.file,
                                  "Send the contents of this file as the request instead of DATA (in --format: "
                                  "text sends the bytes as they are, hex and escaped parse them first). One "
                                  "message holds at most 4 MiB; a larger file (or one without end, such as a FIFO "
                                  "or /dev/zero) is refused and nothing is sent.")
                      ->option_text("PATH");
  w.file_option->excludes(w.data_option);
  add_choice(sub, "--format", w.words.format, kInputFormat,
             "How DATA is read: text = as typed, with a line break (\\n) added unless --no-newline; hex = bytes "
             "in hex (48 65 6c, 0x48,0x65); escaped = C escapes (\\r\\n, \\x41, \\0). Nothing is sent if it "
             "does not parse.");
  sub->add_flag("--no-newline", w.no_newline, "With --format text, send DATA exactly, without a line break.");
  sub->add_option("--timeout", w.timeout_ms, "How long to wait, in milliseconds, for the reply.")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()))
      ->option_text(value_text("MS", w.timeout_ms));
  sub->callback([&w, &settings, &chosen_command, command] {
    chosen_command = command;
    apply_client_words(w.words, settings.client);
    if (settings.client.read_mode != ReadMode::message) {
      throw CLI::ValidationError("--read-mode byte",
                                 "a transact reads its reply as one message: leave --read-mode out (it is message)");
    }
    settings.format = chosen(kInputFormat, w.words.format);
    if (w.data_option->count() > 0) {
      settings.data = w.data;
    } else if (w.file_option->count() > 0) {
      settings.file = w.file;
    } else {
      throw CLI::RequiredError("DATA or --file PATH");
    }
    settings.add_newline = settings.format == InputFormat::text && !settings.file && !w.no_newline;
    settings.reply = true;
    settings.timeout = std::chrono::milliseconds(w.timeout_ms);
  });
}

}  // namespace

struct CommandLine::Parts {
  CLI::App app{
      "PipeScope console tool: create, connect to, watch and learn Windows named pipes (on POSIX: the same "
      "engine over AF_UNIX sockets at $TMPDIR/CoreFxPipe_NAME).",
      "pipescope-cli"};

  // serve
  std::string serve_access = "duplex";
  std::string serve_type = "byte";
  std::string serve_read_mode;
  std::string serve_security = "owner";
  std::string serve_descriptor;
  std::int64_t serve_timeout_ms = 50;
  bool serve_nowait = false;
  bool serve_allow_remote = false;
  bool serve_echo = false;
  bool serve_reverse = false;
  CLI::Option* serve_security_option = nullptr;
  CLI::Option* serve_descriptor_option = nullptr;

  // connect
  ClientWords connect_words;
  std::int64_t connect_linger_ms = 1000;

  // send
  ClientWords send_words;
  std::int64_t send_timeout_ms = 5000;
  bool send_no_newline = false;
  std::string send_data;
  std::string send_file;
  CLI::Option* send_data_option = nullptr;
  CLI::Option* send_file_option = nullptr;

  // transact, call, inspect
  ExchangeWords transact_words;
  ExchangeWords call_words;
  ClientWords inspect_words;

  // bench
  std::string bench_type = "byte";
  std::vector<std::string> bench_only;
};

CommandLine::CommandLine() : parts_(std::make_unique<Parts>()) {
  CLI::App& app = parts_->app;
  Parts& p = *parts_;
  CliSettings& s = settings_;

  // Set before the subcommands are added, so that every help page inherits it.
  app.footer(exit_codes_help());
  app.require_subcommand(1);
  // Lets the global --json also follow the subcommand's own arguments.
  app.fallthrough();
  app.add_flag("--json", s.json,
               "Print one JSON object per line for every engine event and result, instead of sentences. "
               "Errors go to standard error as {\"event\":\"error\",...} objects.");
  app.add_option("--log-memory-limit", s.log_memory_limit,
                 "The most memory the message log keeps for payloads and records, with a suffix: 512MiB, 4G. "
                 "Beyond it the pipes work on and every byte is counted, but records keep only their time, "
                 "endpoint, direction and length (flagged truncated), and one PIPESCOPE_LOG_FULL warning says "
                 "so. At least 1MiB; default: a quarter of physical memory (" +
                     std::to_string(MessageLog::default_memory_limit() >> 20) + " MiB here).")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1} << 20, std::numeric_limits<std::uint64_t>::max()))
      ->option_text("BYTES");

  // --- serve ---------------------------------------------------------------
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Create a named pipe server (CreateNamedPipe) and print everything that happens on it until Ctrl-C or "
      "SIGTERM, --max-messages or --once.");
  ServerOptions& server = s.serve.server;
  serve->add_option("NAME", server.name,
                    "The pipe to create: a bare name (demo), the full Windows form (\\\\.\\pipe\\demo) or, on "
                    "POSIX, an absolute socket path.")
      ->required();
  add_choice(serve, "--access", p.serve_access, kPipeAccess,
             "Which way data flows, seen from the server (PIPE_ACCESS_*): inbound = clients write and the "
             "server reads; outbound = the server writes and clients read; duplex = both ways.");
  add_choice(serve, "--type", p.serve_type, kPipeType,
             "How the pipe keeps what is written (PIPE_TYPE_*): byte = one stream, the boundaries between "
             "writes are lost; message = every write is one message that a reader in message mode gets whole. "
             "On POSIX: SOCK_STREAM or SOCK_SEQPACKET.");
  add_choice(serve, "--read-mode", p.serve_read_mode, kReadMode,
             "How the server reads (PIPE_READMODE_*): byte = whatever has arrived; message = one whole message "
             "per read, only on a message pipe. Default: the same as --type.");
  serve->add_flag("--nowait", p.serve_nowait,
                  "PIPE_NOWAIT: LAN Manager's old non-blocking mode, which Microsoft advises against. The engine "
                  "is asynchronous either way; the flag is only passed on, to see what it does.");
  serve->add_option("--max-instances", server.max_instances,
                    "How many clients may be connected at the same time (nMaxInstances): 1 to 254, or unlimited "
                    "(255, PIPE_UNLIMITED_INSTANCES). One client more gets ERROR_PIPE_BUSY and may wait.")
      ->transform(CLI::Transformer({{"unlimited", std::to_string(kUnlimitedInstances)}}, CLI::ignore_case))
      ->check(CLI::Range(1U, kUnlimitedInstances))
      ->option_text("N|unlimited [unlimited]");
  serve->add_option("--in-buffer", server.in_buffer_size,
                    "Bytes the system should reserve for data on its way to the server (nInBufferSize). Advisory: "
                    "the system may round it; writers block when the buffer is full.")
      ->option_text(value_text("BYTES", server.in_buffer_size));
  serve->add_option("--out-buffer", server.out_buffer_size,
                    "Bytes the system should reserve for data on its way to clients (nOutBufferSize). Advisory, "
                    "like --in-buffer.")
      ->option_text(value_text("BYTES", server.out_buffer_size));
  serve->add_option("--timeout", p.serve_timeout_ms,
                    "The pipe's default time-out in milliseconds (nDefaultTimeOut): how long a client's "
                    "WaitNamedPipe(NMPWAIT_USE_DEFAULT_WAIT) waits for a free instance.")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{std::numeric_limits<std::uint32_t>::max()}))
      ->option_text(value_text("MS", p.serve_timeout_ms));
  serve->add_flag("--first-instance", server.first_instance,
                  "FILE_FLAG_FIRST_PIPE_INSTANCE: fail with ERROR_ACCESS_DENIED if a server already owns this "
                  "name, rather than joining it. This stops a program that squatted the name first from "
                  "receiving your clients.");
  serve->add_flag("--allow-remote", p.serve_allow_remote,
                  "Accept clients from other machines (leave out PIPE_REJECT_REMOTE_CLIENTS). Off by default: "
                  "local only is safer. POSIX sockets never have remote clients.");
  p.serve_security_option =
      add_choice(serve, "--security", p.serve_security, kSecurity,
                 "Who may open the pipe: owner = only your account (secure by default); everyone = every local "
                 "user; custom = the descriptor given with --descriptor.");
  p.serve_descriptor_option = serve->add_option(
      "--descriptor", p.serve_descriptor,
      "A custom security descriptor, which implies --security custom: SDDL on Windows (D:(A;;GA;;;WD) grants "
      "everyone all access), an octal file mode for the socket on POSIX (0660).");
  serve->add_option("--read-buffer", server.read_buffer_size,
                    "Bytes asked for per read (the ReadFile buffer). A message larger than this arrives in several "
                    "parts, all but the last flagged more-data (ERROR_MORE_DATA is not a failure).")
      ->check(CLI::Range(1U, std::numeric_limits<std::uint32_t>::max()))
      ->option_text(value_text("BYTES", server.read_buffer_size));
  CLI::Option* echo = serve->add_flag(
      "--echo", p.serve_echo, "Answer everything received with the same bytes, as the engine reads them.");
  CLI::Option* reverse =
      serve->add_flag("--reverse", p.serve_reverse,
                      "Answer every message (on a byte pipe: every line) with its bytes reversed - the example "
                      "server of the Win32 documentation, made visible.");
  echo->excludes(reverse);
  serve->add_option("--max-messages", s.serve.max_messages,
                    "Stop and exit 0 once N messages have been received (whole messages in message read mode, "
                    "lines in byte read mode) and the responder has answered them.")
      ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()))
      ->option_text("N");
  serve->add_flag("--once", s.serve.once, "Stop and exit 0 when the first client disconnects.");
  serve->add_option("--impersonate", s.serve.impersonate_probe,
                    "Impersonate every client once, after its first message has been read "
                    "(ImpersonateNamedPipeClient needs a read first), open FILE for reading as that client, revert "
                    "and print who the client was and whether the file opened. On POSIX the identity comes from "
                    "the socket's peer credentials, and only a process that may change ids really switches.")
      ->option_text("FILE");
  serve->callback([&s, &p] {
    s.command = Command::serve;
    ServerOptions& options = s.serve.server;
    options.access = chosen(kPipeAccess, p.serve_access);
    options.type = chosen(kPipeType, p.serve_type);
    if (p.serve_read_mode.empty()) {
      options.read_mode = options.type == PipeType::message ? ReadMode::message : ReadMode::byte;
    } else {
      options.read_mode = chosen(kReadMode, p.serve_read_mode);
    }
    options.wait_mode = p.serve_nowait ? WaitMode::nonblocking : WaitMode::blocking;
    options.default_timeout = std::chrono::milliseconds(p.serve_timeout_ms);
    options.reject_remote = !p.serve_allow_remote;
    options.security = chosen(kSecurity, p.serve_security);
    if (p.serve_descriptor_option->count() > 0) {
      if (p.serve_security_option->count() > 0 && options.security != SecurityPreset::custom) {
        throw CLI::ValidationError("--descriptor", "a descriptor is only used with --security custom");
      }
      options.security = SecurityPreset::custom;
      options.security_descriptor = p.serve_descriptor;
    } else if (options.security == SecurityPreset::custom) {
      throw CLI::ValidationError("--security custom", "needs the descriptor itself: add --descriptor TEXT");
    }
    options.responder = p.serve_echo ? Responder::echo : p.serve_reverse ? Responder::reverse : Responder::none;
  });

  // --- connect ---------------------------------------------------------------
  CLI::App* connect = app.add_subcommand(
      "connect",
      "Open a pipe as a client (CreateFile) and send each line of standard input as one message; print what "
      "comes back. At the end of input, wait --linger ms for the last replies, then exit.");
  add_client_options(connect, p.connect_words, s.connect.client);
  add_choice(connect, "--format", p.connect_words.format, kInputFormat,
             "How each input line is read: text = as typed, sent with a line break (\\n) at its end; hex = "
             "bytes in hex (48 65 6c, 0x48,0x65); escaped = C escapes (\\r\\n, \\x41, \\0). hex and escaped "
             "send exactly the bytes given, nothing added. A line that does not parse is reported and not sent.");
  connect->add_option("--linger", p.connect_linger_ms,
                      "At the end of input, keep waiting for replies until none has arrived for this many "
                      "milliseconds.")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()))
      ->option_text(value_text("MS", p.connect_linger_ms));
  connect->callback([&s, &p] {
    s.command = Command::connect;
    apply_client_words(p.connect_words, s.connect.client);
    s.connect.format = chosen(kInputFormat, p.connect_words.format);
    s.connect.linger = std::chrono::milliseconds(p.connect_linger_ms);
  });

  // --- send ----------------------------------------------------------------
  CLI::App* send = app.add_subcommand(
      "send", "Connect, send one message, optionally wait for one reply (--reply), disconnect.");
  add_client_options(send, p.send_words, s.send.client);
  p.send_data_option = send->add_option("DATA", p.send_data, "What to send, in the --format given.");
  p.send_file_option = send->add_option("--file", p.send_file,
                                        "Send the contents of this file instead of DATA (in --format: text sends "
                                        "the bytes as they are, hex and escaped parse them first). One message "
                                        "holds at most 4 MiB; a larger file (or one without end, such as a FIFO or "
                                        "/dev/zero) is refused and nothing is sent.")
                           ->option_text("PATH");
  p.send_file_option->excludes(p.send_data_option);
  add_choice(send, "--format", p.send_words.format, kInputFormat,
             "How DATA is read: text = as typed, with a line break (\\n) added unless --no-newline; hex = bytes "
             "in hex (48 65 6c, 0x48,0x65); escaped = C escapes (\\r\\n, \\x41, \\0). Nothing is sent if it "
             "does not parse.");
  send->add_flag("--no-newline", p.send_no_newline,
                 "With --format text, send DATA exactly, without the line break that is otherwise added "
                 "(a byte-pipe server that answers lines would then wait for the rest of the line).");
  send->add_flag("--reply", s.send.reply,
                 "Wait for one reply and print it: one whole message in message read mode; on a byte pipe, "
                 "what the first read returns.");
  send->add_option("--timeout", p.send_timeout_ms,
                   "How long to wait, in milliseconds, for the write to complete and for the reply.")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()))
      ->option_text(value_text("MS", p.send_timeout_ms));
  send->callback([&s, &p] {
    s.command = Command::send;
    apply_client_words(p.send_words, s.send.client);
    s.send.format = chosen(kInputFormat, p.send_words.format);
    if (p.send_data_option->count() > 0) {
      s.send.data = p.send_data;
    } else if (p.send_file_option->count() > 0) {
      s.send.file = p.send_file;
    } else {
      throw CLI::RequiredError("DATA or --file PATH");
    }
    // A file's bytes are sent as they are; only typed text gets a line break.
    s.send.add_newline = s.send.format == InputFormat::text && !s.send.file && !p.send_no_newline;
    s.send.timeout = std::chrono::milliseconds(p.send_timeout_ms);
  });

  // --- transact, call, inspect ----------------------------------------------
  add_exchange_command(app, "transact",
                       "Connect in message read mode, then TransactNamedPipe: write one message and read the one "
                       "that answers it in a single call; print the reply, disconnect. The pipe must be a message "
                       "pipe: a byte pipe cannot be read in message mode (ERROR_INVALID_PARAMETER).",
                       Command::transact, p.transact_words, s.transact, s.command);
  add_exchange_command(app, "call",
                       "CallNamedPipe: connect (waiting --busy-timeout for a free instance), transact one message "
                       "and close, all in one call; print the reply.",
                       Command::call, p.call_words, s.call, s.command);
  CLI::App* inspect = app.add_subcommand(
      "inspect",
      "Connect and show what the OS tells about the pipe from the client's end: PeekNamedPipe (bytes waiting), "
      "GetNamedPipeInfo (type, buffer sizes, instances), GetNamedPipeHandleState (read mode, wait mode), the "
      "server's process and session ids and the pipe's security descriptor; then disconnect.");
  add_client_options(inspect, p.inspect_words, s.inspect.client);
  inspect->callback([&s, &p] {
    s.command = Command::inspect;
    apply_client_words(p.inspect_words, s.inspect.client);
  });

  // --- run -----------------------------------------------------------------
  CLI::App* run = app.add_subcommand(
      "run",
      "Start a program with anonymous pipes (CreatePipe) on its standard input, output and error: stream its "
      "output, forward our standard input to it, exit with its exit code. Write -- before the program, so that its own "
      "options are not taken for ours: run -- ls -l");
  run->add_option("CMD", s.run.child.argv, "The program (looked up in PATH) and its arguments, after --.")
      ->required();
  run->add_option("--cwd", s.run.child.working_dir, "The folder to start the program in.")->option_text("DIR");
  run->add_option("--read-buffer", s.run.child.read_buffer_size, "Bytes asked for per read of the child's output.")
      ->check(CLI::Range(1U, std::numeric_limits<std::uint32_t>::max()))
      ->option_text(value_text("BYTES", s.run.child.read_buffer_size));
  run->callback([&s] { s.command = Command::run; });

  // --- list ----------------------------------------------------------------
  CLI::App* list = app.add_subcommand(
      "list",
      "List the pipes this machine has (\\\\.\\pipe\\ on Windows; on POSIX every listening AF_UNIX socket "
      "with a path, those at $TMPDIR/CoreFxPipe_NAME by their pipe name): name, instances, maximum, type, "
      "server processes. '?' marks what the system does not tell.");
  list->callback([&s] { s.command = Command::list; });

  // --- demo ----------------------------------------------------------------
  CLI::App* demo = app.add_subcommand(
      "demo",
      "A first look: a server that answers every line reversed and a client, in this one process, exchange a "
      "few lines while every engine event is printed.");
  demo->add_option("--name", s.demo.name, "The pipe name to use. Default: a fresh one, pipescope-demo-XXXXXXXX.");
  demo->callback([&s] { s.command = Command::demo; });

  add_log_command(app, s.log, s.command);

  // --- bench ---------------------------------------------------------------
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Measure what the engine does with a pipe, each figure next to a raw baseline measured in the same run "
      "with bare OS calls (socketpair/pipe(2) on POSIX; CreateNamedPipeW, ReadFile and WriteFile on Windows): "
      "throughput, the rate of small messages, the round-trip time and a relay that reads, logs and forwards. "
      "Each figure is the median of --repeat measurements; raw and engine runs take turns, so a busy machine "
      "slows both. Sizes take suffixes: 64KiB, 32MiB.");
  BenchSettings& b = s.bench;
  add_choice(bench, "--type", p.bench_type, kPipeType,
             "The pipe type to measure: byte (one stream) or message (every write one message, read whole).");
  bench->add_option("--write-size", b.write_size, "Bytes per write in the throughput and relay figures.")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(1U, 64U * 1024 * 1024))
      ->option_text("BYTES [64KiB]");
  bench->add_option("--total", b.total_bytes,
                    "Bytes each throughput or relay measurement moves (whole writes: rounded down to a multiple "
                    "of --write-size).")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->option_text("BYTES [32MiB]");
  bench->add_option("--message-size", b.message_size, "Bytes per message in the message-rate and round-trip figures.")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(1U, 1024U * 1024))
      ->option_text(value_text("BYTES", b.message_size));
  bench->add_option("--messages", b.messages, "Messages each message-rate measurement sends.")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32))
      ->option_text(value_text("N", b.messages));
  bench->add_option("--round-trips", b.round_trips, "Round trips each latency measurement makes.")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32))
      ->option_text(value_text("N", b.round_trips));
  bench->add_option("--repeat", b.repeat, "Measurements of each figure (engine and raw alike); the median is shown.")
      ->check(CLI::Range(1U, 1000U))
      ->option_text(value_text("N", b.repeat));
  bench->add_option("--only", p.bench_only,
                    "Measure only these figures (comma-separated): throughput, rate, latency, relay.")
      ->delimiter(',')
      ->check(CLI::IsMember({"throughput", "rate", "latency", "relay"}))
      ->option_text("FIGURE,...");
  bench->callback([&s, &p] {
    s.command = Command::bench;
    BenchSettings& settings = s.bench;
    settings.type = chosen(kPipeType, p.bench_type);
    if (settings.total_bytes < settings.write_size) {
      throw CLI::ValidationError("--total", "must be at least one write (--write-size)");
    }
    if (!p.bench_only.empty()) {
      const auto wanted = [&p](std::string_view figure) {
        return std::find(p.bench_only.begin(), p.bench_only.end(), figure) != p.bench_only.end();
      };
      settings.throughput = wanted("throughput");
      settings.message_rate = wanted("rate");
      settings.latency = wanted("latency");
      settings.relay = wanted("relay");
    }
  });
}

CommandLine::~CommandLine() = default;

std::optional<int> CommandLine::parse(int argc, const char* const* argv) {
  try {
    parts_->app.parse(argc, argv);
  } catch (const CLI::ParseError& failure) {
    const bool is_help = failure.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success);
    if (is_help || !settings_.json) {
      const int code = parts_->app.exit(failure);
      return code == 0 ? to_int(ExitCode::ok) : to_int(ExitCode::bad_arguments);
    }
    Console(true).error(make_error(Errc::invalid_parameter, "parse the command line", failure.what()));
    return to_int(ExitCode::bad_arguments);
  }
  return std::nullopt;
}

}  // namespace pipescope::cli
