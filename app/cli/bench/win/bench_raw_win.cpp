// Windows half of bench_raw.hpp: a named pipe made with CreateNamedPipeW and
// opened with CreateFileW, read and written with plain synchronous ReadFile
// and WriteFile, the way a simple Windows program uses a pipe. The pipe gets
// the same type and buffer sizes as the engine's server it is compared with.
#include <windows.h>

#include <atomic>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "bench_raw.hpp"

namespace pipescope::cli {
namespace {

HANDLE handle_of(RawEnd::Handle handle) noexcept { return reinterpret_cast<HANDLE>(handle); }
RawEnd::Handle raw_of(HANDLE handle) noexcept { return reinterpret_cast<RawEnd::Handle>(handle); }

Error win32_error(DWORD code, std::string operation, std::string detail = {}) {
  // The engine's Win32 table is private to its backend; the raw baseline only
  // needs to show what failed, with the code Windows gave.
  Error error = make_error(code == ERROR_BROKEN_PIPE || code == ERROR_NO_DATA ? Errc::broken_pipe : Errc::unknown,
                           std::move(operation), std::move(detail));
  error.os_domain = OsDomain::win32;
  error.os_code = static_cast<int>(code);
  return error;
}

std::wstring widen(const std::string& text) {
  if (text.empty()) return {};
  const int length = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<std::size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), length);
  return wide;
}

/// Switches a client handle to message read mode, which CreateFileW never
/// gives on its own.
Result<void> read_messages(HANDLE handle, const std::string& name) {
  DWORD mode = PIPE_READMODE_MESSAGE;
  if (!SetNamedPipeHandleState(handle, &mode, nullptr, nullptr)) {
    return win32_error(GetLastError(), "SetNamedPipeHandleState", name);
  }
  return {};
}

}  // namespace

Result<std::size_t> RawEnd::read_some(std::span<std::byte> into) {
  DWORD got = 0;
  if (!ReadFile(handle_of(read_), into.data(), static_cast<DWORD>(into.size()), &got, nullptr)) {
    const DWORD code = GetLastError();
    // The writer closed its end: the end of the stream, as read(2) returns 0.
    if (code == ERROR_BROKEN_PIPE) return std::size_t{0};
    return win32_error(code, "ReadFile");
  }
  return static_cast<std::size_t>(got);
}

Result<void> RawEnd::write_all(std::span<const std::byte> bytes) {
  std::size_t done = 0;
  do {
    DWORD written = 0;
    if (!WriteFile(handle_of(write_), bytes.data() + done, static_cast<DWORD>(bytes.size() - done), &written,
                   nullptr)) {
      return win32_error(GetLastError(), "WriteFile");
    }
    done += written;
  } while (done < bytes.size());
  return {};
}

void RawEnd::close_handle(Handle handle) noexcept {
  if (handle != kNoHandle) CloseHandle(handle_of(handle));
}

std::vector<RawTransport> raw_transports(PipeType type) {
  if (type == PipeType::message) {
    return {RawTransport{"CreateNamedPipeW message", "named-pipe", true}};
  }
  return {RawTransport{"CreateNamedPipeW byte", "named-pipe", false}};
}

Result<RawPair> open_raw_pair(const RawTransport& transport, const ServerOptions& like) {
  static std::atomic<unsigned> counter{0};
  const std::string name =
      fmt::format("\\\\.\\pipe\\pipescope-bench-raw-{}-{}", GetCurrentProcessId(), counter.fetch_add(1));
  const std::wstring wide = widen(name);
  const DWORD type = transport.message_type ? PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE : PIPE_TYPE_BYTE;
  HANDLE server = CreateNamedPipeW(wide.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                   type | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, like.out_buffer_size,
                                   like.in_buffer_size, 0, nullptr);
  if (server == INVALID_HANDLE_VALUE) return win32_error(GetLastError(), "CreateNamedPipeW", name);
  RawPair pair;
  pair.a = RawEnd(raw_of(server), raw_of(server));
  HANDLE client = CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  if (client == INVALID_HANDLE_VALUE) return win32_error(GetLastError(), "CreateFileW", name);
  pair.b = RawEnd(raw_of(client), raw_of(client));
  // The client is already there, so ConnectNamedPipe answers at once;
  // ERROR_PIPE_CONNECTED is its way of saying so.
  if (!ConnectNamedPipe(server, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) {
    return win32_error(GetLastError(), "ConnectNamedPipe", name);
  }
  if (transport.message_type) {
    if (auto mode = read_messages(client, name); !mode) return std::move(mode).error();
  }
  return pair;
}

Result<RawEnd> connect_raw(const std::string& os_path, PipeType type) {
  const std::wstring wide = widen(os_path);
  HANDLE client = CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  if (client == INVALID_HANDLE_VALUE && GetLastError() == ERROR_PIPE_BUSY && WaitNamedPipeW(wide.c_str(), 5000)) {
    client = CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  }
  if (client == INVALID_HANDLE_VALUE) return win32_error(GetLastError(), "CreateFileW", os_path);
  RawEnd end(raw_of(client), raw_of(client));
  if (type == PipeType::message) {
    if (auto mode = read_messages(client, os_path); !mode) return std::move(mode).error();
  }
  return end;
}

}  // namespace pipescope::cli
