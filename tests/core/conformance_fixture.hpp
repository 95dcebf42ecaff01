// The fixture of the engine conformance suite (conformance_test.cpp).
//
// The suite states Windows pipe semantics once and runs unchanged against
// every backend: natively against the POSIX backend and, cross-compiled,
// against the Win32 backend under Wine. Test bodies therefore use only the
// public API and the standard library. The two values that depend on the
// platform (this process's id and the path of the child helper program) are
// produced here and nowhere else.
//
// Waiting is always done on the engine's events with a timeout (through
// EventQueue::wait_until over the event history), never by sleeping: the
// history is order-independent, so a test may wait for the client's event
// and then for the instance's without caring which one the engine sent first.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <pipescope/codec.hpp>
#include <pipescope/endpoint.hpp>
#include <pipescope/engine.hpp>
#include <pipescope/error.hpp>
#include <pipescope/event.hpp>
#include <pipescope/log.hpp>
#include <pipescope/options.hpp>

// The only operating-system headers of the suite: they give this process's
// id, which the engine must report as the peer of a client we opened
// ourselves.
#if defined(_WIN32)
#include <process.h>
#else
#include <unistd.h>
#endif

#ifndef PIPESCOPE_CHILD_HELPER
#error "PIPESCOPE_CHILD_HELPER must name the child_helper program (tests/core/CMakeLists.txt defines it)."
#endif

namespace pipescope::conformance {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// How long a test waits for an event that must come. Generous, because a
/// loaded machine (or Wine) can be slow; a passing test never waits this long.
inline constexpr std::chrono::milliseconds kEventTimeout{5000};

/// This process's id, as the engine reports peers (GetNamedPipeClientProcessId
/// on Windows, SO_PEERCRED on POSIX).
inline std::int64_t current_process_id() {
#if defined(_WIN32)
  return static_cast<std::int64_t>(_getpid());
#else
  return static_cast<std::int64_t>(::getpid());
#endif
}

/// The child helper program built next to the tests (tests/core/child_helper.cpp).
inline std::string child_helper_path() {
  std::string path = PIPESCOPE_CHILD_HELPER;
#if defined(_WIN32)
  // A cross build names the program by the build machine's path. Wine shows
  // the build machine's root as drive Z:, so "/work/x.exe" is "Z:\work\x.exe".
  if (!path.empty() && path.front() == '/') {
    path.insert(0, "Z:");
  }
  for (char& c : path) {
    if (c == '/') {
      c = '\\';
    }
  }
#endif
  return path;
}

/// Deterministic bytes covering every byte value, including the ones a text
/// mode would mangle (0, '\r', '\n', 0x1A); `seed` makes streams distinct.
inline Bytes pattern_bytes(std::size_t size, std::uint32_t seed) {
  Bytes bytes(size);
  std::uint32_t state = seed * 2654435761U + 12345U;
  for (std::size_t i = 0; i < size; ++i) {
    state = state * 1103515245U + 12345U;
    bytes[i] = static_cast<std::byte>((state >> 16) & 0xFFU);
  }
  return bytes;
}

inline std::string text_of(std::span<const std::byte> bytes) { return std::string(as_chars(bytes)); }

/// Success, or a failure message that shows the engine's whole explanation.
template <class T>
::testing::AssertionResult succeeded(const Result<T>& result) {
  if (result.ok()) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "failed: " << result.error().summary();
}

/// The error carries exactly `expected` in PipeScope's category.
inline ::testing::AssertionResult has_code(const Error& error, Errc expected) {
  if (error.code == make_error_code(expected)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected " << error_symbol(expected) << " ("
                                       << static_cast<std::int32_t>(expected) << "), got " << error.summary()
                                       << " [category " << error.code.category().name() << ", value "
                                       << error.code.value() << "]";
}

/// The call failed, and with exactly `expected`.
template <class T>
::testing::AssertionResult fails_with(const Result<T>& result, Errc expected) {
  if (result.ok()) {
    return ::testing::AssertionFailure() << "succeeded, but " << error_symbol(expected) << " was expected";
  }
  return has_code(result.error(), expected);
}

/// A StateChanged reason (a std::error_code) is exactly `expected`.
inline ::testing::AssertionResult reason_is(std::error_code reason, Errc expected) {
  if (reason == make_error_code(expected)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected reason " << error_symbol(expected) << ", got "
                                       << (reason ? reason.category().name() + std::string(":") +
                                                        std::to_string(reason.value()) + " " + reason.message()
                                                  : std::string("none"));
}

inline ::testing::AssertionResult state_is(std::optional<EndpointState> actual, EndpointState expected) {
  if (actual == expected) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected state " << to_string(expected) << ", got "
                                       << (actual ? std::string(to_string(*actual)) : std::string("unknown endpoint"));
}

/// One log record with its payload copied out.
struct LoggedRow {
  std::uint64_t row = 0;
  Record record;
  Bytes payload;
};

/// A server we started, with the instance it listened on first.
struct Served {
  ServerId server = 0;
  std::string name;
  EndpointId first_instance = 0;
};

/// A connected client and the server instance it is connected to.
struct Link {
  EndpointId client = 0;
  EndpointId instance = 0;
};

class EngineConformance : public ::testing::Test {
 protected:
  // The queue is declared first so that it outlives the engine, which
  // delivers its last events (closing everything) from its destructor.
  EventQueue events_;
  Engine engine_{&events_};

  /// "pipescope-conf-<pid>-<counter>-<test>": unique across tests and across
  /// processes that run tests in parallel, and short enough for a socket path.
  static std::string unique_name() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test = info != nullptr ? info->name() : "none";
    if (test.size() > 32) {
      test.resize(32);
    }
    // A parameterised test's name ends in "/<case>", and '/' is no part of
    // a pipe name.
    std::replace(test.begin(), test.end(), '/', '-');
    return "pipescope-conf-" + std::to_string(current_process_id()) + "-" + std::to_string(counter.fetch_add(1)) +
           "-" + test;
  }

  static ServerOptions server_options() {
    ServerOptions options;
    options.name = unique_name();
    return options;
  }

  static ServerOptions message_server_options() {
    ServerOptions options = server_options();
    options.type = PipeType::message;
    options.read_mode = ReadMode::message;
    return options;
  }

  static ClientOptions client_options(const std::string& name) {
    ClientOptions options;
    options.name = name;
    return options;
  }

  // ---- waiting on events -------------------------------------------------

  /// Waits until an event of type T matching `match` has been seen (also one
  /// seen before the call) and returns the first such event.
  template <class T>
  std::optional<T> await(const std::function<bool(const T&)>& match, std::chrono::milliseconds timeout = kEventTimeout) {
    std::optional<T> found;
    std::size_t seen = 0;
    // The history only grows, so the scan resumes where the last call stopped.
    events_.wait_until(
        [&](std::span<const Event> history) {
          for (; seen < history.size(); ++seen) {
            const T* event = std::get_if<T>(&history[seen]);
            if (event != nullptr && match(*event)) {
              found = *event;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

  /// Waits until `count` events of type T match; returns them in order (fewer
  /// when the timeout ran out).
  template <class T>
  std::vector<T> await_count(const std::function<bool(const T&)>& match, std::size_t count,
                             std::chrono::milliseconds timeout = kEventTimeout) {
    std::vector<T> found;
    std::size_t seen = 0;
    events_.wait_until(
        [&](std::span<const Event> history) {
          for (; seen < history.size() && found.size() < count; ++seen) {
            const T* event = std::get_if<T>(&history[seen]);
            if (event != nullptr && match(*event)) {
              found.push_back(*event);
            }
          }
          return found.size() >= count;
        },
        timeout);
    return found;
  }

  std::optional<StateChanged> await_state(EndpointId endpoint, EndpointState state,
                                          std::chrono::milliseconds timeout = kEventTimeout) {
    return await<StateChanged>(
        [&](const StateChanged& e) { return e.endpoint == endpoint && e.state == state; }, timeout);
  }

  /// An instance of `server` reaching `state`, other than those in `exclude`.
  std::optional<StateChanged> await_instance_state(ServerId server, EndpointState state,
                                                   const std::vector<EndpointId>& exclude = {},
                                                   std::chrono::milliseconds timeout = kEventTimeout) {
    return await<StateChanged>(
        [&](const StateChanged& e) {
          if (e.kind != EndpointKind::instance || e.server != server || e.state != state) {
            return false;
          }
          for (EndpointId excluded : exclude) {
            if (excluded == e.endpoint) {
              return false;
            }
          }
          return true;
        },
        timeout);
  }

  std::optional<ErrorEvent> await_error(EndpointId endpoint, std::chrono::milliseconds timeout = kEventTimeout) {
    return await<ErrorEvent>([&](const ErrorEvent& e) { return e.endpoint == endpoint; }, timeout);
  }

  /// The engine may refuse at once (the call returns the error) or start
  /// the work and report the error as an event of `endpoint`, as a failing
  /// overlapped call does on Windows; both are conformant, and the code must
  /// be exactly `expected` either way.
  template <class T>
  ::testing::AssertionResult fails_at_once_or_later(const Result<T>& result, EndpointId endpoint, Errc expected) {
    if (!result.ok()) {
      return has_code(result.error(), expected);
    }
    const auto error = await_error(endpoint);
    if (!error) {
      return ::testing::AssertionFailure() << "the call succeeded and endpoint " << endpoint << " reported no error; "
                                           << error_symbol(expected) << " was expected" << recent_events();
    }
    return has_code(error->error, expected);
  }
  /// The same for a call that starts an endpoint (connect_async, run_child).
  ::testing::AssertionResult fails_at_once_or_later(const Result<EndpointId>& started, Errc expected) {
    return fails_at_once_or_later(started, started.ok() ? *started : 0, expected);
  }

  /// A read-write client of a one-way pipe is refused with
  /// ERROR_ACCESS_DENIED. One wrongly admitted is let go again, so that the
  /// rest of a test is about its one-way client alone.
  void expect_read_write_client_refused(const Served& served) {
    auto read_write = engine_.connect(client_options(served.name));
    EXPECT_TRUE(fails_with(read_write, Errc::access_denied)) << recent_events();
    if (read_write.ok()) {
      EXPECT_TRUE(succeeded(engine_.disconnect(*read_write)));
      EXPECT_TRUE(await_instance_state(served.server, EndpointState::closed)) << recent_events();
    }
  }

  /// Waits until Data events of `endpoint` in `direction` add up to at least
  /// `bytes`.
  bool await_bytes(EndpointId endpoint, Direction direction, std::uint64_t bytes,
                   std::chrono::milliseconds timeout = kEventTimeout) {
    std::uint64_t total = 0;
    std::size_t seen = 0;
    return events_.wait_until(
        [&](std::span<const Event> history) {
          for (; seen < history.size(); ++seen) {
            const auto* data = std::get_if<Data>(&history[seen]);
            if (data != nullptr && data->endpoint == endpoint && data->direction == direction) {
              total += data->size;
            }
          }
          return total >= bytes;
        },
        timeout);
  }

  /// Waits until `count` Data events of `endpoint` in `direction` arrived.
  bool await_records(EndpointId endpoint, Direction direction, std::size_t count,
                     std::chrono::milliseconds timeout = kEventTimeout) {
    return await_count<Data>([&](const Data& d) { return d.endpoint == endpoint && d.direction == direction; }, count,
                             timeout)
               .size() >= count;
  }

  /// The position in the history of the first event of type T matching
  /// `match`, to check the order of two events.
  template <class T>
  std::optional<std::size_t> history_index(const std::function<bool(const T&)>& match) const {
    const std::vector<Event> history = events_.history();
    for (std::size_t i = 0; i < history.size(); ++i) {
      const T* event = std::get_if<T>(&history[i]);
      if (event != nullptr && match(*event)) {
        return i;
      }
    }
    return std::nullopt;
  }

  /// Every event of type T seen so far that matches.
  template <class T>
  std::vector<T> seen(const std::function<bool(const T&)>& match) const {
    std::vector<T> found;
    for (const Event& event : events_.history()) {
      const T* typed = std::get_if<T>(&event);
      if (typed != nullptr && match(*typed)) {
        found.push_back(*typed);
      }
    }
    return found;
  }

  /// The last events, one line each, to explain a failed wait.
  std::string recent_events(std::size_t count = 40) const {
    const std::vector<Event> history = events_.history();
    std::ostringstream out;
    out << "\nlast events (" << history.size() << " in all):";
    const std::size_t first = history.size() > count ? history.size() - count : 0;
    for (std::size_t i = first; i < history.size(); ++i) {
      out << "\n  #" << i << " " << describe(history[i]);
    }
    return out.str();
  }

  // ---- reading the log ----------------------------------------------------

  /// The records of one endpoint in one direction, in log order.
  std::vector<LoggedRow> logged(EndpointId endpoint, Direction direction) {
    std::vector<LoggedRow> rows;
    MessageLog& log = engine_.log();
    const std::uint64_t size = log.size();
    for (std::uint64_t row = 0; row < size; ++row) {
      const Record record = log.record(row);
      if (record.endpoint == endpoint && record.direction == direction) {
        const auto payload = log.payload(record);
        rows.push_back(LoggedRow{row, record, Bytes(payload.begin(), payload.end())});
      }
    }
    return rows;
  }

  /// The payloads of one endpoint and direction joined up; with `stream_mask`
  /// only the records whose flags & stream_mask equal `stream_value`.
  Bytes logged_bytes(EndpointId endpoint, Direction direction, std::uint8_t stream_mask = 0,
                     std::uint8_t stream_value = 0) {
    Bytes bytes;
    for (const LoggedRow& row : logged(endpoint, direction)) {
      if ((row.record.flags & stream_mask) == stream_value) {
        bytes.insert(bytes.end(), row.payload.begin(), row.payload.end());
      }
    }
    return bytes;
  }

  // ---- composite steps ----------------------------------------------------

  /// Starts a server and waits for ServerStarted and its first listening
  /// instance. Reports what went wrong and returns nullopt on failure.
  std::optional<Served> serve(const ServerOptions& options) {
    auto server = engine_.start_server(options);
    if (!server.ok()) {
      ADD_FAILURE() << "start_server " << options.name << ": " << server.error().summary();
      return std::nullopt;
    }
    const ServerId id = *server;
    if (!await<ServerStarted>([&](const ServerStarted& e) { return e.server == id; })) {
      ADD_FAILURE() << "no ServerStarted for server " << id << recent_events();
      return std::nullopt;
    }
    auto listening = await_instance_state(id, EndpointState::listening);
    if (!listening) {
      ADD_FAILURE() << "no listening instance for server " << id << recent_events();
      return std::nullopt;
    }
    return Served{id, options.name, listening->endpoint};
  }

  /// Connects a client (blocking connect) and waits until it and a new
  /// instance of `server` report connected. Instances that were connected
  /// before the call are never taken for the new one, so an earlier (even a
  /// stray) connection cannot be mistaken for this client's.
  std::optional<Link> connect_to(ServerId server, const ClientOptions& options) {
    std::vector<EndpointId> exclude;
    for (const StateChanged& earlier : seen<StateChanged>([&](const StateChanged& e) {
           return e.kind == EndpointKind::instance && e.server == server && e.state == EndpointState::connected;
         })) {
      exclude.push_back(earlier.endpoint);
    }
    auto client = engine_.connect(options);
    if (!client.ok()) {
      ADD_FAILURE() << "connect " << options.name << ": " << client.error().summary() << recent_events();
      return std::nullopt;
    }
    if (!await_state(*client, EndpointState::connected)) {
      ADD_FAILURE() << "client " << *client << " never reported connected" << recent_events();
      return std::nullopt;
    }
    const auto deadline = Clock::now() + kEventTimeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      auto instance = left.count() > 0 ? await_instance_state(server, EndpointState::connected, exclude, left)
                                       : std::nullopt;
      if (!instance) {
        ADD_FAILURE() << "no new instance of server " << server << " reported connected" << recent_events();
        return std::nullopt;
      }
      // An instance that is no longer connected served a connection that has
      // already ended, such as a client the engine opened and closed again
      // itself (Windows: CreateFile succeeded, SetNamedPipeHandleState did
      // not); its events may arrive after this call began.
      if (engine_.state(instance->endpoint) == EndpointState::connected) {
        return Link{*client, instance->endpoint};
      }
      exclude.push_back(instance->endpoint);
    }
  }

  /// A message pipe's two ends: serves message_server_options() and
  /// connects a client that reads in message mode, the start of most
  /// message-pipe cases. Reports what went wrong and returns nullopt on
  /// failure (see serve() and connect_to()).
  std::optional<Link> connect_message_pipe() {
    const auto served = serve(message_server_options());
    if (!served) {
      return std::nullopt;
    }
    ClientOptions client = client_options(served->name);
    client.read_mode = ReadMode::message;
    return connect_to(served->server, client);
  }

  /// Waits until one instance of `server` has read at least `bytes` and
  /// returns it: the way to find the instance that serves a client when a
  /// stray connection may have come and gone just before.
  std::optional<EndpointId> await_instance_reading(ServerId server, std::uint64_t bytes,
                                                   std::chrono::milliseconds timeout = kEventTimeout) {
    std::map<EndpointId, std::uint64_t> read_by_instance;
    std::optional<EndpointId> reader;
    std::size_t scanned = 0;
    events_.wait_until(
        [&](std::span<const Event> history) {
          for (; scanned < history.size(); ++scanned) {
            // An instance always reports a state before it reads anything.
            if (const auto* s = std::get_if<StateChanged>(&history[scanned]);
                s != nullptr && s->kind == EndpointKind::instance && s->server == server) {
              read_by_instance.emplace(s->endpoint, 0);
            } else if (const auto* d = std::get_if<Data>(&history[scanned]);
                       d != nullptr && d->direction == Direction::in) {
              auto it = read_by_instance.find(d->endpoint);
              if (it != read_by_instance.end() && (it->second += d->size) >= bytes) {
                reader = d->endpoint;
                return true;
              }
            }
          }
          return false;
        },
        timeout);
    return reader;
  }

  /// Sends and waits until the sender's Data events show every byte (and
  /// every call, for zero-length messages) this test sent on `endpoint`.
  ::testing::AssertionResult send_and_wait(EndpointId endpoint, std::span<const std::byte> bytes) {
    auto sent = engine_.send(endpoint, bytes);
    if (!sent.ok()) {
      return ::testing::AssertionFailure() << "send on " << endpoint << ": " << sent.error().summary();
    }
    SentTotals& totals = sent_totals_[endpoint];
    totals.bytes += bytes.size();
    totals.calls += 1;
    std::uint64_t bytes_seen = 0;
    std::size_t records_seen = 0;
    std::size_t scanned = 0;
    // The predicate runs under the queue's lock, so it only reads the history
    // and never calls back into the engine.
    const bool done = events_.wait_until(
        [&](std::span<const Event> history) {
          for (; scanned < history.size(); ++scanned) {
            const auto* data = std::get_if<Data>(&history[scanned]);
            if (data != nullptr && data->endpoint == endpoint && data->direction == Direction::out) {
              bytes_seen += data->size;
              records_seen += 1;
            }
          }
          return bytes_seen >= totals.bytes && records_seen >= totals.calls;
        },
        kEventTimeout);
    if (!done) {
      return ::testing::AssertionFailure() << "the write of " << bytes.size() << " bytes on endpoint " << endpoint
                                           << " never completed (" << bytes_seen << " of " << totals.bytes
                                           << " bytes written so far)" << recent_events();
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult send_and_wait(EndpointId endpoint, std::string_view text) {
    return send_and_wait(endpoint, as_bytes(text));
  }

  /// Sends `text` from one endpoint and waits until the other has it all;
  /// succeeds only if everything `to` has logged as received is exactly
  /// `text`, so `to` must have received nothing before.
  ::testing::AssertionResult delivered(EndpointId from, EndpointId to, std::string_view text) {
    if (auto sent = send_and_wait(from, text); !sent) {
      return sent;
    }
    if (!await_bytes(to, Direction::in, text.size())) {
      return ::testing::AssertionFailure() << "endpoint " << to << " never received " << text.size() << " bytes"
                                           << recent_events();
    }
    const std::string received = text_of(logged_bytes(to, Direction::in));
    if (received != text) {
      return ::testing::AssertionFailure() << "endpoint " << to << " logged \"" << received << "\", not \"" << text
                                           << "\"";
    }
    return ::testing::AssertionSuccess();
  }

 private:
  struct SentTotals {
    std::uint64_t bytes = 0;
    std::size_t calls = 0;
  };
  std::map<EndpointId, SentTotals> sent_totals_;
};

}  // namespace pipescope::conformance
