// The tables of vocabulary.hpp. The order of each table is the order in
// which a person is offered the choices (the GUI's lists, the console tool's
// help), so the safe or common choice may come first whatever the enum's
// numbering; nothing may depend on a term's position.
#include "pipescope/vocabulary.hpp"

namespace pipescope {

bool same_word(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

const std::array<Term<PipeAccess>, 3> Vocabulary<PipeAccess>::kTerms{{
    {PipeAccess::duplex, "duplex", "Duplex (both ways)", "PIPE_ACCESS_DUPLEX"},
    {PipeAccess::inbound, "inbound", "Inbound (client writes)", "PIPE_ACCESS_INBOUND"},
    {PipeAccess::outbound, "outbound", "Outbound (server writes)", "PIPE_ACCESS_OUTBOUND"},
}};

const std::array<Term<PipeType>, 2> Vocabulary<PipeType>::kTerms{{
    {PipeType::byte, "byte", "Byte stream", "PIPE_TYPE_BYTE"},
    {PipeType::message, "message", "Messages", "PIPE_TYPE_MESSAGE"},
}};

const std::array<Term<ReadMode>, 2> Vocabulary<ReadMode>::kTerms{{
    {ReadMode::byte, "byte", "Byte", "PIPE_READMODE_BYTE"},
    {ReadMode::message, "message", "Message", "PIPE_READMODE_MESSAGE"},
}};

const std::array<Term<WaitMode>, 2> Vocabulary<WaitMode>::kTerms{{
    {WaitMode::blocking, "wait", "Blocking (PIPE_WAIT)", "PIPE_WAIT"},
    {WaitMode::nonblocking, "nowait", "Non-blocking (PIPE_NOWAIT)", "PIPE_NOWAIT"},
}};

const std::array<Term<SecurityPreset>, 3> Vocabulary<SecurityPreset>::kTerms{{
    {SecurityPreset::owner_only, "owner", "Current user only", ""},
    {SecurityPreset::everyone, "everyone", "Everyone", ""},
    {SecurityPreset::custom, "custom", "Custom descriptor", ""},
}};

const std::array<Term<Responder>, 3> Vocabulary<Responder>::kTerms{{
    {Responder::none, "none", "None", ""},
    {Responder::echo, "echo", "Echo", ""},
    {Responder::reverse, "reverse", "Reverse", ""},
}};

const std::array<Term<ClientAccess>, 3> Vocabulary<ClientAccess>::kTerms{{
    {ClientAccess::read_write, "duplex", "Read and write", "GENERIC_READ | GENERIC_WRITE"},
    {ClientAccess::read, "read", "Read", "GENERIC_READ"},
    {ClientAccess::write, "write", "Write", "GENERIC_WRITE"},
}};

const std::array<Term<ImpersonationLevel>, 4> Vocabulary<ImpersonationLevel>::kTerms{{
    {ImpersonationLevel::anonymous, "anonymous", "Anonymous", "SECURITY_ANONYMOUS"},
    {ImpersonationLevel::identification, "identification", "Identification", "SECURITY_IDENTIFICATION"},
    {ImpersonationLevel::impersonation, "impersonation", "Impersonation", "SECURITY_IMPERSONATION"},
    {ImpersonationLevel::delegation, "delegation", "Delegation", "SECURITY_DELEGATION"},
}};

const std::array<Term<InputFormat>, 3> Vocabulary<InputFormat>::kTerms{{
    {InputFormat::text, "text", "Text", ""},
    {InputFormat::hex, "hex", "Hex", ""},
    {InputFormat::escaped, "escaped", "Escapes", ""},
}};

const std::array<Term<LineEnding>, 3> Vocabulary<LineEnding>::kTerms{{
    {LineEnding::none, "none", "nothing", ""},
    {LineEnding::lf, "lf", "\\n (LF)", ""},
    {LineEnding::crlf, "crlf", "\\r\\n (CRLF)", ""},
}};

const std::array<Term<Direction>, 2> Vocabulary<Direction>::kTerms{{
    {Direction::in, "in", "in", "ReadFile"},
    {Direction::out, "out", "out", "WriteFile"},
}};

const std::array<Term<EndpointKind>, 3> Vocabulary<EndpointKind>::kTerms{{
    {EndpointKind::instance, "instance", "instance", "CreateNamedPipe"},
    {EndpointKind::client, "client", "client", "CreateFile"},
    {EndpointKind::child, "child", "child", "CreatePipe"},
}};

const std::array<Term<EndpointState>, 6> Vocabulary<EndpointState>::kTerms{{
    {EndpointState::listening, "listening", "listening", "ConnectNamedPipe"},
    {EndpointState::connecting, "connecting", "connecting", "CreateFile"},
    {EndpointState::connected, "connected", "connected", ""},
    {EndpointState::disconnected, "disconnected", "disconnected", "DisconnectNamedPipe"},
    {EndpointState::closing, "closing", "closing", "CloseHandle"},
    {EndpointState::closed, "closed", "closed", "CloseHandle"},
}};

}  // namespace pipescope
