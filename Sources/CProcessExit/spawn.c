#define _GNU_SOURCE
#include "CProcessExit.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

int minibot_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                  int in_fd, int out_fd, int err_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    if (posix_spawn_file_actions_init(&actions) != 0) return -errno;
    if (posix_spawnattr_init(&attributes) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return -errno;
    }
    int result = 0;
    result = result ? result : posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    result = result ? result : posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    result = result ? result : posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    if (!result && directory) result = posix_spawn_file_actions_addchdir_np(&actions, directory);
    // The child starts with every signal at its default and none blocked, whatever this
    // process (a test runner with its own handlers) has set.
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    result = result ? result : posix_spawnattr_setsigdefault(&attributes, &all);
    result = result ? result : posix_spawnattr_setsigmask(&attributes, &none);
    result = result ? result : posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    if (!result) result = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return result ? -result : (int)pid;
}

int minibot_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
