/* The Gofer: the only process that opens the container's files. It resolves
   every path inside the container root with openat2(RESOLVE_IN_ROOT |
   RESOLVE_NO_MAGICLINKS) and answers the Sentry over SOCK_SEQPACKET sockets:
   the first it was started with, and one more per Sentry serving thread,
   each on a thread of its own (gofer_server.c). */
#ifndef SB_GOFER_H
#define SB_GOFER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "creds.h"
#include "error.h"
#include "gofer_proto.h"

#define SB_SYNTHETIC_COUNT 10
#define SB_GOFER_MAX_MASKS 128
/* The legacy name of the limit on hidden paths. */
#define SB_GOFER_MAX_HIDDEN SB_GOFER_MAX_RULES

struct gofer
{
  int rootfd;       /* O_PATH of the container root ("/" after pivot_root) */
  int ro_rootfd;    /* with read-only rules: a read-only copy of the root and its mounts
                       (files read by a read-only name are opened there), else -1 */
  int selfprocfd;   /* a private procfs of the Gofer's own, to reopen its O_PATH fds */
  int sock;         /* the Sentry's end (of this thread's channel) */
  long spin_ns;     /* how long to poll for the next request before sleeping */
  struct sb_cred self;     /* the Gofer's own credentials (root of the tenant's namespace) */
  struct sb_cred current;  /* the ones this thread acts with now */
  bool in_userns;
  bool proc_attached;
  /* Set by a resolution that failed on a symlink into /proc/self: the
     path to ask again with (SB_GOFER_KIND_REDIRECT), "" otherwise. */
  char redirect[SB_GOFER_PATH_MAX];
  dev_t proc_dev;   /* the container's procfs, and the files the Sentry synthesizes */
  ino_t synthetic_ino[SB_SYNTHETIC_COUNT];
  /* Held open (O_PATH) so that the inodes keep their numbers: a /proc/sys
     inode gets a new one when its dentry is dropped and looked up again. */
  int synthetic_fd[SB_SYNTHETIC_COUNT];
  /* The tenant's path rules, as canonical container paths (gofer_rules.c). */
  int nhidden;
  const char *hidden[SB_GOFER_MAX_RULES];
  int nread_only;
  const char *read_only[SB_GOFER_MAX_RULES];
  /* Masks (empty read-only mounts over host-describing /proc entries):
     every inode on a mask tmpfs, and the one empty file bound over masked
     files, answer ENOENT. */
  int nmask_dev;
  dev_t mask_dev[SB_GOFER_MAX_MASKS];
  int nmask_file;
  struct
  {
    dev_t dev;
    ino_t ino;
  } mask_file[8];
};

/* The result of one operation: result >= 0 or -errno; fd >= 0 is sent along. */
struct gofer_reply
{
  int result;
  int kind;
  int fd;
  size_t data_len;
  char data[SB_GOFER_DATA_MAX];
};

extern const char *const sb_synthetic_names[SB_SYNTHETIC_COUNT];

/* gofer_rules.c: the tenant's hidden and read-only paths, the masks. Each
   takes a canonical path (the kernel's name of an open file in the Gofer's
   view: no symlink, no ".."). */
bool gofer_is_hidden (const struct gofer *g, const char *canonical);
/* -EROFS if canonical is, or lies under, a read-only path. */
int gofer_check_write (const struct gofer *g, const char *canonical);
/* For a name about to be removed or replaced (unlink, rmdir, either side
   of rename): -EROFS as above, -EBUSY if it is an ancestor of a hidden or
   read-only path (renaming /etc would carry /etc/shadow out of its rule). */
int gofer_check_remove (const struct gofer *g, const char *canonical);
bool gofer_has_rules (const struct gofer *g);
bool gofer_is_masked (const struct gofer *g, dev_t dev, ino_t ino);
/* A masked /proc or /sys name (sb_path_masked), e.g. /proc/<pid>/sched. */
bool gofer_proc_private (const char *canonical);
/* Records the masks of the attached procfs (after gofer_attach_proc). */
void gofer_learn_masks (struct gofer *g);

/* gofer_resolve.c: from a path to a descriptor, inside the root, vetted
   against the rules. */
int gofer_canonical_path (const struct gofer *g, int fd, char *out, size_t len);
/* Resolve path inside the root; exposed for the unit tests. */
int gofer_open_in_root (struct gofer *g, const char *path, int flags, mode_t mode);
int gofer_open_in_root_stat (struct gofer *g, const char *path, int flags, mode_t mode,
                             struct stat *st);
/* The same with the app's RESOLVE_* flags; with base, path is resolved
   relative to that directory (openat2's RESOLVE_BENEATH, RESOLVE_IN_ROOT,
   RESOLVE_NO_XDEV act there, as the app meant them). */
int gofer_resolve (struct gofer *g, const char *base, const char *path, int flags, mode_t mode,
                   uint64_t resolve, struct stat *st);
/* The same, with the file's statx (mask: fields wanted besides the basic
   ones) and, if canon is not NULL, its canonical name when a rule needed
   it ("" otherwise: no hidden, read-only or procfs rule can apply). With
   GOFER_RESOLVE_NO_REDIRECT in resolve, a miss does not look for a symlink
   into /proc/self (the caller resolves again and looks then). */
#define GOFER_RESOLVE_NO_REDIRECT (1ULL << 63)
int gofer_resolve_statx (struct gofer *g, const char *base, const char *path, int flags, mode_t mode,
                         uint64_t resolve, unsigned mask, struct statx *stx, char *canon, size_t canonlen);
void gofer_statx_to_stat (const struct statx *stx, struct stat *st);
/* An O_PATH fd of path's parent and its last component (last). canon, if
   not NULL, receives the entry's canonical name when rules exist ("" if
   none). -EBUSY: "/" or a path ending in "." or "..". */
int gofer_open_parent (struct gofer *g, const char *path, char *last, size_t lastlen, char *canon,
                       size_t canonlen);
/* "self/fd/N" in the Gofer's procfs: the file an fd names, to reopen it. */
void gofer_fd_path (char *buf, size_t len, int fd);
bool gofer_has_trailing_slash (const char *path);

/* gofer_open.c: open, stat, access, walk. gofer_ops.c: the rest. */
void gofer_op_open (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r);
void gofer_op_stat (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r);
void gofer_op_access (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r);
void gofer_op_truncate (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r);
void gofer_handle (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r);

/* gofer_server.c */
int gofer_serve (struct gofer *g, sb_error_t *err);
/* A thread per further channel (the hello's), each with a copy of g; they
   wait for gofer_open_channels, called once the filter is in force. */
int gofer_start_channels (const struct gofer *g, const int *socks, int n, sb_error_t *err);
void gofer_open_channels (void);
int gofer_attach_proc (struct gofer *g, int procmnt, sb_error_t *err);
/* The first request: the procfs to attach, the user namespace to join. */
int gofer_hello (struct gofer *g, const int *fds, int nfds, sb_error_t *err);

/* gofer_filter.c */
int gofer_apply_filter (sb_error_t *err);

#endif
