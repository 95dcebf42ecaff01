// The access a PipeScope pipe grants others, the access a PipeScope client
// asks for, and the security quality of service a client's open carries.
// Windows enforces each of these and Wine does not (it applies no pipe DACL
// and gives every server the level Impersonation, wine-notes.md), so each
// decision is a function of its own that the tests check against the
// documented rules.
#pragma once

#include <windows.h>

#include <string>

#include "pipescope/options.hpp"

namespace pipescope::detail::win {

/// What the "everyone" preset grants other users: all of read and write as
/// a client asks for them, which is what .NET's PipeAccessRights.ReadWrite
/// grants, and SYNCHRONIZE, but not FILE_CREATE_PIPE_INSTANCE, so nobody
/// else may create an instance and pose as our server.
///
/// A client's GENERIC_WRITE maps to FILE_GENERIC_WRITE, which includes
/// FILE_WRITE_EA, and the pipe file system removes only
/// FILE_CREATE_PIPE_INSTANCE (FILE_APPEND_DATA) from a client's request
/// (CreateNamedPipe: "Named Pipe Security and Access Rights"). An ACE
/// without FILE_WRITE_EA (0x12018b, as we once granted) therefore refuses
/// every other user's writing client with ERROR_ACCESS_DENIED.
inline constexpr DWORD kEveryonePipeRights = (FILE_GENERIC_READ | FILE_GENERIC_WRITE) & ~FILE_CREATE_PIPE_INSTANCE;

/// The SDDL ACE of kEveryonePipeRights for the Everyone group (WD).
[[nodiscard]] std::string everyone_ace();

/// What a client opens the pipe with. A reader asks for GENERIC_READ and,
/// only when it must set message read mode (SetNamedPipeHandleState needs
/// it), FILE_WRITE_ATTRIBUTES: a pipe with the default descriptor grants
/// Everyone read access only, so asking for more would refuse a plain
/// byte-mode reader that GENERIC_READ alone lets in. A writer also asks for
/// FILE_READ_ATTRIBUTES, which GetNamedPipeInfo needs.
[[nodiscard]] DWORD client_desired_access(ClientAccess access, ReadMode read_mode) noexcept;

/// The CreateFileW flags for the impersonation level the user chose:
/// SECURITY_SQOS_PRESENT and the level. Without SECURITY_SQOS_PRESENT a
/// server gets SecurityImpersonation with dynamic tracking, whatever the
/// user asked for (CreateFileW, "dwFlagsAndAttributes": "If the CreateFile
/// function opens the client side of a named pipe, the dwFlagsAndAttributes
/// parameter can also contain Security Quality of Service information").
[[nodiscard]] DWORD client_sqos_flags(ImpersonationLevel level) noexcept;

}  // namespace pipescope::detail::win
