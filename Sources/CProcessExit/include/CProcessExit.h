#ifndef MINIBOT_CPROCESSEXIT_H
#define MINIBOT_CPROCESSEXIT_H

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/// A pidfd for any process (Linux 5.3+): readable once that process has exited. -1 and
/// errno (ESRCH: there is no such process) on failure. syscall(2) is variadic, which Swift
/// cannot call, hence this wrapper.
static inline int minibot_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

#endif
