/* Mount-namespace helpers shared by the Sentry, the Gofer and the app's init. */
#ifndef SB_MOUNTS_H
#define SB_MOUNTS_H

#include <sys/types.h>
#include "error.h"

/* Makes dir the root of the calling process's (private) mount namespace and
   detaches the old root, so nothing outside dir stays reachable. */
int sb_pivot_into (const char *dir, sb_error_t *err);
/* A new procfs of the caller's pid namespace, as a detached mount (fsmount):
   nosuid, nodev, noexec. Returns its fd. */
int sb_new_procfs (sb_error_t *err);
/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from rootfd, retried while
   a concurrent rename makes the kernel answer EAGAIN. Returns fd or -errno. */
int sb_open_in_root (int rootfd, const char *path, int flags, mode_t mode);

#endif
