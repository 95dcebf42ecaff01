// The Win32 backend's parts and how they fit together: one completion port
// and its pool, the servers with their instances, the client connector, the
// children, and the registry of every live pipe end.
#pragma once

#include <windows.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "account_lookup.hpp"
#include "backend.hpp"
#include "iocp.hpp"
#include "pipe_end.hpp"
#include "win_util.hpp"

namespace pipescope::detail::win {

/// Every live pipe end (instance or client) by endpoint id, so that send,
/// disconnect and impersonate can find them; an end leaves when it closed.
class EndRegistry {
 public:
  void add(std::shared_ptr<PipeEnd> end);
  void remove(EndpointId id);
  [[nodiscard]] std::shared_ptr<PipeEnd> find(EndpointId id) const;
  [[nodiscard]] std::vector<std::shared_ptr<PipeEnd>> all() const;
  /// Waits until no end is left.
  void wait_empty();

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<EndpointId, std::shared_ptr<PipeEnd>> ends_;
};

/// What the parts share; owned by the backend, outlived by nobody.
struct Shared {
  EngineContext& context;
  CompletionPort& port;
  EndRegistry& ends;
  AccountLookup& accounts;
};

/// One name we serve: creates its instances with CreateNamedPipeW, keeps one
/// listening while it is below its maximum.
class Server : public std::enable_shared_from_this<Server> {
 public:
  Server(Shared shared, ServerId id, ServerOptions options, PipeName name);
  /// Builds the security descriptor, creates the first instance and starts
  /// listening; emits ServerStarted.
  [[nodiscard]] Result<void> start();
  /// Closes every instance and waits until all are gone; emits ServerStopped.
  void stop();

 private:
  [[nodiscard]] Result<UniqueHandle> create_pipe_handle(bool first);
  /// Wraps a new handle as an instance; the caller starts it listening
  /// after releasing the lock (its callbacks take the lock).
  [[nodiscard]] std::shared_ptr<PipeEnd> add_instance_locked(UniqueHandle handle);
  [[nodiscard]] std::shared_ptr<PipeEnd> make_instance_locked(EndpointId id, UniqueHandle handle);
  /// Reports that the next listening instance could not be made.
  void report_listen_failure(const std::exception_ptr& exception);
  /// Starts a new instance listening on a pool thread, never on the
  /// caller's: the caller is a callback of the instance before it, and an
  /// instance that connects (ERROR_PIPE_CONNECTED) or fails at once calls
  /// back into the server before ConnectNamedPipe's caller has returned, so
  /// starting it here would recurse once per client of a connect storm.
  /// What the start throws closes the instance.
  void start_listening(std::shared_ptr<PipeEnd> next);
  /// Makes a listening instance if none is listening and the maximum allows.
  [[nodiscard]] std::shared_ptr<PipeEnd> ensure_listening_locked();
  void on_instance_connected(PipeEnd& end);
  void on_instance_closed(PipeEnd& end, UniqueHandle reusable);

  Shared shared_;
  const ServerId id_;
  const ServerOptions options_;
  const PipeName name_;
  const std::wstring wide_name_;
  LocalMemory<PSECURITY_DESCRIPTOR> security_;

  std::mutex mutex_;
  std::condition_variable instances_changed_;
  std::unordered_map<EndpointId, std::shared_ptr<PipeEnd>> instances_;
  EndpointId listening_ = 0;
  unsigned created_ = 0;
  /// Instances in a row whose ConnectNamedPipe failed at once. A failure
  /// that repeats (the handle in PIPE_NOWAIT, a broken name) would make and
  /// close instances without end: after kMaxListenFailures the server stops
  /// listening and says why.
  unsigned listen_failures_ = 0;
  static constexpr unsigned kMaxListenFailures = 3;
  bool stopped_ = false;
};

/// Opens clients: CreateFileW, and WaitNamedPipeW while every instance is
/// busy. One thread serves every pending connect of its kind (the backend
/// has one for local names and one for remote ones), so a hundred clients
/// waiting for instances never occupy the completion port's threads (which
/// the servers need to make those instances).
class Connector {
 public:
  explicit Connector(Shared shared);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  [[nodiscard]] Result<EndpointId> connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done);
  /// Gives up a connect that has not finished; false if none is pending.
  bool cancel(EndpointId id);
  /// Gives up every pending connect (close_all).
  void cancel_all();

 private:
  struct Pending {
    EndpointId id = 0;
    ClientOptions options;
    std::string full_name;
    std::wstring wide_name;
    ConnectDone done;
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };

  void run();
  /// Cancels the synchronous call the thread is in (CancelSynchronousIo), so
  /// that cancel_all does not wait for a slow CreateFileW or WaitNamedPipeW.
  void interrupt_locked();
  /// One CreateFileW; true when the connect is finished (either way).
  bool attempt(Pending& pending);
  /// attempt(), but what it throws fails that connect (or closes the client
  /// it made) instead of leaving the connector's thread.
  bool attempt_guarded(Pending& pending);
  void succeed(Pending& pending, UniqueHandle handle);
  void fail(Pending& pending, Error error);
  /// Waits until our listening instances of that name have seen their client.
  void wait_for_own_instance(const std::string& full_name);

  Shared shared_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Pending> pending_;
  bool stopping_ = false;
  bool working_ = false;  ///< the thread is trying connects taken out of pending_
  std::atomic<bool> cancel_batch_{false};
  /// The thread's own handle, for CancelSynchronousIo; guarded by mutex_.
  UniqueHandle thread_handle_;
  std::thread thread_;
};

/// A process started with anonymous pipes on its standard streams.
class Child : public std::enable_shared_from_this<Child> {
 public:
  Child(EngineContext& context, ChildOptions options);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  [[nodiscard]] Result<EndpointId> start();
  Result<void> send(std::span<const std::byte> bytes);
  /// Closes the child's standard input once queued writes are written.
  Result<void> close_stdin();
  Result<void> kill();
  /// Waits for the child's threads (after the child has ended).
  void join();

 private:
  void read_stream(HANDLE handle, bool is_stderr, std::size_t reader);
  void write_stdin();
  void wait_for_exit();
  /// After the child exited: lets the readers finish the output within the
  /// grace period, then cancels the reads a grandchild keeps open.
  void finish_readers();
  /// After the child exited: ends a stdin write that nobody will read.
  void stop_writing_stdin();
  /// What a child's reader or writer thread does with an exception its
  /// logging threw: reports it and ends the child.
  void fail_after_exception(const std::exception_ptr& exception, const char* operation, const char* stream) noexcept;

  EngineContext& context_;
  const ChildOptions options_;
  std::string command_line_;
  EndpointId id_ = 0;
  DWORD pid_ = 0;
  UniqueHandle process_;
  UniqueHandle stdin_write_;
  UniqueHandle stdout_read_;
  UniqueHandle stderr_read_;

  std::mutex mutex_;
  std::condition_variable stdin_ready_;
  std::deque<Bytes> stdin_queue_;
  bool stdin_closing_ = false;
  bool exited_ = false;
  /// The reader threads' own handles (for CancelSynchronousIo), whether each
  /// has ended, and whether they were told to stop. Guarded by mutex_.
  UniqueHandle reader_threads_[2];
  bool reader_ended_[2] = {false, false};
  bool stop_reading_ = false;
  std::condition_variable reader_ended_signal_;
  /// The stdin writer's own handle and whether it has ended: a write the
  /// child never reads (a process it started holds its input) is cancelled
  /// once the child has exited (stop_writing_stdin). Guarded by mutex_.
  UniqueHandle writer_thread_;
  bool writer_ended_ = false;

  std::thread stdout_thread_;
  std::thread stderr_thread_;
  std::thread stdin_thread_;
  std::thread exit_thread_;
};

[[nodiscard]] Result<std::vector<PipeInfo>> list_pipes_win32();
/// The maximum instances of a pipe as its \\.\pipe\ directory entry
/// (FileDirectoryInformation) gives them in AllocationSize. The pipe file
/// system keeps the maximum as a ULONG (NAMED_PIPE_CREATE_PARAMETERS'
/// MaximumInstances) and copies that into the entry, so only the low part
/// carries it; the high part means nothing for a pipe and is ignored.
/// 0xFFFFFFFF (unlimited), and anything from 255 up, is kUnlimitedInstances.
[[nodiscard]] std::int32_t listed_max_instances(const LARGE_INTEGER& allocation_size) noexcept;

class WinBackend final : public Backend {
 public:
  explicit WinBackend(EngineContext& context);
  ~WinBackend() override;

  [[nodiscard]] std::string_view name() const noexcept override { return "win32"; }
  [[nodiscard]] std::size_t thread_count() const noexcept override;

  Result<ServerId> start_server(ServerId id, const ServerOptions& options, const PipeName& name) override;
  Result<void> stop_server(ServerId server) override;
  Result<EndpointId> connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done) override;
  Result<void> send(EndpointId endpoint, std::span<const std::byte> bytes) override;
  Result<void> disconnect(EndpointId endpoint) override;
  Result<void> impersonate(EndpointId instance, const ImpersonationRequest& request) override;
  Result<EndpointId> run_child(const ChildOptions& options) override;
  Result<void> kill_child(EndpointId child) override;
  [[nodiscard]] Result<std::vector<PipeInfo>> list_pipes(const ListOptions& options) const override;
  [[nodiscard]] Result<PipeInspection> inspect(EndpointId endpoint) const override;
  [[nodiscard]] Result<Bytes> transact(EndpointId client, std::span<const std::byte> request,
                                       std::chrono::milliseconds timeout) override;
  [[nodiscard]] Result<Bytes> call(const ClientOptions& options, const PipeName& name,
                                   std::span<const std::byte> request, std::chrono::milliseconds timeout) override;
  void close_all() override;

 private:
  std::shared_ptr<Child> find_child(EndpointId id) const;
  /// Why an endpoint that is not a live pipe end cannot be used by `operation`.
  [[nodiscard]] Error not_a_pipe_end(EndpointId id, const char* operation) const;

  EngineContext& context_;
  // Names the peers' and impersonated clients' accounts. Declared before the
  // completion port so that it outlives the pool threads that post to it.
  AccountLookup accounts_;
  // Declared before the rest so that it is destroyed after them: its threads
  // must outlive every pipe end that could still receive a completion.
  CompletionPort port_;
  EndRegistry ends_;
  /// Connects to pipes of this machine. Connects to other machines have a
  /// connector (and thread) of their own, made at the first one: a remote
  /// CreateFileW can take as long as the network's timeouts, and no local
  /// connect may wait behind it.
  Connector connector_;
  std::unique_ptr<Connector> remote_connector_;  ///< guarded by mutex_

  [[nodiscard]] Connector* remote_connector() const;

  mutable std::mutex mutex_;
  std::unordered_map<ServerId, std::shared_ptr<Server>> servers_;
  std::unordered_map<EndpointId, std::shared_ptr<Child>> children_;
};

}  // namespace pipescope::detail::win
