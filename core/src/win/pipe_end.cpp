#include "pipe_end.hpp"

#include "write_order.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace pipescope::detail::win {

namespace {

/// coalesce_locked() joins sends smaller than this, into one WriteFile of at
/// most kMaxCoalescedWrite bytes. Larger sends gain nothing from it and pay
/// a copy (measured under Wine: 64 KiB writes joined into 1 MiB ones moved
/// 0.58 times the raw rate instead of 0.87).
constexpr std::size_t kMaxCoalescedSend = 4 * 1024;
constexpr std::size_t kMaxCoalescedWrite = 64 * 1024;

// WriteFile and ReadFile want a valid pointer even for zero bytes (a
// zero-length message is legal on a message pipe).
std::byte g_empty_buffer[1];

std::byte* buffer_pointer(Bytes& buffer) { return buffer.empty() ? g_empty_buffer : buffer.data(); }

bool is_peer_gone(DWORD error) noexcept {
  return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED || error == ERROR_NO_DATA ||
         error == ERROR_HANDLE_EOF || error == ERROR_NETNAME_DELETED;
}
}  // namespace

PipeEnd::PipeEnd(EngineContext& context, CompletionPort& port, AccountLookup& accounts, PipeEndConfig config,
                 UniqueHandle handle, Callbacks callbacks)
    : context_(context),
      port_(port),
      accounts_(accounts),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      handle_(std::move(handle)),
      connect_op_(std::make_unique<IoOperation>()),
      read_op_(std::make_unique<IoOperation>()) {
  connect_op_->kind = IoOperation::Kind::connect;
  read_op_->kind = IoOperation::Kind::read;
}

void PipeEnd::run(Followup& followup) {
  // Each callback runs even when the other one threw: the closed callback is
  // what takes the end out of the registry, without which close_all would
  // wait for it forever. The first exception is passed on afterwards.
  std::exception_ptr failure;
  if (followup.connected && callbacks_.connected) {
    try {
      callbacks_.connected(*this);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (followup.closed && callbacks_.closed) {
    try {
      callbacks_.closed(*this, std::move(followup.reusable));
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

void PipeEnd::fail_after_exception(const std::exception_ptr& exception, const char* operation) {
  Error failure = error_from_exception(exception, operation,
                                       config_.pipe_name + " (endpoint " + std::to_string(config_.id) + ")",
                                       "this endpoint is closed, the engine goes on");
  Followup f;
  {
    std::lock_guard lock(mutex_);
    const std::error_code reason = failure.code;
    context_.report(config_.id, config_.server, std::move(failure));
    // What the handler left half done is not known, so the end closes at
    // once, as abort() does, and an instance's handle is not reused for the
    // next listener. Pending operations are cancelled; their OVERLAPPEDs
    // stay in this end until their completions are dequeued.
    aborted_ = true;
    if (phase_ == Phase::connected || phase_ == Phase::draining) {
      context_.set_state(config_.id, EndpointState::disconnected, {}, reason);
    }
    begin_close_locked();
    maybe_finish_close_locked(f);
  }
  run(f);
}

void PipeEnd::post_task_locked(void (PipeEnd::*work)(), const char* operation) {
  ++outstanding_;
  try {
    port_.post([self = shared_from_this(), work, operation] {
      try {
        ((*self).*work)();
      } catch (...) {
        self->fail_after_exception(std::current_exception(), operation);
      }
    });
  } catch (...) {
    // Not posted: it will never run, so it holds nothing open.
    --outstanding_;
    throw;
  }
}

void PipeEnd::start_listening() {
  Followup f;
  bool connected_at_once = false;
  {
    std::lock_guard lock(mutex_);
    if (phase_ != Phase::idle) return;  // closed (the server stopped) before it could listen
    phase_ = Phase::listening;
    connect_op_->rearm(shared_from_this());
    ++outstanding_;
    if (ConnectNamedPipe(handle_.get(), &connect_op_->overlapped)) {
      // Overlapped ConnectNamedPipe normally returns FALSE; a TRUE still
      // queues its completion packet, which completes the connection.
    } else {
      const DWORD error = GetLastError();
      if (error != ERROR_IO_PENDING) {
        // No packet will come for an immediate failure, nor for
        // ERROR_PIPE_CONNECTED (the client came first): both are handled here.
        connect_op_->keep_alive.reset();
        if (error == ERROR_PIPE_CONNECTED || error == ERROR_NO_DATA) {
          // ERROR_NO_DATA: the client connected, wrote and closed before we
          // listened. What it wrote is still in the pipe: the instance
          // reads it (and logs it) like any client's, and the read that
          // follows ends with ERROR_BROKEN_PIPE, which disconnects it.
          // The peer is looked up first, without the lock; the hold on the
          // handle (outstanding_) stays until then.
          connected_at_once = true;
        } else {
          --outstanding_;
          listen_failed_ = true;
          context_.report(config_.id, config_.server,
                          error_from_win32(error, IoContext::accept, "ConnectNamedPipe", config_.pipe_name));
          begin_close_locked();
        }
      }
    }
    maybe_finish_close_locked(f);
  }
  if (connected_at_once) {
    const ConnectedPeer peer = query_peer();
    std::lock_guard lock(mutex_);
    --outstanding_;
    if (phase_ == Phase::listening) become_connected_locked(peer, f);
    maybe_finish_close_locked(f);
  }
  run(f);
}

bool PipeEnd::listen_failed() {
  std::lock_guard lock(mutex_);
  return listen_failed_;
}

void PipeEnd::start_connected() {
  {
    // close_all may already abort the end: the hold keeps the handle open
    // while the peer is looked up, without the lock.
    std::lock_guard lock(mutex_);
    ++outstanding_;
  }
  const ConnectedPeer peer = query_peer();
  Followup f;
  {
    std::lock_guard lock(mutex_);
    --outstanding_;
    if (phase_ == Phase::idle) become_connected_locked(peer, f);
    maybe_finish_close_locked(f);
  }
  run(f);
}

PipeEnd::ConnectedPeer PipeEnd::query_peer() const {
  // Called without the end's lock, with a hold on the handle. Every call
  // here is local and quick; only naming the user's SID may take seconds
  // (LookupAccountSidW on a domain), which the account lookup thread does.
  ConnectedPeer peer;
  ULONG pid = 0;
  ULONG session = 0;
  // An instance asks about its client, a client about the server.
  const bool is_instance = config_.kind == EndpointKind::instance;
  if (is_instance ? GetNamedPipeClientProcessId(handle_.get(), &pid)
                  : GetNamedPipeServerProcessId(handle_.get(), &pid)) {
    peer.info.pid = pid;
    peer.user = process_user_sid(pid);
  }
  // Under Wine the session id is always the caller's own (wine-notes.md).
  if (is_instance ? GetNamedPipeClientSessionId(handle_.get(), &session)
                  : GetNamedPipeServerSessionId(handle_.get(), &session)) {
    peer.info.session = session;
  }
  return peer;
}

void PipeEnd::wait_while_listening(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  phase_changed_.wait_until(lock, deadline, [this] { return phase_ != Phase::idle && phase_ != Phase::listening; });
}

void PipeEnd::become_connected_locked(const ConnectedPeer& peer, Followup& f) {
  phase_ = Phase::connected;
  phase_changed_.notify_all();
  had_client_ = true;
  context_.set_state(config_.id, EndpointState::connected, peer.info);
  if (!peer.user.empty()) {
    // Posted after the state change was queued, so the name never comes
    // before the connection it belongs to.
    accounts_.post([&context = context_, id = config_.id, sid = peer.user] {
      context.identify_peer(id, lookup_account_name(sid));
      context.flush();
    });
  }
  f.connected = config_.kind == EndpointKind::instance;
  start_read_locked(f);
}

void PipeEnd::start_read_locked(Followup& f) {
  if (!config_.can_read || (phase_ != Phase::connected && phase_ != Phase::draining)) return;
  // A transact reads its reply itself; only the rest of a message that
  // began before it is still read here.
  if (transact_stage_ != TransactStage::none && !mid_message_) return;
  // One read at a time: read_op_'s OVERLAPPED belongs to the OS until its
  // packet has been handled. A transact that gave up while the read it
  // cancelled was still on its way back used to re-arm it here, so the OS
  // held one OVERLAPPED twice and the first packet found the owner moved
  // out; that packet's handling (on_read_done_locked) reads again instead.
  if (read_in_flight_) return;
  read_op_->buffer.resize(config_.read_buffer_size);
  read_op_->rearm(shared_from_this());
  ++outstanding_;
  read_in_flight_ = true;
  if (ReadFile(handle_.get(), buffer_pointer(read_op_->buffer), config_.read_buffer_size, nullptr,
               &read_op_->overlapped)) {
    return;  // completed at once; its packet is queued all the same
  }
  const DWORD error = GetLastError();
  // ERROR_MORE_DATA at once is a warning, not a failure: like success, its
  // completion packet is queued (measured under Wine, documented for Windows).
  if (error == ERROR_IO_PENDING || error == ERROR_MORE_DATA) return;
  read_in_flight_ = false;
  read_op_->keep_alive.reset();
  --outstanding_;
  read_failed_locked(error, f);
}

void PipeEnd::on_read_done_locked(DWORD bytes, DWORD error, WriteTicket dequeued_at, Followup& f) {
  if (error != ERROR_SUCCESS && error != ERROR_MORE_DATA) {
    if (phase_ == Phase::connected || phase_ == Phase::draining) read_failed_locked(error, f);
    return;
  }
  const bool more = error == ERROR_MORE_DATA;
  mid_message_ = more;
  std::span<const std::byte> data(read_op_->buffer.data(), bytes);
  std::uint8_t flags = 0;
  if (config_.message_read) flags |= record_flags::message;
  if (more) flags |= record_flags::more_data;
  // A zero-byte read is a message of its own only in message read mode; in
  // byte mode it carries nothing worth a record.
  const bool logged = bytes > 0 || config_.message_read;
  if (logged) {
    run_io_fault_hook(config_.id);
    pass_write_gate(dequeued_at);
    context_.record(config_.id, Direction::in, data, flags);
  }
  has_read_ = true;
  // Bytes that arrive while we are closing are logged (nothing is lost), but
  // nobody answers them and no further read is issued.
  if (phase_ != Phase::connected && phase_ != Phase::draining) return;
  // The taps (pipescope/tap.hpp) see the read; what they reply is written
  // here, under the end's lock, in order with every other write.
  if (TapActions actions = logged ? context_.tap_read(TapRead{config_.id, data, flags, config_.message_read, !more})
                                   : TapActions{};
      !actions.empty() && config_.can_write) {
    const std::uint8_t reply_flags =
        record_flags::responder | (config_.message_type ? record_flags::message : std::uint8_t{0});
    for (const Bytes& reply : actions.replies()) {
      queue_write_locked(reply, reply_flags);
    }
    start_write_locked(f);
  }
  if (pending_impersonation_ && !impersonation_posted_) {
    impersonation_posted_ = true;
    post_task_locked(&PipeEnd::impersonate_task, "ImpersonateNamedPipeClient");
  }
  start_read_locked(f);
}

void PipeEnd::read_failed_locked(DWORD error, Followup& f) {
  if (error == ERROR_OPERATION_ABORTED) {
    // We cancelled it: either the end is closing (then nothing follows), or
    // a transact took the handle for its exchange, and the engine reads
    // again once the transact is over (start_read_locked waits for that).
    start_read_locked(f);
    return;
  }
  if (is_peer_gone(error)) {
    // On a read, ERROR_BROKEN_PIPE is the normal end of the stream: the
    // peer closed its end (after we read all it wrote).
    peer_gone_locked(Errc::broken_pipe, f);
    return;
  }
  Error failure = error_from_win32(error, IoContext::read, "ReadFile", config_.pipe_name);
  const Errc reason = failure.errc();
  context_.report(config_.id, config_.server, std::move(failure));
  peer_gone_locked(reason, f);
}

void PipeEnd::queue_write_locked(std::span<const std::byte> bytes, std::uint8_t flags) {
  auto op = std::make_unique<IoOperation>();
  op->kind = IoOperation::Kind::write;
  op->buffer.assign(bytes.begin(), bytes.end());
  op->flags = flags;
  write_queue_.push_back(std::move(op));
}

void PipeEnd::start_write_locked(Followup& f) {
  // One write in flight per end keeps the log's order equal to the pipe's
  // order even though completions run on several pool threads.
  while (!write_in_flight_ && !write_queue_.empty() && transact_stage_ != TransactStage::exchanging &&
         (phase_ == Phase::connected || phase_ == Phase::draining)) {
    std::unique_ptr<IoOperation> op = std::move(write_queue_.front());
    write_queue_.pop_front();
    coalesce_locked(*op);
    op->rearm(shared_from_this());
    ++outstanding_;
    const auto size = static_cast<DWORD>(op->buffer.size());
    DWORD error = ERROR_SUCCESS;
    {
      // Logged when the OS accepts it, as the POSIX backend logs what
      // write() took: the peer may read these bytes from now on, and the
      // out record must come before its in record and before anything this
      // end sees later, such as the peer's close (write_order.hpp).
      const WriteGateHold hold;
      if (!WriteFile(handle_.get(), buffer_pointer(op->buffer), size, nullptr, &op->overlapped)) {
        error = GetLastError();
      }
      if (error == ERROR_SUCCESS || error == ERROR_IO_PENDING) {
        // In flight before it is logged: if logging throws, the OVERLAPPED
        // stays with the end until its completion is dequeued.
        write_in_flight_ = std::move(op);
        record_written_locked(*write_in_flight_);
        return;
      }
    }
    op->keep_alive.reset();
    --outstanding_;
    write_in_flight_ = std::move(op);
    on_write_done_locked(0, error, f);
    return;
  }
  if (phase_ == Phase::draining && !write_in_flight_ && write_queue_.empty() && !disconnect_scheduled_) {
    schedule_disconnect_locked();
  }
}

void PipeEnd::coalesce_locked(IoOperation& op) {
  // A byte pipe keeps no boundaries, so sends waiting behind the one in
  // flight leave together, in one WriteFile: each WriteFile costs a round
  // trip to the OS (under Wine, to the Wine server), and with one write in
  // flight per end, a queue of small sends otherwise left one per
  // completion (measured under Wine: 4.4 thousand 64-byte sends a second
  // against 11.8 thousand for bare synchronous calls). A message pipe needs
  // one WriteFile per message.
  const auto joinable = [&](const IoOperation& next) {
    return next.buffer.size() < kMaxCoalescedSend && op.buffer.size() + next.buffer.size() <= kMaxCoalescedWrite;
  };
  if (config_.message_type || write_queue_.empty() || op.buffer.size() >= kMaxCoalescedSend ||
      !joinable(*write_queue_.front())) {
    return;
  }
  op.parts.push_back({static_cast<std::uint32_t>(op.buffer.size()), op.flags});
  op.buffer.reserve(kMaxCoalescedWrite);
  while (!write_queue_.empty() && joinable(*write_queue_.front())) {
    const IoOperation& next = *write_queue_.front();
    op.buffer.insert(op.buffer.end(), next.buffer.begin(), next.buffer.end());
    op.parts.push_back({static_cast<std::uint32_t>(next.buffer.size()), next.flags});
    write_queue_.pop_front();
  }
}

void PipeEnd::record_written_locked(const IoOperation& op) {
  // Each send is its own record, as if it had been written alone.
  if (op.parts.empty()) {
    context_.record(config_.id, Direction::out, op.buffer, op.flags);
    return;
  }
  std::size_t offset = 0;
  for (const IoOperation::Part& part : op.parts) {
    context_.record(config_.id, Direction::out, std::span<const std::byte>(op.buffer.data() + offset, part.size),
                    part.flags);
    offset += part.size;
  }
}

void PipeEnd::on_write_done_locked(DWORD bytes, DWORD error, Followup& f) {
  std::unique_ptr<IoOperation> op = std::move(write_in_flight_);
  if (!op) return;
  // What the OS accepted was logged when it accepted it (start_write_locked).
  if (error == ERROR_SUCCESS) {
    start_write_locked(f);
    return;
  }
  if (error == ERROR_OPERATION_ABORTED) return;  // we are closing
  // On a write, ERROR_NO_DATA / ERROR_BROKEN_PIPE mean the reader has gone:
  // the bytes could not be delivered, which the user must see. A write the
  // OS had accepted is in the log already, so the error says how much of it
  // really crossed.
  std::string detail = config_.pipe_name;
  if (!op->buffer.empty()) {
    detail += ": " + std::to_string(bytes) + " of the " + std::to_string(op->buffer.size()) +
              " bytes of this write crossed";
  }
  Error failure = error_from_win32(error, IoContext::write, "WriteFile", detail);
  const Errc reason = is_peer_gone(error) ? Errc::broken_pipe : failure.errc();
  context_.report(config_.id, config_.server, std::move(failure));
  peer_gone_locked(reason, f);
}

void PipeEnd::peer_gone_locked(Errc reason, Followup& f) {
  if (phase_ == Phase::connected || phase_ == Phase::draining) {
    context_.set_state(config_.id, EndpointState::disconnected, {}, make_error_code(reason));
  }
  begin_close_locked();
  maybe_finish_close_locked(f);
}

Result<void> PipeEnd::send(std::span<const std::byte> bytes) {
  if (bytes.size() > std::numeric_limits<DWORD>::max()) {
    return make_error(Errc::message_too_large, "WriteFile", config_.pipe_name);
  }
  Followup f;
  {
    std::lock_guard lock(mutex_);
    if (!config_.can_write) {
      return make_error(Errc::access_denied, "WriteFile",
                        config_.pipe_name + ": this end was opened for reading only");
    }
    if (phase_ != Phase::connected) {
      return make_error(phase_ == Phase::listening ? Errc::pipe_listening : Errc::pipe_not_connected, "WriteFile",
                        config_.pipe_name);
    }
    queue_write_locked(bytes, config_.message_type ? record_flags::message : std::uint8_t{0});
    start_write_locked(f);
  }
  run(f);
  return {};
}

void PipeEnd::abort() {
  Followup f;
  {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    if (phase_ == Phase::connected || phase_ == Phase::draining) {
      context_.set_state(config_.id, EndpointState::disconnected);
    }
    begin_close_locked();
    maybe_finish_close_locked(f);
  }
  run(f);
}

void PipeEnd::begin_close_locked() {
  if (phase_ == Phase::closed) return;
  if (phase_ == Phase::closing && !write_in_flight_ && write_queue_.empty()) {
    // Already closing (a disconnect task may be running); cancel what is left.
    if (handle_) CancelIoEx(handle_.get(), nullptr);
    cancel_flush_locked();
    return;
  }
  phase_ = Phase::closing;
  phase_changed_.notify_all();
  cancel_flush_locked();
  if (!write_queue_.empty()) {
    std::size_t lost = 0;
    for (const auto& op : write_queue_) lost += op->buffer.size();
    context_.report(config_.id, config_.server,
                    make_error(Errc::no_data, "WriteFile",
                               config_.pipe_name + ": " + std::to_string(write_queue_.size()) + " queued write(s), " +
                                   std::to_string(lost) + " bytes, not sent because the pipe closed"));
    write_queue_.clear();
  }
  // Every pending operation completes with ERROR_OPERATION_ABORTED; the
  // OVERLAPPED owners stay alive until those completions are dequeued.
  if (handle_) CancelIoEx(handle_.get(), nullptr);
}

void PipeEnd::maybe_finish_close_locked(Followup& f) {
  if (phase_ != Phase::closing || outstanding_ != 0) return;
  if (config_.kind == EndpointKind::instance && had_client_ && !aborted_) {
    f.reusable = std::move(handle_);
  } else {
    handle_.reset();
  }
  phase_ = Phase::closed;
  pending_impersonation_.reset();
  context_.set_state(config_.id, EndpointState::closed);
  f.closed = true;
}

void PipeEnd::complete(IoOperation& op, DWORD bytes, DWORD error, WriteTicket dequeued_at) {
  try {
    handle_completion(op, bytes, error, dequeued_at);
  } catch (...) {
    fail_after_exception(std::current_exception(), "I/O completion");
  }
}

void PipeEnd::handle_completion(IoOperation& op, DWORD bytes, DWORD error, WriteTicket dequeued_at) {
  // A client that connected: its process and user are asked for before the
  // lock is taken (the operation still holds the handle open).
  std::optional<ConnectedPeer> peer;
  if (op.kind == IoOperation::Kind::connect &&
      (error == ERROR_SUCCESS || error == ERROR_PIPE_CONNECTED || error == ERROR_NO_DATA)) {
    peer = query_peer();
  }
  Followup f;
  {
    std::lock_guard lock(mutex_);
    --outstanding_;
    switch (op.kind) {
      case IoOperation::Kind::connect:
        if (phase_ == Phase::listening) {
          if (error == ERROR_SUCCESS || error == ERROR_PIPE_CONNECTED || error == ERROR_NO_DATA) {
            // ERROR_NO_DATA: a client came, wrote and left before we
            // accepted it; what it wrote is read and logged, then the read
            // finds the pipe broken and the instance disconnects.
            become_connected_locked(*peer, f);
          } else if (error != ERROR_OPERATION_ABORTED) {
            context_.report(config_.id, config_.server,
                            error_from_win32(error, IoContext::accept, "ConnectNamedPipe", config_.pipe_name));
            begin_close_locked();
          }
        }
        break;
      case IoOperation::Kind::read:
        read_in_flight_ = false;
        on_read_done_locked(bytes, error, dequeued_at, f);
        break;
      case IoOperation::Kind::write:
        on_write_done_locked(bytes, error, f);
        break;
    }
    // A transact waits for the end's reads and writes to go quiet.
    phase_changed_.notify_all();
    maybe_finish_close_locked(f);
  }
  run(f);
}

}  // namespace pipescope::detail::win
