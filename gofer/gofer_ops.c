/* The Gofer's operations. Every path is resolved inside the root:
   - whole paths with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so no
     "..", absolute or relative symlink, or concurrent rename leaves the root;
   - operations on the last component (unlink, rename, lstat...) act on
     (parent fd, name) where name is one component, so the kernel never walks
     a path of the app's choosing outside openat2.
   Operations that must follow the final symlink resolve it with openat2 to
   an O_PATH fd first, then reach the file through the Gofer's own procfs
   ("self/fd/N"), which names exactly that already-confined file. */
#include "gofer.h"
#include "cleanup.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

const char *const sb_synthetic_names[SB_SYNTHETIC_COUNT]
    = { "meminfo", "cpuinfo", "stat", "uptime", "loadavg",
        "version", "sys/kernel/osrelease", "sys/kernel/version" };

/* A canonical path (the kernel's name for an open file, no symlink, no "..")
   that is, or lies under, one of the tenant's hidden paths. */
static bool
is_hidden_path (struct gofer *g, const char *canonical)
{
  int i;

  for (i = 0; i < g->nhidden; i++)
    if (sb_path_has_prefix (canonical, g->hidden[i]))
      return true;
  return false;
}

/* The canonical path of an fd the Gofer holds, in the container. */
static int
canonical_path (struct gofer *g, int fd, char *out, size_t len)
{
  char via[32];
  ssize_t n;

  snprintf (via, sizeof (via), "self/fd/%d", fd);
  n = readlinkat (g->selfprocfd, via, out, len - 1);
  if (n < 0)
    return -errno;
  out[n] = '\0';
  return 0;
}

static bool
fd_is_hidden (struct gofer *g, int fd)
{
  char path[SB_GOFER_PATH_MAX + 16];

  if (g->nhidden == 0)
    return false;
  /* A name the Gofer cannot see (rare) is refused rather than let through. */
  if (canonical_path (g, fd, path, sizeof (path)) < 0)
    return true;
  return is_hidden_path (g, path);
}

static bool
is_masked (struct gofer *g, dev_t dev, ino_t ino)
{
  int i;

  for (i = 0; i < g->nmasked; i++)
    if (g->masked[i].dev == dev && g->masked[i].ino == ino)
      return true;
  return false;
}

int
gofer_open_in_root (struct gofer *g, const char *path, int flags, mode_t mode)
{
  return gofer_open_in_root_stat (g, path, flags, mode, NULL);
}

/* The same, also filling *st (one fstat serves the mask check and the caller). */
int
gofer_open_in_root_stat (struct gofer *g, const char *path, int flags, mode_t mode, struct stat *st)
{
  int fd = sb_open_in_root (g->rootfd, path, flags, mode);

  if (fd < 0)
    return fd;
  if (fd_is_hidden (g, fd))
    {
      close (fd);
      return -ENOENT;
    }
  if (g->nmasked > 0 || st)
    {
      struct stat own;
      struct stat *sp = st ? st : &own;
      if (fstat (fd, sp) < 0)
        {
          int e = errno;
          close (fd);
          return -e;
        }
      if (is_masked (g, sp->st_dev, sp->st_ino))
        {
          close (fd);
          return -ENOENT;
        }
    }
  return fd;
}

/* Splits path into an O_PATH fd of its parent directory and its last
   component (copied into last). "/" and paths ending in "." or ".." have no
   usable last component: -EBUSY tells the caller to treat them specially. */
static int
open_parent (struct gofer *g, const char *path, char *last, size_t lastlen)
{
  char dir[SB_GOFER_PATH_MAX];
  size_t n = strlen (path);
  const char *slash;
  size_t dirlen;

  if (n >= sizeof (dir))
    return -ENAMETOOLONG;
  memcpy (dir, path, n + 1);
  while (n > 1 && dir[n - 1] == '/')
    dir[--n] = '\0';
  slash = strrchr (dir, '/');
  if (slash == NULL)
    return -EINVAL;
  if (strlen (slash + 1) >= lastlen)
    return -ENAMETOOLONG;
  strcpy (last, slash + 1);
  if (last[0] == '\0' || strcmp (last, ".") == 0 || strcmp (last, "..") == 0)
    return -EBUSY;
  dirlen = slash - dir;
  if (dirlen == 0)
    dirlen = 1;
  dir[dirlen] = '\0';
  {
    int fd = gofer_open_in_root (g, dir, O_PATH | O_DIRECTORY, 0);
    char canon[SB_GOFER_PATH_MAX + NAME_MAX + 16];

    if (fd < 0 || g->nhidden == 0)
      return fd;
    /* The entry itself may be hidden: its canonical name is the parent's plus it. */
    if (canonical_path (g, fd, canon, sizeof (canon) - NAME_MAX - 2) < 0)
      {
        close (fd);
        return -ENOENT;
      }
    if (strcmp (canon, "/") != 0)
      strcat (canon, "/");
    strcat (canon, last);
    if (is_hidden_path (g, canon))
      {
        close (fd);
        return -ENOENT;
      }
    return fd;
  }
}

/* A path with a trailing slash names a directory: the kernel checks that when
   it walks the name; since we split it off, callers check it. */
static bool
has_trailing_slash (const char *path)
{
  size_t n = strlen (path);
  return n > 1 && path[n - 1] == '/';
}

static void
fd_path (char *buf, size_t len, int fd)
{
  snprintf (buf, len, "self/fd/%d", fd);
}

/* Writes through procfs are allowed only to a few per-process knobs: a
   lexical check names them, and the device of the opened inode catches every
   other way into procfs (symlinks included). */
static bool
proc_write_allowed (const char *path)
{
  static const char *const knobs[] = { "comm", "oom_score_adj", "oom_adj", "timerslack_ns", NULL };
  const char *p;
  int i;

  if (strncmp (path, "/proc/", 6) != 0)
    return false;
  p = path + 6;
  if (*p < '0' || *p > '9')
    return false;
  while (*p >= '0' && *p <= '9')
    p++;
  if (strncmp (p, "/task/", 6) == 0)
    {
      p += 6;
      while (*p >= '0' && *p <= '9')
        p++;
    }
  if (*p++ != '/')
    return false;
  for (i = 0; knobs[i]; i++)
    if (strcmp (p, knobs[i]) == 0)
      return true;
  return false;
}

static bool
on_container_procfs (struct gofer *g, const struct stat *st)
{
  return g->proc_attached && st->st_dev == g->proc_dev;
}

static bool
wants_write (int flags)
{
  return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

static int
synthetic_index_st (struct gofer *g, const struct stat *st)
{
  int i;

  for (i = 0; i < SB_SYNTHETIC_COUNT; i++)
    if (g->synthetic_ino[i] && st->st_ino == g->synthetic_ino[i])
      return i;
  return -1;
}

/* The kernel will not install an O_PATH descriptor in another process
   (SECCOMP_IOCTL_NOTIF_ADDFD takes only full files), so an O_PATH open is
   answered with a read-only open of the same inode: a directory or a regular
   file. Opening anything else (a device, a FIFO, a socket) could have side
   effects, and a symlink cannot be opened at all: those are refused. */
static int
open_path_emulated (struct gofer *g, const char *path, int flags)
{
  cleanup_close int fd = gofer_open_in_root (g, path, flags & (O_PATH | O_NOFOLLOW | O_DIRECTORY), 0);
  struct stat st;
  char via[32];
  int full;

  if (fd < 0)
    return fd;
  if (fstat (fd, &st) < 0)
    return -errno;
  if (S_ISLNK (st.st_mode))
    return -ELOOP;
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    return -ENXIO;
  fd_path (via, sizeof (via), fd);
  full = openat (g->selfprocfd, via, O_RDONLY | O_CLOEXEC | O_NOCTTY | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
  return full < 0 ? -errno : full;
}

/* fcntl(F_SETFL) changes only these. */
#define SETFL_FLAGS (O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK)

static void
op_open (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  int flags = m->hdr.flags & ~O_CLOEXEC;
  int typeflags = flags & (O_NOFOLLOW | O_DIRECTORY);
  cleanup_close int fd = -1;
  struct stat st;
  int idx;

  if (flags & O_PATH)
    {
      r->result = open_path_emulated (g, m->path, flags);
      if (r->result >= 0)
        {
          r->fd = r->result;
          r->result = 0;
          r->kind = SB_GOFER_KIND_FD;
        }
      return;
    }
  /* Look before opening: opening a FIFO, even without blocking, makes this
     process a peer for an instant and releases whoever waits at the other
     end. A FIFO goes back as O_PATH, for the Sentry to open with the app's
     own flags off its main loop. (A file O_EXCL creates cannot be a FIFO.) */
  if ((flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
    {
      int pfd = gofer_open_in_root_stat (g, m->path, typeflags | O_PATH, 0, &st);
      if (pfd >= 0 && S_ISFIFO (st.st_mode))
        {
          r->kind = SB_GOFER_KIND_FIFO;
          r->fd = pfd;
          return;
        }
      if (pfd >= 0)
        close (pfd);
      else if (!(flags & O_CREAT) || pfd != -ENOENT)
        {
          r->result = pfd; /* the open would fail the same way */
          return;
        }
    }
  /* Never block the Gofer (a device waiting for its carrier, a FIFO swapped
     in since the look): open without blocking, restore the app's flags after. */
  fd = gofer_open_in_root_stat (g, m->path, flags | O_NONBLOCK | O_NOCTTY, m->hdr.mode, &st);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (on_container_procfs (g, &st))
    {
      if (wants_write (flags) && !proc_write_allowed (m->path))
        {
          r->result = -EACCES;
          return;
        }
      if ((idx = synthetic_index_st (g, &st)) >= 0)
        {
          if (wants_write (flags))
            {
              r->result = -EACCES;
              return;
            }
          r->kind = SB_GOFER_KIND_SYNTHETIC;
          r->data_len = strlen (sb_synthetic_names[idx]) + 1;
          memcpy (r->data, sb_synthetic_names[idx], r->data_len);
          return;
        }
    }
  if (S_ISFIFO (st.st_mode))
    {
      /* Swapped in since the look: hand it over as a FIFO all the same. */
      char via[32];
      int pfd;
      fd_path (via, sizeof (via), fd);
      pfd = openat (g->selfprocfd, via, O_PATH | O_CLOEXEC);
      r->result = pfd < 0 ? -errno : 0;
      r->kind = SB_GOFER_KIND_FIFO;
      r->fd = pfd;
      return;
    }
  r->kind = SB_GOFER_KIND_FD;
  if (!(flags & O_NONBLOCK) && fcntl (fd, F_SETFL, flags & SETFL_FLAGS) < 0)
    {
      r->result = -errno;
      return;
    }
  r->fd = steal_fd (&fd);
}

static void
op_stat (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct statx stx;
  char last[NAME_MAX + 1];
  cleanup_close int fd = -1;
  int ret;

  if (m->hdr.flags & AT_SYMLINK_NOFOLLOW)
    {
      fd = open_parent (g, m->path, last, sizeof (last));
      if (fd >= 0)
        {
          ret = statx (fd, last, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
                       m->hdr.mode ? m->hdr.mode : STATX_BASIC_STATS | STATX_BTIME, &stx);
          if (ret == 0 && is_masked (g, makedev (stx.stx_dev_major, stx.stx_dev_minor), stx.stx_ino))
            {
              r->result = -ENOENT;
              return;
            }
          if (ret == 0 && has_trailing_slash (m->path) && !S_ISDIR (stx.stx_mode))
            {
              r->result = S_ISLNK (stx.stx_mode) ? 0 : -ENOTDIR;
              if (!S_ISLNK (stx.stx_mode))
                return;
              /* "link/" follows the link: fall through to the full walk. */
              close (fd);
              fd = -1;
            }
          else
            {
              r->result = ret < 0 ? -errno : 0;
              goto done;
            }
        }
      else if (fd != -EBUSY)
        {
          r->result = fd;
          return;
        }
    }
  fd = gofer_open_in_root (g, m->path, O_PATH, 0);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  ret = statx (fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT,
               m->hdr.mode ? m->hdr.mode : STATX_BASIC_STATS | STATX_BTIME, &stx);
  r->result = ret < 0 ? -errno : 0;
done:
  if (r->result == 0)
    {
      memcpy (r->data, &stx, sizeof (stx));
      r->data_len = sizeof (stx);
    }
}

static void
op_access (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct stat st;
  char last[NAME_MAX + 1];
  cleanup_close int fd = -1;
  int ret;

  if (m->hdr.flags & AT_SYMLINK_NOFOLLOW)
    {
      fd = open_parent (g, m->path, last, sizeof (last));
      if (fd >= 0)
        {
          ret = syscall (SYS_faccessat2, fd, last, m->hdr.mode, AT_SYMLINK_NOFOLLOW);
          r->result = ret < 0 ? -errno : 0;
          return;
        }
      if (fd != -EBUSY)
        {
          r->result = fd;
          return;
        }
    }
  fd = gofer_open_in_root_stat (g, m->path, O_PATH, 0, &st);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  ret = syscall (SYS_faccessat2, fd, "", m->hdr.mode, AT_EMPTY_PATH);
  r->result = ret < 0 ? -errno : 0;
  if (r->result == 0 && (m->hdr.mode & W_OK) && on_container_procfs (g, &st)
      && !proc_write_allowed (m->path))
    r->result = -EACCES;
}

static void
op_readlink (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = open_parent (g, m->path, last, sizeof (last));
  ssize_t n;

  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EINVAL : fd;
      return;
    }
  n = readlinkat (fd, last, r->data, sizeof (r->data));
  if (n < 0)
    {
      r->result = -errno;
      return;
    }
  r->data_len = n;
  r->result = n;
}

static void
op_mkdir (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = open_parent (g, m->path, last, sizeof (last));

  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EEXIST : fd;
      return;
    }
  r->result = mkdirat (fd, last, m->hdr.mode & 07777) < 0 ? -errno : 0;
}

static void
op_mknod (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = -1;
  mode_t type = m->hdr.mode & S_IFMT;

  /* Device nodes would reach host devices: only FIFOs, sockets and files. */
  if (type != S_IFIFO && type != S_IFREG && type != S_IFSOCK && type != 0)
    {
      r->result = -EPERM;
      return;
    }
  fd = open_parent (g, m->path, last, sizeof (last));
  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EEXIST : fd;
      return;
    }
  r->result = mknodat (fd, last, m->hdr.mode, 0) < 0 ? -errno : 0;
}

static void
op_unlink (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  cleanup_close int fd = open_parent (g, m->path, last, sizeof (last));
  int flags = m->hdr.flags & AT_REMOVEDIR;
  struct stat st;

  if (fd < 0)
    {
      if (fd == -EBUSY)
        fd = flags ? (strcmp (m->path, "/") == 0 ? -EBUSY : -EINVAL) : -EISDIR;
      r->result = fd;
      return;
    }
  if (!flags && has_trailing_slash (m->path))
    {
      r->result = fstatat (fd, last, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno
                  : S_ISDIR (st.st_mode)                         ? -EISDIR
                                                                  : -ENOTDIR;
      return;
    }
  r->result = unlinkat (fd, last, flags) < 0 ? -errno : 0;
}

static void
op_rename (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last1[NAME_MAX + 1], last2[NAME_MAX + 1];
  cleanup_close int fd1 = open_parent (g, m->path, last1, sizeof (last1));
  cleanup_close int fd2 = -1;

  if (fd1 < 0)
    {
      r->result = fd1 == -EBUSY ? -EBUSY : fd1;
      return;
    }
  fd2 = open_parent (g, m->path2, last2, sizeof (last2));
  if (fd2 < 0)
    {
      r->result = fd2 == -EBUSY ? -EBUSY : fd2;
      return;
    }
  r->result = renameat2 (fd1, last1, fd2, last2, m->hdr.flags) < 0 ? -errno : 0;
}

static void
op_link (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last1[NAME_MAX + 1], last2[NAME_MAX + 1], via[32];
  cleanup_close int fd1 = -1;
  cleanup_close int fd2 = open_parent (g, m->path2, last2, sizeof (last2));

  if (fd2 < 0)
    {
      r->result = fd2 == -EBUSY ? -EEXIST : fd2;
      return;
    }
  if (m->hdr.flags & AT_SYMLINK_FOLLOW)
    {
      fd1 = gofer_open_in_root (g, m->path, O_PATH, 0);
      if (fd1 < 0)
        {
          r->result = fd1;
          return;
        }
      fd_path (via, sizeof (via), fd1);
      r->result = linkat (g->selfprocfd, via, fd2, last2, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
      return;
    }
  fd1 = open_parent (g, m->path, last1, sizeof (last1));
  if (fd1 < 0)
    {
      r->result = fd1 == -EBUSY ? -EPERM : fd1;
      return;
    }
  r->result = linkat (fd1, last1, fd2, last2, 0) < 0 ? -errno : 0;
}

static void
op_symlink (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1], target[SB_GOFER_PATH_MAX];
  cleanup_close int fd = -1;

  if (m->hdr.data_len == 0 || m->hdr.data_len > sizeof (target)
      || ((const char *) m->data)[m->hdr.data_len - 1] != '\0')
    {
      r->result = -EINVAL;
      return;
    }
  memcpy (target, m->data, m->hdr.data_len);
  fd = open_parent (g, m->path, last, sizeof (last));
  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EEXIST : fd;
      return;
    }
  /* The target is stored, never walked here: resolving it later goes through
     openat2 like every other path. */
  r->result = symlinkat (target, fd, last) < 0 ? -errno : 0;
}

/* Resolves a path to an O_PATH fd following or not the final symlink. */
static int
open_target (struct gofer *g, const char *path, bool follow)
{
  return gofer_open_in_root (g, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
}

static void
op_chmod (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = open_target (g, m->path, !(m->hdr.flags & AT_SYMLINK_NOFOLLOW));
  struct stat st;
  char via[32];

  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (fstat (fd, &st) < 0)
    {
      r->result = -errno;
      return;
    }
  if (S_ISLNK (st.st_mode))
    {
      r->result = -EOPNOTSUPP;
      return;
    }
  fd_path (via, sizeof (via), fd);
  r->result = fchmodat (g->selfprocfd, via, m->hdr.mode & 07777, 0) < 0 ? -errno : 0;
}

static void
op_chown (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = open_target (g, m->path, !(m->hdr.flags & AT_SYMLINK_NOFOLLOW));

  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  r->result = fchownat (fd, "", (uid_t) m->hdr.uid, (gid_t) m->hdr.gid, AT_EMPTY_PATH) < 0
                  ? -errno
                  : 0;
}

static void
op_utimens (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct timespec ts[2];
  const struct timespec *tsp = NULL;
  char last[NAME_MAX + 1], via[32];
  cleanup_close int fd = -1;

  if (m->hdr.data_len == sizeof (ts))
    {
      memcpy (ts, m->data, sizeof (ts));
      tsp = ts;
    }
  else if (m->hdr.data_len != 0)
    {
      r->result = -EINVAL;
      return;
    }
  if (m->hdr.flags & AT_SYMLINK_NOFOLLOW)
    {
      fd = open_parent (g, m->path, last, sizeof (last));
      if (fd >= 0)
        {
          r->result = utimensat (fd, last, tsp, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
          return;
        }
      if (fd != -EBUSY)
        {
          r->result = fd;
          return;
        }
    }
  fd = open_target (g, m->path, true);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  fd_path (via, sizeof (via), fd);
  r->result = utimensat (g->selfprocfd, via, tsp, 0) < 0 ? -errno : 0;
}

static void
op_truncate (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = -1;
  struct stat st;

  fd = open_target (g, m->path, true);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (fstat (fd, &st) < 0)
    {
      r->result = -errno;
      return;
    }
  if (S_ISDIR (st.st_mode))
    {
      r->result = -EISDIR;
      return;
    }
  if (!S_ISREG (st.st_mode))
    {
      r->result = -EINVAL;
      return;
    }
  close (fd);
  fd = gofer_open_in_root (g, m->path, O_WRONLY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  r->result = ftruncate (fd, (off_t) m->hdr.arg) < 0 ? -errno : 0;
}

static void
op_statfs (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = open_target (g, m->path, true);
  struct statfs sfs;

  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (fstatfs (fd, &sfs) < 0)
    {
      r->result = -errno;
      return;
    }
  memcpy (r->data, &sfs, sizeof (sfs));
  r->data_len = sizeof (sfs);
}

/* The xattr calls take a path and no dirfd: reach the file as "self/fd/N"
   (following) or "N/name" style relative to the parent (not following),
   with the Gofer's cwd set to the directory that makes the name relative. */
static int
xattr_target (struct gofer *g, const struct sb_gofer_msg *m, char *name, size_t len, int *holdfd)
{
  bool follow = !(m->hdr.flags & AT_SYMLINK_NOFOLLOW);
  int fd;

  if (!follow)
    {
      fd = open_parent (g, m->path, name, len);
      if (fd == -EBUSY)
        follow = true;
      else if (fd < 0)
        return fd;
      else
        {
          *holdfd = fd;
          return fchdir (fd) < 0 ? -errno : 0;
        }
    }
  fd = open_target (g, m->path, true);
  if (fd < 0)
    return fd;
  *holdfd = fd;
  fd_path (name, len, fd);
  return fchdir (g->selfprocfd) < 0 ? -errno : 0;
}

static const char *
xattr_name (const struct sb_gofer_msg *m)
{
  const char *name = m->data;

  if (m->hdr.data_len == 0 || memchr (name, '\0', m->hdr.data_len) == NULL)
    return NULL;
  return name;
}

static void
op_xattr (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char target[NAME_MAX + 1];
  cleanup_close int hold = -1;
  const char *name = NULL;
  bool follow = !(m->hdr.flags & AT_SYMLINK_NOFOLLOW);
  size_t size = m->hdr.arg > sizeof (r->data) ? sizeof (r->data) : m->hdr.arg;
  ssize_t n = -1;
  int ret;

  if (m->hdr.op != SB_GOFER_LISTXATTR && (name = xattr_name (m)) == NULL)
    {
      r->result = -EINVAL;
      return;
    }
  ret = xattr_target (g, m, target, sizeof (target), &hold);
  if (ret < 0)
    {
      r->result = ret;
      return;
    }
  /* After xattr_target, a follow request names "self/fd/N" (must follow that
     magic link), a no-follow request names the entry itself. */
  follow = strncmp (target, "self/fd/", 8) == 0 ? true : follow;
  switch (m->hdr.op)
    {
    case SB_GOFER_GETXATTR:
      n = follow ? getxattr (target, name, r->data, size) : lgetxattr (target, name, r->data, size);
      break;
    case SB_GOFER_LISTXATTR:
      n = follow ? listxattr (target, r->data, size) : llistxattr (target, r->data, size);
      break;
    case SB_GOFER_SETXATTR:
      {
        size_t nlen = strlen (name) + 1;
        const char *value = name + nlen;
        if (nlen + m->hdr.arg != m->hdr.data_len)
          {
            r->result = -EINVAL;
            goto out;
          }
        n = follow ? setxattr (target, name, value, m->hdr.arg, (int) m->hdr.mode)
                   : lsetxattr (target, name, value, m->hdr.arg, (int) m->hdr.mode);
        size = 0;
        break;
      }
    case SB_GOFER_REMOVEXATTR:
      n = follow ? removexattr (target, name) : lremovexattr (target, name);
      size = 0;
      break;
    }
  if (n < 0)
    r->result = -errno;
  else
    {
      r->result = n;
      if (size > 0)
        r->data_len = n;
    }
out:
  if (fchdir (g->rootfd) < 0)
    r->result = -EIO;
}

static void
op_open_parent (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  char last[NAME_MAX + 1];
  int fd = open_parent (g, m->path, last, sizeof (last));

  if (fd < 0)
    {
      r->result = fd == -EBUSY ? -EINVAL : fd;
      return;
    }
  r->fd = fd;
  r->kind = SB_GOFER_KIND_FD;
  r->data_len = strlen (last) + 1;
  memcpy (r->data, last, r->data_len);
}

void
gofer_handle (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  r->result = 0;
  r->kind = SB_GOFER_KIND_NONE;
  r->fd = -1;
  r->data_len = 0;

  if (m->path == NULL)
    {
      r->result = -EINVAL;
      return;
    }
  if ((m->hdr.op == SB_GOFER_RENAME || m->hdr.op == SB_GOFER_LINK) && m->path2 == NULL)
    {
      r->result = -EINVAL;
      return;
    }
  switch (m->hdr.op)
    {
    case SB_GOFER_OPEN: op_open (g, m, r); break;
    case SB_GOFER_STAT: op_stat (g, m, r); break;
    case SB_GOFER_ACCESS: op_access (g, m, r); break;
    case SB_GOFER_READLINK: op_readlink (g, m, r); break;
    case SB_GOFER_MKDIR: op_mkdir (g, m, r); break;
    case SB_GOFER_MKNOD: op_mknod (g, m, r); break;
    case SB_GOFER_UNLINK: op_unlink (g, m, r); break;
    case SB_GOFER_RENAME: op_rename (g, m, r); break;
    case SB_GOFER_LINK: op_link (g, m, r); break;
    case SB_GOFER_SYMLINK: op_symlink (g, m, r); break;
    case SB_GOFER_CHMOD: op_chmod (g, m, r); break;
    case SB_GOFER_CHOWN: op_chown (g, m, r); break;
    case SB_GOFER_UTIMENS: op_utimens (g, m, r); break;
    case SB_GOFER_TRUNCATE: op_truncate (g, m, r); break;
    case SB_GOFER_STATFS: op_statfs (g, m, r); break;
    case SB_GOFER_GETXATTR:
    case SB_GOFER_SETXATTR:
    case SB_GOFER_LISTXATTR:
    case SB_GOFER_REMOVEXATTR: op_xattr (g, m, r); break;
    case SB_GOFER_OPEN_PARENT: op_open_parent (g, m, r); break;
    case SB_GOFER_WALK:
      r->result = gofer_open_in_root (g, m->path, O_PATH | (m->hdr.flags & (O_NOFOLLOW | O_DIRECTORY)), 0);
      if (r->result >= 0)
        {
          r->fd = r->result;
          r->result = 0;
          r->kind = SB_GOFER_KIND_FD;
        }
      break;
    default: r->result = -ENOSYS; break;
    }
}
