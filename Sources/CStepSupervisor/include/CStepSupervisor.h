#ifndef MINIBOT_CSTEPSUPERVISOR_H
#define MINIBOT_CSTEPSUPERVISOR_H

#ifdef __linux__
#include <sys/prctl.h>

/// Asks the kernel to send `sig` to this process when its parent dies
/// (prctl(PR_SET_PDEATHSIG)). prctl(2) is variadic, which Swift cannot call, and
/// <sys/prctl.h> is not in Swift's Glibc module, hence this wrapper. 0 or -1 and errno.
static inline int minibot_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}
#endif

#endif
