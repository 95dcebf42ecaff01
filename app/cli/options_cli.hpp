// The command line: every subcommand and option, with the help text that
// teaches what each Win32 option means, mapped onto the engine's option
// structs. Parsing is CLI11's; this file only declares and maps.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command_log.hpp"
#include "pipescope/codec.hpp"
#include "pipescope/options.hpp"

namespace pipescope::cli {

enum class Command : std::uint8_t { none, serve, connect, send, run, list, demo, bench, transact, call, inspect, log };

struct ServeSettings {
  ServerOptions server;
  std::uint64_t max_messages = 0;  ///< 0: no limit
  bool once = false;
  /// Not empty: every client is impersonated once and this file opened as it.
  std::string impersonate_probe;
};

struct ConnectSettings {
  ClientOptions client;
  InputFormat format = InputFormat::text;
  std::chrono::milliseconds linger{1000};
};

struct SendSettings {
  ClientOptions client;
  InputFormat format = InputFormat::text;
  std::optional<std::string> data;  ///< DATA, or
  std::optional<std::string> file;  ///< --file PATH
  bool add_newline = true;          ///< text format without --no-newline
  bool reply = false;
  std::chrono::milliseconds timeout{5000};
};

/// inspect NAME: connect, show what the OS tells about the client's end.
struct InspectSettings {
  ClientOptions client;
};

struct RunSettings {
  ChildOptions child;
};

struct DemoSettings {
  std::string name;  ///< empty: a fresh name for this run
};

/// What `bench` measures and how much traffic each measurement moves.
struct BenchSettings {
  PipeType type = PipeType::byte;
  std::uint32_t write_size = 64 * 1024;            ///< bytes per write in the throughput figures
  std::uint64_t total_bytes = 32 * 1024 * 1024;    ///< bytes each throughput measurement moves
  std::uint32_t message_size = 64;                 ///< bytes per message (message rate, round trip)
  std::uint64_t messages = 100'000;                ///< messages of each message-rate measurement
  std::uint64_t round_trips = 2'000;               ///< round trips of each latency measurement
  unsigned repeat = 3;                             ///< measurements of each figure; the median is shown
  bool throughput = true;
  bool message_rate = true;
  bool latency = true;
  bool relay = true;
};

struct CliSettings {
  bool json = false;
  /// The most memory the message log keeps (MessageLog::set_memory_limit);
  /// 0 until --log-memory-limit is given: the log's default then holds.
  std::uint64_t log_memory_limit = 0;
  Command command = Command::none;
  ServeSettings serve;
  ConnectSettings connect;
  SendSettings send;
  SendSettings transact;  ///< transact NAME DATA: the same input as send, one message each way
  SendSettings call;      ///< call NAME DATA: the same, through CallNamedPipe
  InspectSettings inspect;
  RunSettings run;
  DemoSettings demo;
  BenchSettings bench;
  LogSettings log;
};

class CommandLine {
 public:
  CommandLine();
  ~CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  /// Parses the arguments. Returns the exit code if the tool is already done
  /// (help was printed: 0; the arguments were wrong: 2, after saying why).
  [[nodiscard]] std::optional<int> parse(int argc, const char* const* argv);
  [[nodiscard]] const CliSettings& settings() const noexcept { return settings_; }

 private:
  struct Parts;
  CliSettings settings_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace pipescope::cli
