// The fixture of the POSIX cases about hostile peers and exhausted
// resources (issue 11): foreign AF_UNIX peers, an event sink that can hold
// the I/O thread still at a chosen moment, and waits on the event history.
//
// Waiting is done on events with a timeout, never by sleeping.
#pragma once

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <pipescope/codec.hpp>
#include <pipescope/engine.hpp>

namespace pipescope::hostile {

using namespace std::chrono_literals;
inline constexpr auto kTimeout = 5000ms;

inline std::string unique_name(std::string_view what) {
  static std::atomic<int> counter{0};
  return "pipescope-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + std::string(what);
}

inline std::string socket_path(const std::string& leaf) { return "/tmp/CoreFxPipe_" + leaf; }

/// A plain AF_UNIX socket that knows nothing of PipeScope: the foreign peer.
struct RawSocket {
  int fd = -1;
  explicit RawSocket(int type = SOCK_STREAM) : fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) {
    // Blocking calls are bounded, so a bug fails the test instead of hanging it.
    timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~RawSocket() { close(); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  /// Binds an abstract name ("\0" + name), which the server sees as its peer's address.
  bool bind_abstract(const std::string& name) const {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name.data(), std::min(name.size(), sizeof addr.sun_path - 2));
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
  }
  /// 0 or the errno of connect().
  int connect_to(const std::string& path) const {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    return ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
  }
  bool send_text(std::string_view text) const {
    return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  /// One message (or what a stream has), up to `capacity` bytes; nullopt on
  /// a failure or the timeout; an empty string at the end of the stream.
  std::optional<std::string> receive(std::size_t capacity = 65536) const {
    std::string buffer(capacity, '\0');
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }
};

/// Forwards every batch to an EventQueue; when armed, the next batch then
/// holds the engine's I/O thread (which delivers it) until released, so a
/// test can queue input that the engine must find all at once.
class HoldingSink final : public EventSink {
 public:
  void on_events(std::span<const Event> batch) override {
    queue.on_events(batch);
    std::unique_lock lock(mutex_);
    if (!armed_) return;
    armed_ = false;
    holding_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !holding_; });
  }
  void arm() {
    std::lock_guard lock(mutex_);
    armed_ = true;
  }
  /// Waits until the I/O thread is held.
  bool await_held(std::chrono::milliseconds timeout = kTimeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return holding_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    armed_ = false;
    holding_ = false;
    changed_.notify_all();
  }

  EventQueue queue;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool holding_ = false;
};

class HostilePeer : public ::testing::Test {
 protected:
  void TearDown() override {
    sink_.release();
    engine_.close_all();
    for (const auto& p : cleanup_) ::unlink(p.c_str());
  }

  ServerOptions options(std::string_view what, PipeType type = PipeType::byte) {
    ServerOptions o;
    o.name = unique_name(what);
    o.type = type;
    if (type == PipeType::message) o.read_mode = ReadMode::message;
    cleanup_.push_back(socket_path(o.name));
    return o;
  }

  /// The first event of type T in the history that matches, waiting for it.
  template <class T>
  std::optional<T> await(const std::function<bool(const T&)>& match, std::chrono::milliseconds timeout = kTimeout) {
    std::optional<T> found;
    sink_.queue.wait_until(
        [&](std::span<const Event> history) {
          for (const Event& e : history) {
            if (const T* t = std::get_if<T>(&e); t != nullptr && match(*t)) {
              found = *t;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

  /// Every event of type T seen so far that matches.
  template <class T>
  std::vector<T> seen(const std::function<bool(const T&)>& match) const {
    std::vector<T> found;
    for (const Event& e : sink_.queue.history()) {
      if (const T* t = std::get_if<T>(&e); t != nullptr && match(*t)) found.push_back(*t);
    }
    return found;
  }

  /// Waits until `count` events of type T match.
  template <class T>
  bool await_count(const std::function<bool(const T&)>& match, std::size_t count,
                   std::chrono::milliseconds timeout = kTimeout) {
    return sink_.queue.wait_until(
        [&](std::span<const Event> history) {
          std::size_t n = 0;
          for (const Event& e : history) {
            if (const T* t = std::get_if<T>(&e); t != nullptr && match(*t)) ++n;
          }
          return n >= count;
        },
        timeout);
  }

  bool await_state(EndpointId id, EndpointState state, std::chrono::milliseconds timeout = kTimeout) {
    return await<StateChanged>([&](const StateChanged& s) { return s.endpoint == id && s.state == state; }, timeout)
        .has_value();
  }

  /// An instance of `server` that reached `state`, other than those in `exclude`.
  std::optional<EndpointId> await_instance(ServerId server, EndpointState state,
                                           const std::vector<EndpointId>& exclude = {}) {
    auto e = await<StateChanged>([&](const StateChanged& s) {
      return s.kind == EndpointKind::instance && s.server == server && s.state == state &&
             std::find(exclude.begin(), exclude.end(), s.endpoint) == exclude.end();
    });
    if (!e) return std::nullopt;
    return e->endpoint;
  }

  /// Waits until `endpoint` has logged `count` records in `direction`.
  bool await_records(EndpointId endpoint, Direction direction, std::size_t count) {
    return await_count<Data>([&](const Data& d) { return d.endpoint == endpoint && d.direction == direction; },
                             count);
  }

  /// The payloads `endpoint` logged in `direction`, in log order.
  std::vector<std::string> logged(EndpointId endpoint, Direction direction) {
    std::vector<std::string> rows;
    MessageLog& log = engine_.log();
    for (std::uint64_t row = 0; row < log.size(); ++row) {
      const Record record = log.record(row);
      if (record.endpoint == endpoint && record.direction == direction) {
        rows.emplace_back(as_chars(log.payload(record)));
      }
    }
    return rows;
  }

  std::string recent_events(std::size_t count = 30) const {
    const std::vector<Event> history = sink_.queue.history();
    std::string out = "\nlast events (" + std::to_string(history.size()) + " in all):";
    for (std::size_t i = history.size() > count ? history.size() - count : 0; i < history.size(); ++i) {
      out += "\n  " + describe(history[i]);
    }
    return out;
  }

  // The sink is declared first so that it outlives the engine.
  HoldingSink sink_;
  Engine engine_{&sink_};
  std::vector<std::string> cleanup_;
};

}  // namespace pipescope::hostile
