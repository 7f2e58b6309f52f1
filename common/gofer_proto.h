/* The Sentry <-> Gofer protocol (documented in docs/GOFER_PROTOCOL.md).
   One request and one response per SOCK_SEQPACKET message; a response may
   carry one file descriptor (SCM_RIGHTS). Paths are absolute, relative to
   the container root, NUL-terminated, at most SB_GOFER_PATH_MAX bytes. */
#ifndef SB_GOFER_PROTO_H
#define SB_GOFER_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "creds.h"

#define SB_GOFER_VERSION 3u
#define SB_GOFER_MAGIC (0x53420000u | SB_GOFER_VERSION) /* "SB" + version */
#define SB_GOFER_PATH_MAX 4096
/* The names of the tenant's rules the Gofer is given (--hidden,
   --read-only), of each kind: per policy path (at most 64) as written, its
   parent resolved, where it leads, where a missing one would be, and a
   dangling chain's links (sentry/protect.c). */
#define SB_GOFER_MAX_RULES (12 * 64)
#define SB_GOFER_DATA_MAX 65536
#define SB_GOFER_MSG_MAX (sizeof (struct sb_gofer_req) + 2 * SB_GOFER_PATH_MAX + SB_GOFER_DATA_MAX)

enum sb_gofer_op
{
  SB_GOFER_HELLO = 1,   /* fds: the container's procfs tree, to attach at /proc, and the
                           tenant's user namespace, to join */
  SB_GOFER_OPEN,        /* path, flags, mode, arg = the app's RESOLVE_* flags -> fd, or kind
                           SYNTHETIC + name, or kind REOPEN; with path2, path2 is resolved
                           relative to the directory path (openat2's scoping flags) */
  SB_GOFER_STAT,        /* path, flags (AT_SYMLINK_NOFOLLOW) -> struct statx */
  SB_GOFER_ACCESS,      /* path, mode, flags -> 0 */
  SB_GOFER_READLINK,    /* path -> target bytes */
  SB_GOFER_MKDIR,       /* path, mode */
  SB_GOFER_MKNOD,       /* path, mode (S_IFIFO/S_IFREG/S_IFSOCK only), arg (dev) */
  SB_GOFER_UNLINK,      /* path, flags (AT_REMOVEDIR) */
  SB_GOFER_RENAME,      /* path -> path2, flags (RENAME_*) */
  SB_GOFER_LINK,        /* path (existing) -> path2 (new), flags (AT_SYMLINK_FOLLOW; AT_EMPTY_PATH:
                           path is the app's /proc/<pid>/fd/<n> of an anonymous file) */
  SB_GOFER_SYMLINK,     /* path2 (new link) holds data = target */
  SB_GOFER_CHMOD,       /* path, mode, flags */
  SB_GOFER_CHOWN,       /* path, uid, gid, flags */
  SB_GOFER_UTIMENS,     /* path, data = struct timespec[2] or empty, flags */
  SB_GOFER_TRUNCATE,    /* path, arg = length -> 0, or kind REOPEN (a lease to break first) */
  SB_GOFER_STATFS,      /* path -> struct statfs */
  SB_GOFER_GETXATTR,    /* path, data = name, arg = size, flags -> value */
  SB_GOFER_SETXATTR,    /* path, data = name\0value, arg = value length, mode = XATTR_* */
  SB_GOFER_LISTXATTR,   /* path, arg = size, flags -> list */
  SB_GOFER_REMOVEXATTR, /* path, data = name, flags */
  SB_GOFER_OPEN_PARENT, /* path -> O_PATH fd of the parent directory, data = last component */
  SB_GOFER_WALK,        /* path, flags (O_NOFOLLOW, O_DIRECTORY) -> O_PATH fd, for the Sentry's
                           own use (a Unix socket to connect to, an inode to watch) */
  SB_GOFER_OP_MAX
};

/* Kinds of a successful OPEN answer. */
enum sb_gofer_kind
{
  SB_GOFER_KIND_NONE = 0,
  SB_GOFER_KIND_FD,        /* a descriptor comes with the answer */
  SB_GOFER_KIND_SYNTHETIC, /* data names a file the Sentry must synthesize */
  SB_GOFER_KIND_REOPEN,    /* an O_PATH fd the Sentry opens off its main loop, because the
                              open may wait: a FIFO (for its peer), a file the app holds a
                              lease on (for the break) */
  SB_GOFER_KIND_REDIRECT,  /* with -ENOENT: the path leads through a symlink to /proc/self or
                              /proc/thread-self, which name the Gofer, not the caller; data is
                              the path with the link replaced by its target (single-path
                              requests only) */
};

/* Flag in sb_gofer_req.flags for SB_GOFER_STAT and friends. The Gofer uses
   the AT_* values as the kernel defines them. */

struct sb_gofer_req
{
  uint32_t magic;
  uint32_t op;
  uint32_t id;
  int32_t flags;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
  uint32_t path_len;  /* bytes of path, including the NUL; 0 if none */
  uint32_t path2_len; /* bytes of path2, including the NUL; 0 if none */
  uint32_t data_len;
  uint64_t arg;
  struct sb_cred cred; /* the caller's: the Gofer acts with them (fs ids, groups, capabilities) */
  /* followed by path, path2, data */
};

struct sb_gofer_resp
{
  uint32_t magic;
  uint32_t id;
  int32_t result; /* >= 0, or -errno */
  uint32_t kind;
  uint32_t data_len;
  uint32_t pad;
  /* followed by data */
};

/* A parsed request: pointers into the message buffer. */
struct sb_gofer_msg
{
  struct sb_gofer_req hdr;
  const char *path;
  const char *path2;
  const void *data;
};

/* Builds a request into buf (capacity len). Returns its size or -errno. */
ssize_t sb_gofer_req_build (void *buf, size_t len, const struct sb_gofer_req *hdr,
                            const char *path, const char *path2,
                            const void *data, size_t data_len);
/* Checks and parses a received request. Returns 0 or -EPROTO/-EINVAL. */
int sb_gofer_req_parse (const void *buf, size_t len, struct sb_gofer_msg *out);
/* Checks a received response. Returns 0 or -EPROTO. */
int sb_gofer_resp_check (const void *buf, size_t len);

const char *sb_gofer_op_name (uint32_t op);

#endif
