/* OPEN, STAT, ACCESS and TRUNCATE: the operations that resolve a whole
   path (gofer_resolve.c) and act on what it leads to.

   The Gofer serves one request at a time, so it never waits for the app:
   a FIFO goes back as an O_PATH descriptor (opening it would make the Gofer
   a peer), and every open is made with O_NONBLOCK, so that a lease the app
   holds on a file makes the open fail at once (EWOULDBLOCK) instead of
   waiting out the lease-break time; that file goes back as O_PATH too. The
   Sentry opens those off its main loop (SB_GOFER_KIND_REOPEN). */
#include "gofer.h"
#include "cleanup.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *const sb_synthetic_names[SB_SYNTHETIC_COUNT]
    = { "meminfo", "cpuinfo", "stat", "uptime", "loadavg",
        "version", "sys/kernel/osrelease", "sys/kernel/version", "cmdline",
        "sys/kernel/random/boot_id" };

/* fcntl(F_SETFL) changes only these. */
#define SETFL_FLAGS (O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK)

/* Writes into procfs reach only a few per-process knobs, named by the
   canonical path of the opened inode (so no symlink or alias helps). */
static bool
proc_write_allowed (struct gofer *g, int fd)
{
  static const char *const knobs[] = { "comm", "oom_score_adj", "oom_adj", "timerslack_ns", NULL };
  char path[SB_GOFER_PATH_MAX + 16];
  const char *p;
  int i;

  if (gofer_canonical_path (g, fd, path, sizeof (path)) < 0)
    return false;
  p = sb_proc_task_rest (path);
  if (p == NULL || *p++ != '/')
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

/* A write through a name the tenant made read-only (its canonical name is,
   or lies under, one): EROFS, whatever the mounts say (a read-only symlink
   cannot be a mount point, and its target may not have existed at start). */
static int
check_write_fd (struct gofer *g, int fd)
{
  char path[SB_GOFER_PATH_MAX + 16];

  if (g->nread_only == 0)
    return 0;
  if (gofer_canonical_path (g, fd, path, sizeof (path)) < 0)
    return -EROFS;
  return gofer_check_write (g, path);
}

/* An O_PATH descriptor of what fd names, for the Sentry to reopen. */
static void
reply_reopen (struct gofer *g, int fd, struct gofer_reply *r)
{
  char via[32];
  int pfd;

  gofer_fd_path (via, sizeof (via), fd);
  pfd = openat (g->selfprocfd, via, O_PATH | O_CLOEXEC);
  r->result = pfd < 0 ? -errno : 0;
  r->kind = SB_GOFER_KIND_REOPEN;
  r->fd = pfd;
}

/* The kernel will not install an O_PATH descriptor in another process
   (SECCOMP_IOCTL_NOTIF_ADDFD takes only full files), so an O_PATH open is
   answered with a read-only open of the same inode: a directory or a regular
   file. Opening anything else (a device, a FIFO, a socket) could have side
   effects, and a symlink cannot be opened at all: those are refused. */
static void
open_path_emulated (struct gofer *g, const struct sb_gofer_msg *m, int flags, struct gofer_reply *r)
{
  cleanup_close int fd = -1;
  struct stat st;
  char via[32];
  int full;

  fd = gofer_resolve (g, m->path2 ? m->path : NULL, m->path2 ? m->path2 : m->path,
                      flags & (O_PATH | O_NOFOLLOW | O_DIRECTORY), 0, m->hdr.arg, &st);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (S_ISLNK (st.st_mode))
    {
      r->result = -ELOOP;
      return;
    }
  if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    {
      r->result = -ENXIO;
      return;
    }
  gofer_fd_path (via, sizeof (via), fd);
  full = openat (g->selfprocfd, via,
                 O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
  if (full < 0 && errno == EWOULDBLOCK)
    {
      reply_reopen (g, fd, r); /* a lease to break first */
      return;
    }
  if (full < 0 || fcntl (full, F_SETFL, 0) < 0)
    {
      r->result = -errno;
      if (full >= 0)
        close (full);
      return;
    }
  r->fd = full;
  r->kind = SB_GOFER_KIND_FD;
}

void
gofer_op_open (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  int flags = m->hdr.flags & ~O_CLOEXEC;
  int typeflags = flags & (O_NOFOLLOW | O_DIRECTORY);
  /* path2: the path relative to the directory path (the app's openat2 scoping). */
  const char *base = m->path2 ? m->path : NULL;
  const char *path = m->path2 ? m->path2 : m->path;
  cleanup_close int fd = -1;
  struct stat st;
  int idx, ret;

  if (flags & O_PATH)
    {
      open_path_emulated (g, m, flags, r);
      return;
    }
  /* Look before opening: opening a FIFO, even without blocking, makes this
     process a peer for an instant and releases whoever waits at the other
     end. A FIFO goes back as O_PATH, for the Sentry to open with the app's
     own flags off its main loop. (A file O_EXCL creates cannot be a FIFO.) */
  if ((flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
    {
      int pfd = gofer_resolve (g, base, path, typeflags | O_PATH, 0, m->hdr.arg, &st);
      if (pfd >= 0 && S_ISFIFO (st.st_mode))
        {
          r->kind = SB_GOFER_KIND_REOPEN;
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
  /* Never block the Gofer (a lease to break, a device waiting for its
     carrier, a FIFO swapped in since the look): open without blocking,
     restore the app's flags after. */
  fd = gofer_resolve (g, base, path, flags | O_NONBLOCK | O_NOCTTY, m->hdr.mode, m->hdr.arg, &st);
  if (fd == -EWOULDBLOCK && !(flags & O_NONBLOCK) && !(flags & O_CREAT && flags & O_EXCL))
    {
      /* A lease the app holds: the open has started breaking it; the
         Sentry waits for the break on a worker, through an O_PATH. */
      fd = gofer_resolve (g, base, path, typeflags | O_PATH, 0, m->hdr.arg, &st);
      if (fd >= 0)
        reply_reopen (g, fd, r);
      else
        r->result = fd;
      return;
    }
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  if (wants_write (flags) && (ret = check_write_fd (g, fd)) < 0)
    {
      r->result = ret;
      return;
    }
  if (on_container_procfs (g, &st))
    {
      if (wants_write (flags) && !proc_write_allowed (g, fd))
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
      reply_reopen (g, fd, r);
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

static unsigned
statx_mask (const struct sb_gofer_msg *m)
{
  return m->hdr.mode ? m->hdr.mode : STATX_BASIC_STATS | STATX_BTIME;
}

void
gofer_op_stat (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct statx stx;
  char last[NAME_MAX + 1];
  cleanup_close int fd = -1;
  int ret;

  if (m->hdr.flags & AT_SYMLINK_NOFOLLOW)
    {
      fd = gofer_open_parent (g, m->path, last, sizeof (last), NULL, 0);
      if (fd >= 0)
        {
          ret = statx (fd, last, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, statx_mask (m), &stx);
          if (ret == 0 && gofer_is_masked (g, makedev (stx.stx_dev_major, stx.stx_dev_minor), stx.stx_ino))
            {
              r->result = -ENOENT;
              return;
            }
          if (ret == 0 && gofer_has_trailing_slash (m->path) && !S_ISDIR (stx.stx_mode))
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
  ret = statx (fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, statx_mask (m), &stx);
  r->result = ret < 0 ? -errno : 0;
done:
  if (r->result == 0)
    {
      memcpy (r->data, &stx, sizeof (stx));
      r->data_len = sizeof (stx);
    }
}

void
gofer_op_access (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct stat st;
  char last[NAME_MAX + 1], canon[SB_GOFER_PATH_MAX + NAME_MAX + 16];
  cleanup_close int fd = -1;
  int ret;

  if (m->hdr.flags & AT_SYMLINK_NOFOLLOW)
    {
      fd = gofer_open_parent (g, m->path, last, sizeof (last), canon, sizeof (canon));
      if (fd >= 0)
        {
          ret = syscall (SYS_faccessat2, fd, last, m->hdr.mode, AT_SYMLINK_NOFOLLOW);
          r->result = ret < 0 ? -errno : 0;
          if (r->result == 0 && (m->hdr.mode & W_OK) && canon[0])
            r->result = gofer_check_write (g, canon);
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
  if (r->result == 0 && (m->hdr.mode & W_OK))
    {
      if (on_container_procfs (g, &st) && !proc_write_allowed (g, fd))
        r->result = -EACCES;
      else
        r->result = check_write_fd (g, fd);
    }
}

void
gofer_op_truncate (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  cleanup_close int fd = -1;
  struct stat st;
  int ret;

  fd = gofer_open_in_root_stat (g, m->path, O_PATH, 0, &st);
  if (fd < 0)
    {
      r->result = fd;
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
  if ((ret = check_write_fd (g, fd)) < 0)
    {
      r->result = ret;
      return;
    }
  {
    char via[32];
    cleanup_close int wfd = -1;

    gofer_fd_path (via, sizeof (via), fd);
    wfd = openat (g->selfprocfd, via, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (wfd < 0 && errno == EWOULDBLOCK)
      {
        /* A lease the app holds: the Sentry truncates after the break, off its loop. */
        reply_reopen (g, fd, r);
        return;
      }
    if (wfd < 0)
      {
        r->result = -errno;
        return;
      }
    r->result = ftruncate (wfd, (off_t) m->hdr.arg) < 0 ? -errno : 0;
  }
}
