#include "shared_mutex.hpp"

#include <windows.h>

// SRWLOCK is a struct holding one pointer; the class keeps a void* of the
// same size and alignment and hands its address to the system calls.
static_assert(sizeof(SRWLOCK) == sizeof(void*) && alignof(SRWLOCK) == alignof(void*));

namespace pipescope::detail {

namespace {
PSRWLOCK as_srw(void** storage) noexcept { return reinterpret_cast<PSRWLOCK>(storage); }
}  // namespace

void SharedMutex::lock() noexcept { AcquireSRWLockExclusive(as_srw(&srw_lock_)); }
bool SharedMutex::try_lock() noexcept { return TryAcquireSRWLockExclusive(as_srw(&srw_lock_)) != 0; }
void SharedMutex::unlock() noexcept { ReleaseSRWLockExclusive(as_srw(&srw_lock_)); }
void SharedMutex::lock_shared() noexcept { AcquireSRWLockShared(as_srw(&srw_lock_)); }
bool SharedMutex::try_lock_shared() noexcept { return TryAcquireSRWLockShared(as_srw(&srw_lock_)) != 0; }
void SharedMutex::unlock_shared() noexcept { ReleaseSRWLockShared(as_srw(&srw_lock_)); }

}  // namespace pipescope::detail
