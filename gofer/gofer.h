/* The Gofer: the only process that opens the container's files. It resolves
   every path inside the container root with openat2(RESOLVE_IN_ROOT |
   RESOLVE_NO_MAGICLINKS) and answers the Sentry over one SOCK_SEQPACKET socket. */
#ifndef SB_GOFER_H
#define SB_GOFER_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "creds.h"
#include "error.h"
#include "gofer_proto.h"

#define SB_SYNTHETIC_COUNT 8
#define SB_GOFER_MAX_HIDDEN 64

struct gofer
{
  int rootfd;       /* O_PATH of the container root ("/" after pivot_root) */
  int selfprocfd;   /* a private procfs of the Gofer's own, to reopen its O_PATH fds */
  int sock;         /* the Sentry's end */
  long spin_ns;     /* how long to poll for the next request before sleeping */
  struct sb_cred self;     /* the Gofer's own credentials (root of the tenant's namespace) */
  struct sb_cred current;  /* the ones it acts with now */
  bool in_userns;
  bool proc_attached;
  dev_t proc_dev;   /* the container's procfs, and the files the Sentry synthesizes */
  ino_t synthetic_ino[SB_SYNTHETIC_COUNT];
  int nhidden;      /* the tenant's hidden paths (canonical, in the container) */
  char *const *hidden;
  int nmasked;      /* host-describing /proc and /sys entries, answered ENOENT */
  struct
  {
    dev_t dev;
    ino_t ino;
  } masked[32];
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

/* gofer_ops.c */
void gofer_handle (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r);
/* Resolve path inside the root; exposed for the unit tests. */
int gofer_open_in_root (struct gofer *g, const char *path, int flags, mode_t mode);
int gofer_open_in_root_stat (struct gofer *g, const char *path, int flags, mode_t mode,
                             struct stat *st);

/* gofer_server.c */
int gofer_serve (struct gofer *g, sb_error_t *err);
int gofer_attach_proc (struct gofer *g, int procmnt, sb_error_t *err);
/* The first request: the procfs to attach, the user namespace to join. */
int gofer_hello (struct gofer *g, const int *fds, int nfds, sb_error_t *err);

/* gofer_filter.c */
int gofer_apply_filter (sb_error_t *err);

#endif
