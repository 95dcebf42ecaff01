// Servers: CreateNamedPipeW with every ServerOptions field, one listening
// instance at a time, a new one whenever the listening one got its client or
// an instance closed, up to the maximum.
#include <algorithm>
#include <limits>

#include "access_rights.hpp"
#include "backend_win.hpp"

// After <windows.h>, which it needs.
#include <sddl.h>

namespace pipescope::detail::win {

namespace {

Result<std::string> sddl_for(const ServerOptions& options) {
  if (options.security == SecurityPreset::custom) return options.security_descriptor;
  auto user = current_user_sid();
  if (!user) return std::move(user).error();
  // A protected DACL ("P") ignores inherited entries: only the ones listed here apply.
  std::string sddl = "D:P(A;;GA;;;" + *user + ")";
  if (options.security == SecurityPreset::everyone) {
    // Other users may talk to our server, never pose as it (access_rights.hpp).
    sddl += everyone_ace();
  }
  return sddl;
}

DWORD open_mode(const ServerOptions& options, bool first) {
  DWORD mode = FILE_FLAG_OVERLAPPED;
  switch (options.access) {
    case PipeAccess::inbound: mode |= PIPE_ACCESS_INBOUND; break;
    case PipeAccess::outbound: mode |= PIPE_ACCESS_OUTBOUND; break;
    case PipeAccess::duplex: mode |= PIPE_ACCESS_DUPLEX; break;
  }
  // Only the server's very first instance may carry the flag: our later
  // instances of the same pipe would be refused by it.
  if (first && options.first_instance) mode |= FILE_FLAG_FIRST_PIPE_INSTANCE;
  return mode;
}

DWORD pipe_mode(const ServerOptions& options) {
  DWORD mode = 0;
  mode |= options.type == PipeType::message ? PIPE_TYPE_MESSAGE : PIPE_TYPE_BYTE;
  mode |= options.read_mode == ReadMode::message ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE;
  mode |= options.wait_mode == WaitMode::nonblocking ? PIPE_NOWAIT : PIPE_WAIT;
  mode |= options.reject_remote ? PIPE_REJECT_REMOTE_CLIENTS : PIPE_ACCEPT_REMOTE_CLIENTS;
  return mode;
}

bool is_unlimited(const ServerOptions& options) { return options.max_instances >= kUnlimitedInstances; }

}  // namespace

Server::Server(Shared shared, ServerId id, ServerOptions options, PipeName name)
    : shared_(shared),
      id_(id),
      options_(std::move(options)),
      name_(std::move(name)),
      wide_name_(widen(name_.full())) {}

Result<void> Server::start() {
  if (name_.kind() == PipeName::Kind::path) {
    return make_error(Errc::unsupported_on_platform, "CreateNamedPipeW",
                      name_.full() + ": a socket path names a POSIX socket; Windows pipes live under \\\\.\\pipe\\");
  }
  if (!name_.is_local()) {
    return make_error(Errc::name_remote_unsupported, "CreateNamedPipeW",
                      name_.full() + ": a server can only create pipes on its own machine (\\\\.\\pipe\\...)");
  }
  auto sddl = sddl_for(options_);
  if (!sddl) return std::move(sddl).error();
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(widen(*sddl).c_str(), SDDL_REVISION_1, security_.out(),
                                                           nullptr)) {
    return error_from_win32(GetLastError(), IoContext::create, "ConvertStringSecurityDescriptorToSecurityDescriptorW",
                            "security descriptor \"" + *sddl + "\"");
  }
  if (options_.first_instance) {
    // Windows refuses FILE_FLAG_FIRST_PIPE_INSTANCE with ERROR_ACCESS_DENIED
    // when the pipe exists; Wine 8 ignores the flag (wine-notes.md) and would
    // let us pose as another server. So we also ask first: WaitNamedPipeW
    // answers ERROR_FILE_NOT_FOUND only when no instance of the name exists,
    // and it never connects to anything. The flag still closes the race on
    // Windows.
    if (WaitNamedPipeW(wide_name_.c_str(), 1) || GetLastError() != ERROR_FILE_NOT_FOUND) {
      return error_from_win32(ERROR_ACCESS_DENIED, IoContext::create, "CreateNamedPipeW",
                              name_.full() + ": FILE_FLAG_FIRST_PIPE_INSTANCE and the pipe already exists");
    }
  }
  auto handle = create_pipe_handle(true);
  if (!handle) return std::move(handle).error();

  // The descriptor read back from the pipe, not the one we asked for: the OS
  // may rewrite it (Windows shows GA as FA; Wine keeps it as given).
  auto actual = handle_sddl(handle->get());
  shared_.context.emit(ServerStarted{id_, name_.full(), name_.full(), actual ? *actual : std::string()});
  std::shared_ptr<PipeEnd> first;
  {
    std::lock_guard lock(mutex_);
    first = add_instance_locked(std::move(*handle));
  }
  first->start_listening();
  return {};
}

Result<UniqueHandle> Server::create_pipe_handle(bool first) {
  SECURITY_ATTRIBUTES attributes{};
  attributes.nLength = sizeof(attributes);
  attributes.lpSecurityDescriptor = security_.get();
  attributes.bInheritHandle = FALSE;
  const DWORD max_instances = is_unlimited(options_) ? PIPE_UNLIMITED_INSTANCES : options_.max_instances;
  const auto timeout = static_cast<DWORD>(std::clamp<std::chrono::milliseconds::rep>(
      options_.default_timeout.count(), 0, std::numeric_limits<DWORD>::max() - 1));
  UniqueHandle handle(CreateNamedPipeW(wide_name_.c_str(), open_mode(options_, first), pipe_mode(options_),
                                       max_instances, options_.out_buffer_size, options_.in_buffer_size, timeout,
                                       &attributes));
  if (!handle) {
    return error_from_win32(GetLastError(), IoContext::create, "CreateNamedPipeW", name_.full());
  }
  if (options_.wait_mode == WaitMode::nonblocking) {
    // The pipe is created in PIPE_NOWAIT mode as asked (that is what a peer
    // or GetNamedPipeHandleState sees of the instance). The engine's own
    // handle is driven by overlapped I/O, which nonblocking mode would turn
    // into polling (ConnectNamedPipe would return ERROR_PIPE_LISTENING at
    // once), so our handle goes back to PIPE_WAIT.
    DWORD mode = (options_.read_mode == ReadMode::message ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE) | PIPE_WAIT;
    // Left in PIPE_NOWAIT, ConnectNamedPipe would fail at once with
    // ERROR_PIPE_LISTENING for every instance: refuse the instance instead.
    if (!SetNamedPipeHandleState(handle.get(), &mode, nullptr, nullptr)) {
      return error_from_win32(GetLastError(), IoContext::create, "SetNamedPipeHandleState(PIPE_WAIT)",
                              name_.full() + ": the engine's own handle could not leave nonblocking mode");
    }
  }
  if (auto associated = shared_.port.associate(handle.get()); !associated) {
    return std::move(associated).error();
  }
  return handle;
}

std::shared_ptr<PipeEnd> Server::add_instance_locked(UniqueHandle handle) {
  ++created_;
  const EndpointId id =
      shared_.context.add_endpoint(EndpointKind::instance, id_, name_.full(),
                                   name_.leaf() + " #" + std::to_string(created_), EndpointState::listening);
  try {
    return make_instance_locked(id, std::move(handle));
  } catch (...) {
    // The instance never came to be: nobody may wait for it to close (stop()
    // waits until instances_ is empty), and its endpoint says it is gone.
    instances_.erase(id);
    shared_.context.set_state(id, EndpointState::closed);
    throw;
  }
}

std::shared_ptr<PipeEnd> Server::make_instance_locked(EndpointId id, UniqueHandle handle) {
  PipeEndConfig config;
  config.id = id;
  config.server = id_;
  config.kind = EndpointKind::instance;
  config.pipe_name = name_.full();
  config.can_read = options_.access != PipeAccess::outbound;
  config.can_write = options_.access != PipeAccess::inbound;
  config.message_type = options_.type == PipeType::message;
  config.message_read = options_.read_mode == ReadMode::message;
  config.read_buffer_size = options_.read_buffer_size;
  std::weak_ptr<Server> weak = weak_from_this();
  PipeEnd::Callbacks callbacks;
  callbacks.connected = [weak](PipeEnd& end) {
    if (auto server = weak.lock()) server->on_instance_connected(end);
  };
  callbacks.closed = [weak, ends = &shared_.ends](PipeEnd& end, UniqueHandle reusable) {
    // The registry forgets the end also when the server's part throws:
    // close_all waits until the registry is empty.
    struct Forget {
      EndRegistry* ends;
      EndpointId id;
      ~Forget() { ends->remove(id); }
    } forget{ends, end.id()};
    if (auto server = weak.lock()) server->on_instance_closed(end, std::move(reusable));
  };
  auto end = std::make_shared<PipeEnd>(shared_.context, shared_.port, shared_.accounts, std::move(config), std::move(handle),
                                       std::move(callbacks));
  instances_.emplace(id, end);
  try {
    shared_.ends.add(end);
  } catch (...) {
    instances_.erase(id);
    throw;
  }
  listening_ = id;
  return end;
}

void Server::report_listen_failure(const std::exception_ptr& exception) {
  shared_.context.report(0, id_,
                         error_from_exception(exception, "CreateNamedPipeW", name_.full(),
                                              "the server could not make a new listening instance; it keeps "
                                              "serving the clients it has"));
}

void Server::start_listening(std::shared_ptr<PipeEnd> next) {
  if (!next) return;
  shared_.port.post([next = std::move(next)] {
    try {
      next->start_listening();
    } catch (...) {
      next->fail_after_exception(std::current_exception(), "ConnectNamedPipe");
    }
  });
}

std::shared_ptr<PipeEnd> Server::ensure_listening_locked() {
  if (stopped_ || listening_ != 0) return nullptr;
  if (!is_unlimited(options_) && instances_.size() >= options_.max_instances) return nullptr;
  auto handle = create_pipe_handle(false);
  if (!handle) {
    // Another process may hold the remaining instances of this name; the
    // server keeps serving its connected clients and says why it cannot listen.
    shared_.context.report(0, id_, std::move(handle).error());
    return nullptr;
  }
  return add_instance_locked(std::move(*handle));
}

// The two callbacks below run on pool threads for an instance that is not
// to blame when making the next instance fails (out of memory): that failure
// is the server's, reported against it, and the instance's own work goes on.
void Server::on_instance_connected(PipeEnd& end) {
  std::shared_ptr<PipeEnd> next;
  {
    std::lock_guard lock(mutex_);
    if (listening_ == end.id()) listening_ = 0;
    listen_failures_ = 0;
    try {
      run_io_fault_hook(end.id());
      next = ensure_listening_locked();
    } catch (...) {
      report_listen_failure(std::current_exception());
    }
  }
  // Started outside the lock: its callbacks come back into this server.
  start_listening(next);
}

void Server::on_instance_closed(PipeEnd& end, UniqueHandle reusable) {
  std::shared_ptr<PipeEnd> next;
  {
    std::lock_guard lock(mutex_);
    instances_.erase(end.id());
    if (listening_ == end.id()) listening_ = 0;
    if (end.listen_failed() && ++listen_failures_ == kMaxListenFailures) {
      shared_.context.report(
          0, id_,
          make_error(Errc::unknown, "ConnectNamedPipe",
                     name_.full() + ": " + std::to_string(kMaxListenFailures) +
                         " instances in a row could not listen (see the errors before); the server stops making "
                         "new instances and keeps serving the clients it has"));
    }
    try {
      if (listen_failures_ >= kMaxListenFailures) {
        // Making another instance would fail the same way.
      } else if (reusable && !stopped_ && listening_ == 0) {
        // The old instance's handle becomes the new listening instance (a new
        // endpoint). DisconnectNamedPipe puts it back in the state where
        // ConnectNamedPipe may be called; it fails harmlessly when the
        // disconnect already happened.
        DisconnectNamedPipe(reusable.get());
        next = add_instance_locked(std::move(reusable));
      } else {
        next = ensure_listening_locked();
      }
    } catch (...) {
      report_listen_failure(std::current_exception());
    }
  }
  instances_changed_.notify_all();
  start_listening(next);
}

void Server::stop() {
  std::vector<std::shared_ptr<PipeEnd>> instances;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [id, end] : instances_) instances.push_back(end);
  }
  for (auto& end : instances) end->abort();
  std::unique_lock lock(mutex_);
  instances_changed_.wait(lock, [this] { return instances_.empty(); });
  lock.unlock();
  shared_.context.emit(ServerStopped{id_});
}

}  // namespace pipescope::detail::win
