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
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *const sb_synthetic_names[SB_SYNTHETIC_COUNT]
    = { "meminfo", "cpuinfo", "stat", "uptime", "loadavg",
        "version", "sys/kernel/osrelease", "sys/kernel/version", "cmdline",
        "sys/kernel/random/boot_id" };

#define CANON_MAX (SB_GOFER_PATH_MAX + NAME_MAX + 16)

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

/* A file of the container's procfs: a write only where allowed, and one of
   the Sentry's synthetic files answered by its name. True when r holds the
   answer. */
static bool
procfs_answer (struct gofer *g, const struct stat *st, int flags, int fd, struct gofer_reply *r)
{
  int idx;

  if (!on_container_procfs (g, st))
    return false;
  if (wants_write (flags) && !proc_write_allowed (g, fd))
    {
      r->result = -EACCES;
      return true;
    }
  if ((idx = synthetic_index_st (g, st)) < 0)
    return false;
  if (wants_write (flags))
    {
      r->result = -EACCES;
      return true;
    }
  r->kind = SB_GOFER_KIND_SYNTHETIC;
  r->data_len = strlen (sb_synthetic_names[idx]) + 1;
  memcpy (r->data, sb_synthetic_names[idx], r->data_len);
  return true;
}

/* Hands over a file opened with O_NONBLOCK (see the top of this file),
   with the status flags the app asked for. */
static void
reply_fd (int *fdp, int flags, struct gofer_reply *r)
{
  r->kind = SB_GOFER_KIND_FD;
  if (!(flags & O_NONBLOCK) && fcntl (*fdp, F_SETFL, flags & SETFL_FLAGS) < 0)
    {
      r->result = -errno;
      return;
    }
  r->fd = steal_fd (fdp);
}

/* fd lies on a read-only mount already (a read-only path that existed at
   the start has its bind): no copy needed. */
static bool
on_read_only_mount (int fd)
{
  struct statfs sfs;

  return fstatfs (fd, &sfs) == 0 && (sfs.f_flags & ST_RDONLY);
}

/* The file canon names, vetted as st, again through the read-only copy of
   the root: the same inode on a read-only mount (O_PATH), or ENOENT when
   the name has meanwhile been moved to another file. */
static int
read_only_copy (struct gofer *g, const char *canon, const struct stat *st)
{
  struct stat now;
  int fd = sb_open_in_root (g->ro_rootfd, canon, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);

  if (fd < 0)
    return fd;
  if (fstat (fd, &now) < 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino)
    {
      close (fd);
      return -ENOENT;
    }
  return fd;
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

/* An open relative to the app's directory with its own RESOLVE_* scoping
   (openat2), or of an O_TMPFILE: look (O_PATH), then open with the real
   flags and check the result. For these, a creation the rules refuse can
   precede the refusal; the mounts of protect.c still hold (a hidden or
   read-only file is covered by a read-only mount, so no write lands). */
static void
open_two_steps (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  int flags = m->hdr.flags & ~O_CLOEXEC;
  int typeflags = flags & (O_NOFOLLOW | O_DIRECTORY);
  /* path2: the path relative to the directory path (the app's openat2 scoping). */
  const char *base = m->path2 ? m->path : NULL;
  const char *path = m->path2 ? m->path2 : m->path;
  cleanup_close int fd = -1;
  struct stat st;
  int ret;

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
        {
          /* Found: O_CREAT creates nothing, and asks for no more than the
             access mode does (as in gofer_op_open). Opened without it, a
             file removed since is ENOENT, never one made unchecked. */
          close (pfd);
          flags &= ~O_CREAT;
        }
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
  if (procfs_answer (g, &st, flags, fd, r))
    return;
  if (S_ISFIFO (st.st_mode))
    {
      /* Swapped in since the look: hand it over as a FIFO all the same. */
      reply_reopen (g, fd, r);
      return;
    }
  reply_fd (&fd, flags, r);
}

/* The answer for a file opened (or about to be reopened) with the app's
   flags: the checks of what it is, then the descriptor. fd is the open
   file, or -1 when *pfd (O_PATH, already vetted, the same inode) is to be
   reopened here with flags, after the checks (a FIFO takes *pfd over). canon is its canonical name
   if known, "" if not. */
static void
open_answer (struct gofer *g, int *pfdp, int opened, const struct statx *stx, char *canon, size_t canonlen,
             int flags, struct gofer_reply *r)
{
  cleanup_close int fd = opened;
  cleanup_close int rofd = -1;
  int pfd = pfdp ? *pfdp : -1;
  struct stat st;
  int ret = 0;

  gofer_statx_to_stat (stx, &st);
  if (fd < 0 && S_ISFIFO (st.st_mode))
    {
      /* Opening a FIFO, even without blocking, would make this process a
         peer for an instant: the Sentry opens it off its main loop. */
      r->kind = SB_GOFER_KIND_REOPEN;
      r->fd = steal_fd (pfdp);
      return;
    }
  /* The name, judged once by the read-only rules: a write is refused; a
     file or directory read comes from the read-only copy of the root
     (below). */
  if (g->nread_only > 0 && (wants_write (flags) || S_ISREG (st.st_mode) || S_ISDIR (st.st_mode)))
    {
      if (canon[0] == '\0' && gofer_canonical_path (g, fd >= 0 ? fd : pfd, canon, canonlen) < 0)
        {
          r->result = -EROFS;
          return;
        }
      ret = gofer_check_write (g, canon);
    }
  if (wants_write (flags) && ret < 0)
    {
      r->result = ret;
      return;
    }
  if (procfs_answer (g, &st, flags, fd >= 0 ? fd : pfd, r))
    return;
  if (ret < 0 && g->ro_rootfd >= 0 && !on_read_only_mount (fd >= 0 ? fd : pfd))
    {
      /* Read by a name the rules make read-only: the descriptor comes from
         the read-only copy of the root, so that what runs on the host on a
         descriptor (fchmod, fchown, fsetxattr) answers EROFS, as under the
         read-only bind such a name has when it exists at the start; one
         that appeared later has none. */
      if ((rofd = read_only_copy (g, canon, &st)) < 0)
        {
          r->result = rofd;
          return;
        }
      if (fd >= 0)
        close (steal_fd (&fd));
      pfd = rofd;
    }
  if (fd < 0)
    {
      char via[32];

      /* The inode the checks saw, by its descriptor: no name is walked
         again. Never block the Gofer (a lease to break, a device waiting
         for its carrier): open without blocking, restore the app's flags
         after. */
      gofer_fd_path (via, sizeof (via), pfd);
      if (S_ISDIR (st.st_mode))
        {
          /* Nothing to wait for on a directory (no lease, no peer): the
             app's flags as they are, no fcntl after. */
          fd = openat (g->selfprocfd, via, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
          if (fd < 0)
            {
              r->result = -errno;
              return;
            }
          r->kind = SB_GOFER_KIND_FD;
          r->fd = steal_fd (&fd);
          return;
        }
      fd = openat (g->selfprocfd, via,
                   (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd < 0 && errno == EWOULDBLOCK && !(flags & O_NONBLOCK))
        {
          /* A lease the app holds: the open has started breaking it; the
             Sentry waits for the break on a worker, through an O_PATH. */
          reply_reopen (g, pfd, r);
          return;
        }
      if (fd < 0)
        {
          r->result = -errno;
          return;
        }
    }
  else if (S_ISFIFO (st.st_mode))
    {
      /* Created by someone else between the look and the open: hand it
         over as a FIFO all the same. */
      reply_reopen (g, fd, r);
      return;
    }
  reply_fd (&fd, flags, r);
}

/* A name to create (O_CREAT, nothing found by that name): the rules are
   checked on the name before anything is created. The parent is resolved
   once and the last component opened relative to it without following a
   symlink; a symlink there (dangling, or swapped in) is followed by hand
   and the name it leads to judged again, as the kernel would walk it. */
static void
open_create (struct gofer *g, const char *path, int flags, mode_t mode, struct gofer_reply *r)
{
  char last[NAME_MAX + 1], canon[CANON_MAX], work[SB_GOFER_PATH_MAX], target[SB_GOFER_PATH_MAX];
  struct statx stx;
  int hops, ret;

  if (strlen (path) >= sizeof (work))
    {
      r->result = -ENAMETOOLONG;
      return;
    }
  strcpy (work, path);
  for (hops = 0;; hops++)
    {
      cleanup_close int pfd = -1, fd = -1;
      const char *slash;
      ssize_t n;

      pfd = gofer_open_parent (g, work, last, sizeof (last), canon, sizeof (canon));
      if (pfd < 0)
        {
          r->result = pfd == -EBUSY ? -EISDIR : pfd;
          return;
        }
      if (gofer_has_trailing_slash (work))
        {
          r->result = -EISDIR;
          return;
        }
      if (canon[0] && (ret = gofer_check_write (g, canon)) < 0)
        {
          struct stat st;

          /* As the kernel answers: an O_EXCL of an existing name fails first. */
          if ((flags & O_EXCL) && fstatat (pfd, last, &st, AT_SYMLINK_NOFOLLOW) == 0)
            ret = -EEXIST;
          r->result = ret;
          return;
        }
      fd = openat (pfd, last, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode & 07777);
      if (fd < 0 && errno == ELOOP && !(flags & (O_NOFOLLOW | O_EXCL)))
        {
          /* The name is a symlink: create where it leads. */
          if (hops >= 40)
            {
              r->result = -ELOOP;
              return;
            }
          n = readlinkat (pfd, last, target, sizeof (target) - 1);
          if (n <= 0)
            {
              r->result = n == 0 ? -ENOENT : -errno;
              return;
            }
          target[n] = '\0';
          slash = strrchr (work, '/');
          if (target[0] == '/')
            strcpy (work, target);
          else if (snprintf (work + (slash - work) + 1, sizeof (work) - (slash - work) - 1, "%s", target)
                   >= (int) (sizeof (work) - (slash - work) - 1))
            {
              r->result = -ENAMETOOLONG;
              return;
            }
          continue;
        }
      if (fd < 0)
        {
          r->result = -errno;
          return;
        }
      if (statx (fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &stx) < 0)
        {
          r->result = -errno;
          return;
        }
      if (gofer_is_masked (g, makedev (stx.stx_dev_major, stx.stx_dev_minor), stx.stx_ino))
        {
          r->result = -ENOENT;
          return;
        }
      open_answer (g, NULL, steal_fd (&fd), &stx, canon, sizeof (canon), flags, r);
      return;
    }
}

void
gofer_op_open (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  int flags = m->hdr.flags & ~O_CLOEXEC;
  int typeflags = flags & (O_NOFOLLOW | O_DIRECTORY);
  char canon[CANON_MAX];
  cleanup_close int pfd = -1;
  struct statx stx;

  if (flags & O_PATH)
    {
      open_path_emulated (g, m, flags, r);
      return;
    }
  if (m->path2 || (flags & O_TMPFILE) == O_TMPFILE)
    {
      open_two_steps (g, m, r);
      return;
    }
  /* No rule can refuse a creation here (no hidden or read-only path):
     one resolution with the real flags does it, as the kernel would. */
  if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && !gofer_has_rules (g))
    {
      int fd = gofer_resolve_statx (g, NULL, m->path, flags | O_NONBLOCK | O_NOCTTY, m->hdr.mode, m->hdr.arg,
                                    0, &stx, canon, sizeof (canon));
      if (fd < 0)
        r->result = fd;
      else
        open_answer (g, NULL, fd, &stx, canon, sizeof (canon), flags, r);
      return;
    }
  /* Otherwise one look (O_PATH) that the rules judge; what it found is
     reopened by its descriptor after the checks, so an O_TRUNC or a write
     open has no effect on a file the rules refuse. */
  if ((flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL))
    {
      pfd = gofer_resolve_statx (g, NULL, m->path, typeflags | O_PATH, 0,
                                 m->hdr.arg | ((flags & O_CREAT) ? GOFER_RESOLVE_NO_REDIRECT : 0), 0, &stx,
                                 canon, sizeof (canon));
      if (pfd >= 0)
        {
          if (S_ISLNK (stx.stx_mode))
            r->result = -ELOOP; /* O_NOFOLLOW on a symlink */
          else if ((flags & O_CREAT) && (S_ISDIR (stx.stx_mode) || gofer_has_trailing_slash (m->path)))
            r->result = -EISDIR;
          else
            /* Found: O_CREAT creates nothing, and asks for no more than
               the access mode does (Linux opens an existing file read-only
               on a read-only mount, or in /proc, with it). */
            open_answer (g, &pfd, -1, &stx, canon, sizeof (canon), flags & ~O_CREAT, r);
          return;
        }
      if (!(flags & O_CREAT) || pfd != -ENOENT)
        {
          r->result = pfd;
          return;
        }
    }
  if (!gofer_has_rules (g))
    {
      int fd = gofer_resolve_statx (g, NULL, m->path, flags | O_NONBLOCK | O_NOCTTY, m->hdr.mode, m->hdr.arg,
                                    0, &stx, canon, sizeof (canon));
      if (fd < 0)
        r->result = fd;
      else
        open_answer (g, NULL, fd, &stx, canon, sizeof (canon), flags, r);
      return;
    }
  open_create (g, m->path, flags, m->hdr.mode, r);
}

static unsigned
statx_mask (const struct sb_gofer_msg *m)
{
  return m->hdr.mode ? m->hdr.mode : STATX_BASIC_STATS | STATX_BTIME;
}

/* One resolution and one statx: the statx that vets what the path leads
   to is the answer. Without following, the path is opened O_PATH |
   O_NOFOLLOW: the descriptor names the symlink itself, and a trailing
   slash still follows it, as lstat does. */
void
gofer_op_stat (struct gofer *g, const struct sb_gofer_msg *m, struct gofer_reply *r)
{
  struct statx stx;
  int fd;

  fd = gofer_resolve_statx (g, NULL, m->path, O_PATH | ((m->hdr.flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0, 0,
                            statx_mask (m), &stx, NULL, 0);
  if (fd < 0)
    {
      r->result = fd;
      return;
    }
  close (fd);
  r->result = 0;
  memcpy (r->data, &stx, sizeof (stx));
  r->data_len = sizeof (stx);
}

/* Checked with AT_EACCESS: with the credentials the request carries, which
   for access() the Sentry made the caller's real ids (the Gofer's own real
   ids are root's, which the kernel would check otherwise). */
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
          ret = syscall (SYS_faccessat2, fd, last, m->hdr.mode, AT_SYMLINK_NOFOLLOW | AT_EACCESS);
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
  ret = syscall (SYS_faccessat2, fd, "", m->hdr.mode, AT_EMPTY_PATH | AT_EACCESS);
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
