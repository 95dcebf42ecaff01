#include "iocp.hpp"

#include <winternl.h>

#include "pipe_end.hpp"

namespace pipescope::detail::win {

namespace {
// Completion keys tell the three kinds of packets apart.
constexpr ULONG_PTR kIoKey = 1;    // an IoOperation of a pipe handle
constexpr ULONG_PTR kTaskKey = 2;  // a posted task (OVERLAPPED* is a std::function<void()>*)
constexpr ULONG_PTR kQuitKey = 3;  // a pool thread should end

constexpr ULONG kBatchSize = 32;

std::atomic<IoFaultHook> g_fault_hook{nullptr};
}  // namespace

IoFaultHook replace_io_fault_hook(IoFaultHook hook) noexcept {
  return g_fault_hook.exchange(hook);
}

void run_io_fault_hook(EndpointId endpoint) {
  if (const IoFaultHook hook = g_fault_hook.load(std::memory_order_relaxed)) hook(endpoint);
}

CompletionPort::CompletionPort(EngineContext& context, std::size_t threads) : context_(context) {
  port_ = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  if (port_ == nullptr) {
    // Without a port the engine cannot do any I/O; nothing sensible can
    // continue, and there is no caller to return an Error to here.
    throw std::system_error(static_cast<int>(GetLastError()), std::system_category(), "CreateIoCompletionPort");
  }
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

CompletionPort::~CompletionPort() {
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    PostQueuedCompletionStatus(port_, 0, kQuitKey, nullptr);
  }
  for (auto& thread : threads_) {
    thread.join();
  }
  CloseHandle(port_);
}

Result<void> CompletionPort::associate(HANDLE handle) {
  if (CreateIoCompletionPort(handle, port_, kIoKey, 0) == nullptr) {
    return error_from_win32(GetLastError(), IoContext::generic, "CreateIoCompletionPort");
  }
  return {};
}

void CompletionPort::post(std::function<void()> task) {
  auto owned = std::make_unique<std::function<void()>>(std::move(task));
  if (PostQueuedCompletionStatus(port_, 0, kTaskKey, reinterpret_cast<OVERLAPPED*>(owned.get()))) {
    static_cast<void>(owned.release());  // the pool thread that dequeues it deletes it
  } else {
    // The port refused (out of memory). Running the task here could take a
    // lock the caller holds, so it gets a thread of its own rather than
    // being lost.
    std::thread([task = std::move(*owned)] { task(); }).detach();
  }
}

void CompletionPort::dispatch(const OVERLAPPED_ENTRY& entry, WriteTicket dequeued_at) {
  if (entry.lpCompletionKey == kTaskKey) {
    std::unique_ptr<std::function<void()>> task(reinterpret_cast<std::function<void()>*>(entry.lpOverlapped));
    (*task)();
  } else if (entry.lpOverlapped != nullptr) {
    auto* op = reinterpret_cast<IoOperation*>(entry.lpOverlapped);
    // The batch form reports the NTSTATUS in Internal; turn it into the
    // Win32 code GetOverlappedResult would have given (e.g.
    // STATUS_BUFFER_OVERFLOW is ERROR_MORE_DATA).
    const auto status = static_cast<NTSTATUS>(entry.lpOverlapped->Internal);
    const DWORD error = status == 0 ? ERROR_SUCCESS : RtlNtStatusToDosError(status);
    // The operation is dequeued: the OS is done with its OVERLAPPED, which
    // stays in its owner (alive until this reference goes).
    std::shared_ptr<PipeEnd> owner = std::move(op->keep_alive);
    if (!owner) {
      // Every operation given to the OS holds its owner until this point,
      // so a packet without one means an OVERLAPPED was handed to the OS
      // twice. Its end cannot be told; say so rather than crash the pool.
      context_.report(0, 0,
                      make_error(Errc::unknown, "I/O completion",
                                 "a completion arrived for an operation that was not in flight; the engine goes on"));
      return;
    }
    owner->complete(*op, entry.dwNumberOfBytesTransferred, error, dequeued_at);
  }
}

void CompletionPort::report_escaped(const std::exception_ptr& exception) noexcept {
  try {
    context_.report(0, 0,
                    error_from_exception(exception, "I/O completion", "the completion port",
                                         "the failure of one endpoint could not be reported against it; the engine "
                                         "goes on"));
  } catch (...) {
    // Out of memory even for the report: nothing more can be said, and the
    // thread goes on with the next completion.
  }
}

void CompletionPort::run() {
  OVERLAPPED_ENTRY entries[kBatchSize];
  for (;;) {
    ULONG count = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries, kBatchSize, &count, INFINITE, FALSE)) {
      continue;  // only a timeout or an APC can make it fail here; neither applies
    }
    // Taken before anything of the batch is handled: the writes these
    // completions' reads could have read all hold this ticket or an earlier
    // one, and a read waits only for those (write_order.hpp).
    const WriteTicket dequeued_at = last_write_ticket();
    ULONG quits = 0;
    for (ULONG i = 0; i < count; ++i) {
      const OVERLAPPED_ENTRY& entry = entries[i];
      if (entry.lpCompletionKey == kQuitKey) {
        ++quits;
        continue;
      }
      // An exception must not leave this thread: std::terminate would end
      // the process and every pipe in it. The handlers catch what their own
      // work throws and close the endpoint concerned (PipeEnd::complete,
      // PipeEnd::post_task_locked); this is the last guard, for a failure
      // while reporting such a failure.
      try {
        dispatch(entry, dequeued_at);
      } catch (...) {
        report_escaped(std::current_exception());
      }
    }
    try {
      context_.flush();
    } catch (...) {
      // The host's sink threw. The batch is gone either way (flush never
      // delivers an event twice); the pool must go on serving.
    }
    if (quits > 0) {
      // One thread may dequeue several threads' quit packets in one batch:
      // hand the extra ones back so that every thread ends.
      for (ULONG extra = 1; extra < quits; ++extra) {
        PostQueuedCompletionStatus(port_, 0, kQuitKey, nullptr);
      }
      return;
    }
  }
}

}  // namespace pipescope::detail::win
