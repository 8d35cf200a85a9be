#ifndef MINIBOT_CLIBGIT2_SHIM_H
#define MINIBOT_CLIBGIT2_SHIM_H
#include <git2.h>

/* git_libgit2_opts is C-variadic and cannot be called from Swift: fixed-arity wrappers. */

/* Owner validation is git's safe.directory check. Masters and workers often run as root or as
 * a CI user over repositories owned by someone else; with the check on, libgit2 refuses to
 * open them with the misleading "config value 'safe.directory' was not found". */
static inline int minibot_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
#endif
