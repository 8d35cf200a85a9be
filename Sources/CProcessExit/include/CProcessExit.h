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

/// Starts `path` with `argv` and `envp` (NULL-terminated), in `directory` (NULL: this one),
/// with the given descriptors as its standard input, output and error, by posix_spawn: no
/// fork of this (multi-threaded) process and no libdispatch source, unlike Foundation's
/// Process, whose SIGCHLD source crashes libdispatch's manager thread now and then. Every
/// signal is at its default and unblocked in the child. The pid, or -errno on failure.
int minibot_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                  int in_fd, int out_fd, int err_fd);

/// pipe2(fds, O_CLOEXEC), which Glibc's Swift module does not export. 0, or -1 and errno.
int minibot_pipe_cloexec(int fds[2]);

#endif
