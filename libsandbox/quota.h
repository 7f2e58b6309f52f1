/* A disk bound for a directory tree on the host's own filesystem: a
   project quota (ext4 with the project and quota features mounted with
   prjquota, xfs with pquota). Used for an OCI container's writable layer,
   which lives on the engine's disk rather than in the sandbox's memory
   (docs/OCI.md, "The tenant's disk limit"). */
#ifndef SB_QUOTA_H
#define SB_QUOTA_H

#include <stdint.h>
#include "error.h"

/* The project a tree is charged to: the inode number of its first
   directory, unique on that filesystem while the directory exists. */
int sb_quota_project_of (const char *dir, uint32_t *projid, sb_error_t *err);

/* Charges the trees dirs[0..n-1] (one filesystem; an overlay's upper
   layer and its workdir, which overlayfs renames between) to project
   projid, every directory inheriting it, and bounds the project to bytes.
   ENOTSUP: the filesystem does not enforce project quotas. Walks only
   directories and regular files, never follows a symlink, never leaves
   the filesystem. */
int sb_quota_bound (const char *const *dirs, int n, uint32_t projid, uint64_t bytes, sb_error_t *err);

/* Lifts the bound of projid on the filesystem of path (or of its nearest
   ancestor that still exists). */
int sb_quota_release (const char *path, uint32_t projid, sb_error_t *err);

#endif
