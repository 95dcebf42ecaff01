// One end of a named pipe that the engine drives with overlapped I/O: a
// server instance (CreateNamedPipeW) or a client (CreateFileW). Both read,
// write, disconnect and close the same way; an instance also waits for its
// client (ConnectNamedPipe) and can impersonate it.
#pragma once

#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "account_lookup.hpp"
#include "engine_context.hpp"
#include "impersonation.hpp"
#include "iocp.hpp"
#include "pipescope/engine.hpp"
#include "win_util.hpp"

namespace pipescope::detail::win {

struct PipeEndConfig {
  EndpointId id = 0;
  ServerId server = 0;  ///< 0 for a client
  EndpointKind kind = EndpointKind::instance;
  std::string pipe_name;  ///< "\\.\pipe\demo", for error details
  bool can_read = true;
  bool can_write = true;
  bool message_type = false;  ///< PIPE_TYPE_MESSAGE: each write is one message
  bool message_read = false;  ///< PIPE_READMODE_MESSAGE on this end
  std::uint32_t read_buffer_size = 65536;
};

class PipeEnd : public std::enable_shared_from_this<PipeEnd> {
 public:
  /// Called (without any lock of this end held) when an instance got its
  /// client, and when the end is closed. An instance whose client left hands
  /// over its pipe handle (nothing is pending on it any more) so that the
  /// server can listen on it again: the name then never vanishes, not even
  /// for a moment, while a client waits for a free instance.
  struct Callbacks {
    std::function<void(PipeEnd&)> connected;
    std::function<void(PipeEnd&, UniqueHandle reusable)> closed;
  };

  PipeEnd(EngineContext& context, CompletionPort& port, AccountLookup& accounts, PipeEndConfig config,
          UniqueHandle handle, Callbacks callbacks);
  PipeEnd(const PipeEnd&) = delete;
  PipeEnd& operator=(const PipeEnd&) = delete;

  [[nodiscard]] EndpointId id() const noexcept { return config_.id; }
  [[nodiscard]] const PipeEndConfig& config() const noexcept { return config_; }

  /// An instance: issues the overlapped ConnectNamedPipe.
  void start_listening();
  /// The instance closed because ConnectNamedPipe failed at once.
  [[nodiscard]] bool listen_failed();
  /// A client whose CreateFileW succeeded: connected now, reading starts.
  void start_connected();

  Result<void> send(std::span<const std::byte> bytes);
  /// Lets queued writes finish, then (an instance) FlushFileBuffers and
  /// DisconnectNamedPipe, then closes.
  Result<void> request_disconnect();
  /// Cancels everything at once and closes (stop_server, close_all).
  void abort();
  /// Impersonates the client after the next read (at once if one happened).
  Result<void> impersonate(const ImpersonationRequest& request);

  /// What the OS tells about this end now: PeekNamedPipe, GetNamedPipeInfo,
  /// GetNamedPipeHandleStateW, process and session ids, the security
  /// descriptor (inspect.cpp).
  [[nodiscard]] Result<PipeInspection> inspect();
  /// TransactNamedPipe on a client of a message pipe in message read mode
  /// (transact.cpp). The engine's own overlapped read is cancelled first and
  /// resumed afterwards, so the reply is read once, by the transact.
  [[nodiscard]] Result<Bytes> transact(std::span<const std::byte> request, std::chrono::milliseconds timeout);

  /// Waits while the instance is still listening (or not yet started), at
  /// most until `deadline`.
  void wait_while_listening(std::chrono::steady_clock::time_point deadline);

  /// The completion port's threads call this for every dequeued completion,
  /// with the last write ticket as it was when the completion was dequeued
  /// (write_order.hpp). What the handling throws is reported against this
  /// end, which is then closed (fail_after_exception); it does not leave the
  /// pool thread.
  void complete(IoOperation& op, DWORD bytes, DWORD error, WriteTicket dequeued_at);
  /// After an exception escaped work on this end (on any engine thread):
  /// reports it as this end's error and closes the end at once, as abort()
  /// does; every operation the OS still holds keeps its OVERLAPPED until its
  /// cancelled completion is dequeued. `operation` names the work.
  void fail_after_exception(const std::exception_ptr& exception, const char* operation);

 private:
  enum class Phase : std::uint8_t { idle, listening, connected, draining, closing, closed };

  /// What the OS says about the peer the moment it connected; its user is
  /// named later, on the account lookup thread.
  struct ConnectedPeer {
    PeerInfo info;
    SidCopy user;
  };

  /// Work to do after the end's lock is released: calls into the server and
  /// the backend, which take their own locks.
  struct Followup {
    bool connected = false;
    bool closed = false;
    UniqueHandle reusable;
  };

  void run(Followup& followup);
  void handle_completion(IoOperation& op, DWORD bytes, DWORD error, WriteTicket dequeued_at);
  /// Runs `work` on a pool thread; it counts as outstanding until it has
  /// run, and what it throws closes this end (fail_after_exception).
  void post_task_locked(void (PipeEnd::*work)(), const char* operation);
  void impersonate_task();
  void become_connected_locked(const ConnectedPeer& peer, Followup& f);
  void start_read_locked(Followup& f);
  void on_read_done_locked(DWORD bytes, DWORD error, WriteTicket dequeued_at, Followup& f);
  void read_failed_locked(DWORD error, Followup& f);
  void queue_write_locked(std::span<const std::byte> bytes, std::uint8_t flags);
  void start_write_locked(Followup& f);
  /// Joins the sends queued behind `op` to it (byte pipes only).
  void coalesce_locked(IoOperation& op);
  /// Logs a write the OS accepted: one record for each send it carries.
  void record_written_locked(const IoOperation& op);
  void on_write_done_locked(DWORD bytes, DWORD error, Followup& f);
  void peer_gone_locked(Errc reason, Followup& f);
  /// The instance's way out once its writes are done (disconnect.cpp):
  /// FlushFileBuffers only when the client has not read everything yet, on
  /// a thread of its own with a deadline, while the end keeps reading;
  /// then DisconnectNamedPipe.
  void schedule_disconnect_locked();
  [[nodiscard]] bool client_has_unread_data_locked() const;
  void start_flush_locked();
  static DWORD WINAPI flush_thread_main(LPVOID param);
  static VOID CALLBACK flush_deadline_passed(PVOID param, BOOLEAN timed_out);
  void run_flush();
  void cancel_flush_locked();
  void finish_disconnect();
  /// DisconnectNamedPipe (an instance) and the end's close; `ours`: the
  /// disconnect is still the user's, so it is done and told. Gives back the
  /// disconnect's hold on the handle (outstanding_).
  void disconnect_and_close(std::optional<Error> failure, bool ours);
  void begin_close_locked();
  void maybe_finish_close_locked(Followup& f);
  /// Gives reads and writes back to the engine after a transact.
  void end_transact_locked(Followup& f);
  [[nodiscard]] ConnectedPeer query_peer() const;

  EngineContext& context_;
  CompletionPort& port_;
  AccountLookup& accounts_;
  const PipeEndConfig config_;
  Callbacks callbacks_;

  std::mutex mutex_;
  std::condition_variable phase_changed_;
  UniqueHandle handle_;
  Phase phase_ = Phase::idle;
  bool had_client_ = false;
  bool aborted_ = false;  ///< closed by stop_server/close_all: the handle is not reused
  bool has_read_ = false;
  bool listen_failed_ = false;
  /// Operations the OS or the pool still holds: the handle is closed only
  /// when this is zero, so no completion can find a closed handle or a freed
  /// OVERLAPPED.
  int outstanding_ = 0;
  std::unique_ptr<IoOperation> connect_op_;
  std::unique_ptr<IoOperation> read_op_;
  std::unique_ptr<IoOperation> write_in_flight_;
  std::deque<std::unique_ptr<IoOperation>> write_queue_;
  std::optional<ImpersonationRequest> pending_impersonation_;
  bool impersonation_posted_ = false;  ///< impersonate_task is queued for pending_impersonation_

  /// A transact in progress. While it waits for quiet, the engine issues no
  /// new read (except the rest of a message already begun); while it
  /// exchanges, no new write either: the handle is the transact's alone.
  enum class TransactStage : std::uint8_t { none, waiting_for_quiet, exchanging };
  TransactStage transact_stage_ = TransactStage::none;
  bool read_in_flight_ = false;  ///< our ReadFile is with the OS, or its packet is not handled yet

  /// The disconnect is on its way (a posted task or the flush thread).
  bool disconnect_scheduled_ = false;
  /// The thread that runs FlushFileBuffers, while it runs; and the wait
  /// that cancels it once its deadline has passed.
  UniqueHandle flush_thread_;
  HANDLE flush_deadline_wait_ = nullptr;
  /// Why the flush stopped early: the end closed, or the deadline passed.
  bool flush_cancelled_ = false;
  bool flush_timed_out_ = false;
  bool mid_message_ = false;     ///< the last read ended with ERROR_MORE_DATA
};

/// A test's way into the moment a transact has the client's handle to
/// itself, before it reads what waits unread and sends its request: the
/// test's server can write into the pipe there. No hook (the default) does
/// nothing. Returns the hook it replaced.
using TransactQuietHook = void (*)(EndpointId client);
TransactQuietHook replace_transact_quiet_hook(TransactQuietHook hook) noexcept;

/// What an impersonation found before its accounts are named: the result
/// with every field but the user's and groups' names, and the SIDs to name.
struct ImpersonationFindings {
  ImpersonationResult result;
  SidCopy user;
  std::vector<SidCopy> groups;
};

/// The identity and the access probe, read while impersonating the client of
/// `pipe`; impersonation is reverted before it returns, on every path. If
/// the revert fails it never returns: the process ends (impersonation.hpp).
/// Every call it makes is local and quick; the names are left to
/// name_accounts, on the account lookup thread.
[[nodiscard]] ImpersonationFindings impersonate_client(HANDLE pipe, const ImpersonationRequest& request,
                                                       const ImpersonatingEnd& end);
/// The findings' result with the user's and groups' names filled in
/// (LookupAccountSidW; a group without a name keeps its SID).
[[nodiscard]] ImpersonationResult name_accounts(const ImpersonationFindings& findings);

}  // namespace pipescope::detail::win
