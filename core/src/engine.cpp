// The portable front of the engine: validates what needs no OS, then hands
// over to the backend CMake chose.
#include "pipescope/engine.hpp"

#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <string>

#include "backend.hpp"
#include "engine_context.hpp"
#include "forwarder.hpp"
#include "taps/responder_tap.hpp"

namespace pipescope {

class Engine::Impl {
 public:
  explicit Impl(EventSink* sink)
      : context(sink),
        backend(detail::make_backend(context)),
        forwarder(std::make_unique<detail::Forwarder>(
            context, [this](EndpointId to, std::span<const std::byte> bytes) { return backend->send(to, bytes); })) {
    context.set_forward_sink(
        [this](std::vector<detail::PendingForward> forwards) { forwarder->post(std::move(forwards)); });
  }
  // The forwarder stops first (it sends through the backend), then the
  // backend stops its threads, which may still post to the forwarder, before
  // the context they use.
  ~Impl() {
    forwarder->stop();
    backend.reset();
    forwarder.reset();
  }

  detail::EngineContext context;
  std::unique_ptr<detail::Backend> backend;
  std::unique_ptr<detail::Forwarder> forwarder;

  // What each server and client was started with, for the callers that show
  // or check it (the GUI's details, its tests).
  mutable std::mutex options_mutex;
  std::map<ServerId, ServerOptions> server_options;
  std::map<EndpointId, ClientOptions> client_options;
};

namespace {
/// The name parsed once, then the rest of the options checked: every
/// backend gets a name that was checked, never a second unchecked parse.
template <class Options>
Result<PipeName> checked_name(const Options& options) {
  auto name = PipeName::parse(options.name);
  if (!name) return std::move(name).error();
  if (auto valid = validate_settings(options); !valid) return std::move(valid).error();
  return name;
}
}  // namespace

Engine::Engine(EventSink* sink) : impl_(std::make_unique<Impl>(sink)) {}
Engine::~Engine() = default;

MessageLog& Engine::log() noexcept { return impl_->context.log(); }
std::string_view Engine::backend_name() const noexcept { return impl_->backend->name(); }
// The backend's threads and the forwarding thread.
std::size_t Engine::thread_count() const noexcept { return impl_->backend->thread_count() + 1; }

Result<ServerId> Engine::start_server(const ServerOptions& options, std::vector<TapFactory> taps) {
  auto name = checked_name(options);
  if (!name) return std::move(name).error();
  // The responder is a tap like any other; the backends do not know it.
  if (TapFactory responder = detail::responder_taps(options.responder)) taps.push_back(std::move(responder));
  const ServerId id = impl_->context.new_server_id();
  impl_->context.set_server_taps(id, std::move(taps));
  // Known before the backend starts, so that a sink told ServerStarted can
  // already ask for them.
  {
    const std::lock_guard lock(impl_->options_mutex);
    impl_->server_options.insert_or_assign(id, options);
  }
  auto started = impl_->backend->start_server(id, options, *name);
  if (!started) {
    impl_->context.forget_server_taps(id);
    const std::lock_guard lock(impl_->options_mutex);
    impl_->server_options.erase(id);
  }
  return started;
}

Result<void> Engine::stop_server(ServerId server) {
  {
    const std::lock_guard lock(impl_->options_mutex);
    impl_->server_options.erase(server);
  }
  auto stopped = impl_->backend->stop_server(server);
  impl_->context.forget_server_taps(server);
  return stopped;
}

Result<void> Engine::add_tap(EndpointId endpoint, std::shared_ptr<Tap> tap) {
  if (tap == nullptr) return make_error(Errc::invalid_parameter, "add_tap", "no tap given");
  if (const auto info = impl_->context.endpoint(endpoint); info && info->kind == EndpointKind::child) {
    return make_error(Errc::not_supported, "add_tap",
                      "endpoint " + std::to_string(endpoint) + " is a child; taps see pipe instances and clients");
  }
  if (!impl_->context.add_tap(endpoint, std::move(tap))) {
    return make_error(Errc::unknown_endpoint, "add_tap", "endpoint " + std::to_string(endpoint));
  }
  return {};
}

Result<EndpointId> Engine::connect_async(const ClientOptions& options) {
  auto name = checked_name(options);
  if (!name) return std::move(name).error();
  auto started = impl_->backend->connect_async(options, *name, nullptr);
  if (started) {
    const std::lock_guard lock(impl_->options_mutex);
    impl_->client_options.insert_or_assign(*started, options);
  }
  return started;
}

Result<EndpointId> Engine::connect(const ClientOptions& options) {
  auto name = checked_name(options);
  if (!name) return std::move(name).error();
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto outcome = promise->get_future();
  auto started = impl_->backend->connect_async(options, *name,
                                               [promise](const Result<void>& r) { promise->set_value(r); });
  if (!started) return started;
  {
    const std::lock_guard lock(impl_->options_mutex);
    impl_->client_options.insert_or_assign(*started, options);
  }
  auto result = outcome.get();
  if (!result) return std::move(result).error();
  return started;
}

Result<void> Engine::send(EndpointId endpoint, std::span<const std::byte> bytes) {
  return impl_->backend->send(endpoint, bytes);
}

Result<void> Engine::disconnect(EndpointId endpoint) { return impl_->backend->disconnect(endpoint); }

Result<void> Engine::impersonate(EndpointId instance, const ImpersonationRequest& request) {
  return impl_->backend->impersonate(instance, request);
}

Result<PipeInspection> Engine::inspect(EndpointId endpoint) const { return impl_->backend->inspect(endpoint); }

namespace {
/// A transact's wait must be a real duration; a negative one is a caller's
/// mistake, said plainly rather than treated as "no wait".
Result<void> check_transact_arguments(std::span<const std::byte> request, std::chrono::milliseconds timeout,
                                      const char* operation) {
  if (timeout.count() < 0) {
    return make_error(Errc::invalid_parameter, operation,
                      "the reply timeout is negative (" + std::to_string(timeout.count()) + " ms)");
  }
  // Both Win32 calls take the request's size as a DWORD.
  if (request.size() > std::numeric_limits<std::uint32_t>::max()) {
    return make_error(Errc::message_too_large, operation,
                      std::to_string(request.size()) + " bytes do not fit one pipe message");
  }
  return {};
}
}  // namespace

Result<Bytes> Engine::transact(EndpointId client, std::span<const std::byte> request,
                               std::chrono::milliseconds timeout) {
  if (auto valid = check_transact_arguments(request, timeout, "TransactNamedPipe"); !valid) {
    return std::move(valid).error();
  }
  return impl_->backend->transact(client, request, timeout);
}

Result<Bytes> Engine::call(const ClientOptions& options, std::span<const std::byte> request,
                           std::chrono::milliseconds timeout) {
  // CallNamedPipe always reads in message mode, whatever the options say.
  ClientOptions call_options = options;
  call_options.read_mode = ReadMode::message;
  auto name = checked_name(call_options);
  if (!name) return std::move(name).error();
  if (call_options.access != ClientAccess::read_write) {
    return make_error(Errc::invalid_parameter, "CallNamedPipe",
                      "a call writes the request and reads the reply, so it needs read and write access");
  }
  if (auto valid = check_transact_arguments(request, timeout, "CallNamedPipe"); !valid) {
    return std::move(valid).error();
  }
  return impl_->backend->call(call_options, *name, request, timeout);
}

Result<EndpointId> Engine::run_child(const ChildOptions& options) {
  if (auto valid = validate(options); !valid) return std::move(valid).error();
  return impl_->backend->run_child(options);
}

Result<void> Engine::kill_child(EndpointId child) { return impl_->backend->kill_child(child); }

Result<std::vector<PipeInfo>> Engine::list_pipes(const ListOptions& options) const {
  return impl_->backend->list_pipes(options);
}

std::optional<EndpointInfo> Engine::endpoint(EndpointId id) const { return impl_->context.endpoint(id); }
std::optional<EndpointState> Engine::state(EndpointId id) const { return impl_->context.state(id); }
Counters Engine::counters(EndpointId id) const { return impl_->context.counters(id); }

std::optional<ServerOptions> Engine::server_options(ServerId server) const {
  const std::lock_guard lock(impl_->options_mutex);
  const auto it = impl_->server_options.find(server);
  if (it == impl_->server_options.end()) return std::nullopt;
  return it->second;
}

std::optional<ClientOptions> Engine::client_options(EndpointId client) const {
  const std::lock_guard lock(impl_->options_mutex);
  const auto it = impl_->client_options.find(client);
  if (it == impl_->client_options.end()) return std::nullopt;
  return it->second;
}

void Engine::close_all() {
  impl_->backend->close_all();
  const std::lock_guard lock(impl_->options_mutex);
  impl_->server_options.clear();
  impl_->client_options.clear();
}

}  // namespace pipescope
