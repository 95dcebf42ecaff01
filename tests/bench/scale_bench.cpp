// Scale run: one server with 1,000 concurrent instances, each with its own
// client in the same engine, exchanging messages through the instances' echo
// responder. It reports how many threads the engine used for all of that
// (Engine::thread_count(), and the process's own count as the OS sees it),
// and checks that every byte arrived and was logged on both sides.
//
// Usage: pipescope_bench_scale [--instances=N] [--messages=N] [--size=BYTES] [--json]
// Exit status 0 when every byte arrived and was logged (a missed thread
// target is reported, not failed), 1 when something was lost or failed.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench_table.hpp"
#include "pipescope/engine.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t kMaxEngineThreads = 4;

struct Settings {
  std::uint64_t instances = 1000;
  std::uint64_t messages = 20;  ///< per client
  std::size_t size = 64;
  bool json = false;
};

/// Counts bytes per endpoint and direction and the endpoints that connected.
class CountingSink final : public pipescope::EventSink {
 public:
  void on_events(std::span<const pipescope::Event> batch) override {
    {
      const std::lock_guard lock(mutex_);
      for (const pipescope::Event& event : batch) {
        if (const auto* data = std::get_if<pipescope::Data>(&event)) {
          (data->direction == pipescope::Direction::in ? in_ : out_)[data->endpoint] += data->size;
        } else if (const auto* state = std::get_if<pipescope::StateChanged>(&event)) {
          if (state->state == pipescope::EndpointState::connected) {
            (state->kind == pipescope::EndpointKind::instance ? instances_ : clients_).insert(state->endpoint);
          }
        } else if (const auto* failure = std::get_if<pipescope::ErrorEvent>(&event)) {
          ++errors_;
          if (first_error_.empty()) first_error_ = failure->error.summary();
        }
      }
    }
    changed_.notify_all();
  }

  template <class Done>
  bool wait(Done&& done, std::chrono::milliseconds patience) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, patience, [&] { return errors_ > 0 || done(); });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<pipescope::EndpointId, std::uint64_t> in_, out_;
  std::set<pipescope::EndpointId> instances_, clients_;
  std::uint64_t errors_ = 0;
  std::string first_error_;
};

/// Threads of this process, as the OS counts them.
std::size_t process_threads() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') ++count;
    }
    ::closedir(dir);
  }
  return count;
}

/// Every instance and every client holds a socket: two per pair, plus the
/// listening socket. The default soft limit (often 1024) is too low for
/// 1,000 pairs, so raise it to the hard limit, as a server program would.
bool raise_file_limit(std::uint64_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= needed) return true;
  limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, std::max<rlim_t>(needed, limit.rlim_cur));
  return ::setrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur >= needed;
}

std::uint64_t sum_over(const std::map<pipescope::EndpointId, std::uint64_t>& bytes,
                       const std::set<pipescope::EndpointId>& endpoints) {
  std::uint64_t total = 0;
  for (const pipescope::EndpointId id : endpoints) {
    if (const auto it = bytes.find(id); it != bytes.end()) total += it->second;
  }
  return total;
}

int fail(const std::string& why) {
  std::fprintf(stderr, "scale run failed: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--instances=")) {
      settings.instances = std::stoull(std::string(arg.substr(12)));
    } else if (arg.starts_with("--messages=")) {
      settings.messages = std::stoull(std::string(arg.substr(11)));
    } else if (arg.starts_with("--size=")) {
      settings.size = std::stoull(std::string(arg.substr(7)));
    } else if (arg == "--json") {
      settings.json = true;
    } else {
      std::fprintf(stderr, "usage: %s [--instances=N] [--messages=N] [--size=BYTES] [--json]\n", argv[0]);
      return 2;
    }
  }
  if (settings.instances == 0 || settings.size == 0) return fail("--instances and --size must be at least 1");
  if (!raise_file_limit(2 * settings.instances + 64)) {
    return fail("the open-file limit is too low for " + std::to_string(settings.instances) +
                " instances and their clients (ulimit -n)");
  }

  CountingSink sink;
  pipescope::Engine engine(&sink);
  const std::size_t threads_before = process_threads();

  std::random_device random;
  pipescope::ServerOptions server;
  server.name = "pipescope-bench-scale-" + std::to_string(random());
  server.max_instances = pipescope::kUnlimitedInstances;
  server.responder = pipescope::Responder::echo;
  if (auto started = engine.start_server(server); !started) return fail(started.error().summary());

  const auto connect_start = Clock::now();
  std::vector<pipescope::EndpointId> clients;
  clients.reserve(settings.instances);
  pipescope::ClientOptions client;
  client.name = server.name;
  client.busy_timeout = 30s;
  for (std::uint64_t i = 0; i < settings.instances; ++i) {
    auto id = engine.connect_async(client);
    if (!id) return fail(id.error().summary());
    clients.push_back(*id);
  }
  const std::size_t want = settings.instances;
  const bool connected =
      sink.wait([&] { return sink.clients_.size() >= want && sink.instances_.size() >= want; }, 120s);
  {
    const std::lock_guard lock(sink.mutex_);
    if (sink.errors_ > 0) return fail(sink.first_error_);
    if (!connected) {
      return fail("only " + std::to_string(sink.clients_.size()) + " clients and " +
                  std::to_string(sink.instances_.size()) + " instances connected");
    }
  }
  const double connect_seconds = std::chrono::duration<double>(Clock::now() - connect_start).count();
  const std::size_t threads_connected = process_threads();

  // Every client sends its messages, interleaved across clients, so that all
  // instances are busy at once.
  std::string message(settings.size, 'x');
  const auto bytes = std::as_bytes(std::span(message));
  const auto exchange_start = Clock::now();
  for (std::uint64_t round = 0; round < settings.messages; ++round) {
    for (const pipescope::EndpointId id : clients) {
      if (auto sent = engine.send(id, bytes); !sent) return fail(sent.error().summary());
    }
  }
  const std::uint64_t per_client = settings.messages * settings.size;
  const std::uint64_t total = per_client * settings.instances;
  const std::set<pipescope::EndpointId> client_set(clients.begin(), clients.end());
  const bool echoed = sink.wait([&] { return sum_over(sink.in_, client_set) >= total; }, 300s);
  {
    const std::lock_guard lock(sink.mutex_);
    if (sink.errors_ > 0) return fail(sink.first_error_);
    if (!echoed) {
      return fail("the echoes did not all come back: " + std::to_string(sum_over(sink.in_, client_set)) + " of " +
                  std::to_string(total) + " bytes");
    }
  }
  const double exchange_seconds = std::chrono::duration<double>(Clock::now() - exchange_start).count();
  const std::size_t threads_busy = process_threads();

  // Every byte, on every endpoint: counted from the events, the engine's
  // counters and the log itself.
  std::uint64_t problems = 0;
  {
    const std::lock_guard lock(sink.mutex_);
    for (const pipescope::EndpointId id : clients) {
      if (sink.out_[id] != per_client || sink.in_[id] != per_client) ++problems;
      const pipescope::Counters counters = engine.counters(id);
      if (counters.bytes_out != per_client || counters.bytes_in != per_client) ++problems;
    }
    for (const pipescope::EndpointId id : sink.instances_) {
      if (sink.out_[id] != per_client || sink.in_[id] != per_client) ++problems;
    }
  }
  std::map<std::pair<pipescope::EndpointId, pipescope::Direction>, std::uint64_t> logged;
  const pipescope::MessageLog& log = engine.log();
  for (std::uint64_t row = 0; row < log.size(); ++row) {
    const pipescope::Record record = log.record(row);
    logged[{record.endpoint, record.direction}] += record.length;
  }
  std::uint64_t logged_total = 0;
  for (const auto& [key, count] : logged) logged_total += count;
  // Each byte is logged four times: client out, instance in, instance out
  // (the echo), client in.
  if (logged_total != 4 * total) ++problems;

  const std::size_t engine_threads = engine.thread_count();
  const bool threads_ok = engine_threads <= kMaxEngineThreads;
  const bool all_arrived = problems == 0;

  if (settings.json) {
    std::printf(
        "{\"event\":\"bench\",\"figure\":\"scale\",\"instances\":%llu,\"messages_per_client\":%llu,"
        "\"message_size\":%zu,\"engine_threads\":%zu,\"process_threads\":%zu,\"connect_seconds\":%.3f,"
        "\"exchange_seconds\":%.3f,\"bytes_logged\":%llu,\"all_arrived_and_logged\":%s,"
        "\"target\":\"engine threads <= %zu, nothing lost\",\"pass\":%s}\n",
        static_cast<unsigned long long>(settings.instances), static_cast<unsigned long long>(settings.messages),
        settings.size, engine_threads, std::max({threads_before, threads_connected, threads_busy}), connect_seconds,
        exchange_seconds, static_cast<unsigned long long>(logged_total), all_arrived ? "true" : "false",
        kMaxEngineThreads, threads_ok && all_arrived ? "true" : "false");
  } else {
    using pipescope::bench::fixed;
    using pipescope::bench::print_row;
    pipescope::bench::print_header();
    print_row("engine threads, " + std::to_string(settings.instances) + " instances + clients",
              std::to_string(engine_threads), "≤ " + std::to_string(kMaxEngineThreads), threads_ok ? "pass" : "FAIL");
    print_row("process threads (all, as the OS counts)",
              std::to_string(std::max({threads_before, threads_connected, threads_busy})), "-", "-");
    print_row("every byte arrived and was logged", std::to_string(logged_total) + " B logged", "nothing lost",
              all_arrived ? "pass" : "FAIL");
    print_row("time to connect every client", fixed(connect_seconds * 1e3, 1) + " ms", "-", "-");
    print_row("time to exchange " + std::to_string(settings.messages) + " × " + std::to_string(settings.size) +
                  " B each way",
              fixed(exchange_seconds * 1e3, 1) + " ms", "-", "-");
  }
  return all_arrived ? 0 : 1;
}
