// The rule that keeps a write's out record ahead of the in record of the
// same bytes when both ends of a pipe are in this process (the POSIX
// backend keeps the same rule in send_path.cpp, await_peer_records).
//
// A write is logged when the OS accepts it (WriteFile returned TRUE or
// ERROR_IO_PENDING): from then on the peer may read its bytes. The reader's
// completion runs on another pool thread, which could log its in record in
// the moment between WriteFile and the writer's record. So a writer holds
// the gate shared from before WriteFile until its out record is logged, and
// a reader passes the gate exclusively before it logs an in record: it then
// waits only for writes that are between those two steps, which take no
// other lock and make no other call. One gate for the process, because the
// peer of an end may belong to another engine of the same process.
#pragma once

#include <windows.h>

namespace pipescope::detail::win {

/// Held by a writer from before WriteFile until its out record is logged.
class WriteGateHold {
 public:
  WriteGateHold() noexcept;
  ~WriteGateHold();
  WriteGateHold(const WriteGateHold&) = delete;
  WriteGateHold& operator=(const WriteGateHold&) = delete;
};

/// A reader's step before it logs an in record: returns once no write that
/// may have carried these bytes is still unlogged.
void pass_write_gate() noexcept;

}  // namespace pipescope::detail::win
