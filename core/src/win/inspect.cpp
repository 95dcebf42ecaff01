// Engine::inspect on Windows: PeekNamedPipe, GetNamedPipeInfo,
// GetNamedPipeHandleStateW, the client and server process and session ids,
// GetNamedPipeClientComputerNameW where the OS has it, and the security
// descriptor the pipe really has (GetSecurityInfo, as SDDL).
#include <cwchar>

#include "backend_win.hpp"
#include "impersonation.hpp"

// After <windows.h>, which they need.
#include <aclapi.h>
#include <sddl.h>

namespace pipescope::detail::win {

namespace {

constexpr SECURITY_INFORMATION kSecurityParts =
    OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;

void add_note(PipeInspection& result, const std::string& note) {
  if (!result.notes.empty()) result.notes += ' ';
  result.notes += note;
}

std::string failed(const char* call, DWORD error) {
  return std::string(call) + " failed: " + error_from_win32(error, IoContext::generic, call).symbol_text() + ".";
}

}  // namespace

Result<std::string> handle_sddl(HANDLE handle) {
  LocalMemory<PSECURITY_DESCRIPTOR> descriptor;
  const DWORD status =
      GetSecurityInfo(handle, SE_KERNEL_OBJECT, kSecurityParts, nullptr, nullptr, nullptr, nullptr, descriptor.out());
  if (status != ERROR_SUCCESS) {
    return error_from_win32(status, IoContext::generic, "GetSecurityInfo");
  }
  LocalMemory<LPWSTR> text;
  if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor.get(), SDDL_REVISION_1, kSecurityParts,
                                                            text.out(), nullptr)) {
    return error_from_win32(GetLastError(), IoContext::generic, "ConvertSecurityDescriptorToStringSecurityDescriptorW");
  }
  return narrow(text.get());
}

Result<PipeInspection> PipeEnd::inspect() {
  std::lock_guard lock(mutex_);
  if (!handle_ || phase_ == Phase::closed) {
    return make_error(Errc::pipe_not_connected, "inspect", config_.pipe_name + ": this end is closed");
  }
  const HANDLE pipe = handle_.get();
  const bool is_instance = config_.kind == EndpointKind::instance;
  const bool connected = phase_ == Phase::connected || phase_ == Phase::draining;
  PipeInspection result;
  result.server_end = is_instance;

  DWORD available = 0;
  DWORD left_in_message = 0;
  if (PeekNamedPipe(pipe, nullptr, 0, nullptr, &available, &left_in_message)) {
    result.bytes_available = available;
    result.message_bytes_left = left_in_message;
  } else {
    add_note(result, failed("PeekNamedPipe", GetLastError()));
  }

  DWORD flags = 0;
  DWORD out_size = 0;
  DWORD in_size = 0;
  DWORD max_instances = 0;
  if (GetNamedPipeInfo(pipe, &flags, &out_size, &in_size, &max_instances)) {
    result.type = (flags & PIPE_TYPE_MESSAGE) != 0 ? "message" : "byte";
    result.server_end = (flags & PIPE_SERVER_END) != 0;
    result.out_buffer_size = out_size;
    result.in_buffer_size = in_size;
    // Windows reports an unlimited pipe as 255 (PIPE_UNLIMITED_INSTANCES);
    // Wine 8 as 4294967295. Both mean the same.
    result.max_instances = max_instances >= kUnlimitedInstances ? kUnlimitedInstances : max_instances;
  } else {
    add_note(result, failed("GetNamedPipeInfo", GetLastError()));
  }

  DWORD state = 0;
  DWORD instances = 0;
  // The collection count and timeout must be NULL for a local pipe (they
  // apply only to a client of a remote byte pipe), and the user name NULL on
  // a client end.
  std::wstring user(256, L'\0');
  bool have_state = false;
  const bool ask_user = is_instance && connected;
  DWORD user_error = ERROR_SUCCESS;
  if (ask_user) {
    if (GetNamedPipeHandleStateW(pipe, &state, &instances, nullptr, nullptr, user.data(),
                                 static_cast<DWORD>(user.size()))) {
      have_state = true;
      user.resize(wcsnlen(user.c_str(), user.size()));
      result.user_name = narrow(user);
    } else {
      user_error = GetLastError();
    }
  }
  if (!have_state) {
    if (GetNamedPipeHandleStateW(pipe, &state, &instances, nullptr, nullptr, nullptr, 0)) {
      have_state = true;
      // Windows finds the name by impersonating the client: not before this
      // end has read, and only if the client allowed impersonation.
      if (ask_user) add_note(result, user_name_unavailable_note(has_read_, user_error));
    } else {
      add_note(result, failed("GetNamedPipeHandleStateW", GetLastError()));
    }
  }
  if (have_state) {
    result.read_mode = (state & PIPE_READMODE_MESSAGE) != 0 ? "message" : "byte";
    result.wait_mode = (state & PIPE_NOWAIT) != 0 ? "nowait" : "wait";
    result.current_instances = instances;
  }
  add_note(result,
           "Collect-data settings (GetNamedPipeHandleState) exist only for a client of a remote byte pipe; this "
           "pipe is local.");

  // Before any client connected the ids are meaningless (Wine returns
  // garbage), so they are read only while connected.
  if (connected) {
    ULONG id = 0;
    if (GetNamedPipeClientProcessId(pipe, &id)) result.client_pid = id;
    if (GetNamedPipeServerProcessId(pipe, &id)) result.server_pid = id;
    if (GetNamedPipeClientSessionId(pipe, &id)) result.client_session = id;
    if (GetNamedPipeServerSessionId(pipe, &id)) result.server_session = id;
    if (running_under_wine()) {
      add_note(result, "Under Wine the session ids are always the caller's own session.");
    }
  } else {
    add_note(result, "No client is connected: process and session ids are known only while one is.");
  }

  if (is_instance && connected) {
    if (running_under_wine()) {
      // Wine 8 does not implement it and aborts the whole process.
      add_note(result, "GetNamedPipeClientComputerNameW is unavailable under Wine.");
    } else {
      std::wstring computer(MAX_COMPUTERNAME_LENGTH + 1, L'\0');
      if (GetNamedPipeClientComputerNameW(pipe, computer.data(),
                                          static_cast<ULONG>(computer.size() * sizeof(wchar_t)))) {
        computer.resize(wcsnlen(computer.c_str(), computer.size()));
        result.client_computer = narrow(computer);
      } else if (GetLastError() == ERROR_PIPE_LOCAL) {
        add_note(result, "The client is on this computer (GetNamedPipeClientComputerNameW: ERROR_PIPE_LOCAL).");
      } else {
        add_note(result, failed("GetNamedPipeClientComputerNameW", GetLastError()));
      }
    }
  }

  if (auto sddl = handle_sddl(pipe)) {
    result.security_descriptor = *sddl;
  } else {
    add_note(result, sddl.error().summary() + ".");
  }
  return result;
}

Error WinBackend::not_a_pipe_end(EndpointId id, const char* operation) const {
  if (find_child(id)) {
    return make_error(Errc::invalid_parameter, operation,
                      "endpoint " + std::to_string(id) + " is a child's anonymous pipes, not a named pipe end");
  }
  if (auto info = context_.endpoint(id)) {
    return make_error(Errc::pipe_not_connected, operation, info->label + " is not connected");
  }
  return make_error(Errc::unknown_endpoint, operation, "endpoint " + std::to_string(id));
}

Result<PipeInspection> WinBackend::inspect(EndpointId endpoint) const {
  if (auto end = ends_.find(endpoint)) return end->inspect();
  return not_a_pipe_end(endpoint, "inspect");
}

}  // namespace pipescope::detail::win
