// Raw Win32 peers for the Windows-only tests: the calls any program that
// nobody on this team wrote would make against the engine.
#pragma once

#include <windows.h>

#include <string>

#include "win/win_util.hpp"

namespace pipescope::conformance {

/// A blocking message-pipe server with 4 KiB buffers and the default
/// security, made with CreateNamedPipeW; invalid (GetLastError says why)
/// when the OS refused.
inline detail::win::UniqueHandle raw_message_server(const std::wstring& wide_name, DWORD max_instances = 1) {
  return detail::win::UniqueHandle(CreateNamedPipeW(wide_name.c_str(), PIPE_ACCESS_DUPLEX,
                                                    PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                                    max_instances, 4096, 4096, 0, nullptr));
}

}  // namespace pipescope::conformance
