/* The tenant's user namespace and the mounts that show host files through
   it. See docs/ARCHITECTURE.md ("User namespace"). */
#ifndef SB_USERNS_H
#define SB_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include "creds.h"
#include "error.h"
#include "mounts.h"

/* A user namespace mapping container ids 0..count-1 to host ids
   host..host+count-1, owned by host id `host` (so the kernel charges the
   per-user quotas above it to the tenant, never to host root). procfd: a
   procfs of the caller's pid namespace. Returns an fd of the namespace. */
int sb_userns_create (const struct sb_idmap *m, int procfd, sb_error_t *err);

/* sb_mount_clone and sb_mount_set: common/mounts.h. */
/* Attaches a detached tree at dst. */
int sb_mount_attach (int tree, const char *dst, sb_error_t *err);
/* Attaches a detached tree on the inode an O_PATH descriptor names. */
int sb_mount_attach_fd (int tree, int dstfd, sb_error_t *err);

#endif
