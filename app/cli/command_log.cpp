// log FILE: a saved log (MessageLog::save_jsonl, the GUI's Save log) read
// back, filtered by a LogQuery in core and written to standard output
// through the exporters' table.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "command_registry.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "pipescope/export.hpp"
#include "pipescope/log.hpp"
#include "pipescope/log_query.hpp"
#include "pipescope/vocabulary.hpp"

namespace pipescope::cli {

namespace {

struct LogSettings {
  std::string file;
  std::vector<std::uint32_t> endpoints;  ///< empty: every endpoint
  std::string direction;                 ///< "in", "out" or empty for both
  std::string grep;                      ///< a substring of the payload
  std::string regex;                     ///< an RE2 regular expression over the payload (Latin-1)
  std::string hex;                       ///< bytes in hex, a substring of the payload
  bool ignore_case = false;
  std::string format = "text";           ///< an export format's id (export_formats())
};

std::vector<std::string> format_ids() {
  std::vector<std::string> ids;
  for (const ExportFormat& format : export_formats()) ids.emplace_back(format.id);
  return ids;
}

std::string format_help() {
  std::string help = "How the matching records are written:";
  for (const ExportFormat& format : export_formats()) {
    help += ' ';
    help += format.id;
    help += " = ";
    help += format.description;
  }
  return help;
}

LogQuery query_of(const LogSettings& settings) {
  LogQuery query;
  query.endpoints.insert(settings.endpoints.begin(), settings.endpoints.end());
  if (const auto direction = from_word<Direction>(settings.direction)) query.directions.insert(*direction);
  PayloadPattern& pattern = query.pattern;
  pattern.case_sensitive = !settings.ignore_case;
  if (!settings.grep.empty()) {
    pattern.kind = PatternKind::text;
    pattern.text = settings.grep;
  } else if (!settings.regex.empty()) {
    pattern.kind = PatternKind::regex;
    pattern.text = settings.regex;
  } else if (!settings.hex.empty()) {
    pattern.kind = PatternKind::hex;
    pattern.text = settings.hex;
  }
  return query;
}

int log_command(const LogSettings& settings, Session& session);

constexpr std::string_view kLogDescription =
    "Read a saved log (JSON lines, as the GUI's Save log and the jsonl export write it) and print the records "
    "that match every filter given, in the order they were logged.";

CommandRunner declare_log(CLI::App& log) {
  auto owned = std::make_shared<LogSettings>();
  LogSettings& settings = *owned;
  log.add_option("FILE", settings.file, "The saved log.")->required()->option_text("PATH");
  log.add_option("--endpoint", settings.endpoints, "Only records of this endpoint (repeat for several).")
      ->option_text("ID");
  log.add_option("--direction", settings.direction,
                  "Only what the endpoint read (in) or wrote (out).")
      ->check(CLI::IsMember({"in", "out"}))
      ->option_text("in|out");
  CLI::Option* grep = log.add_option("--grep", settings.grep, "Only payloads that contain this text (its bytes).")
                          ->option_text("TEXT");
  CLI::Option* regex = log.add_option("--regex", settings.regex,
                                       "Only payloads that a regular expression matches somewhere (RE2 syntax, each "
                                       "byte one character; linear time, no back-references).")
                           ->option_text("RE");
  CLI::Option* hex = log.add_option("--hex", settings.hex,
                                     "Only payloads that contain these bytes, in hex (48 65 6c, 0x48,0x65).")
                         ->option_text("HEX");
  grep->excludes(regex)->excludes(hex);
  regex->excludes(hex);
  log.add_flag("-i,--ignore-case", settings.ignore_case, "--grep and --regex ignore letter case.");
  log.add_option("--format", settings.format, format_help())
      ->check(CLI::IsMember(format_ids(), CLI::ignore_case))
      ->option_text("FORMAT [text]");
  return [owned](Session& session) { return log_command(*owned, session); };
}

int log_command(const LogSettings& settings, Session& session) {
  const Console& console = session.console;
  // The pattern first: a typing mistake is told before a big file is read.
  auto filter = LogFilter::compile(query_of(settings));
  if (!filter) {
    console.error(filter.error());
    return to_int(ExitCode::bad_arguments);
  }
  std::ifstream in(settings.file, std::ios::binary);
  // As for send --file: a file that cannot be read is bad input.
  if (!in) return fail(console, make_error(Errc::bad_input, "open the log", settings.file + ": cannot be read"));
  MessageLog log;
  if (auto loaded = log.load_jsonl(in); !loaded) {
    Error error = loaded.error();
    error.detail = settings.file + ": " + error.detail;
    return fail(console, error);
  }
  QueryMatches matches(log, std::make_shared<const LogFilter>(std::move(filter).value()));
  // A saved log does not grow: a message whose last part is missing is
  // decided part by part rather than waited for.
  matches.settle();
  MessageLog matching;
  if (auto copied = matches.reader().copy_rows(matches.reader().snapshot(), matches.rows(), matching); !copied) {
    return fail(console, copied.error());
  }
  const ExportFormat* format = find_export_format(settings.format);
  if (format == nullptr) {
    return fail(console, make_error(Errc::invalid_parameter, "log --format", settings.format));
  }
  if (auto written = format->write(matching, std::cout); !written) return fail(console, written.error());
  std::cout.flush();
  return to_int(ExitCode::ok);
}

const CommandRegistrar kLog{
    {.name = "log", .description = kLogDescription, .help_rank = 85, .declare = &declare_log}};

}  // namespace

}  // namespace pipescope::cli
