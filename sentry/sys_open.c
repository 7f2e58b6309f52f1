/* open, openat, creat, openat2: through the Gofer, installed with
   SECCOMP_IOCTL_NOTIF_ADDFD. An open that may wait (a FIFO for its peer, a
   file whose lease must break first) runs on a worker, never on the main
   loop. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "fdpass.h"
#include "memory.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- open ------------------------------------------------------------------ */

struct reopen_job
{
  int srcfd;      /* what to open again: an O_PATH from the Gofer, or the app's own */
  int flags;      /* the app's open flags */
  bool truncate;  /* truncate(2) of a leased file: open, truncate to length, close */
  off_t length;
};

/* Opens srcfd again through the Sentry's procfs, as the caller (the kernel
   checks its right to open the file this way). */
static int
reopen_as_caller (struct sb_call *c, const struct reopen_job *j, int extra)
{
  char via[32];
  /* Nothing is created through a descriptor's name: O_CREAT and O_TMPFILE
     (which would also make the fortified openat abort the Sentry, for want
     of a mode) go; the app's other flags stay. */
  int fd, flags = (j->flags & ~(O_CREAT | O_EXCL | O_CLOEXEC | O_PATH | __O_TMPFILE)) | O_CLOEXEC | extra;

  snprintf (via, sizeof (via), "self/fd/%d", j->srcfd);
  fd = sb_act_as_caller (c);
  if (fd == 0)
    {
      do
        fd = openat (c->s->procfd, via, flags, 0);
      while (fd < 0 && errno == EINTR && !sb_call_gone (c));
      fd = fd < 0 ? -errno : fd;
      sb_act_as_self (c);
    }
  return fd;
}

/* Hands the opened file to the caller (or truncates it); consumes both fds. */
static long
reopen_finish (struct sb_call *c, const struct reopen_job *j, int fd)
{
  long ret;

  close (j->srcfd);
  if (fd < 0)
    return fd;
  if (j->truncate)
    ret = ftruncate (fd, j->length) < 0 ? -errno : 0;
  else
    ret = sb_inject_fd (c, fd, j->flags & O_CLOEXEC);
  close (fd);
  return ret;
}

/* On a worker: the open may wait (a FIFO for its peer, a lease for its
   break). If the caller goes away meanwhile, notify.c interrupts it. */
static long
reopen_blocking (struct sb_call *c, void *arg)
{
  const struct reopen_job *j = arg;

  return reopen_finish (c, j, reopen_as_caller (c, j, 0));
}

static long
reopen_later (struct sb_call *c, struct reopen_job *job)
{
  long ret = sb_run_blocking (c, reopen_blocking, job, sizeof (*job));

  if (ret != SB_RET_DONE)
    close (job->srcfd);
  return ret;
}

/* On the main loop the open never waits: it is tried with O_NONBLOCK (a
   lease then answers EWOULDBLOCK at once, having started its break; a
   terminal does not wait for its carrier), the app's own flags are put back
   after, and an open that would wait moves to a worker. A FIFO the app
   opens blocking always goes to a worker: opening it without blocking would
   already release a peer waiting at the other end. */
static long
reopen_now_or_later (struct sb_call *c, struct reopen_job *job, bool fifo)
{
  int fd;

  if (fifo && !(job->flags & O_NONBLOCK))
    return reopen_later (c, job);
  fd = reopen_as_caller (c, job, O_NONBLOCK);
  if (fd == -EWOULDBLOCK && !(job->flags & O_NONBLOCK))
    return reopen_later (c, job);
  if (fd >= 0 && !(job->flags & O_NONBLOCK) && fcntl (fd, F_SETFL, job->flags & SB_SETFL_FLAGS) < 0)
    {
      close (fd);
      fd = -errno;
    }
  return reopen_finish (c, job, fd);
}

/* Reopens a copy of a descriptor (consumed), never with more access than
   it has. */
static long
reopen_fd_copy (struct sb_call *c, int srcfd, int flags)
{
  struct reopen_job job = { .flags = flags, .srcfd = srcfd };
  int fl, acc = flags & O_ACCMODE;
  struct stat st;

  fl = fcntl (job.srcfd, F_GETFL);
  if (fstat (job.srcfd, &st) < 0 || fl < 0)
    {
      close (job.srcfd);
      return -EBADF;
    }
  if (S_ISSOCK (st.st_mode))
    {
      close (job.srcfd);
      return -ENXIO;
    }
  if (((acc == O_WRONLY || acc == O_RDWR) && (fl & O_ACCMODE) == O_RDONLY)
      || ((acc == O_RDONLY || acc == O_RDWR) && (fl & O_ACCMODE) == O_WRONLY)
      || (fl & O_PATH))
    {
      close (job.srcfd);
      return -EACCES;
    }
  return reopen_now_or_later (c, &job, S_ISFIFO (st.st_mode));
}

/* Reopens a descriptor the caller holds. */
static long
reopen_app_fd (struct sb_call *c, int appfd, int flags)
{
  int srcfd = sb_get_app_fd (c, appfd);

  if (srcfd < 0)
    return srcfd == -EBADF ? -ENOENT : srcfd;
  return reopen_fd_copy (c, srcfd, flags);
}

/* openat2's scoping flags (RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_XDEV)
   act from the dirfd: the Gofer gets that directory (base) and the app's
   path under it (rel, written with a leading "/"), and applies the flags
   there, as the kernel would. */
static int
scoped_path (struct sb_call *c, int dirfd, uint64_t addr, uint64_t resolve, char *base, char *rel)
{
  char raw[PATH_BUF];
  int ret = sb_read_app_path (c, addr, raw);

  if (ret < 0)
    return ret;
  if (raw[0] == '/' && (resolve & RESOLVE_BENEATH))
    return -EXDEV;
  if (raw[0] == '/' && !(resolve & RESOLVE_IN_ROOT))
    strcpy (base, "/"); /* NO_XDEV alone: an absolute path starts at the root */
  else if ((ret = sb_base_dir (c, dirfd, base, PATH_BUF)) < 0)
    return ret;
  if (snprintf (rel, PATH_BUF, "/%s", raw + strspn (raw, "/")) >= PATH_BUF)
    return -ENAMETOOLONG;
  if (sb_path_join (c->detail, sizeof (c->detail), base, rel + 1) < 0)
    c->detail[0] = '\0';
  return 0;
}

/* O_PATH: the kernel will not install an O_PATH file in another process
   (SECCOMP_IOCTL_NOTIF_ADDFD takes only full files), and a read-only open
   in its place reads, maps and changes modes where O_PATH must not. So the
   Gofer checks the path (the tenant's rules, masks, the flags' walk), and
   the kernel makes the open itself, in the app's mount namespace: a thread
   that swaps the path after the check lands, as with chdir, on what that
   namespace shows, where every hidden path is covered by an empty mount;
   and an O_PATH descriptor opens nothing (no FIFO peer, no lease, no
   device), reads nothing, and is reopened by name only through the Sentry.
   A /proc/self-style path names the caller's own process, which the kernel
   resolves for it as it would natively. */
static long
open_path_on_host (struct sb_call *c, const char *path, const char *path2, int flags, bool own)
{
  int ret;

  if (own)
    return SB_RET_CONTINUE;
  ret = sb_gofer (c, SB_GOFER_WALK, path2 ? path2 : path, NULL, flags & (O_NOFOLLOW | O_DIRECTORY), 0,
                  0, NULL, 0);
  if (sb_last_answer.fd >= 0)
    {
      close (sb_last_answer.fd);
      sb_last_answer.fd = -1;
    }
  return ret < 0 ? ret : SB_RET_CONTINUE;
}

static long
open_common (struct sb_call *c, int dirfd, uint64_t pathaddr, int flags, mode_t mode, uint64_t resolve)
{
  char path[PATH_BUF], rel[PATH_BUF];
  const char *path2 = NULL;
  struct reopen_job job = { .flags = flags };
  bool translated = false, magic = false;
  int appfd, ret;
  long fd;

  if (resolve != 0 || (flags & O_PATH))
    sb_direct_release (c->s); /* only a plain open may take the fast path */
  if (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_XDEV))
    {
      ret = scoped_path (c, dirfd, pathaddr, resolve, path, rel);
      if (ret < 0)
        return ret;
      path2 = rel;
      if (flags & O_PATH)
        {
          /* Checked where the scoped walk leads from the directory. */
          char joined[PATH_BUF];
          if (sb_path_join (joined, sizeof (joined), path, rel + 1) < 0)
            return -ENAMETOOLONG;
          return open_path_on_host (c, joined, NULL, flags, false);
        }
    }
  else
    {
      ret = sb_app_path_translated (c, dirfd, pathaddr, path, !(flags & O_NOFOLLOW), &translated, &magic);
      if (ret < 0)
        return ret;
      /* The kernel would have met the /proc/self or /dev/fd symlink, or a
         magic link. */
      if (translated && (resolve & RESOLVE_NO_SYMLINKS))
        return -ELOOP;
      if (magic && (resolve & RESOLVE_NO_MAGICLINKS))
        return -ELOOP;
      if (flags & O_PATH)
        return open_path_on_host (c, path, NULL, flags, translated || sb_own_fd_path (c, path, &appfd));
      if (!(flags & O_NOFOLLOW) && sb_own_fd_path (c, path, &appfd))
        {
          /* /proc/<pid>/fd/N is a magic link. */
          if (resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS))
            return -ELOOP;
          return reopen_app_fd (c, appfd, flags);
        }
      if (!(flags & O_NOFOLLOW) && (ret = sb_other_fd (c, path)) != 0)
        {
          /* Another process's /proc/<pid>/fd/N (ret: a copy, or -errno). */
          if (ret > 0 && (resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)))
            {
              close (ret);
              return -ELOOP;
            }
          return ret < 0 ? ret : reopen_fd_copy (c, ret, flags);
        }
    }
  if (resolve == 0)
    {
      /* A read-only open the Sentry can make as the Gofer would (directfs.c). */
      int pathfd;

      fd = sb_direct_open (c, path, flags, &pathfd);
      if (fd == SB_DIRECT_LATER)
        {
          job.srcfd = pathfd;
          return reopen_later (c, &job);
        }
      if (fd >= 0)
        {
          long injected = sb_inject_fd (c, (int) fd, flags & O_CLOEXEC);

          close ((int) fd);
          return injected;
        }
      if (fd != SB_DIRECT_NO)
        return fd;
    }
  if (flags & (O_CREAT | O_TMPFILE))
    mode = mode & ~sb_caller_umask (c) & 07777;
  ret = sb_gofer (c, SB_GOFER_OPEN, path, path2, flags & ~O_CLOEXEC, mode, resolve, NULL, 0);
  if (ret < 0)
    return ret;
  switch (sb_last_answer.kind)
    {
    case SB_GOFER_KIND_FD:
      if ((flags & O_ACCMODE) == O_RDONLY)
        {
          /* /proc/<pid>/mountinfo and mounts: the copy without host facts. */
          int mfd = sb_synthetic_mounts (c->s, sb_last_answer.fd);
          if (mfd >= 0)
            {
              close (sb_last_answer.fd);
              sb_last_answer.fd = mfd;
            }
        }
      fd = sb_inject_fd (c, sb_last_answer.fd, flags & O_CLOEXEC);
      close (sb_last_answer.fd);
      return fd;
    case SB_GOFER_KIND_REOPEN:
      {
        struct stat st;

        job.srcfd = sb_last_answer.fd;
        if (fstat (job.srcfd, &st) < 0)
          {
            close (job.srcfd);
            return -EIO;
          }
        /* Not a FIFO: the Gofer's open would have waited for a lease. */
        if (!S_ISFIFO (st.st_mode) && !(job.flags & O_NONBLOCK))
          return reopen_later (c, &job);
        return reopen_now_or_later (c, &job, S_ISFIFO (st.st_mode));
      }
    case SB_GOFER_KIND_SYNTHETIC:
      {
        sb_error_t err = NULL;
        int sfd;

        sb_last_answer.data[sizeof (sb_last_answer.data) - 1] = '\0';
        sfd = sb_synthetic_open (c->s, sb_last_answer.data, &err);
        sb_error_free (&err);
        if (sfd < 0)
          return sfd;
        fd = sb_inject_fd (c, sfd, flags & O_CLOEXEC);
        close (sfd);
        return fd;
      }
    default:
      if (sb_last_answer.fd >= 0)
        close (sb_last_answer.fd);
      return -EIO;
    }
}

/* truncate(2) of a file the app holds a lease on: the Gofer started the
   break; the wait for it happens on a worker. */
long
sb_truncate_later (struct sb_call *c, int srcfd, off_t length)
{
  struct reopen_job job = { .srcfd = srcfd, .flags = O_WRONLY, .truncate = true, .length = length };

  return reopen_later (c, &job);
}

long
sys_open (struct sb_call *c)
{
  return open_common (c, AT_FDCWD, c->args[0], (int) c->args[1], (mode_t) c->args[2], 0);
}

long
sys_openat (struct sb_call *c)
{
  return open_common (c, (int) c->args[0], c->args[1], (int) c->args[2], (mode_t) c->args[3], 0);
}

long
sys_creat (struct sb_call *c)
{
  return open_common (c, AT_FDCWD, c->args[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t) c->args[1], 0);
}

/* The flags the kernel's openat2 accepts (include/linux/fcntl.h). */
#define VALID_OPEN_FLAGS                                                                         \
  (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC \
   | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH  \
   | __O_TMPFILE)
#define VALID_RESOLVE_FLAGS                                                                      \
  (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH              \
   | RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* Every RESOLVE_* flag is honoured (the Gofer applies it to the same walk
   the kernel would make) or the call is refused as the kernel refuses it;
   none is dropped. RESOLVE_NO_MAGICLINKS always holds in the Gofer. */
long
sys_openat2 (struct sb_call *c)
{
  struct open_how how = { 0 };
  size_t size = c->args[3];
  int ret;

  if (size < sizeof (how))
    return -EINVAL;
  if (size > 4096)
    return -E2BIG;
  ret = sb_mem_read (c->tid, c->args[2], &how, sizeof (how));
  if (ret < 0)
    return ret;
  if (size > sizeof (how))
    {
      /* A larger struct from a newer libc: its extra fields must be zero. */
      unsigned char tail[4096];
      size_t i, n = size - sizeof (how);

      ret = sb_mem_read (c->tid, c->args[2] + sizeof (how), tail, n);
      if (ret < 0)
        return ret;
      for (i = 0; i < n; i++)
        if (tail[i])
          return -E2BIG;
    }
  if ((how.flags & ~(uint64_t) VALID_OPEN_FLAGS) || (how.resolve & ~(uint64_t) VALID_RESOLVE_FLAGS))
    return -EINVAL;
  if ((how.flags & (O_CREAT | __O_TMPFILE)) ? (how.mode & ~07777ull) != 0 : how.mode != 0)
    return -EINVAL;
  if ((how.flags & O_PATH) && (how.flags & ~(uint64_t) (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
    return -EINVAL;
  if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
    return -EINVAL;
  if ((how.resolve & RESOLVE_CACHED) && (how.flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
    return -EAGAIN;
  return open_common (c, (int) c->args[0], c->args[1], (int) how.flags, (mode_t) how.mode, how.resolve);
}
