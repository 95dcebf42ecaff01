// Clients: CreateFileW with the SQOS flags of the chosen impersonation
// level, WaitNamedPipeW while every instance is busy, SetNamedPipeHandleState
// for message read mode. One connector thread serves every pending connect.
#include <algorithm>
#include <utility>

#include "access_rights.hpp"
#include "backend_win.hpp"
#include "busy_wait.hpp"

namespace pipescope::detail::win {

namespace {

// How long the connector waits on one busy name before it tries the others
// again. WaitNamedPipeW returns early when that name gets a listening
// instance; other names are retried at least this often.
constexpr std::chrono::milliseconds kBusyRetrySlice{25};
// How long a refused client waits for our own server to notice it (see
// Connector::succeed).
constexpr std::chrono::milliseconds kCausalOrderWait{2000};

ULONG server_process(HANDLE pipe) {
  ULONG pid = 0;
  return GetNamedPipeServerProcessId(pipe, &pid) ? pid : 0;
}

}  // namespace

Connector::Connector(Shared shared) : shared_(shared), thread_([this] { run(); }) {}

Connector::~Connector() {
  cancel_all();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<EndpointId> Connector::connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done) {
  if (name.kind() == PipeName::Kind::path) {
    return make_error(Errc::unsupported_on_platform, "CreateFileW",
                      name.full() + ": a socket path names a POSIX socket; Windows pipes live under \\\\.\\pipe\\");
  }
  Pending pending;
  pending.full_name = name.full();
  pending.wide_name = widen(pending.full_name);
  pending.options = options;
  pending.done = std::move(done);
  // Waits longer than a year are taken as "forever": adding them to the
  // clock could overflow its nanosecond count.
  if (!waits_forever(options.busy_timeout)) {
    pending.deadline = std::chrono::steady_clock::now() + options.busy_timeout;
  }
  pending.id = shared_.context.add_endpoint(EndpointKind::client, 0, pending.full_name,
                                            "client {id} \u2192 " + name.leaf(), EndpointState::connecting);
  const EndpointId id = pending.id;
  shared_.context.flush();
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(pending));
  }
  wake_.notify_all();
  return id;
}

bool Connector::cancel(EndpointId id) {
  std::optional<Pending> cancelled;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(pending_.begin(), pending_.end(), [id](const Pending& p) { return p.id == id; });
    if (it == pending_.end()) return false;
    cancelled = std::move(*it);
    pending_.erase(it);
  }
  fail(*cancelled, make_error(Errc::operation_aborted, "CreateFileW", cancelled->full_name + ": connect cancelled"));
  return true;
}

void Connector::cancel_all() {
  std::deque<Pending> cancelled;
  {
    std::unique_lock lock(mutex_);
    cancelled.swap(pending_);
    // Connects the thread is trying right now are given up by the thread
    // itself; wait for it, so that no client opens after close_all.
    cancel_batch_ = true;
    // A CreateFileW to another machine, or a WaitNamedPipeW, may take long:
    // the call the thread is in is cancelled, again until the batch is over
    // (CancelSynchronousIo reaches only a call in progress).
    while (!idle_.wait_for(lock, std::chrono::milliseconds{20}, [this] { return !working_; })) {
      interrupt_locked();
    }
    cancel_batch_ = false;
  }
  for (auto& pending : cancelled) {
    fail(pending, make_error(Errc::operation_aborted, "CreateFileW", pending.full_name + ": connect cancelled"));
  }
}

void Connector::interrupt_locked() {
  if (thread_handle_) CancelSynchronousIo(thread_handle_.get());
}

void Connector::run() {
  std::unique_lock lock(mutex_);
  thread_handle_.reset(OpenThread(THREAD_TERMINATE, FALSE, GetCurrentThreadId()));
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    // Try each pending connect once. The ones taken out of the queue are
    // worked on without the lock so that cancel() and new connects never wait
    // for CreateFileW.
    std::deque<Pending> batch;
    batch.swap(pending_);
    working_ = true;
    lock.unlock();
    std::deque<Pending> still_busy;
    for (auto& pending : batch) {
      if (cancel_batch_) {
        fail(pending, make_error(Errc::operation_aborted, "CreateFileW", pending.full_name + ": connect cancelled"));
      } else if (!attempt_guarded(pending)) {
        still_busy.push_back(std::move(pending));
      }
    }
    if (cancel_batch_) {
      for (auto& pending : still_busy) {
        fail(pending, make_error(Errc::operation_aborted, "CreateFileW", pending.full_name + ": connect cancelled"));
      }
      still_busy.clear();
    }
    std::optional<std::wstring> wait_name;
    DWORD wait_ms = 0;
    if (!still_busy.empty()) {
      // Wait for the oldest busy name, no longer than its deadline allows.
      auto slice = kBusyRetrySlice;
      if (const auto& deadline = still_busy.front().deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
        slice = std::clamp(left, std::chrono::milliseconds{1}, kBusyRetrySlice);
      }
      wait_name = still_busy.front().wide_name;
      wait_ms = static_cast<DWORD>(slice.count());
    }
    if (wait_name) WaitNamedPipeW(wait_name->c_str(), wait_ms);
    lock.lock();
    working_ = false;
    idle_.notify_all();
    if (cancel_batch_) {
      for (auto& pending : still_busy) {
        lock.unlock();
        fail(pending, make_error(Errc::operation_aborted, "CreateFileW", pending.full_name + ": connect cancelled"));
        lock.lock();
      }
      still_busy.clear();
    }
    // Connects queued meanwhile go after the ones that were already waiting.
    for (auto it = still_busy.rbegin(); it != still_busy.rend(); ++it) pending_.push_front(std::move(*it));
  }
}

bool Connector::attempt_guarded(Pending& pending) {
  try {
    return attempt(pending);
  } catch (...) {
    const std::exception_ptr exception = std::current_exception();
    try {
      Error error = error_from_exception(exception, "CreateFileW",
                                         pending.full_name + " (endpoint " + std::to_string(pending.id) + ")",
                                         "this client is closed, the engine goes on");
      if (auto end = shared_.ends.find(pending.id)) {
        // The pipe end was made before the failure: close it like any other.
        shared_.context.report(pending.id, 0, error);
        end->abort();
        shared_.context.flush();
        if (auto done = std::exchange(pending.done, nullptr)) done(Result<void>(std::move(error)));
      } else {
        fail(pending, std::move(error));
      }
    } catch (...) {
      // Out of memory even for the report; the thread goes on with the
      // other connects.
    }
    return true;
  }
}

bool Connector::attempt(Pending& pending) {
  const ClientOptions& options = pending.options;
  UniqueHandle handle(CreateFileW(pending.wide_name.c_str(), client_desired_access(options.access, options.read_mode), 0, nullptr, OPEN_EXISTING,
                                  FILE_FLAG_OVERLAPPED | client_sqos_flags(options.impersonation), nullptr));
  if (handle) {
    succeed(pending, std::move(handle));
    return true;
  }
  const DWORD error = GetLastError();
  if (error == ERROR_PIPE_BUSY) {
    if (options.busy_timeout.count() == 0) {
      fail(pending, error_from_win32(error, IoContext::open, "CreateFileW", pending.full_name));
      return true;
    }
    if (pending.deadline && std::chrono::steady_clock::now() >= *pending.deadline) {
      // What WaitNamedPipeW itself reports when its time runs out.
      fail(pending, error_from_win32(ERROR_SEM_TIMEOUT, IoContext::open, "WaitNamedPipeW",
                                     busy_wait_detail(pending.full_name, options.busy_timeout)));
      return true;
    }
    return false;
  }
  fail(pending, error_from_win32(error, IoContext::open, "CreateFileW", pending.full_name));
  return true;
}

void Connector::succeed(Pending& pending, UniqueHandle handle) {
  const ClientOptions& options = pending.options;
  if (options.read_mode == ReadMode::message) {
    DWORD mode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(handle.get(), &mode, nullptr, nullptr)) {
      // A byte pipe cannot be read in message mode: ERROR_INVALID_PARAMETER.
      Error error = error_from_win32(GetLastError(), IoContext::open, "SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)",
                                     pending.full_name);
      const bool server_is_us = server_process(handle.get()) == GetCurrentProcessId();
      handle.reset();
      // The server did see a client come and go. When that server is one of
      // ours, wait (briefly) until its instance has noticed the connection,
      // so that the events keep their causal order: the instance connected
      // before this client gave up. Readers of the log, and tests that look
      // for "the instance that connected after I connected", rely on it.
      if (server_is_us) wait_for_own_instance(pending.full_name);
      fail(pending, std::move(error));
      return;
    }
  }
  DWORD pipe_flags = 0;
  GetNamedPipeInfo(handle.get(), &pipe_flags, nullptr, nullptr, nullptr);
  if (auto associated = shared_.port.associate(handle.get()); !associated) {
    fail(pending, std::move(associated).error());
    return;
  }
  PipeEndConfig config;
  config.id = pending.id;
  config.kind = EndpointKind::client;
  config.pipe_name = pending.full_name;
  config.can_read = options.access != ClientAccess::write;
  config.can_write = options.access != ClientAccess::read;
  config.message_type = (pipe_flags & PIPE_TYPE_MESSAGE) != 0;
  config.message_read = options.read_mode == ReadMode::message;
  config.read_buffer_size = options.read_buffer_size;
  PipeEnd::Callbacks callbacks;
  callbacks.closed = [ends = &shared_.ends](PipeEnd& end, UniqueHandle) { ends->remove(end.id()); };
  run_io_fault_hook(pending.id);
  auto end = std::make_shared<PipeEnd>(shared_.context, shared_.port, shared_.accounts, std::move(config), std::move(handle),
                                       std::move(callbacks));
  shared_.ends.add(end);
  end->start_connected();
  shared_.context.flush();
  // Taken out before the call, so that it is called once even if it throws.
  if (auto done = std::exchange(pending.done, nullptr)) done(Result<void>{});
}

void Connector::wait_for_own_instance(const std::string& full_name) {
  auto parsed = PipeName::parse(full_name);
  if (!parsed) return;
  const auto deadline = std::chrono::steady_clock::now() + kCausalOrderWait;
  for (const auto& end : shared_.ends.all()) {
    if (end->config().kind != EndpointKind::instance) continue;
    auto name = PipeName::parse(end->config().pipe_name);
    if (name && *name == *parsed) end->wait_while_listening(deadline);
  }
}

void Connector::fail(Pending& pending, Error error) {
  shared_.context.report(pending.id, 0, error);
  shared_.context.set_state(pending.id, EndpointState::closed, {}, error.code);
  shared_.context.flush();
  if (auto done = std::exchange(pending.done, nullptr)) done(Result<void>(std::move(error)));
}

}  // namespace pipescope::detail::win
