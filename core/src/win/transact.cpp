// TransactNamedPipe and CallNamedPipe as engine operations.
//
// A client's handle is overlapped and normally has a ReadFile pending on the
// completion port. A transact first stops the engine's reading: it cancels
// that read (CancelIoEx on its OVERLAPPED, which lives in the end until its
// packet is dequeued) and waits until the packet has been handled and no
// write of ours is in flight. Then the handle is the transact's alone. What
// the server wrote after that read was cancelled is read first and logged as
// ordinary messages (TransactNamedPipe refuses while data waits unread, and
// a reply read after it would be the wrong message). Then, on Windows, it
// calls TransactNamedPipe; under Wine, whose overlapped
// TransactNamedPipe returns before the reply arrived (wine-notes.md), it
// writes the request and reads one message, which is what TransactNamedPipe
// does in one call. Its own I/O uses an OVERLAPPED on its stack whose event
// handle has the low bit set, so no completion packet reaches the port, and
// it always waits for that I/O to finish (also after cancelling it on
// timeout) before the OVERLAPPED goes away. Then the engine reads again.
#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <limits>
#include <optional>

#include "access_rights.hpp"
#include "backend_win.hpp"
#include "write_order.hpp"

namespace pipescope::detail::win {

namespace {

constexpr const char* kTransact = "TransactNamedPipe";

std::byte g_empty_request[1];

/// One overlapped operation on an event instead of the completion port.
class EventIo {
 public:
  EventIo() : event_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {}
  [[nodiscard]] bool valid() const noexcept { return event_.valid(); }

  /// A zeroed OVERLAPPED for the next call. The low bit of hEvent tells the
  /// OS not to queue a completion packet to the handle's completion port.
  OVERLAPPED* arm() {
    overlapped_ = OVERLAPPED{};
    ResetEvent(event_.get());
    overlapped_.hEvent = reinterpret_cast<HANDLE>(reinterpret_cast<ULONG_PTR>(event_.get()) | 1U);
    return &overlapped_;
  }

  /// Finishes the call begun on arm()'s OVERLAPPED (`started` is what the
  /// call returned). Waits until `deadline`; on timeout cancels the I/O and
  /// still waits for it to end, because the OS writes into the OVERLAPPED
  /// until then. Returns the Win32 result (ERROR_SEM_TIMEOUT when the time
  /// ran out) and the bytes transferred.
  DWORD finish(HANDLE pipe, BOOL started, const std::optional<std::chrono::steady_clock::time_point>& deadline,
               DWORD& bytes) {
    bytes = 0;
    if (!started) {
      const DWORD error = GetLastError();
      // ERROR_MORE_DATA at once still completed the I/O: its result is read
      // below like any other.
      if (error != ERROR_IO_PENDING && error != ERROR_MORE_DATA) return error;
    }
    DWORD wait_ms = INFINITE;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<DWORD>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, INFINITE - 1));
    }
    bool cancelled = false;
    if (WaitForSingleObject(event_.get(), wait_ms) == WAIT_TIMEOUT) {
      CancelIoEx(pipe, &overlapped_);
      WaitForSingleObject(event_.get(), INFINITE);
      cancelled = true;
    }
    if (GetOverlappedResult(pipe, &overlapped_, &bytes, FALSE)) return ERROR_SUCCESS;
    const DWORD error = GetLastError();
    return cancelled && error == ERROR_OPERATION_ABORTED ? ERROR_SEM_TIMEOUT : error;
  }

 private:
  UniqueHandle event_;
  OVERLAPPED overlapped_{};
};

/// Logs the request's out record. Called once, at the moment the OS has
/// taken the request (from then on the server may read it), with the write
/// gate held (write_order.hpp): so the out record comes before the server's
/// in record of the same bytes when both ends are in this process. It takes
/// no lock: the client's reads and writes are stopped during the exchange.
using LogRequest = std::function<void()>;

/// Starts a call that writes the request (`call` returns what the Win32 call
/// returned) with the write gate held, and logs the request if the OS took
/// it: the call returned TRUE, or failed with ERROR_IO_PENDING (the write is
/// done or under way) or ERROR_MORE_DATA (the reply has begun). Keeps the
/// call's last error for EventIo::finish. Returns whether it was taken.
///
/// If logging throws (the process is out of memory), the call's I/O may
/// still be pending on `io`'s OVERLAPPED, which the OS writes into until it
/// ends: the I/O is cancelled and waited for, after the gate is released (a
/// reader of our bytes may be waiting for it), before the exception leaves.
template <typename Call>
bool write_and_log(HANDLE pipe, EventIo& io, Call call, BOOL& started, const LogRequest& log_request) {
  DWORD error = ERROR_SUCCESS;
  bool taken = false;
  std::exception_ptr failed;
  {
    const WriteGateHold hold;
    started = call();
    error = started ? ERROR_SUCCESS : GetLastError();
    taken = started || error == ERROR_IO_PENDING || error == ERROR_MORE_DATA;
    if (taken) {
      try {
        log_request();
      } catch (...) {
        failed = std::current_exception();
      }
    }
  }
  SetLastError(error);
  if (failed) {
    DWORD bytes = 0;
    (void)io.finish(pipe, started, std::chrono::steady_clock::now(), bytes);
    std::rethrow_exception(failed);
  }
  return taken;
}

/// What one exchange did.
struct Exchange {
  bool request_written = false;
  std::vector<Bytes> reply_parts;  ///< every part but the last ended with ERROR_MORE_DATA
  DWORD error = ERROR_SUCCESS;     ///< what ended it, if not the whole reply
};

std::optional<std::chrono::steady_clock::time_point> deadline_after(std::chrono::milliseconds timeout) {
  // Waits longer than a year are taken as "forever": adding them to the
  // clock could overflow.
  if (waits_forever(timeout)) return std::nullopt;
  return std::chrono::steady_clock::now() + timeout;
}

/// Reads parts of the reply until its last one (after a first part that
/// ended with ERROR_MORE_DATA, or from the start).
void read_reply(HANDLE pipe, EventIo& io, std::uint32_t buffer_size,
                const std::optional<std::chrono::steady_clock::time_point>& deadline, Exchange& exchange) {
  do {
    Bytes part(std::max<std::uint32_t>(buffer_size, 1));
    DWORD bytes = 0;
    const BOOL started = ReadFile(pipe, part.data(), buffer_size, nullptr, io.arm());
    exchange.error = io.finish(pipe, started, deadline, bytes);
    if (exchange.error != ERROR_SUCCESS && exchange.error != ERROR_MORE_DATA) return;
    part.resize(bytes);
    exchange.reply_parts.push_back(std::move(part));
  } while (exchange.error == ERROR_MORE_DATA);
}

/// TransactNamedPipe itself (Windows).
Exchange transact_native(HANDLE pipe, std::span<const std::byte> request, std::uint32_t buffer_size,
                         const std::optional<std::chrono::steady_clock::time_point>& deadline,
                         const LogRequest& log_request) {
  Exchange exchange;
  EventIo io;
  if (!io.valid()) {
    exchange.error = GetLastError();
    return exchange;
  }
  Bytes first(std::max<std::uint32_t>(buffer_size, 1));
  auto* in = request.empty() ? g_empty_request : const_cast<std::byte*>(request.data());
  DWORD bytes = 0;
  BOOL started = FALSE;
  // TransactNamedPipe writes the request first and only then waits for the
  // reply: once it returned pending, the request went out.
  exchange.request_written = write_and_log(
      pipe, io,
      [&] {
        return TransactNamedPipe(pipe, in, static_cast<DWORD>(request.size()), first.data(), buffer_size, nullptr,
                                 io.arm());
      },
      started, log_request);
  exchange.error = io.finish(pipe, started, deadline, bytes);
  if (exchange.error != ERROR_SUCCESS && exchange.error != ERROR_MORE_DATA) return exchange;
  first.resize(bytes);
  exchange.reply_parts.push_back(std::move(first));
  // The rest of a reply larger than the buffer is read with ReadFile, as a
  // Windows program would after ERROR_MORE_DATA.
  if (exchange.error == ERROR_MORE_DATA) read_reply(pipe, io, buffer_size, deadline, exchange);
  return exchange;
}

/// Under Wine: one message written, one message read. TransactNamedPipe
/// differs only in doing both in one call and in refusing when unread data
/// waits (drain_unread has read that before).
Exchange transact_by_write_and_read(HANDLE pipe, std::span<const std::byte> request, std::uint32_t buffer_size,
                                    const std::optional<std::chrono::steady_clock::time_point>& deadline,
                                    const LogRequest& log_request) {
  Exchange exchange;
  EventIo io;
  if (!io.valid()) {
    exchange.error = GetLastError();
    return exchange;
  }
  auto* out = request.empty() ? g_empty_request : const_cast<std::byte*>(request.data());
  DWORD bytes = 0;
  BOOL started = FALSE;
  // Logged when WriteFile took the message, as every write of the engine is
  // (pipe_end.cpp): the server may read it from then on.
  exchange.request_written = write_and_log(
      pipe, io, [&] { return WriteFile(pipe, out, static_cast<DWORD>(request.size()), nullptr, io.arm()); }, started,
      log_request);
  // The write of a whole message is not bounded by the reply's timeout: a
  // half-written message cannot be taken back.
  exchange.error = io.finish(pipe, started, std::nullopt, bytes);
  if (exchange.error != ERROR_SUCCESS) return exchange;
  read_reply(pipe, io, buffer_size, deadline, exchange);
  return exchange;
}

bool is_peer_gone(DWORD error) noexcept {
  return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED || error == ERROR_NO_DATA;
}

/// What waited unread in the pipe before the exchange.
struct Drained {
  std::vector<Bytes> parts;
  std::vector<bool> more;  ///< the part ended with ERROR_MORE_DATA
};

/// At most this many reads drain a pipe before a transact: a server that
/// writes without pause cannot keep the transact from ever starting.
constexpr int kMaxDrainReads = 256;

/// Reads what the server wrote after the engine's own read was cancelled
/// (and before the transact took the handle), so that the exchange starts
/// on an empty pipe: TransactNamedPipe refuses with ERROR_PIPE_BUSY while
/// unread data waits ("If the pipe contains any unread data, the function
/// fails", TransactNamedPipe), and a write-then-read would take that data
/// for the reply. Each part read is logged as the ordinary message it is.
Drained drain_unread(HANDLE pipe, std::uint32_t buffer_size) {
  Drained drained;
  EventIo io;
  if (!io.valid()) return drained;
  for (int reads = 0; reads < kMaxDrainReads; ++reads) {
    DWORD available = 0;
    if (!PeekNamedPipe(pipe, nullptr, 0, nullptr, &available, nullptr) || available == 0) break;
    Bytes part(std::max<std::uint32_t>(buffer_size, 1));
    DWORD bytes = 0;
    const BOOL started = ReadFile(pipe, part.data(), buffer_size, nullptr, io.arm());
    // The data is there: the read completes at once, without a deadline.
    const DWORD error = io.finish(pipe, started, std::nullopt, bytes);
    if (error != ERROR_SUCCESS && error != ERROR_MORE_DATA) break;
    part.resize(bytes);
    drained.parts.push_back(std::move(part));
    drained.more.push_back(error == ERROR_MORE_DATA);
  }
  return drained;
}

std::atomic<TransactQuietHook> g_quiet_hook{nullptr};

}  // namespace

TransactQuietHook replace_transact_quiet_hook(TransactQuietHook hook) noexcept { return g_quiet_hook.exchange(hook); }

void PipeEnd::end_transact_locked(Followup& f) {
  transact_stage_ = TransactStage::none;
  --outstanding_;
  start_write_locked(f);
  start_read_locked(f);
  maybe_finish_close_locked(f);
}

Result<Bytes> PipeEnd::transact(std::span<const std::byte> request, std::chrono::milliseconds timeout) {
  if (config_.kind != EndpointKind::client) {
    return make_error(Errc::invalid_parameter, kTransact,
                      config_.pipe_name + ": this is a server instance; the engine transacts on clients");
  }
  if (!config_.message_type) {
    // What Windows answers (STATUS_INVALID_PIPE_STATE) for a byte pipe.
    return make_error(Errc::bad_pipe, kTransact, config_.pipe_name + " is a byte pipe; a transact needs a message pipe");
  }
  if (!config_.message_read) {
    return make_error(Errc::bad_pipe, kTransact,
                      "this client reads in byte mode; a transact needs message read mode (PIPE_READMODE_MESSAGE)");
  }
  if (!config_.can_read || !config_.can_write) {
    return make_error(Errc::access_denied, kTransact, "a transact writes and reads, so the client needs both");
  }
  const auto deadline = deadline_after(timeout);
  HANDLE pipe = nullptr;
  {
    std::unique_lock lock(mutex_);
    if (phase_ != Phase::connected) {
      return make_error(Errc::pipe_not_connected, kTransact, config_.pipe_name);
    }
    if (transact_stage_ != TransactStage::none) {
      return make_error(Errc::pipe_busy, kTransact, "another transact on this client is still waiting for its reply");
    }
    transact_stage_ = TransactStage::waiting_for_quiet;
    ++outstanding_;  // the handle stays open until the transact is over
    if (read_in_flight_ && !mid_message_) CancelIoEx(handle_.get(), &read_op_->overlapped);
    const auto quiet = [this] {
      return phase_ != Phase::connected || (!read_in_flight_ && !write_in_flight_ && write_queue_.empty());
    };
    const bool ready = deadline ? phase_changed_.wait_until(lock, *deadline, quiet)
                                : (phase_changed_.wait(lock, quiet), true);
    if (!ready || phase_ != Phase::connected) {
      const bool closed = phase_ != Phase::connected;
      Followup f;
      end_transact_locked(f);
      lock.unlock();
      run(f);
      if (closed) return make_error(Errc::broken_pipe, kTransact, "the pipe closed before the request was written");
      return make_error(Errc::sem_timeout, kTransact,
                        "earlier writes on this client did not finish within " + std::to_string(timeout.count()) +
                            " ms; nothing was sent");
    }
    transact_stage_ = TransactStage::exchanging;
    pipe = handle_.get();
  }

  if (const TransactQuietHook hook = g_quiet_hook.load()) hook(config_.id);
  const Drained drained = drain_unread(pipe, config_.read_buffer_size);
  // What waited unread came before the request, and is logged before it.
  {
    std::lock_guard lock(mutex_);
    // As every read: no write of these bytes may still be unlogged.
    if (!drained.parts.empty()) pass_write_gate();
    for (std::size_t i = 0; i < drained.parts.size(); ++i) {
      context_.record(config_.id, Direction::in, drained.parts[i],
                      static_cast<std::uint8_t>(record_flags::message | (drained.more[i] ? record_flags::more_data : 0)));
    }
  }
  const std::uint8_t flags = record_flags::message | record_flags::transact;
  const LogRequest log_request = [&] { context_.record(config_.id, Direction::out, request, flags); };
  const Exchange exchange =
      running_under_wine() ? transact_by_write_and_read(pipe, request, config_.read_buffer_size, deadline, log_request)
                           : transact_native(pipe, request, config_.read_buffer_size, deadline, log_request);

  Followup f;
  {
    std::lock_guard lock(mutex_);
    if (!exchange.reply_parts.empty()) pass_write_gate();
    for (std::size_t i = 0; i < exchange.reply_parts.size(); ++i) {
      const bool last = i + 1 == exchange.reply_parts.size() && exchange.error != ERROR_MORE_DATA;
      context_.record(config_.id, Direction::in, exchange.reply_parts[i],
                      static_cast<std::uint8_t>(flags | (last ? 0 : record_flags::more_data)));
    }
    // A pipe that broke is found out by the engine's next read, which
    // reports it the ordinary way.
    end_transact_locked(f);
  }
  run(f);
  context_.flush();

  if (exchange.error == ERROR_SUCCESS) {
    Bytes reply;
    for (const Bytes& part : exchange.reply_parts) reply.insert(reply.end(), part.begin(), part.end());
    return reply;
  }
  if (exchange.error == ERROR_SEM_TIMEOUT) {
    return make_error(Errc::sem_timeout, kTransact,
                      "no reply within " + std::to_string(timeout.count()) +
                          " ms; a reply that comes later is read as an ordinary message");
  }
  if (exchange.error == ERROR_PIPE_BUSY) {
    // Here ERROR_PIPE_BUSY does not mean that every instance is busy.
    return error_from_win32(exchange.error, IoContext::read, kTransact,
                            config_.pipe_name +
                                ": TransactNamedPipe refuses while a message from the server waits unread (here "
                                "ERROR_PIPE_BUSY does not mean that all instances are busy). What waited was read "
                                "first; another message came in the moment after and is read as an ordinary "
                                "message. Nothing was sent: transact again");
  }
  if (is_peer_gone(exchange.error)) {
    return error_from_win32(exchange.error, IoContext::read, kTransact,
                            config_.pipe_name + ": the server went away before it answered");
  }
  return error_from_win32(exchange.error, IoContext::read, kTransact, config_.pipe_name);
}

Result<Bytes> WinBackend::transact(EndpointId client, std::span<const std::byte> request,
                                   std::chrono::milliseconds timeout) {
  if (auto end = ends_.find(client)) return end->transact(request, timeout);
  return not_a_pipe_end(client, kTransact);
}

// ------------------------------------------------------------- CallNamedPipeW

namespace {

/// What CallNamedPipeW does, on a thread of its own so that the caller can
/// give up after its timeout (CancelSynchronousIo) instead of waiting
/// forever for a reply: CallNamedPipeW itself only bounds the wait for a
/// free instance. It is built from its documented parts (CreateFileW, or
/// WaitNamedPipeW while every instance is busy; SetNamedPipeHandleState to
/// message read mode; a synchronous TransactNamedPipe; CloseHandle) rather
/// than called, because CallNamedPipeW opens the pipe without security
/// quality of service: the server would get SecurityImpersonation with
/// dynamic tracking, and a server squatting on the name could act as the
/// user although the chosen level (Identification by default) says
/// otherwise.
struct CallJob {
  std::wstring name;
  Bytes request;
  Bytes reply;
  ImpersonationLevel impersonation = ImpersonationLevel::identification;
  DWORD busy_wait = NMPWAIT_WAIT_FOREVER;
  DWORD bytes_read = 0;
  DWORD error = ERROR_SUCCESS;
  /// Which call `error` came from, for the message.
  const char* failed_call = "CreateFileW";
  /// Set once the pipe is open: from then on the server has seen a client.
  std::atomic<bool> opened{false};
  /// Set by the caller that gave up: no further call is begun.
  std::atomic<bool> cancelled{false};

  static DWORD WINAPI run(LPVOID param) {
    auto* job = static_cast<CallJob*>(param);
    job->error = job->exchange();
    return 0;
  }

  DWORD exchange() {
    UniqueHandle pipe;
    const bool wait_forever = busy_wait == NMPWAIT_WAIT_FOREVER;
    const auto busy_deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds{wait_forever ? 0 : busy_wait};
    for (;;) {
      pipe.reset(CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                             client_sqos_flags(impersonation), nullptr));
      if (pipe) break;
      const DWORD error = GetLastError();
      if (error != ERROR_PIPE_BUSY || busy_wait == NMPWAIT_NOWAIT) return error;
      if (cancelled) return ERROR_OPERATION_ABORTED;
      DWORD wait_ms = NMPWAIT_WAIT_FOREVER;
      if (!wait_forever) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(busy_deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          failed_call = "WaitNamedPipeW";
          return ERROR_SEM_TIMEOUT;  // what WaitNamedPipeW says when its time runs out
        }
        wait_ms = static_cast<DWORD>(std::min<std::chrono::milliseconds::rep>(left.count(), INFINITE - 1));
      }
      if (!WaitNamedPipeW(name.c_str(), wait_ms)) {
        const DWORD wait_error = GetLastError();
        // Busy again by the time we try is retried; anything else ends it.
        if (wait_error != ERROR_SEM_TIMEOUT && wait_error != ERROR_PIPE_BUSY) {
          failed_call = "WaitNamedPipeW";
          return wait_error;
        }
      }
    }
    opened = true;
    if (cancelled) return ERROR_OPERATION_ABORTED;
    DWORD mode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(pipe.get(), &mode, nullptr, nullptr)) {
      // A byte pipe cannot be read in message mode (ERROR_INVALID_PARAMETER);
      // CallNamedPipeW fails the same way there.
      failed_call = "SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)";
      return GetLastError();
    }
    auto* in = request.empty() ? g_empty_request : request.data();
    failed_call = kTransact;
    if (!TransactNamedPipe(pipe.get(), in, static_cast<DWORD>(request.size()), reply.data(),
                           static_cast<DWORD>(reply.size()), &bytes_read, nullptr)) {
      return GetLastError();
    }
    return ERROR_SUCCESS;
  }
};

DWORD busy_wait_for(std::chrono::milliseconds busy_timeout) {
  if (busy_timeout.count() <= 0) return NMPWAIT_NOWAIT;
  if (waits_forever(busy_timeout)) return NMPWAIT_WAIT_FOREVER;
  // 0 would mean "the server's default"; the maximum means "forever".
  return static_cast<DWORD>(std::clamp<std::chrono::milliseconds::rep>(busy_timeout.count(), 1, INFINITE - 1));
}

}  // namespace

Result<Bytes> WinBackend::call(const ClientOptions& options, const PipeName& name, std::span<const std::byte> request,
                               std::chrono::milliseconds timeout) {
  if (name.kind() == PipeName::Kind::path) {
    return make_error(Errc::unsupported_on_platform, "CallNamedPipeW",
                      name.full() + ": a socket path names a POSIX socket; Windows pipes live under \\\\.\\pipe\\");
  }
  const EndpointId id =
      context_.add_endpoint(EndpointKind::client, 0, name.full(), "call {id} \u2192 " + name.leaf(),
                            EndpointState::connecting);
  context_.flush();

  auto job = std::make_unique<CallJob>();
  job->name = widen(name.full());
  job->request.assign(request.begin(), request.end());
  job->reply.resize(std::max<std::uint32_t>(options.read_buffer_size, 1));
  job->busy_wait = busy_wait_for(options.busy_timeout);
  job->impersonation = options.impersonation;
  UniqueHandle thread(CreateThread(nullptr, 0, &CallJob::run, job.get(), 0, nullptr));
  if (!thread) {
    Error error = error_from_win32(GetLastError(), IoContext::generic, "CreateThread", "for CallNamedPipeW");
    context_.report(id, 0, error);
    context_.set_state(id, EndpointState::closed, {}, error.code);
    context_.flush();
    return error;
  }
  // The call may first wait for a free instance, then for the reply.
  const auto total = waits_forever(options.busy_timeout) || waits_forever(timeout)
                         ? std::optional<std::chrono::milliseconds>{}
                         : std::optional<std::chrono::milliseconds>{std::max(options.busy_timeout, std::chrono::milliseconds{0}) + timeout};
  const DWORD wait_ms =
      total ? static_cast<DWORD>(std::clamp<std::chrono::milliseconds::rep>(total->count(), 0, INFINITE - 1)) : INFINITE;
  bool timed_out = false;
  if (WaitForSingleObject(thread.get(), wait_ms) == WAIT_TIMEOUT) {
    timed_out = true;
    // CancelSynchronousIo only cancels I/O the thread is inside right now;
    // between two of the job's calls there is none, so the job is told to
    // begin no more, and the cancel is repeated until the thread has ended.
    // The job stays alive until then.
    job->cancelled = true;
    do {
      CancelSynchronousIo(thread.get());
    } while (WaitForSingleObject(thread.get(), 20) == WAIT_TIMEOUT);
  }

  const std::uint8_t flags = record_flags::message | record_flags::transact;
  const DWORD error = job->error;
  if (error == ERROR_SUCCESS || error == ERROR_MORE_DATA) {
    context_.set_state(id, EndpointState::connected);
    context_.record(id, Direction::out, request, flags);
    const std::span<const std::byte> reply(job->reply.data(), job->bytes_read);
    context_.record(id, Direction::in, reply,
                    static_cast<std::uint8_t>(flags | (error == ERROR_MORE_DATA ? record_flags::more_data : 0)));
    context_.set_state(id, EndpointState::disconnected);
    context_.set_state(id, EndpointState::closed);
    context_.flush();
    if (error == ERROR_SUCCESS) return Bytes(reply.begin(), reply.end());
    Error more = error_from_win32(error, IoContext::read, kTransact,
                                  name.full() + ": the reply is larger than the " +
                                      std::to_string(job->reply.size()) +
                                      "-byte read buffer; the call closed the pipe and the rest is lost");
    context_.report(id, 0, more);
    context_.flush();
    return more;
  }
  Error failure = timed_out && error == ERROR_OPERATION_ABORTED
                      ? make_error(Errc::sem_timeout, kTransact,
                                   name.full() + ": no reply within " + std::to_string(timeout.count()) +
                                       " ms (a cancelled TransactNamedPipe does not tell whether the request was written)")
                      : error_from_win32(error, job->opened ? IoContext::read : IoContext::open, job->failed_call, name.full());
  context_.report(id, 0, failure);
  context_.set_state(id, EndpointState::closed, {}, failure.code);
  context_.flush();
  return failure;
}

}  // namespace pipescope::detail::win
