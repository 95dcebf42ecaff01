// run -- CMD ARGS...: a child process on anonymous pipes.
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "option_groups.hpp"
#include "platform.hpp"

namespace pipescope::cli {
namespace {

struct RunSettings {
  ChildOptions child;
};

/// Shells' convention for a program that cannot be started, so that `run`
/// behaves like the command it wraps.
constexpr int kCommandNotFound = 127;
constexpr int kCommandNotExecutable = 126;
/// Shells report a child ended by signal N as 128 + N.
constexpr int kSignalExitBase = 128;

/// Says why the program did not start, in words about programs rather
/// than the pipe words of the error's own explanation, and returns the
/// exit code a shell would give.
int report_start_failure(const Console& console, const Error& error) {
  switch (error.errc()) {
    case Errc::file_not_found:
    case Errc::path_not_found:
      console.error(error, "The program was not found: check its name, or give its full path (the name alone is "
                           "looked up in the folders of PATH).");
      return kCommandNotFound;
    case Errc::access_denied:
      console.error(error, "The program exists but may not be executed: check its permissions (chmod +x).");
      return kCommandNotExecutable;
    default:
      console.error(error);
      return to_int(exit_code_for(error));
  }
}

int run_child_command(const RunSettings& settings, Session& session) {
  const Console& console = session.console;
  if (Result<void> valid = validate(settings.child); !valid) {
    return fail(console, valid.error());
  }
  // The child's output and input are passed through byte for byte.
  use_binary_output();
  use_binary_input();

  Engine engine(session.inbox.get());
  session.configure(engine);
  const Result<EndpointId> started = engine.run_child(settings.child);
  if (!started) {
    return report_start_failure(console, started.error());
  }
  const EndpointId child = *started;
  // The child's input is a byte stream: a longer line is passed on in
  // pieces, in order, so nothing is lost.
  start_stdin_reader(session.inbox, kMaxMessageBytes);

  bool forwarding_input = true;
  bool kill_sent = false;
  for (;;) {
    std::optional<InboxItem> item = session.inbox->pop(kNoTimeout);
    if (!item) {
      continue;
    }
    if (std::holds_alternative<StopRequest>(*item)) {
      // Pass the stop on to the child and wait for it to end; a second
      // Ctrl-C ends this tool at once.
      if (!kill_sent) {
        kill_sent = true;
        if (Result<void> killed = engine.kill_child(child); !killed) {
          console.error(killed.error());
        }
      }
      continue;
    }
    if (std::holds_alternative<InputEnd>(*item)) {
      if (forwarding_input) {
        forwarding_input = false;
        // Closing the child's standard input is how it learns that input ended.
        (void)engine.disconnect(child);
      }
      continue;
    }
    if (const auto* line = std::get_if<InputLine>(&*item)) {
      if (!forwarding_input) {
        continue;
      }
      Bytes bytes = to_bytes(line->text);
      if (line->terminated) {
        bytes.push_back(std::byte{'\n'});
      }
      if (Result<void> sent = engine.send(child, bytes); !sent) {
        // The child closed its standard input (or exited): what it did not
        // read is reported once, not retried.
        console.error(sent.error());
        forwarding_input = false;
      }
      continue;
    }

    const Event& event = std::get<Event>(*item);
    if (console.json()) {
      console.event(event, engine);
    } else if (const auto* data = std::get_if<Data>(&event); data && data->endpoint == child) {
      if (data->direction == Direction::in) {
        console.write_raw(engine.log().payload(data->row), (data->flags & record_flags::stderr_stream) != 0);
      }
    } else if (std::holds_alternative<ErrorEvent>(event)) {
      console.event(event, engine);
    }
    if (const auto* exited = std::get_if<ChildExited>(&event); exited && exited->endpoint == child) {
      return exited->signal != 0 ? kSignalExitBase + exited->signal : exited->exit_code;
    }
  }
}

CommandRunner declare_run(CLI::App& run) {
  auto settings = std::make_shared<RunSettings>();
  run.add_option("CMD", settings->child.argv, "The program (looked up in PATH) and its arguments, after --.")
      ->required();
  add_catalogue_text(&run, OptionKey::child_working_dir, settings->child.working_dir)->option_text("DIR");
  add_catalogue_number(&run, OptionKey::child_read_buffer, settings->child.read_buffer_size);
  return [settings](Session& session) { return run_child_command(*settings, session); };
}

const CommandRegistrar kRun{
    {.name = "run",
     .description = "Start a program with anonymous pipes (CreatePipe) on its standard input, output and error: "
                    "stream its output, forward our standard input to it, exit with its exit code. Write -- before "
                    "the program, so that its own options are not taken for ours: run -- ls -l",
     .help_rank = 70,
     .declare = &declare_run}};

}  // namespace
}  // namespace pipescope::cli
