// Children: CreatePipe for each standard stream, CreateProcessW with only
// the child's three ends inheritable (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), the
// parent's copies of those ends closed at once so that end of stream comes
// when the child exits.
//
// Anonymous pipes do not support overlapped I/O (the pipe documentation says
// so), so they cannot join the completion port. Each child gets a small
// blocking reader thread per output stream, one writer thread for its stdin
// (so that send() never blocks on a child that does not read) and one thread
// that waits for its exit. A child is a process anyway, far heavier than
// these threads; pipe instances and clients never get threads of their own.
#include <utility>

#include "backend_win.hpp"
#include "pipescope/command_words.hpp"

namespace pipescope::detail::win {

namespace {
constexpr DWORD kChildPipeBuffer = 65536;

/// How long a child's output may stay open after the child exited before the
/// child is reported finished anyway, as on POSIX. Output the child wrote
/// before it ended is already in the pipe and is read at once; only a
/// grandchild that inherited the stream can keep it open longer.
constexpr DWORD kOutputGraceMs = 2000;
/// How often a cancelled reader is cancelled again: CancelSynchronousIo only
/// reaches a read in progress, so a reader between two reads would miss it.
constexpr auto kCancelRetry = std::chrono::milliseconds(20);

struct PipePair {
  UniqueHandle read;
  UniqueHandle write;
};

Result<PipePair> make_pipe() {
  HANDLE read = nullptr;
  HANDLE write = nullptr;
  // Not inheritable here: only the child's end is made inheritable below,
  // and only the handle list decides what the child gets.
  if (!CreatePipe(&read, &write, nullptr, kChildPipeBuffer)) {
    return error_from_win32(GetLastError(), IoContext::spawn, "CreatePipe");
  }
  return PipePair{UniqueHandle(read), UniqueHandle(write)};
}
}  // namespace

Child::Child(EngineContext& context, ChildOptions options) : context_(context), options_(std::move(options)) {}

Child::~Child() {
  // A child still running when the engine goes is ended; its exit is
  // reported like any other.
  static_cast<void>(kill());
  join();
}

Result<EndpointId> Child::start() {
  // CreateProcessW takes one command line; the child's C runtime splits it
  // into argv again by CommandLineToArgvW's rules, and the quoting here is
  // the inverse of that split (pipescope/command_words.hpp), so the child
  // gets exactly the words it was given. The program name has a rule of its
  // own there (no escapes), which CreateProcessW follows too when it finds
  // the program.
  auto quoted = quote_command_line(options_.argv, CommandRules::windows);
  if (!quoted) return std::move(quoted).error();
  command_line_ = std::move(*quoted);
  const std::wstring command_line = widen(command_line_);

  auto in = make_pipe();
  if (!in) return std::move(in).error();
  auto out = make_pipe();
  if (!out) return std::move(out).error();
  auto err = make_pipe();
  if (!err) return std::move(err).error();
  HANDLE child_ends[3] = {in->read.get(), out->write.get(), err->write.get()};
  for (HANDLE handle : child_ends) {
    if (!SetHandleInformation(handle, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)) {
      return error_from_win32(GetLastError(), IoContext::spawn, "SetHandleInformation");
    }
  }

  SIZE_T attribute_size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &attribute_size);
  std::vector<std::byte> attribute_memory(attribute_size);
  auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attribute_memory.data());
  if (!InitializeProcThreadAttributeList(attributes, 1, 0, &attribute_size)) {
    return error_from_win32(GetLastError(), IoContext::spawn, "InitializeProcThreadAttributeList");
  }
  struct AttributeListGuard {
    LPPROC_THREAD_ATTRIBUTE_LIST list;
    ~AttributeListGuard() { DeleteProcThreadAttributeList(list); }
  } attribute_guard{attributes};
  if (!UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, child_ends, sizeof(child_ends),
                                 nullptr, nullptr)) {
    return error_from_win32(GetLastError(), IoContext::spawn, "UpdateProcThreadAttribute");
  }

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof(startup);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = child_ends[0];
  startup.StartupInfo.hStdOutput = child_ends[1];
  startup.StartupInfo.hStdError = child_ends[2];
  startup.lpAttributeList = attributes;
  PROCESS_INFORMATION process{};
  const std::wstring working_dir = widen(options_.working_dir);
  // CreateProcessW may write into the command line, so it gets its own copy.
  std::wstring writable_command_line = command_line;
  if (!CreateProcessW(nullptr, writable_command_line.data(), nullptr, nullptr, TRUE,
                      EXTENDED_STARTUPINFO_PRESENT | CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT, nullptr,
                      working_dir.empty() ? nullptr : working_dir.c_str(), &startup.StartupInfo, &process)) {
    return error_from_win32(GetLastError(), IoContext::spawn, "CreateProcessW", command_line_);
  }
  CloseHandle(process.hThread);
  process_.reset(process.hProcess);
  pid_ = process.dwProcessId;
  // The parent must not keep the child's ends: while it holds a write end,
  // the reader would never see the end of the stream.
  in->read.reset();
  out->write.reset();
  err->write.reset();
  stdin_write_ = std::move(in->write);
  stdout_read_ = std::move(out->read);
  stderr_read_ = std::move(err->read);

  id_ = context_.add_endpoint(EndpointKind::child, 0, command_line_, "child " + std::to_string(pid_),
                              EndpointState::connected);
  context_.emit(ChildStarted{id_, static_cast<std::int64_t>(pid_), command_line_});
  context_.flush();

  stdout_thread_ = std::thread([this] { read_stream(stdout_read_.get(), false, 0); });
  stderr_thread_ = std::thread([this] { read_stream(stderr_read_.get(), true, 1); });
  stdin_thread_ = std::thread([this] { write_stdin(); });
  exit_thread_ = std::thread([this] { wait_for_exit(); });
  return id_;
}

void Child::read_stream(HANDLE handle, bool is_stderr, std::size_t reader) {
  {
    // The thread's own handle, so that finish_readers() can cancel a read
    // that a grandchild keeps open. Without it (OpenThread failing is not
    // expected) the reader simply runs until the end of the stream.
    std::lock_guard lock(mutex_);
    reader_threads_[reader].reset(OpenThread(THREAD_TERMINATE, FALSE, GetCurrentThreadId()));
  }
  Bytes buffer(options_.read_buffer_size);
  const std::uint8_t flags = is_stderr ? record_flags::stderr_stream : std::uint8_t{0};
  const char* const stream = is_stderr ? "child stderr" : "child stdout";
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_reading_) break;
    }
    DWORD bytes = 0;
    if (!ReadFile(handle, buffer.data(), static_cast<DWORD>(buffer.size()), &bytes, nullptr)) {
      const DWORD error = GetLastError();
      // ERROR_BROKEN_PIPE on a read is the end of the stream: the child (and
      // everyone who inherited the write end) has closed it.
      // ERROR_OPERATION_ABORTED is finish_readers() stopping a stream that
      // outlived the child; it says so itself.
      if (error != ERROR_BROKEN_PIPE && error != ERROR_OPERATION_ABORTED) {
        context_.report(id_, 0, error_from_win32(error, IoContext::read, "ReadFile", stream));
        context_.flush();
      }
      break;
    }
    if (bytes > 0) {
      try {
        run_io_fault_hook(id_);
        context_.record(id_, Direction::in, std::span<const std::byte>(buffer.data(), bytes), flags);
        context_.flush();
      } catch (...) {
        fail_after_exception(std::current_exception(), "ReadFile", stream);
        break;
      }
    }
  }
  {
    std::lock_guard lock(mutex_);
    reader_ended_[reader] = true;
  }
  reader_ended_signal_.notify_all();
}

void Child::finish_readers() {
  std::unique_lock lock(mutex_);
  const auto all_ended = [this] { return reader_ended_[0] && reader_ended_[1]; };
  if (!reader_ended_signal_.wait_for(lock, std::chrono::milliseconds(kOutputGraceMs), all_ended)) {
    stop_reading_ = true;
    try {
      context_.report(id_, 0,
                      make_error(Errc::operation_aborted, "ReadFile",
                                 "child " + std::to_string(pid_) +
                                     " exited but its output stayed open (a process it started holds it); "
                                     "reading stopped"));
    } catch (...) {
      // Out of memory for the report; the readers must be stopped and
      // joined all the same.
    }
    while (!all_ended()) {
      for (std::size_t reader = 0; reader < 2; ++reader) {
        if (!reader_ended_[reader] && reader_threads_[reader]) CancelSynchronousIo(reader_threads_[reader].get());
      }
      reader_ended_signal_.wait_for(lock, kCancelRetry, all_ended);
    }
  }
  lock.unlock();
  stdout_thread_.join();
  stderr_thread_.join();
}

Result<void> Child::send(std::span<const std::byte> bytes) {
  {
    std::lock_guard lock(mutex_);
    if (stdin_closing_ || exited_) {
      return make_error(Errc::no_data, "WriteFile", "child " + std::to_string(pid_) + ": standard input is closed");
    }
    stdin_queue_.emplace_back(bytes.begin(), bytes.end());
  }
  stdin_ready_.notify_all();
  return {};
}

Result<void> Child::close_stdin() {
  {
    std::lock_guard lock(mutex_);
    stdin_closing_ = true;
  }
  stdin_ready_.notify_all();
  return {};
}

void Child::write_stdin() {
  {
    // As the readers: the thread's own handle, for CancelSynchronousIo.
    std::lock_guard lock(mutex_);
    writer_thread_.reset(OpenThread(THREAD_TERMINATE, FALSE, GetCurrentThreadId()));
  }
  for (;;) {
    Bytes chunk;
    {
      std::unique_lock lock(mutex_);
      stdin_ready_.wait(lock, [this] { return !stdin_queue_.empty() || stdin_closing_ || exited_; });
      if (stdin_queue_.empty() || exited_) break;
      chunk = std::move(stdin_queue_.front());
      stdin_queue_.pop_front();
    }
    DWORD written = 0;
    const BOOL ok = WriteFile(stdin_write_.get(), chunk.data(), static_cast<DWORD>(chunk.size()), &written, nullptr);
    if (written > 0 || ok) {
      try {
        context_.record(id_, Direction::out, std::span<const std::byte>(chunk.data(), written),
                        ok ? std::uint8_t{0} : record_flags::partial);
      } catch (...) {
        fail_after_exception(std::current_exception(), "WriteFile", "child stdin");
        break;
      }
    }
    if (!ok) {
      const DWORD error = GetLastError();
      if (error == ERROR_OPERATION_ABORTED) {
        // stop_writing_stdin(): the child exited and what holds its input
        // does not read.
        context_.report(id_, 0,
                        make_error(Errc::operation_aborted, "WriteFile",
                                   "child " + std::to_string(pid_) + " exited, but a process it started holds its "
                                   "standard input and does not read it; writing stopped after " +
                                       std::to_string(written) + " of " + std::to_string(chunk.size()) +
                                       " bytes of this write"));
      } else {
        context_.report(id_, 0, error_from_win32(error, IoContext::write, "WriteFile", "child stdin"));
      }
      context_.flush();
      break;
    }
    context_.flush();
  }
  // Closing our write end is how the child sees the end of its input.
  stdin_write_.reset();
  {
    std::lock_guard lock(mutex_);
    writer_ended_ = true;
  }
  reader_ended_signal_.notify_all();
}

void Child::stop_writing_stdin() {
  // A WriteFile into a pipe whose reader is gone fails at once; one that a
  // grandchild's open, unread end keeps full waits for ever, and the
  // destructor would wait with it (join). CancelSynchronousIo reaches only
  // a write in progress, so it is repeated until the writer has ended.
  std::unique_lock lock(mutex_);
  const auto ended = [this] { return writer_ended_; };
  while (!reader_ended_signal_.wait_for(lock, kCancelRetry, ended)) {
    if (writer_thread_) CancelSynchronousIo(writer_thread_.get());
  }
}

void Child::wait_for_exit() {
  WaitForSingleObject(process_.get(), INFINITE);
  DWORD exit_code = 0;
  GetExitCodeProcess(process_.get(), &exit_code);
  // Everything the child wrote is read before its exit is reported, so the
  // log has the whole output when ChildExited arrives.
  finish_readers();
  std::size_t unsent = 0;
  {
    std::lock_guard lock(mutex_);
    exited_ = true;
    for (const auto& chunk : stdin_queue_) unsent += chunk.size();
    stdin_queue_.clear();
  }
  // The writer thread ends on this, whatever happens below: join() waits for it.
  stdin_ready_.notify_all();
  // A write in progress is waited for or cancelled before the exit is
  // reported, so the log has what crossed when ChildExited arrives.
  stop_writing_stdin();
  try {
    run_io_fault_hook(id_);
    if (unsent > 0) {
      context_.report(id_, 0,
                      make_error(Errc::no_data, "WriteFile",
                                 "child " + std::to_string(pid_) + " exited before reading " + std::to_string(unsent) +
                                     " queued bytes of its standard input"));
    }
    ChildExited exited;
    exited.endpoint = id_;
    exited.pid = pid_;
    exited.exit_code = static_cast<int>(exit_code);
    context_.emit(exited);
    context_.set_state(id_, EndpointState::disconnected);
    context_.set_state(id_, EndpointState::closed);
    context_.flush();
  } catch (...) {
    // The exit could not be reported in full (out of memory): say so if
    // possible, and close the endpoint all the same.
    try {
      context_.report(id_, 0,
                      error_from_exception(std::current_exception(), "GetExitCodeProcess",
                                           "child " + std::to_string(pid_) + " exited with code " +
                                               std::to_string(exit_code),
                                           "its exit could not be reported in full; its endpoint is closed, the "
                                           "engine goes on"));
      context_.set_state(id_, EndpointState::closed);
      context_.flush();
    } catch (...) {
      // Nothing more can be said; the thread ends and join() returns.
    }
  }
}

void Child::fail_after_exception(const std::exception_ptr& exception, const char* operation,
                                 const char* stream) noexcept {
  // What this child's streams carry can no longer be logged, and a stream
  // left unread would block the child: the child is ended, which closes the
  // endpoint the ordinary way (its exit is reported).
  try {
    context_.report(id_, 0,
                    error_from_exception(exception, operation, "child " + std::to_string(pid_) + " " + stream,
                                         "the child is ended and its endpoint closed, the engine goes on"));
    context_.flush();
  } catch (...) {
    // Out of memory even for the report; ending the child still closes it.
  }
  try {
    static_cast<void>(kill());
  } catch (...) {
    // kill() only fails to lock when the process is beyond saving.
  }
}

Result<void> Child::kill() {
  if (!process_) return make_error(Errc::invalid_handle, "TerminateProcess", "the child never started");
  {
    std::lock_guard lock(mutex_);
    if (exited_) return {};
  }
  // Exit code 1, as "taskkill /f" gives; the exit thread reports it.
  if (!TerminateProcess(process_.get(), 1)) {
    const DWORD error = GetLastError();
    // ERROR_ACCESS_DENIED also comes when the process has just ended.
    if (WaitForSingleObject(process_.get(), 0) != WAIT_OBJECT_0) {
      return error_from_win32(error, IoContext::spawn, "TerminateProcess", command_line_);
    }
  }
  return {};
}

void Child::join() {
  if (exit_thread_.joinable()) exit_thread_.join();
  if (stdin_thread_.joinable()) stdin_thread_.join();
}

}  // namespace pipescope::detail::win
