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
}  // namespace

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

void CompletionPort::run() {
  OVERLAPPED_ENTRY entries[kBatchSize];
  for (;;) {
    ULONG count = 0;
    if (!GetQueuedCompletionStatusEx(port_, entries, kBatchSize, &count, INFINITE, FALSE)) {
      continue;  // only a timeout or an APC can make it fail here; neither applies
    }
    ULONG quits = 0;
    for (ULONG i = 0; i < count; ++i) {
      const OVERLAPPED_ENTRY& entry = entries[i];
      if (entry.lpCompletionKey == kQuitKey) {
        ++quits;
      } else if (entry.lpCompletionKey == kTaskKey) {
        std::unique_ptr<std::function<void()>> task(reinterpret_cast<std::function<void()>*>(entry.lpOverlapped));
        (*task)();
      } else if (entry.lpOverlapped != nullptr) {
        auto* op = reinterpret_cast<IoOperation*>(entry.lpOverlapped);
        // The batch form reports the NTSTATUS in Internal; turn it into the
        // Win32 code GetOverlappedResult would have given (e.g.
        // STATUS_BUFFER_OVERFLOW is ERROR_MORE_DATA).
        const auto status = static_cast<NTSTATUS>(entry.lpOverlapped->Internal);
        const DWORD error = status == 0 ? ERROR_SUCCESS : RtlNtStatusToDosError(status);
        std::shared_ptr<PipeEnd> owner = std::move(op->keep_alive);
        owner->complete(*op, entry.dwNumberOfBytesTransferred, error);
      }
    }
    context_.flush();
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
