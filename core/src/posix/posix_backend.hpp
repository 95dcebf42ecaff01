// The POSIX backend: Windows pipe semantics over AF_UNIX sockets and pipe(2),
// as DESIGN.md maps them. Every object here lives on the event loop thread;
// the public entry points hop onto it. The one exception is send(), which
// queues without a hop and, between two of our own ends, may write the
// socket itself (see DirectWrite); what it shares with the loop is guarded
// by send_mutex_ and each DirectWrite's mutex.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "accept_backoff.hpp"
#include "backend.hpp"
#include "event_loop.hpp"

namespace pipescope::detail::posix {

/// "/tmp/CoreFxPipe_Name" ($TMPDIR honoured), or the path itself.
/// The folder of pipe names' sockets: $TMPDIR, else /tmp (where .NET looks).
[[nodiscard]] std::string socket_folder();
[[nodiscard]] Result<std::string> socket_path_for(const PipeName& name);
/// The suffix of the temporary names a server binds before renaming the
/// socket into place; listing strips it.
inline constexpr std::string_view kTempSuffix = ".~pipescope-";

/// The login name of a user id, or empty if the user database has none.
[[nodiscard]] std::string user_name(uid_t uid);
[[nodiscard]] PeerInfo peer_of(int fd);
/// The security a socket file really has, read back with stat():
/// "mode 0600, owner uid 1000 (alice)"; empty when the file cannot be read.
[[nodiscard]] std::string socket_security(const std::string& path);

/// The caller's side of one transact: the loop thread completes it once
/// (with the reply or the reason there is none); the caller waits for it.
class TransactWaiter {
 public:
  /// Keeps the first outcome; later ones are ignored.
  void finish(Result<Bytes> outcome);
  /// The outcome, or nullopt when the timeout ran out first.
  std::optional<Result<Bytes>> wait_for(std::chrono::milliseconds timeout);
  [[nodiscard]] bool finished() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::optional<Result<Bytes>> outcome_;
};

/// A connection's transact in progress. Owned by the connection, so that a
/// connection closed for any reason (disconnect, stop, close_all) tells the
/// waiting caller at once instead of leaving it to its timeout.
struct TransactSlot {
  TransactSlot() = default;
  TransactSlot(const TransactSlot&) = delete;
  TransactSlot& operator=(const TransactSlot&) = delete;
  ~TransactSlot();

  std::shared_ptr<TransactWaiter> waiter;
};

struct Server;

/// Lets send() write a connected socket from the caller's thread instead of
/// handing every send to the loop (see PosixBackend::send): the sender's
/// copy into the kernel then runs beside the loop's reading, on another CPU,
/// as with two bare threads. Made for a writable end when both ends are ours
/// (see PosixBackend::pair_instance), and shared by its channel (loop
/// thread), its send target (callers) and the peer's channel; `mutex`
/// decides who writes the socket.
struct DirectWrite {
  std::mutex mutex;
  /// The socket, or -1 once the loop is closing it: callers then queue, and
  /// the loop reports what could not be written.
  int fd = -1;
  bool message_type = false;
  /// Sends waiting for the loop to write them (queued by callers, replies of
  /// a tap's reply, a transact's request). While any wait, callers queue too,
  /// so that bytes leave in the order they were sent.
  std::size_t backlog = 0;
  /// How many bytes of this socket's outgoing stream the peer may record as
  /// read: those the loop wrote (it records them before it reads anything
  /// else) and those a caller wrote and has recorded. When both ends are
  /// ours, the peer waits for this to cover what it read before recording
  /// it, so a send's out record always comes before the in record of the
  /// same bytes; it almost never has to wait, as a caller records at once.
  std::atomic<std::uint64_t> settled{0};
};

/// One byte stream or message channel we read from and/or write to: an
/// instance, a client, or one standard stream of a child.
struct Channel {
  EndpointId id = 0;
  int fd = -1;
  std::uint64_t token = 0;
  bool message_type = false;  // SOCK_SEQPACKET
  bool message_reads = false; // message read mode
  bool can_read = true;
  bool can_write = true;
  std::uint32_t read_buffer = 65536;
  std::uint8_t extra_flags = 0;  // e.g. stderr_stream
  std::uint32_t watched = 0;     // epoll events currently asked for
  bool watch_failed = false;     // epoll refused it: the channel is being closed (see watch)
  std::uint64_t send_round = 0;  // the last drain_sends() round that queued on it
  std::size_t counted = 0;       // message bytes known to wait (see read_channel)

  struct Pending {
    Bytes bytes;
    std::size_t written = 0;
    std::uint8_t flags = 0;
  };
  std::deque<Pending> out;
  Bytes read_scratch;
  /// Set when both ends are ours and this one writes (see pair_instance):
  /// shared with the send target and the peer.
  std::shared_ptr<DirectWrite> direct;
  /// The other end's, when it is one of our connections too.
  std::shared_ptr<DirectWrite> peer;
  std::uint64_t read_total = 0;     // bytes read so far (see DirectWrite::settled)
  std::uint64_t written_total = 0;  // bytes this thread wrote (DirectWrite::settled starts from it)
};

struct Connection {
  EndpointId id = 0;
  EndpointKind kind = EndpointKind::instance;
  Server* server = nullptr;  // instances only
  Channel channel;
  bool closing_after_flush = false;
  PeerInfo peer;
  std::string peer_user;  ///< the peer's account name (getpwuid_r), empty if unknown
  ConnectDone on_connected;  // clients: told once
  // Client connecting state.
  ClientOptions client_options;
  std::string path;
  EventLoop::Clock::time_point busy_deadline{};
  std::uint64_t retry_timer = 0;
  std::chrono::milliseconds retry_delay{1};
  // A transact waiting for its reply (clients only; see transact_posix.cpp).
  TransactSlot transact;
  // A client's own socket name (an autobound abstract one) until the
  // instance it reached, if that is ours, pairs with it.
  std::string pair_key;
};

struct Server {
  ServerId id = 0;
  ServerOptions options;
  std::string name;        // canonical "\\.\pipe\x"
  std::string short_name;  // for labels: "x"
  std::string path;
  int listen_fd = -1;
  std::uint64_t token = 0;
  int sock_type = 0;
  bool refusing = false;  // shut down for reading: every instance is busy
  dev_t dev = 0;
  ino_t ino = 0;  // the socket file we own, so we never unlink someone else's
  EndpointId listening = 0;
  std::vector<EndpointId> connected;
  unsigned temp_counter = 0;
  unsigned instance_counter = 0;  // numbers instances in labels: "demo #1", "demo #2"
  AcceptBackoff backoff;          // accepting paused for want of descriptors
};

struct Child {
  EndpointId id = 0;
  pid_t pid = -1;
  int pidfd = -1;
  std::uint64_t pid_token = 0;
  std::unique_ptr<Channel> in, out, err;
  bool exited = false;
  int status = 0;
  std::uint64_t grace_timer = 0;
  std::string command_line;
};

class PosixBackend final : public Backend {
 public:
  explicit PosixBackend(EngineContext& context);
  ~PosixBackend() override;

  std::string_view name() const noexcept override { return "posix"; }
  std::size_t thread_count() const noexcept override { return 1; }

  Result<ServerId> start_server(ServerId id, const ServerOptions& options, const PipeName& name) override;
  Result<void> stop_server(ServerId server) override;
  Result<EndpointId> connect_async(const ClientOptions& options, const PipeName& name, ConnectDone done) override;
  Result<void> send(EndpointId endpoint, std::span<const std::byte> bytes) override;
  Result<void> disconnect(EndpointId endpoint) override;
  Result<void> impersonate(EndpointId instance, const ImpersonationRequest& request) override;
  Result<EndpointId> run_child(const ChildOptions& options) override;
  Result<void> kill_child(EndpointId child) override;
  Result<std::vector<PipeInfo>> list_pipes(const ListOptions& options) const override;
  Result<PipeInspection> inspect(EndpointId endpoint) const override;
  Result<Bytes> transact(EndpointId client, std::span<const std::byte> request,
                         std::chrono::milliseconds timeout) override;
  Result<Bytes> call(const ClientOptions& options, const PipeName& name, std::span<const std::byte> request,
                     std::chrono::milliseconds timeout) override;
  void close_all() override;

 private:
  /// tests/fuzz/channel_read_fuzz.cpp feeds read_channel from a socketpair.
  friend struct ChannelReadProbe;

  // Servers (loop thread).
  Result<int> open_listener(Server& server, bool first);
  void on_listener_ready(Server& server);
  void add_listening_instance(Server& server);
  void instance_gone(Server& server, EndpointId id);
  void refuse_clients(Server& server);
  /// A fresh listening socket renamed over the path (a shut-down one cannot
  /// listen again); false, with an error reported, when that failed.
  bool reopen_listener(Server& server);
  void close_server(Server& server);
  /// Out of descriptors or memory (accept_backoff.cpp): stop watching the
  /// listener, report once, try again later.
  void pause_accepting(Server& server, int err);
  void resume_accepting(ServerId id);
  /// One of our descriptors was closed: paused servers try again now.
  void descriptor_freed();

  // Clients (loop thread).
  void try_connect(EndpointId id);
  void connect_failed(Connection& c, Error error);

  // Channels (loop thread).
  void watch(Channel& ch);
  void on_channel_ready(EndpointId id, Channel& ch, std::uint32_t events);
  /// Reads what is there; false when the channel reached its end (or failed).
  bool read_channel(EndpointId id, Channel& ch, std::error_code& end_reason);
  /// Writes what is queued, many entries per system call (writev, or
  /// sendmmsg for messages); false when the peer is gone.
  bool flush_channel(EndpointId id, Channel& ch);
  /// Hands every queued send() to its channel and flushes each channel once.
  void drain_sends();
  /// The channel send() writes to: a connection's, or a child's stdin.
  Channel* channel_for_send(EndpointId id);
  /// Queues bytes the loop itself sends (a tap's reply, a transact's
  /// request); they count in the channel's backlog.
  void enqueue(Channel& ch, Bytes bytes, std::uint8_t flags);
  /// `finished` queued sends were written or dropped.
  static void settle_backlog(Channel& ch, std::size_t finished);
  /// When an accepted instance's peer is one of our clients, each learns
  /// the other's DirectWrite (see DirectWrite::settled), and both may then
  /// be written from the caller's thread.
  void pair_instance(Connection& instance);
  /// Gives a writable connection its DirectWrite, and send() the right to
  /// write its socket directly from now on.
  void allow_direct_writes(Connection& c);
  /// Waits, before a read is recorded, until the peer has recorded sending it.
  static void await_peer_records(Channel& ch, std::size_t got);
  /// Takes the socket back before it is closed; waits for a write under way.
  static void close_direct_writes(Channel& ch);
  /// Writes from the caller's thread and records what left; how many bytes
  /// that was (0 when the loop must write them: full, failed, or empty).
  std::size_t write_directly(EndpointId id, DirectWrite& direct, std::span<const std::byte> bytes);
  /// Hands a send to the loop thread; one drain for a whole batch.
  void queue_send(EndpointId endpoint, std::span<const std::byte> bytes);
  void connection_ended(EndpointId id, std::error_code reason);
  void close_connection(EndpointId id, std::error_code reason);
  /// Shows a logged read to the connection's taps (pipescope/tap.hpp) and
  /// writes their replies, flagged responder.
  /// `buffer`, if given, holds `data` from its start and may be taken by a
  /// tap's forward (EngineContext::tap_read): the caller sizes it again
  /// before it reads into it next.
  void run_taps(Connection& c, std::span<const std::byte> data, std::uint8_t flags, bool message_end,
                Bytes* buffer = nullptr);

  // Failures on the loop thread (endpoint_faults.cpp): what escapes the
  // work of one endpoint or server ends that one only.
  /// The fault handler of a watch on an endpoint's channel (`ch` is a
  /// connection's channel or one stream of a child).
  EventLoop::FaultFn closes_on_fault(EndpointId id, Channel* ch);
  /// The fault handler of a server's listener watch.
  EventLoop::FaultFn stops_on_fault(ServerId id);
  /// Runs work of one endpoint (posted or on a timer) so that what escapes
  /// it closes that endpoint only.
  template <class Work>
  void for_endpoint(EndpointId id, Work&& work) {
    try {
      work();
    } catch (...) {
      endpoint_work_failed(id, std::current_exception());
    }
  }
  void endpoint_work_failed(EndpointId id, std::exception_ptr failure);
  /// Reports `error` against the endpoint and closes it: a connection, or
  /// the child's stream `ch` (a child without `ch` is only reported).
  void close_failed_endpoint(EndpointId id, const Channel* ch, Error error);
  /// Reports `error` against the server and stops it.
  void stop_failed_server(ServerId id, Error error);
  /// The loop-wide fault handler: work that belongs to no endpoint.
  void engine_fault(std::exception_ptr failure);
  /// Watches the server's listening socket (sets its token).
  [[nodiscard]] Result<void> watch_listener(Server& server);
  /// Stops a server that cannot go on, as posted work: the caller may
  /// still be using it.
  void post_stop(ServerId id, Error error);

  // Inspection and transact (loop thread; inspect_posix.cpp, transact_posix.cpp).
  [[nodiscard]] PipeInspection inspect_connection(const Connection& c) const;
  [[nodiscard]] Result<std::shared_ptr<TransactWaiter>> begin_transact(EndpointId id, Bytes request);
  /// The client's socket became ready while a transact owns its reads.
  void on_transact_ready(EndpointId id, std::uint32_t events);
  /// Gives the socket back to the ordinary reader and completes the waiter.
  void end_transact(Connection& c, Result<Bytes> outcome);

  // Children (loop thread).
  void child_stream_ended(Child& child, Channel& ch);
  void maybe_finish_child(Child& child);
  void finish_child(EndpointId id);

  // What send() checks without a hop to the loop thread.
  struct SendTarget {
    bool writable = false;
    Errc refusal = Errc::access_denied;  ///< what a send is told while it is not writable
    std::string why_not;                 ///< and why, in words
    std::shared_ptr<DirectWrite> direct;  // set once the socket may be written directly
  };
  void set_send_target(EndpointId id, bool writable, Errc refusal = Errc::access_denied, std::string why_not = {});
  void forget_send_target(EndpointId id);

  EngineContext& context_;
  // Mutable: const queries (inspect) also run their work on the loop thread.
  mutable EventLoop loop_;
  std::map<ServerId, std::unique_ptr<Server>> servers_;
  std::unordered_map<EndpointId, std::unique_ptr<Connection>> connections_;
  std::unordered_map<EndpointId, std::unique_ptr<Child>> children_;

  // send() runs on the caller's thread. It checks the target and queues
  // the bytes under one lock, and posts one drain to the loop thread for
  // however many sends arrive before the drain runs: a send costs a copy
  // and a lock, not a task of its own, and the loop writes a whole batch
  // with one system call.
  struct QueuedSend {
    EndpointId endpoint = 0;
    Bytes bytes;
  };
  mutable std::mutex send_mutex_;
  std::unordered_map<EndpointId, SendTarget> targets_;  // guarded by send_mutex_
  std::vector<QueuedSend> queued_sends_;                 // guarded by send_mutex_
  bool drain_posted_ = false;                            // guarded by send_mutex_
  std::vector<QueuedSend> draining_;                     // loop thread: the batch being handed out
  std::uint64_t send_round_ = 0;                         // loop thread
  std::unordered_map<std::string, EndpointId> unpaired_clients_;  // loop thread: by pair_key
};

}  // namespace pipescope::detail::posix
