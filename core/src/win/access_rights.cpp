#include "access_rights.hpp"

#include <cstdio>

namespace pipescope::detail::win {

std::string everyone_ace() {
  char rights[16];
  std::snprintf(rights, sizeof rights, "0x%lx", static_cast<unsigned long>(kEveryonePipeRights));
  return std::string("(A;;") + rights + ";;;WD)";
}

DWORD client_desired_access(ClientAccess access, ReadMode read_mode) noexcept {
  const DWORD set_mode = read_mode == ReadMode::message ? FILE_WRITE_ATTRIBUTES : 0;
  switch (access) {
    case ClientAccess::read: return GENERIC_READ | set_mode;
    // GENERIC_WRITE includes FILE_WRITE_ATTRIBUTES already.
    case ClientAccess::write: return GENERIC_WRITE | FILE_READ_ATTRIBUTES;
    case ClientAccess::read_write: return GENERIC_READ | GENERIC_WRITE;
  }
  return GENERIC_READ | GENERIC_WRITE;
}

DWORD client_sqos_flags(ImpersonationLevel level) noexcept {
  DWORD flags = SECURITY_SQOS_PRESENT;
  switch (level) {
    case ImpersonationLevel::anonymous: flags |= SECURITY_ANONYMOUS; break;
    case ImpersonationLevel::identification: flags |= SECURITY_IDENTIFICATION; break;
    case ImpersonationLevel::impersonation: flags |= SECURITY_IMPERSONATION; break;
    case ImpersonationLevel::delegation: flags |= SECURITY_DELEGATION; break;
  }
  return flags;
}

}  // namespace pipescope::detail::win
