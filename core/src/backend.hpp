// What a backend (core/src/posix, core/src/win) must provide. The portable
// Engine validates arguments and forwards here; CMake picks the backend's
// files, so nothing here is conditional.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engine_context.hpp"
#include "pipescope/engine.hpp"
#include "pipescope/name.hpp"

namespace pipescope::detail {

using ConnectDone = std::function<void(const Result<void>&)>;

class Backend {
 public:
  virtual ~Backend() = default;

  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual std::size_t thread_count() const noexcept = 0;

  /// Serves `name` as server `id` (the engine numbers servers, so that their
  /// taps are known before the first instance exists).
  virtual Result<ServerId> start_server(ServerId id, const ServerOptions& options, const PipeName& name) = 0;
  virtual Result<void> stop_server(ServerId server) = 0;
  /// `done` is called once, on an engine thread, with the outcome.
  virtual Result<EndpointId> connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done) = 0;
  virtual Result<void> send(EndpointId endpoint, std::span<const std::byte> bytes) = 0;
  virtual Result<void> disconnect(EndpointId endpoint) = 0;
  virtual Result<void> impersonate(EndpointId instance, const ImpersonationRequest& request) = 0;
  /// Engine::inspect: an instance or a client as the OS sees it now.
  [[nodiscard]] virtual Result<PipeInspection> inspect(EndpointId endpoint) const = 0;
  /// Engine::transact; the timeout is not negative. Blocks the caller (never
  /// an engine thread) until the reply, a failure or the timeout.
  [[nodiscard]] virtual Result<Bytes> transact(EndpointId client, std::span<const std::byte> request,
                                               std::chrono::milliseconds timeout) = 0;
  /// Engine::call, with validated options (read mode already message).
  [[nodiscard]] virtual Result<Bytes> call(const ClientOptions& options, const PipeName& name,
                                           std::span<const std::byte> request, std::chrono::milliseconds timeout) = 0;
  virtual Result<EndpointId> run_child(const ChildOptions& options) = 0;
  virtual Result<void> kill_child(EndpointId child) = 0;
  [[nodiscard]] virtual Result<std::vector<PipeInfo>> list_pipes(const ListOptions& options) const = 0;
  /// Closes everything and waits until nothing is pending; the destructor
  /// must do the same.
  virtual void close_all() = 0;
};

[[nodiscard]] std::unique_ptr<Backend> make_backend(EngineContext& context);

}  // namespace pipescope::detail
