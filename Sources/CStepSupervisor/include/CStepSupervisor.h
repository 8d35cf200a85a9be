#ifndef MINIBOT_CSTEPSUPERVISOR_H
#define MINIBOT_CSTEPSUPERVISOR_H

#ifdef __linux__
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/// Asks the kernel to send `sig` to this process when its parent dies
/// (prctl(PR_SET_PDEATHSIG)). prctl(2) is variadic, which Swift cannot call, and
/// <sys/prctl.h> is not in Swift's Glibc module, hence this wrapper. 0 or -1 and errno.
static inline int minibot_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}

/// Lowers a process group to nice 19 and the idle IO class (ioprio_set(IOPRIO_WHO_PGRP,
/// IOPRIO_CLASS_IDLE)): a step held back while its worker is unavailable. glibc has no
/// ioprio_set wrapper and syscall(2) is variadic, hence this function. An unprivileged
/// process cannot raise either again. 0, or -1 when either call failed (errno set).
static inline int minibot_renice_group(int group) {
    int nice = setpriority(PRIO_PGRP, (id_t)group, 19);
    // IOPRIO_WHO_PGRP = 2; IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE = 3, 0) = 3 << 13.
    long io = syscall(SYS_ioprio_set, 2, group, 3 << 13);
    return (nice == 0 && io == 0) ? 0 : -1;
}
#endif

#endif
