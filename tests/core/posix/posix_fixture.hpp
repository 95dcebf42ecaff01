// The fixture of the POSIX-only cases that drive one engine against socket
// files (posix_backend_test.cpp, takeover_test.cpp): unique pipe names and
// their socket paths, servers whose files are removed after the test, and
// waits on the engine's events with a timeout, never by sleeping.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <pipescope/engine.hpp>

#include "posix/posix_backend.hpp"

namespace pipescope::posix_test {

using namespace std::chrono_literals;
inline constexpr auto kTimeout = 5000ms;

/// Where the tests put files of their own: the folder the backend puts its
/// sockets in ($TMPDIR, else /tmp), so that a test that plants a file where
/// a pipe will be finds the backend there, whatever TMPDIR says.
inline std::string temp_folder() { return detail::posix::socket_folder(); }

/// The socket file the POSIX backend binds for the pipe name `leaf`.
inline std::string socket_path(const std::string& leaf) { return temp_folder() + "/CoreFxPipe_" + leaf; }

/// "pipescope-<suite>-<pid>-<counter>-<what>": unique across tests and
/// across processes that run tests in parallel. `suite` tells whose file a
/// socket left behind is.
inline std::string unique_leaf(std::string_view suite, std::string_view what) {
  static std::atomic<int> counter{0};
  return "pipescope-" + std::string(suite) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) +
         "-" + std::string(what);
}

class EngineFixture : public ::testing::Test {
 protected:
  /// `suite` goes into every pipe name the fixture makes (see unique_leaf()).
  explicit EngineFixture(std::string_view suite) : suite_(suite) {}

  void TearDown() override {
    engine_.close_all();
    for (const auto& p : cleanup_) ::unlink(p.c_str());
  }

  [[nodiscard]] std::string unique_name(std::string_view what) const { return unique_leaf(suite_, what); }

  /// Options for a server of a unique name whose socket file the test removes.
  ServerOptions options(std::string_view what) {
    ServerOptions o;
    o.name = unique_name(what);
    cleanup_.push_back(socket_path(o.name));
    return o;
  }

  /// The next event of type T that matches, waiting for it.
  template <class T>
  std::optional<T> await(const std::function<bool(const T&)>& match) {
    auto e = events_.wait_for(
        [&](const Event& ev) {
          const T* t = std::get_if<T>(&ev);
          return t != nullptr && match(*t);
        },
        kTimeout);
    if (!e) return std::nullopt;
    return std::get<T>(*e);
  }

  bool await_state(EndpointId id, EndpointState state) {
    return await<StateChanged>([&](const StateChanged& s) { return s.endpoint == id && s.state == state; })
        .has_value();
  }

  EventQueue events_;
  Engine engine_{&events_};
  std::vector<std::string> cleanup_;

 private:
  std::string suite_;
};

}  // namespace pipescope::posix_test
