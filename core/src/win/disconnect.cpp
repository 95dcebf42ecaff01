// How a pipe end leaves at the user's request: its queued writes go out
// first, then an instance makes sure the client could read them before
// DisconnectNamedPipe, which discards whatever the client has not read.
//
// FlushFileBuffers is what waits for the client to read, and it does not
// return until the client has read everything, has closed, or the call is
// cancelled. So it never runs on the completion port's few threads (two
// clients that stop reading would freeze every pipe of the engine), and it
// runs only when the client really has something unread: the instance's
// outbound quota is then not all free (FilePipeLocalInformation, as libuv's
// uv_pipe_shutdown decides). While it waits, the end keeps reading, so a
// client blocked writing into a full inbound buffer can finish its write and
// then read ours. It is given kFlushDeadline; after that it is cancelled and
// the user is told that the client's unread bytes were discarded. An abort
// (stop_server, close_all) cancels it at once.
#include <winternl.h>

#include <string>

#include "pipe_end.hpp"

namespace pipescope::detail::win {

namespace {

/// How long a disconnect waits for a client that does not read.
constexpr DWORD kFlushDeadlineMs = 5000;

/// FILE_PIPE_LOCAL_INFORMATION (ntifs.h), which mingw's headers lack.
struct PipeLocalInformation {
  ULONG NamedPipeType;
  ULONG NamedPipeConfiguration;
  ULONG MaximumInstances;
  ULONG CurrentInstances;
  ULONG InboundQuota;
  ULONG ReadDataAvailable;
  ULONG OutboundQuota;
  ULONG WriteQuotaAvailable;
  ULONG NamedPipeState;
  ULONG NamedPipeEnd;
};
constexpr auto kFilePipeLocalInformation = static_cast<FILE_INFORMATION_CLASS>(24);

}  // namespace

Result<void> PipeEnd::request_disconnect() {
  Followup f;
  {
    std::lock_guard lock(mutex_);
    switch (phase_) {
      case Phase::idle:
      case Phase::listening:
        // As on POSIX: there is no client to disconnect, and closing the
        // only listening instance would only make the server create another.
        return make_error(Errc::pipe_listening, "DisconnectNamedPipe",
                          config_.pipe_name + ": no client is connected to this instance; stop the server to remove it");
      case Phase::connected:
        phase_ = Phase::draining;
        start_write_locked(f);  // schedules the disconnect once the queue is empty
        break;
      case Phase::draining:
      case Phase::closing:
      case Phase::closed:
        break;  // already on its way out
    }
    maybe_finish_close_locked(f);
  }
  run(f);
  return {};
}

void PipeEnd::schedule_disconnect_locked() {
  disconnect_scheduled_ = true;
  if (config_.kind == EndpointKind::instance && client_has_unread_data_locked()) {
    start_flush_locked();
    return;
  }
  // Nothing to wait for: the disconnect itself runs on a pool thread, and
  // the handle stays open until it has because the task counts as
  // outstanding.
  phase_ = Phase::closing;
  post_task_locked(&PipeEnd::finish_disconnect, "DisconnectNamedPipe");
}

bool PipeEnd::client_has_unread_data_locked() const {
  PipeLocalInformation info{};
  IO_STATUS_BLOCK status{};
  if (NtQueryInformationFile(handle_.get(), &status, &info, sizeof info, kFilePipeLocalInformation) != 0) {
    return true;  // not known: flush, as a program without this shortcut would
  }
  return info.WriteQuotaAvailable != info.OutboundQuota;
}

void PipeEnd::start_flush_locked() {
  // The thread holds the end alive while it runs and counts as outstanding,
  // so the handle stays open until the flush has returned.
  auto self = std::make_unique<std::shared_ptr<PipeEnd>>(shared_from_this());
  ++outstanding_;
  flush_cancelled_ = false;
  flush_timed_out_ = false;
  flush_thread_.reset(CreateThread(nullptr, 0, &PipeEnd::flush_thread_main, self.get(), CREATE_SUSPENDED, nullptr));
  if (!flush_thread_) {
    --outstanding_;
    context_.report(config_.id, config_.server,
                    error_from_win32(GetLastError(), IoContext::generic, "CreateThread",
                                     config_.pipe_name + ": for FlushFileBuffers; the instance disconnects without "
                                                         "waiting for its client to read"));
    phase_ = Phase::closing;
    post_task_locked(&PipeEnd::finish_disconnect, "DisconnectNamedPipe");
    return;
  }
  // Not WT_EXECUTEONLYONCE: after the deadline the wait fires again every
  // kFlushDeadlineMs until the thread has ended, so a cancel that came
  // between two of its calls is repeated.
  if (!RegisterWaitForSingleObject(&flush_deadline_wait_, flush_thread_.get(), &PipeEnd::flush_deadline_passed, this,
                                   kFlushDeadlineMs, WT_EXECUTEDEFAULT)) {
    flush_deadline_wait_ = nullptr;  // no deadline: an abort still cancels the flush
  }
  static_cast<void>(self.release());  // the thread deletes it
  ResumeThread(flush_thread_.get());
}

DWORD WINAPI PipeEnd::flush_thread_main(LPVOID param) {
  std::unique_ptr<std::shared_ptr<PipeEnd>> self(static_cast<std::shared_ptr<PipeEnd>*>(param));
  PipeEnd& end = **self;
  try {
    end.run_flush();
  } catch (...) {
    end.fail_after_exception(std::current_exception(), "FlushFileBuffers");
  }
  // What this thread told (the instance disconnected and closed, an error)
  // waits in the engine's batch, which the pool hands to the sink only after
  // a completion it dequeues. When the instance's read was already handled
  // before (DisconnectNamedPipe ends it), no completion follows, and under
  // load the events waited for whatever else the engine did next: with
  // nothing else to do, for ever (EngineConformance.
  // ServerDisconnectEndsClientAndKeepsServing under Wine). So this thread
  // hands them over itself, as the engine's other threads do.
  try {
    end.context_.flush();
  } catch (...) {
    // The host's sink threw; the batch is gone either way, and this thread
    // has nothing left to do.
  }
  return 0;
}

VOID CALLBACK PipeEnd::flush_deadline_passed(PVOID param, BOOLEAN timed_out) {
  if (!timed_out) return;  // the thread ended
  auto* end = static_cast<PipeEnd*>(param);
  std::lock_guard lock(end->mutex_);
  end->flush_timed_out_ = true;
  if (end->flush_thread_) CancelSynchronousIo(end->flush_thread_.get());
}

void PipeEnd::cancel_flush_locked() {
  if (!flush_thread_) return;
  flush_cancelled_ = true;
  CancelSynchronousIo(flush_thread_.get());
}

void PipeEnd::run_flush() {
  HANDLE handle = nullptr;
  bool flush = false;
  {
    std::lock_guard lock(mutex_);
    // An abort that came before this thread ran has nothing to cancel yet.
    flush = !flush_cancelled_ && !aborted_ && phase_ == Phase::draining;
    handle = handle_.get();
  }
  DWORD error = ERROR_SUCCESS;
  if (flush && !FlushFileBuffers(handle)) error = GetLastError();
  // Waits for a deadline callback that may be running; none comes after.
  if (flush_deadline_wait_ != nullptr) UnregisterWaitEx(flush_deadline_wait_, INVALID_HANDLE_VALUE);

  std::optional<Error> failure;
  bool still_draining = false;
  {
    std::lock_guard lock(mutex_);
    // The client may have gone, or the end been aborted, while the flush
    // waited: then the end's state has been told already.
    still_draining = phase_ == Phase::draining;
    flush_deadline_wait_ = nullptr;
    flush_thread_.reset();  // this thread's own handle; closing it does not end the thread
    if (flush_timed_out_ && !flush_cancelled_) {
      PipeLocalInformation info{};
      IO_STATUS_BLOCK status{};
      std::string unread = "what it had not read";
      // Wine's count is the whole quota whenever anything waits unread
      // (wine-notes.md), so the number is given on Windows only.
      if (!running_under_wine() &&
          NtQueryInformationFile(handle, &status, &info, sizeof info, kFilePipeLocalInformation) == 0 &&
          info.OutboundQuota >= info.WriteQuotaAvailable) {
        unread = std::to_string(info.OutboundQuota - info.WriteQuotaAvailable) + " bytes it had not read";
      }
      try {
        failure = make_error(Errc::sem_timeout, "FlushFileBuffers",
                             config_.pipe_name + ": the client did not read within " +
                                 std::to_string(kFlushDeadlineMs / 1000) + " s; DisconnectNamedPipe discards " +
                                 unread + " (the log has every byte that was written)");
      } catch (...) {
        // Out of memory for the report: the disconnect goes on without it,
        // because only disconnect_and_close gives the flush's hold back.
      }
    } else if (error != ERROR_SUCCESS && error != ERROR_OPERATION_ABORTED && error != ERROR_BROKEN_PIPE &&
               error != ERROR_PIPE_NOT_CONNECTED && error != ERROR_NO_DATA) {
      failure = error_from_win32(error, IoContext::generic, "FlushFileBuffers", config_.pipe_name);
    }
    phase_ = Phase::closing;
    phase_changed_.notify_all();
  }
  disconnect_and_close(std::move(failure), still_draining);
}

void PipeEnd::finish_disconnect() { disconnect_and_close(std::nullopt, true); }

void PipeEnd::disconnect_and_close(std::optional<Error> failure, bool ours) {
  bool disconnect = false;
  {
    std::lock_guard lock(mutex_);
    disconnect = ours && config_.kind == EndpointKind::instance && !aborted_;
  }
  std::optional<Error> disconnect_failure;
  if (disconnect) {
    if (!DisconnectNamedPipe(handle_.get())) {
      disconnect_failure =
          error_from_win32(GetLastError(), IoContext::generic, "DisconnectNamedPipe", config_.pipe_name);
    }
  }
  Followup f;
  {
    std::lock_guard lock(mutex_);
    --outstanding_;
    if (failure) context_.report(config_.id, config_.server, std::move(*failure));
    if (disconnect_failure) context_.report(config_.id, config_.server, std::move(*disconnect_failure));
    // Disconnected at our request: no reason.
    if (ours) context_.set_state(config_.id, EndpointState::disconnected);
    begin_close_locked();
    maybe_finish_close_locked(f);
  }
  run(f);
}

}  // namespace pipescope::detail::win
