// The Win32 backend: routes the engine's calls to servers, clients and
// children, and owns the completion port they share.
#include "backend_win.hpp"

#include <algorithm>

namespace pipescope::detail {

std::unique_ptr<Backend> make_backend(EngineContext& context) { return std::make_unique<win::WinBackend>(context); }

}  // namespace pipescope::detail

namespace pipescope::detail::win {

namespace {
// Two threads keep completions flowing while one of them waits in
// FlushFileBuffers (a disconnect); more than four buys nothing for pipe I/O.
std::size_t pool_size() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<std::size_t>(cores, 2, 4);
}

Error unknown_endpoint(EndpointId id, std::string operation) {
  return make_error(Errc::unknown_endpoint, std::move(operation), "endpoint " + std::to_string(id));
}
}  // namespace

void EndRegistry::add(std::shared_ptr<PipeEnd> end) {
  std::lock_guard lock(mutex_);
  const EndpointId id = end->id();
  ends_.emplace(id, std::move(end));
}

void EndRegistry::remove(EndpointId id) {
  {
    std::lock_guard lock(mutex_);
    ends_.erase(id);
  }
  changed_.notify_all();
}

std::shared_ptr<PipeEnd> EndRegistry::find(EndpointId id) const {
  std::lock_guard lock(mutex_);
  auto it = ends_.find(id);
  return it == ends_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<PipeEnd>> EndRegistry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<PipeEnd>> result;
  for (const auto& [id, end] : ends_) result.push_back(end);
  return result;
}

void EndRegistry::wait_empty() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return ends_.empty(); });
}

WinBackend::WinBackend(EngineContext& context)
    : context_(context),
      accounts_(context),
      port_(context, pool_size()),
      connector_(Shared{context, port_, ends_, accounts_}) {}

WinBackend::~WinBackend() { close_all(); }

Result<ServerId> WinBackend::start_server(ServerId id, const ServerOptions& options, const PipeName& name) {
  auto server = std::make_shared<Server>(Shared{context_, port_, ends_, accounts_}, id, options, name);
  auto started = server->start();
  context_.flush();
  if (!started) return std::move(started).error();
  std::lock_guard lock(mutex_);
  servers_.emplace(id, std::move(server));
  return id;
}

Result<void> WinBackend::stop_server(ServerId id) {
  std::shared_ptr<Server> server;
  {
    std::lock_guard lock(mutex_);
    auto it = servers_.find(id);
    if (it == servers_.end()) {
      return make_error(Errc::unknown_endpoint, "stop_server", "server " + std::to_string(id));
    }
    server = std::move(it->second);
    servers_.erase(it);
  }
  server->stop();
  context_.flush();
  return {};
}

std::size_t WinBackend::thread_count() const noexcept {
  // The pool, the local connector and the account lookup thread.
  std::size_t threads = port_.thread_count() + 2;
  std::lock_guard lock(mutex_);
  return remote_connector_ ? threads + 1 : threads;
}

Connector* WinBackend::remote_connector() const {
  std::lock_guard lock(mutex_);
  return remote_connector_.get();
}

Result<EndpointId> WinBackend::connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done) {
  if (name.kind() == PipeName::Kind::path || name.is_local()) {
    return connector_.connect_async(options, name, std::move(done));
  }
  Connector* remote = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (!remote_connector_) remote_connector_ = std::make_unique<Connector>(Shared{context_, port_, ends_, accounts_});
    remote = remote_connector_.get();
  }
  // It lives as long as the backend once made.
  return remote->connect_async(options, name, std::move(done));
}

std::shared_ptr<Child> WinBackend::find_child(EndpointId id) const {
  std::lock_guard lock(mutex_);
  auto it = children_.find(id);
  return it == children_.end() ? nullptr : it->second;
}

Result<void> WinBackend::send(EndpointId endpoint, std::span<const std::byte> bytes) {
  if (auto end = ends_.find(endpoint)) return end->send(bytes);
  if (auto child = find_child(endpoint)) return child->send(bytes);
  if (auto info = context_.endpoint(endpoint)) {
    // A known endpoint that is not live (still connecting, or closed).
    return make_error(Errc::pipe_not_connected, "WriteFile", info->label);
  }
  return unknown_endpoint(endpoint, "send");
}

Result<void> WinBackend::disconnect(EndpointId endpoint) {
  if (auto end = ends_.find(endpoint)) return end->request_disconnect();
  if (auto child = find_child(endpoint)) return child->close_stdin();
  if (connector_.cancel(endpoint)) return {};
  if (Connector* remote = remote_connector(); remote != nullptr && remote->cancel(endpoint)) return {};
  if (auto info = context_.endpoint(endpoint)) {
    return make_error(Errc::pipe_not_connected, "disconnect", info->label);
  }
  return unknown_endpoint(endpoint, "disconnect");
}

Result<void> WinBackend::impersonate(EndpointId instance, const ImpersonationRequest& request) {
  if (auto end = ends_.find(instance)) return end->impersonate(request);
  if (auto info = context_.endpoint(instance)) {
    return make_error(Errc::pipe_not_connected, "ImpersonateNamedPipeClient", info->label);
  }
  return unknown_endpoint(instance, "ImpersonateNamedPipeClient");
}

Result<EndpointId> WinBackend::run_child(const ChildOptions& options) {
  auto child = std::make_shared<Child>(context_, options);
  auto started = child->start();
  if (!started) return started;
  std::lock_guard lock(mutex_);
  children_.emplace(*started, std::move(child));
  return started;
}

Result<void> WinBackend::kill_child(EndpointId id) {
  if (auto child = find_child(id)) return child->kill();
  return unknown_endpoint(id, "TerminateProcess");
}

// Every entry of \\.\pipe\ is a named pipe: there is nothing else to leave out.
Result<std::vector<PipeInfo>> WinBackend::list_pipes(const ListOptions&) const { return list_pipes_win32(); }

void WinBackend::close_all() {
  connector_.cancel_all();
  if (Connector* remote = remote_connector()) remote->cancel_all();
  std::vector<std::shared_ptr<Server>> servers;
  std::vector<std::shared_ptr<Child>> children;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, server] : servers_) servers.push_back(std::move(server));
    for (auto& [id, child] : children_) children.push_back(std::move(child));
    servers_.clear();
    children_.clear();
  }
  for (auto& server : servers) server->stop();
  // Clients (and instances of a server that stopped meanwhile) are closed
  // here; each leaves the registry only when its last completion is in.
  for (auto& end : ends_.all()) end->abort();
  ends_.wait_empty();
  for (auto& child : children) {
    static_cast<void>(child->kill());
    child->join();
  }
  context_.flush();
}

}  // namespace pipescope::detail::win
