// list: the pipes this machine has.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command_registry.hpp"
#include "commands.hpp"
#include "json_events.hpp"
#include "option_groups.hpp"
#include "pipescope/codec.hpp"

namespace pipescope::cli {
namespace {

std::string count_text(std::int32_t count) {
  if (count < 0) {
    return "?";
  }
  if (static_cast<std::uint32_t>(count) == kUnlimitedInstances) {
    return "unlimited";
  }
  return std::to_string(count);
}

std::string pids_text(const std::vector<std::int64_t>& pids) {
  return pids.empty() ? std::string("?") : fmt::format("{}", fmt::join(pids, ","));
}

int list_command(Session& session, const ListOptions& options) {
  const Console& console = session.console;
  const Engine engine(nullptr);
  const Result<std::vector<PipeInfo>> listed = engine.list_pipes(options);
  if (!listed) {
    return fail(console, listed.error());
  }
  const std::vector<PipeInfo>& pipes = *listed;

  if (console.json()) {
    for (const PipeInfo& pipe : pipes) {
      console.emit(pipe_to_json(pipe));
    }
    return 0;
  }
  if (pipes.empty()) {
    console.say("no pipes found");
    return 0;
  }

  // One row of cells per pipe; every column as wide as its widest cell.
  const std::vector<std::string> header{"NAME", "INSTANCES", "MAX", "TYPE", "SERVER PIDS"};
  std::vector<std::vector<std::string>> rows;
  rows.reserve(pipes.size());
  for (const PipeInfo& pipe : pipes) {
    // Names and paths are other users' text: shown escaped, never obeyed.
    rows.push_back({escape_for_display(pipe.name), count_text(pipe.current_instances), count_text(pipe.max_instances),
                    pipe.type.empty() ? std::string("?") : pipe.type, pids_text(pipe.server_pids)});
  }
  std::vector<std::size_t> widths(header.size());
  for (std::size_t column = 0; column < header.size(); ++column) {
    widths[column] = header[column].size();
    for (const auto& row : rows) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  const auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t column = 0; column < cells.size(); ++column) {
      const bool last = column + 1 == cells.size();
      line += last ? cells[column] : fmt::format("{:<{}}  ", cells[column], widths[column]);
    }
    console.say(line);
  };
  print_row(header);
  for (const auto& row : rows) {
    print_row(row);
  }
  console.say(fmt::format("{} pipe{}", rows.size(), rows.size() == 1 ? "" : "s"));
  return 0;
}

CommandRunner declare_list(CLI::App& list) {
  auto options = std::make_shared<ListOptions>();
  list.add_flag("--all-sockets", options->every_socket,
                "POSIX: every listening AF_UNIX socket with a path (an X server's, a D-Bus bus...), not only the "
                "pipes at $TMPDIR/CoreFxPipe_NAME. Windows lists every pipe anyway.");
  return [options](Session& session) { return list_command(session, *options); };
}

const CommandRegistrar kList{
    {.name = "list",
     .description = "List the pipes this machine has (\\\\.\\pipe\\ on Windows; on POSIX the listening AF_UNIX "
                    "sockets at $TMPDIR/CoreFxPipe_NAME, by their pipe name, and with --all-sockets every other one "
                    "with a path): name, instances, maximum, type, server processes. '?' marks what the system does "
                    "not tell.",
     .help_rank = 80,
     .declare = &declare_list}};

}  // namespace
}  // namespace pipescope::cli
