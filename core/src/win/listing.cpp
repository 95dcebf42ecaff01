// The pipes this machine has: Windows keeps them as files in the root of the
// named-pipe file system, \\.\pipe\, and NtQueryDirectoryFile lists that
// folder with each pipe's current and maximum instance counts.
#include <winternl.h>

#include "backend_win.hpp"

namespace pipescope::detail::win {

namespace {

// The directory entry layout of FileDirectoryInformation (class 1). For the
// pipe file system, EndOfFile holds the current number of instances and the
// low part of AllocationSize the maximum (listed_max_instances).
struct DirectoryEntry {
  ULONG NextEntryOffset;
  ULONG FileIndex;
  LARGE_INTEGER CreationTime;
  LARGE_INTEGER LastAccessTime;
  LARGE_INTEGER LastWriteTime;
  LARGE_INTEGER ChangeTime;
  LARGE_INTEGER EndOfFile;
  LARGE_INTEGER AllocationSize;
  ULONG FileAttributes;
  ULONG FileNameLength;  // in bytes
  WCHAR FileName[1];
};

using NtQueryDirectoryFileFunction = NTSTATUS(NTAPI*)(HANDLE, HANDLE, PVOID, PVOID, PIO_STATUS_BLOCK, PVOID, ULONG,
                                                      FILE_INFORMATION_CLASS, BOOLEAN, PUNICODE_STRING, BOOLEAN);

constexpr NTSTATUS kStatusNoMoreFiles = static_cast<NTSTATUS>(0x80000006L);
constexpr ULONG kQueryBufferSize = 64 * 1024;

Error not_on_wine(DWORD os_code, const std::string& what) {
  Error error = make_error(Errc::unsupported_on_platform, what,
                           "Wine " + wine_version() +
                               " cannot list named pipes (FindFirstFileW on \\\\.\\pipe\\* fails with 66, "
                               "NtQueryDirectoryFile with 0xC00000CB); Windows lists them with their instance counts");
  error.os_domain = OsDomain::win32;
  error.os_code = static_cast<int>(os_code);
  return error;
}

}  // namespace

std::int32_t listed_max_instances(const LARGE_INTEGER& allocation_size) noexcept {
  // Only the ULONG in the low part is the pipe's; a 64-bit read would let a
  // high part that some file system leaves undefined become the count.
  const ULONG max = allocation_size.LowPart;
  return max >= kUnlimitedInstances ? static_cast<std::int32_t>(kUnlimitedInstances) : static_cast<std::int32_t>(max);
}

Result<std::vector<PipeInfo>> list_pipes_win32() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  // GetProcAddress returns a generic function pointer; this is its real type.
  auto query = reinterpret_cast<NtQueryDirectoryFileFunction>(
      reinterpret_cast<void*>(GetProcAddress(ntdll, "NtQueryDirectoryFile")));
  if (query == nullptr) return error_from_win32(GetLastError(), IoContext::generic, "GetProcAddress(NtQueryDirectoryFile)");

  UniqueHandle root(CreateFileW(L"\\\\.\\pipe\\", FILE_LIST_DIRECTORY | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                nullptr, OPEN_EXISTING, 0, nullptr));
  if (!root) {
    const DWORD error = GetLastError();
    if (running_under_wine()) return not_on_wine(error, "CreateFileW(\\\\.\\pipe\\)");
    return error_from_win32(error, IoContext::open, "CreateFileW", "\\\\.\\pipe\\");
  }

  std::vector<PipeInfo> pipes;
  std::vector<std::byte> buffer(kQueryBufferSize);
  bool restart = true;
  for (;;) {
    IO_STATUS_BLOCK status_block{};
    const NTSTATUS status = query(root.get(), nullptr, nullptr, nullptr, &status_block, buffer.data(),
                                  kQueryBufferSize, FileDirectoryInformation, FALSE, nullptr, restart ? TRUE : FALSE);
    restart = false;
    if (status == kStatusNoMoreFiles) break;
    if (status < 0) {
      const DWORD error = RtlNtStatusToDosError(status);
      if (running_under_wine()) return not_on_wine(static_cast<DWORD>(status), "NtQueryDirectoryFile");
      return error_from_win32(error, IoContext::generic, "NtQueryDirectoryFile", "\\\\.\\pipe\\");
    }
    std::size_t offset = 0;
    for (;;) {
      const auto* entry = reinterpret_cast<const DirectoryEntry*>(buffer.data() + offset);
      PipeInfo info;
      const std::string leaf = narrow(std::wstring_view(entry->FileName, entry->FileNameLength / sizeof(WCHAR)));
      info.name = "\\\\.\\pipe\\" + leaf;
      info.os_path = info.name;
      info.current_instances = static_cast<std::int32_t>(entry->EndOfFile.QuadPart);
      info.max_instances = listed_max_instances(entry->AllocationSize);
      // The server's pid is not listed: GetNamedPipeServerProcessId needs a
      // handle to the pipe, and opening one would take an instance from the
      // server's real clients. The type needs the same handle.
      pipes.push_back(std::move(info));
      if (entry->NextEntryOffset == 0) break;
      offset += entry->NextEntryOffset;
    }
  }
  return pipes;
}

}  // namespace pipescope::detail::win
