/* File and path system calls, served through the Gofer.
   Each handler copies its path once from the app (so a thread that rewrites
   the string afterwards changes nothing), checks the notification is still
   valid, makes the path absolute in the container (relative paths join the
   caller's cwd or dirfd as its /proc entry names them), and asks the Gofer,
   which resolves it inside the root. Results come back as values, bytes
   copied into the app, or descriptors installed with SECCOMP_IOCTL_NOTIF_ADDFD. */
#include "sentry.h"
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
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#define PATH_BUF SB_GOFER_PATH_MAX

/* ---- the Gofer client (main thread only) ---------------------------------- */

/* One exchange: the request (with fds to send) and its answer. */
static int
gofer_exchange (struct sentry *s, struct sb_gofer_req *hdr, const char *path, const char *path2,
                const void *data, size_t data_len, const int *sendfds, int nsend,
                struct sb_gofer_answer *ans)
{
  static char buf[SB_GOFER_MSG_MAX];
  struct sb_gofer_resp resp;
  int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i, ret;
  ssize_t n;

  hdr->id = ++s->gofer_next_id;
  n = sb_gofer_req_build (buf, sizeof (buf), hdr, path, path2, data, data_len);
  if (n < 0)
    return (int) n;
  ret = sb_send_msg (s->gofer_sock, buf, n, sendfds, nsend);
  if (ret < 0)
    return -EIO;
  n = sb_recv_msg_spin (s->gofer_sock, buf, sizeof (buf), fds, &nfds, s->cfg.no_spin ? 0 : 200000);
  if (n <= 0 || sb_gofer_resp_check (buf, n) < 0)
    {
      for (i = 0; i < nfds; i++)
        close (fds[i]);
      return -EIO;
    }
  memcpy (&resp, buf, sizeof (resp));
  if (resp.id != hdr->id)
    {
      for (i = 0; i < nfds; i++)
        close (fds[i]);
      return -EIO;
    }
  ans->result = resp.result;
  ans->kind = (int) resp.kind;
  ans->fd = nfds > 0 ? fds[0] : -1;
  for (i = 1; i < nfds; i++)
    close (fds[i]);
  ans->data_len = resp.data_len > sizeof (ans->data) ? sizeof (ans->data) : resp.data_len;
  memcpy (ans->data, buf + sizeof (resp), ans->data_len);
  return 0;
}

int
sb_gofer_call (struct sentry *s, const struct sb_gofer_req *req, const char *path,
               const char *path2, const void *data, size_t data_len,
               struct sb_gofer_answer *ans)
{
  struct sb_gofer_req hdr = *req;

  return gofer_exchange (s, &hdr, path, path2, data, data_len, NULL, 0, ans);
}

int
sb_gofer_hello (struct sentry *s, const int *fds, int nfds, struct sb_gofer_answer *ans)
{
  struct sb_gofer_req hdr = { .op = SB_GOFER_HELLO };

  return gofer_exchange (s, &hdr, NULL, NULL, NULL, 0, fds, nfds, ans);
}

static struct sb_gofer_answer answer; /* main thread only */

const struct sb_gofer_answer *
sb_gofer_answer (void)
{
  return &answer;
}

/* Every Gofer request carries the caller's credentials: the Gofer opens,
   creates and changes files as the caller. */
static int
gofer_request_cred (struct sb_call *c, struct sb_gofer_req *req)
{
  const struct sb_task_status *st;
  int ret = sb_caller_status (c, &st);

  if (ret < 0)
    return ret;
  req->cred = st->cred;
  return 0;
}

/* One Gofer round trip; returns the Gofer's result (or -EIO if it is gone). */
int
sb_gofer (struct sb_call *c, uint32_t op, const char *path, const char *path2, int flags,
       uint32_t mode, uint64_t arg, const void *data, size_t data_len)
{
  struct sb_gofer_req req = { .op = op, .flags = flags, .mode = mode, .arg = arg };
  int ret;

  ret = gofer_request_cred (c, &req);
  if (ret < 0)
    return ret;
  ret = sb_gofer_call (c->s, &req, path, path2, data, data_len, &answer);
  if (ret < 0)
    return ret;
  if (answer.result < 0 && answer.fd >= 0)
    {
      close (answer.fd);
      answer.fd = -1;
    }
  return answer.result;
}

/* ---- reading the caller's state ------------------------------------------- */

int
sb_inner_ids (struct sb_call *c, pid_t *pid, pid_t *tid)
{
  const struct sb_task_status *st;
  int ret = sb_caller_status (c, &st);

  if (ret < 0)
    return ret;
  *pid = st->nspid;
  if (tid)
    *tid = st->nstid;
  return 0;
}

static mode_t
caller_umask (struct sb_call *c)
{
  const struct sb_task_status *st;

  if (sb_caller_status (c, &st) < 0)
    return 022;
  return st->umask;
}

/* Where a dirfd (or the cwd) points, as a path in the container. */
static int
base_dir (struct sb_call *c, int dirfd, char *out, size_t len)
{
  char link[64];
  ssize_t n;

  if (dirfd == AT_FDCWD)
    snprintf (link, sizeof (link), "%d/cwd", c->tid);
  else if (dirfd < 0)
    return -EBADF;
  else
    snprintf (link, sizeof (link), "%d/fd/%d", c->tid, dirfd);
  n = readlinkat (c->s->procfd, link, out, len - 1);
  if (n < 0)
    return dirfd == AT_FDCWD ? -ENOENT : -EBADF;
  out[n] = '\0';
  if (out[0] != '/')
    return -ENOTDIR; /* a pipe, socket or anonymous file */
  if (n > 10 && strcmp (out + n - 10, " (deleted)") == 0)
    return -ENOENT;
  return 0;
}

/* Copies a path argument; *empty tells an empty string apart (AT_EMPTY_PATH). */
static int
read_path (struct sb_call *c, uint64_t addr, char *raw, size_t len)
{
  ssize_t n = sb_mem_read_string (c->tid, addr, raw, len);

  if (n < 0)
    return (int) n;
  if (!sb_call_valid (c))
    return -ECANCELED;
  return (int) n;
}

int
sb_absolute_path (struct sb_call *c, int dirfd, const char *raw, char *out, size_t outlen)
{
  char base[PATH_BUF];
  int ret;

  if (raw[0] == '/')
    return sb_path_join (out, outlen, "/", raw);
  ret = base_dir (c, dirfd, base, sizeof (base));
  if (ret < 0)
    return ret;
  return sb_path_join (out, outlen, base, raw);
}

/* /proc/self, /proc/thread-self and /dev/{fd,stdin,stdout,stderr} name the
   caller; the Gofer is not the caller, so they are rewritten to its ids
   inside the sandbox. follow_last: whether a final symlink would be followed. */
static int
translate_self (struct sb_call *c, char *path, size_t len, bool follow_last)
{
  static const struct
  {
    const char *prefix;
    const char *fd_suffix; /* NULL: keep the rest of the path */
  } dev_links[] = {
    { "/dev/stdin", "/fd/0" }, { "/dev/stdout", "/fd/1" }, { "/dev/stderr", "/fd/2" },
  };
  char rest[PATH_BUF], head[96];
  pid_t pid, tid;
  const char *tail = NULL;
  bool thread = false;
  size_t i;
  int ret;

  if (strncmp (path, "/proc/", 6) != 0 && strncmp (path, "/dev/", 5) != 0)
    return 0;
  if (sb_path_has_prefix (path, "/proc/self"))
    tail = path + 10;
  else if (sb_path_has_prefix (path, "/proc/thread-self"))
    {
      tail = path + 17;
      thread = true;
    }
  else if (sb_path_has_prefix (path, "/dev/fd") && (path[7] == '/' || follow_last))
    snprintf (rest, sizeof (rest), "/fd%s", path + 7);
  else
    {
      for (i = 0; i < 3; i++)
        if (strcmp (path, dev_links[i].prefix) == 0 && follow_last)
          {
            snprintf (rest, sizeof (rest), "%s", dev_links[i].fd_suffix);
            break;
          }
      if (i == 3)
        return 0;
    }
  if (tail && *tail == '\0' && !follow_last)
    return 0; /* lstat("/proc/self") is about the link itself */
  if (tail)
    snprintf (rest, sizeof (rest), "%s", tail);
  ret = sb_inner_ids (c, &pid, &tid);
  if (ret < 0)
    return ret;
  if (thread)
    snprintf (head, sizeof (head), "/proc/%d/task/%d", pid, tid);
  else
    snprintf (head, sizeof (head), "/proc/%d", pid);
  if (snprintf (path, len, "%s%s", head, rest) >= (int) len)
    return -ENAMETOOLONG;
  return 0;
}

int
sb_app_path (struct sb_call *c, int dirfd, uint64_t addr, char *out, size_t outlen)
{
  char raw[PATH_BUF];
  int ret = read_path (c, addr, raw, sizeof (raw));

  if (ret < 0)
    return ret;
  if (raw[0] == '\0')
    return -ENOENT;
  ret = sb_absolute_path (c, dirfd, raw, out, outlen);
  if (ret < 0)
    return ret;
  if (c->detail[0] == '\0')
    snprintf (c->detail, sizeof (c->detail), "%s", out);
  return 0;
}

/* A path argument for a call that follows (or not) its final symlink. */
static int
app_path (struct sb_call *c, int dirfd, uint64_t addr, char *out, bool follow)
{
  int ret = sb_app_path (c, dirfd, addr, out, PATH_BUF);
  if (ret < 0)
    return ret;
  return translate_self (c, out, PATH_BUF, follow);
}

/* An AT_EMPTY_PATH call: an empty string with the flag means the dirfd itself. */
static int
empty_path_fd (struct sb_call *c, int dirfd, uint64_t addr, int flags, bool *is_empty)
{
  char first;
  int ret;

  *is_empty = false;
  if (!(flags & AT_EMPTY_PATH))
    return 0;
  ret = sb_mem_read (c->tid, addr, &first, 1);
  if (ret < 0)
    return ret;
  if (first != '\0')
    return 0;
  *is_empty = true;
  if (dirfd == AT_FDCWD)
    {
      char link[64];
      snprintf (link, sizeof (link), "%d/cwd", c->tid);
      ret = openat (c->s->procfd, link, O_PATH | O_CLOEXEC);
      return ret < 0 ? -errno : ret;
    }
  return sb_get_app_fd (c, dirfd);
}

static int
copy_out (struct sb_call *c, uint64_t addr, const void *buf, size_t len)
{
  if (!sb_call_valid (c))
    return -ECANCELED;
  return sb_mem_write (c->tid, addr, buf, len);
}

/* ---- open ------------------------------------------------------------------ */

/* "/proc/<pid>/fd/<n>" where pid is the caller's own process: the app asks to
   reopen one of its descriptors (/dev/stdout, /dev/fd/3...). */
static bool
own_fd_path (struct sb_call *c, const char *path, int *fdnum)
{
  pid_t pid, tid;
  long n;
  char prefix[64];
  size_t plen;

  if (strncmp (path, "/proc/", 6) != 0 || strstr (path, "/fd/") == NULL)
    return false;
  if (sb_inner_ids (c, &pid, &tid) < 0)
    return false;
  plen = snprintf (prefix, sizeof (prefix), "/proc/%d/fd/", pid);
  if (strncmp (path, prefix, plen) != 0)
    {
      plen = snprintf (prefix, sizeof (prefix), "/proc/%d/task/%d/fd/", pid, tid);
      if (strncmp (path, prefix, plen) != 0)
        return false;
    }
  if (sb_parse_long (path + plen, 0, 1 << 20, &n) < 0)
    return false;
  *fdnum = (int) n;
  return true;
}

struct reopen_job
{
  int srcfd;
  int flags;
};

static long
reopen_blocking (struct sb_call *c, void *arg)
{
  struct reopen_job *j = arg;
  char via[32];
  long ret;
  int fd;

  snprintf (via, sizeof (via), "self/fd/%d", j->srcfd);
  /* As the caller: the kernel checks its right to open the file this way. */
  fd = sb_act_as_caller (c);
  if (fd == 0)
    {
      fd = openat (c->s->procfd, via, (j->flags & ~(O_CREAT | O_EXCL | O_CLOEXEC)) | O_CLOEXEC);
      fd = fd < 0 ? -errno : fd;
      sb_act_as_self (c);
    }
  close (j->srcfd);
  if (fd < 0)
    return fd;
  ret = sb_inject_fd (c, fd, j->flags & O_CLOEXEC);
  close (fd);
  return ret;
}

/* A reopen that may block (a FIFO waiting for its peer), on a worker thread. */
static long
reopen_later (struct sb_call *c, struct reopen_job *job)
{
  long ret = sb_run_blocking (c, reopen_blocking, job, sizeof (*job));

  if (ret != SB_RET_DONE)
    close (job->srcfd);
  return ret;
}

/* Reopens a descriptor the caller holds, never with more access than it has. */
static long
reopen_app_fd (struct sb_call *c, int appfd, int flags)
{
  struct reopen_job job = { .flags = flags };
  int fl, acc = flags & O_ACCMODE;
  struct stat st;
  long ret;

  job.srcfd = sb_get_app_fd (c, appfd);
  if (job.srcfd < 0)
    return job.srcfd == -EBADF ? -ENOENT : job.srcfd;
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
  if (S_ISFIFO (st.st_mode) && !(flags & O_NONBLOCK))
    return reopen_later (c, &job);
  ret = reopen_blocking (c, &job);
  return ret;
}

static long
open_common (struct sb_call *c, int dirfd, uint64_t pathaddr, int flags, mode_t mode)
{
  char path[PATH_BUF];
  struct reopen_job job;
  int appfd, ret;
  long fd;

  ret = app_path (c, dirfd, pathaddr, path, !(flags & O_NOFOLLOW));
  if (ret < 0)
    return ret;
  if (!(flags & O_NOFOLLOW) && own_fd_path (c, path, &appfd))
    return reopen_app_fd (c, appfd, flags);
  if (flags & (O_CREAT | O_TMPFILE))
    mode = mode & ~caller_umask (c) & 07777;
  ret = sb_gofer (c, SB_GOFER_OPEN, path, NULL, flags & ~O_CLOEXEC, mode, 0, NULL, 0);
  if (ret < 0)
    return ret;
  switch (answer.kind)
    {
    case SB_GOFER_KIND_FD:
      fd = sb_inject_fd (c, answer.fd, flags & O_CLOEXEC);
      close (answer.fd);
      return fd;
    case SB_GOFER_KIND_FIFO:
      job.srcfd = answer.fd;
      job.flags = flags;
      if (flags & O_NONBLOCK)
        return reopen_blocking (c, &job);
      return reopen_later (c, &job);
    case SB_GOFER_KIND_SYNTHETIC:
      {
        sb_error_t err = NULL;
        int sfd;

        answer.data[sizeof (answer.data) - 1] = '\0';
        sfd = sb_synthetic_open (c->s, answer.data, &err);
        sb_error_free (&err);
        if (sfd < 0)
          return sfd;
        fd = sb_inject_fd (c, sfd, flags & O_CLOEXEC);
        close (sfd);
        return fd;
      }
    default:
      if (answer.fd >= 0)
        close (answer.fd);
      return -EIO;
    }
}

long
sys_open (struct sb_call *c)
{
  return open_common (c, AT_FDCWD, c->args[0], (int) c->args[1], (mode_t) c->args[2]);
}

long
sys_openat (struct sb_call *c)
{
  return open_common (c, (int) c->args[0], c->args[1], (int) c->args[2], (mode_t) c->args[3]);
}

long
sys_creat (struct sb_call *c)
{
  return open_common (c, AT_FDCWD, c->args[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t) c->args[1]);
}

long
sys_openat2 (struct sb_call *c)
{
  struct open_how how = { 0 };
  size_t size = c->args[3];
  int ret;

  if (size < sizeof (how) || size > 4096)
    return size < sizeof (how) ? -EINVAL : -E2BIG;
  ret = sb_mem_read (c->tid, c->args[2], &how, sizeof (how));
  if (ret < 0)
    return ret;
  /* Resolution is always confined to the container root by the Gofer; the
     app's own RESOLVE_* restrictions other than these are not offered. */
  if (how.resolve & ~(RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV | RESOLVE_CACHED))
    return -EINVAL;
  if (how.flags >> 32)
    return -EINVAL;
  return open_common (c, (int) c->args[0], c->args[1],
                      (int) how.flags | ((how.resolve & RESOLVE_NO_SYMLINKS) ? O_NOFOLLOW : 0),
                      (mode_t) how.mode);
}

/* ---- stat family ----------------------------------------------------------- */

static void
statx_to_stat (const struct statx *x, struct stat *st)
{
  memset (st, 0, sizeof (*st));
  st->st_dev = makedev (x->stx_dev_major, x->stx_dev_minor);
  st->st_ino = x->stx_ino;
  st->st_nlink = x->stx_nlink;
  st->st_mode = x->stx_mode;
  st->st_uid = x->stx_uid;
  st->st_gid = x->stx_gid;
  st->st_rdev = makedev (x->stx_rdev_major, x->stx_rdev_minor);
  st->st_size = (off_t) x->stx_size;
  st->st_blksize = x->stx_blksize;
  st->st_blocks = (blkcnt_t) x->stx_blocks;
  st->st_atim.tv_sec = x->stx_atime.tv_sec;
  st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
  st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
  st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
  st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
  st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/* stat a path (or the AT_EMPTY_PATH fd) into *stx. */
static int
stat_common (struct sb_call *c, int dirfd, uint64_t addr, int flags, unsigned mask,
             struct statx *stx)
{
  char path[PATH_BUF];
  bool empty;
  int fd, ret, appfd;

  fd = empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = statx (fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, stx);
      ret = ret < 0 ? -errno : 0;
      close (fd);
      return ret;
    }
  ret = app_path (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  if (!(flags & AT_SYMLINK_NOFOLLOW) && own_fd_path (c, path, &appfd))
    {
      fd = sb_get_app_fd (c, appfd);
      if (fd < 0)
        return fd == -EBADF ? -ENOENT : fd;
      ret = statx (fd, "", AT_EMPTY_PATH, mask, stx) < 0 ? -errno : 0;
      close (fd);
      return ret;
    }
  ret = sb_gofer (c, SB_GOFER_STAT, path, NULL, flags & AT_SYMLINK_NOFOLLOW, mask, 0, NULL, 0);
  if (ret < 0)
    return ret;
  if (answer.data_len != sizeof (*stx))
    return -EIO;
  memcpy (stx, answer.data, sizeof (*stx));
  return 0;
}

static long
stat_to_app (struct sb_call *c, int dirfd, uint64_t pathaddr, int flags, uint64_t bufaddr)
{
  struct statx stx;
  struct stat st;
  int ret = stat_common (c, dirfd, pathaddr, flags, STATX_BASIC_STATS, &stx);

  if (ret < 0)
    return ret;
  statx_to_stat (&stx, &st);
  return copy_out (c, bufaddr, &st, sizeof (st));
}

long
sys_stat (struct sb_call *c)
{
  return stat_to_app (c, AT_FDCWD, c->args[0], 0, c->args[1]);
}

long
sys_lstat (struct sb_call *c)
{
  return stat_to_app (c, AT_FDCWD, c->args[0], AT_SYMLINK_NOFOLLOW, c->args[1]);
}

long
sys_newfstatat (struct sb_call *c)
{
  int flags = (int) c->args[3];

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
    return -EINVAL;
  return stat_to_app (c, (int) c->args[0], c->args[1], flags, c->args[2]);
}

long
sys_statx (struct sb_call *c)
{
  struct statx stx;
  int flags = (int) c->args[2];
  int ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
    return -EINVAL;
  ret = stat_common (c, (int) c->args[0], c->args[1], flags, (unsigned) c->args[3], &stx);
  if (ret < 0)
    return ret;
  return copy_out (c, c->args[4], &stx, sizeof (stx));
}

/* ---- access, readlink ------------------------------------------------------ */

static long
access_common (struct sb_call *c, int dirfd, uint64_t addr, int mode, int flags)
{
  char path[PATH_BUF];
  int ret;

  if (mode & ~(R_OK | W_OK | X_OK))
    return -EINVAL;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
    return -EINVAL;
  ret = app_path (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_ACCESS, path, NULL, flags & AT_SYMLINK_NOFOLLOW, (uint32_t) mode, 0,
                NULL, 0);
}

long
sys_access (struct sb_call *c)
{
  return access_common (c, AT_FDCWD, c->args[0], (int) c->args[1], 0);
}

long
sys_faccessat (struct sb_call *c)
{
  return access_common (c, (int) c->args[0], c->args[1], (int) c->args[2], 0);
}

long
sys_faccessat2 (struct sb_call *c)
{
  return access_common (c, (int) c->args[0], c->args[1], (int) c->args[2], (int) c->args[3]);
}

static long
readlink_common (struct sb_call *c, int dirfd, uint64_t addr, uint64_t buf, int64_t size)
{
  char path[PATH_BUF], target[64];
  const char *data;
  size_t len;
  int ret;

  if (size <= 0)
    return -EINVAL;
  ret = app_path (c, dirfd, addr, path, false);
  if (ret < 0)
    return ret;
  if (strcmp (path, "/proc/self") == 0 || strcmp (path, "/proc/thread-self") == 0)
    {
      pid_t pid, tid;
      if ((ret = sb_inner_ids (c, &pid, &tid)) < 0)
        return ret;
      if (path[6] == 's')
        snprintf (target, sizeof (target), "%d", pid);
      else
        snprintf (target, sizeof (target), "%d/task/%d", pid, tid);
      data = target;
      len = strlen (target);
    }
  else
    {
      ret = sb_gofer (c, SB_GOFER_READLINK, path, NULL, 0, 0, 0, NULL, 0);
      if (ret < 0)
        return ret;
      data = answer.data;
      len = answer.data_len;
    }
  if (len > (uint64_t) size)
    len = size;
  ret = copy_out (c, buf, data, len);
  return ret < 0 ? ret : (long) len;
}

long
sys_readlink (struct sb_call *c)
{
  return readlink_common (c, AT_FDCWD, c->args[0], c->args[1], (int64_t) c->args[2]);
}

long
sys_readlinkat (struct sb_call *c)
{
  return readlink_common (c, (int) c->args[0], c->args[1], c->args[2], (int64_t) c->args[3]);
}

/* ---- creating and removing names ------------------------------------------- */

static long
mkdir_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode)
{
  char path[PATH_BUF];
  int ret = app_path (c, dirfd, addr, path, false);

  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_MKDIR, path, NULL, 0, mode & ~caller_umask (c) & 07777, 0, NULL, 0);
}

long
sys_mkdir (struct sb_call *c)
{
  return mkdir_common (c, AT_FDCWD, c->args[0], (mode_t) c->args[1]);
}

long
sys_mkdirat (struct sb_call *c)
{
  return mkdir_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2]);
}

static long
mknod_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode)
{
  char path[PATH_BUF];
  mode_t type = mode & S_IFMT;
  int ret;

  if (type == S_IFCHR || type == S_IFBLK)
    return -EPERM; /* device nodes would reach host devices */
  if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
    return -EINVAL;
  ret = app_path (c, dirfd, addr, path, false);
  if (ret < 0)
    return ret;
  mode = (type ? type : S_IFREG) | (mode & ~caller_umask (c) & 07777);
  return sb_gofer (c, SB_GOFER_MKNOD, path, NULL, 0, mode, 0, NULL, 0);
}

long
sys_mknod (struct sb_call *c)
{
  return mknod_common (c, AT_FDCWD, c->args[0], (mode_t) c->args[1]);
}

long
sys_mknodat (struct sb_call *c)
{
  return mknod_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2]);
}

static long
unlink_common (struct sb_call *c, int dirfd, uint64_t addr, int flags)
{
  char path[PATH_BUF];
  int ret;

  if (flags & ~AT_REMOVEDIR)
    return -EINVAL;
  ret = app_path (c, dirfd, addr, path, false);
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_UNLINK, path, NULL, flags, 0, 0, NULL, 0);
}

long
sys_rmdir (struct sb_call *c)
{
  return unlink_common (c, AT_FDCWD, c->args[0], AT_REMOVEDIR);
}

long
sys_unlink (struct sb_call *c)
{
  return unlink_common (c, AT_FDCWD, c->args[0], 0);
}

long
sys_unlinkat (struct sb_call *c)
{
  return unlink_common (c, (int) c->args[0], c->args[1], (int) c->args[2]);
}

static long
two_paths (struct sb_call *c, uint32_t op, int d1, uint64_t a1, int d2, uint64_t a2, int flags,
           bool follow1)
{
  char p1[PATH_BUF], p2[PATH_BUF];
  int ret = app_path (c, d1, a1, p1, follow1);

  if (ret < 0)
    return ret;
  ret = app_path (c, d2, a2, p2, false);
  if (ret < 0)
    return ret;
  return sb_gofer (c, op, p1, p2, flags, 0, 0, NULL, 0);
}

long
sys_rename (struct sb_call *c)
{
  return two_paths (c, SB_GOFER_RENAME, AT_FDCWD, c->args[0], AT_FDCWD, c->args[1], 0, false);
}

long
sys_renameat (struct sb_call *c)
{
  return two_paths (c, SB_GOFER_RENAME, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], 0, false);
}

long
sys_renameat2 (struct sb_call *c)
{
  unsigned flags = (unsigned) c->args[4];

  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
    return -EINVAL;
  return two_paths (c, SB_GOFER_RENAME, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], (int) flags, false);
}

long
sys_link (struct sb_call *c)
{
  return two_paths (c, SB_GOFER_LINK, AT_FDCWD, c->args[0], AT_FDCWD, c->args[1], 0, false);
}

long
sys_linkat (struct sb_call *c)
{
  int flags = (int) c->args[4];

  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  if (flags & AT_EMPTY_PATH)
    return -ENOENT; /* needs CAP_DAC_READ_SEARCH, which the app does not have */
  return two_paths (c, SB_GOFER_LINK, (int) c->args[0], c->args[1], (int) c->args[2],
                    c->args[3], flags, (flags & AT_SYMLINK_FOLLOW) != 0);
}

static long
symlink_common (struct sb_call *c, uint64_t target_addr, int dirfd, uint64_t link_addr)
{
  char target[PATH_BUF], path[PATH_BUF];
  int ret = read_path (c, target_addr, target, sizeof (target));

  if (ret < 0)
    return ret;
  if (target[0] == '\0')
    return -ENOENT;
  ret = app_path (c, dirfd, link_addr, path, false);
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_SYMLINK, path, NULL, 0, 0, 0, target, strlen (target) + 1);
}

long
sys_symlink (struct sb_call *c)
{
  return symlink_common (c, c->args[0], AT_FDCWD, c->args[1]);
}

long
sys_symlinkat (struct sb_call *c)
{
  return symlink_common (c, c->args[0], (int) c->args[1], c->args[2]);
}

/* ---- attributes ------------------------------------------------------------ */

static long
chmod_common (struct sb_call *c, int dirfd, uint64_t addr, mode_t mode, int flags)
{
  char path[PATH_BUF];
  bool empty;
  int fd, ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  fd = empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = sb_act_as_caller (c);
      if (ret == 0)
        {
          ret = fchmod (fd, mode & 07777) < 0 ? -errno : 0;
          sb_act_as_self (c);
        }
      close (fd);
      return ret;
    }
  ret = app_path (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_CHMOD, path, NULL, flags & AT_SYMLINK_NOFOLLOW, mode & 07777, 0,
                NULL, 0);
}

long
sys_chmod (struct sb_call *c)
{
  return chmod_common (c, AT_FDCWD, c->args[0], (mode_t) c->args[1], 0);
}

long
sys_fchmodat (struct sb_call *c)
{
  return chmod_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2], 0);
}

long
sys_fchmodat2 (struct sb_call *c)
{
  return chmod_common (c, (int) c->args[0], c->args[1], (mode_t) c->args[2], (int) c->args[3]);
}

static long
chown_common (struct sb_call *c, int dirfd, uint64_t addr, uid_t uid, gid_t gid, int flags)
{
  struct sb_gofer_req req = { .op = SB_GOFER_CHOWN, .uid = uid, .gid = gid };
  char path[PATH_BUF];
  bool empty;
  int fd, ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  fd = empty_path_fd (c, dirfd, addr, flags, &empty);
  if (fd < 0)
    return fd;
  if (empty)
    {
      ret = sb_act_as_caller (c);
      if (ret == 0)
        {
          ret = fchownat (fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
          sb_act_as_self (c);
        }
      close (fd);
      return ret;
    }
  ret = app_path (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  req.flags = flags & AT_SYMLINK_NOFOLLOW;
  ret = gofer_request_cred (c, &req);
  if (ret == 0)
    ret = sb_gofer_call (c->s, &req, path, NULL, NULL, 0, &answer);
  return ret < 0 ? ret : answer.result;
}

long
sys_chown (struct sb_call *c)
{
  return chown_common (c, AT_FDCWD, c->args[0], (uid_t) c->args[1], (gid_t) c->args[2], 0);
}

long
sys_lchown (struct sb_call *c)
{
  return chown_common (c, AT_FDCWD, c->args[0], (uid_t) c->args[1], (gid_t) c->args[2],
                       AT_SYMLINK_NOFOLLOW);
}

long
sys_fchownat (struct sb_call *c)
{
  return chown_common (c, (int) c->args[0], c->args[1], (uid_t) c->args[2], (gid_t) c->args[3],
                       (int) c->args[4]);
}

static long
utimens_common (struct sb_call *c, int dirfd, uint64_t addr, const struct timespec *ts, int flags)
{
  char path[PATH_BUF];
  int ret;

  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
    return -EINVAL;
  ret = app_path (c, dirfd, addr, path, !(flags & AT_SYMLINK_NOFOLLOW));
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_UTIMENS, path, NULL, flags & AT_SYMLINK_NOFOLLOW, 0, 0, ts,
                ts ? 2 * sizeof (*ts) : 0);
}

long
sys_utimensat (struct sb_call *c)
{
  struct timespec ts[2];
  int ret;

  if (c->args[2])
    {
      ret = sb_mem_read (c->tid, c->args[2], ts, sizeof (ts));
      if (ret < 0)
        return ret;
    }
  /* A NULL path (futimens) is allowed by the filter and never gets here. */
  return utimens_common (c, (int) c->args[0], c->args[1], c->args[2] ? ts : NULL,
                         (int) c->args[3]);
}

static long
timeval_call (struct sb_call *c, int dirfd, uint64_t path, uint64_t tvaddr)
{
  struct timeval tv[2];
  struct timespec ts[2];
  int ret;

  if (tvaddr == 0)
    return utimens_common (c, dirfd, path, NULL, 0);
  ret = sb_mem_read (c->tid, tvaddr, tv, sizeof (tv));
  if (ret < 0)
    return ret;
  if (tv[0].tv_usec < 0 || tv[0].tv_usec >= 1000000 || tv[1].tv_usec < 0
      || tv[1].tv_usec >= 1000000)
    return -EINVAL;
  ts[0].tv_sec = tv[0].tv_sec;
  ts[0].tv_nsec = tv[0].tv_usec * 1000;
  ts[1].tv_sec = tv[1].tv_sec;
  ts[1].tv_nsec = tv[1].tv_usec * 1000;
  return utimens_common (c, dirfd, path, ts, 0);
}

long
sys_utimes (struct sb_call *c)
{
  return timeval_call (c, AT_FDCWD, c->args[0], c->args[1]);
}

long
sys_futimesat (struct sb_call *c)
{
  return timeval_call (c, (int) c->args[0], c->args[1], c->args[2]);
}

long
sys_utime (struct sb_call *c)
{
  struct utimbuf ub;
  struct timespec ts[2];
  int ret;

  if (c->args[1] == 0)
    return utimens_common (c, AT_FDCWD, c->args[0], NULL, 0);
  ret = sb_mem_read (c->tid, c->args[1], &ub, sizeof (ub));
  if (ret < 0)
    return ret;
  ts[0].tv_sec = ub.actime;
  ts[0].tv_nsec = 0;
  ts[1].tv_sec = ub.modtime;
  ts[1].tv_nsec = 0;
  return utimens_common (c, AT_FDCWD, c->args[0], ts, 0);
}

long
sys_truncate (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret;

  if ((int64_t) c->args[1] < 0)
    return -EINVAL;
  ret = app_path (c, AT_FDCWD, c->args[0], path, true);
  if (ret < 0)
    return ret;
  return sb_gofer (c, SB_GOFER_TRUNCATE, path, NULL, 0, 0, c->args[1], NULL, 0);
}

long
sys_statfs (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret = app_path (c, AT_FDCWD, c->args[0], path, true);

  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_STATFS, path, NULL, 0, 0, 0, NULL, 0);
  if (ret < 0)
    return ret;
  if (answer.data_len != sizeof (struct statfs))
    return -EIO;
  return copy_out (c, c->args[1], answer.data, sizeof (struct statfs));
}

long
sys_chdir (struct sb_call *c)
{
  char path[PATH_BUF];
  struct statx stx;
  int ret = app_path (c, AT_FDCWD, c->args[0], path, true);

  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_STAT, path, NULL, 0, STATX_TYPE | STATX_MODE, 0, NULL, 0);
  if (ret < 0)
    return ret;
  memcpy (&stx, answer.data, sizeof (stx));
  if (!S_ISDIR (stx.stx_mode))
    return -ENOTDIR;
  /* The kernel changes the cwd. Safe to let it re-read the path: the app's
     mount namespace holds only the container root, and a cwd grants nothing,
     since every later path call is resolved again by the Gofer. */
  return SB_RET_CONTINUE;
}

/* ---- extended attributes by path ------------------------------------------- */

long
sys_xattr (struct sb_call *c)
{
  static char value[SB_GOFER_DATA_MAX];
  char path[PATH_BUF], name[XATTR_NAME_MAX + 1];
  bool nofollow = false;
  uint32_t op;
  size_t size = 0, nlen = 0;
  int ret;

  switch (c->nr)
    {
    case SYS_lgetxattr: nofollow = true; /* fall through */
    case SYS_getxattr: op = SB_GOFER_GETXATTR; size = c->args[3]; break;
    case SYS_lsetxattr: nofollow = true; /* fall through */
    case SYS_setxattr: op = SB_GOFER_SETXATTR; size = c->args[3]; break;
    case SYS_llistxattr: nofollow = true; /* fall through */
    case SYS_listxattr: op = SB_GOFER_LISTXATTR; size = c->args[2]; break;
    case SYS_lremovexattr: nofollow = true; /* fall through */
    case SYS_removexattr: op = SB_GOFER_REMOVEXATTR; break;
    default: return -ENOSYS;
    }
  if (op != SB_GOFER_LISTXATTR)
    {
      ssize_t n = sb_mem_read_string (c->tid, c->args[1], name, sizeof (name));
      if (n < 0)
        return n == -ENAMETOOLONG ? -ERANGE : n;
      nlen = n + 1;
    }
  if (size > SB_GOFER_DATA_MAX - nlen)
    size = SB_GOFER_DATA_MAX - nlen;
  ret = app_path (c, AT_FDCWD, c->args[0], path, !nofollow);
  if (ret < 0)
    return ret;
  if (op == SB_GOFER_SETXATTR)
    {
      memcpy (value, name, nlen);
      ret = sb_mem_read (c->tid, c->args[2], value + nlen, size);
      if (ret < 0)
        return ret;
      if (!sb_call_valid (c))
        return -ECANCELED;
      return sb_gofer (c, op, path, NULL, nofollow ? AT_SYMLINK_NOFOLLOW : 0,
                    (uint32_t) c->args[4], size, value, nlen + size);
    }
  ret = sb_gofer (c, op, path, NULL, nofollow ? AT_SYMLINK_NOFOLLOW : 0, 0, size, name, nlen);
  if (ret < 0 || op == SB_GOFER_REMOVEXATTR || size == 0)
    return ret;
  if (answer.data_len > 0)
    {
      int w = copy_out (c, op == SB_GOFER_LISTXATTR ? c->args[1] : c->args[2], answer.data,
                        answer.data_len);
      if (w < 0)
        return w;
    }
  return ret;
}

/* ---- exec and inotify ------------------------------------------------------ */

long
sys_execve (struct sb_call *c)
{
  char path[PATH_BUF];
  int ret, dirfd = c->nr == SYS_execveat ? (int) c->args[0] : AT_FDCWD;
  uint64_t addr = c->nr == SYS_execveat ? c->args[1] : c->args[0];

  /* With hidden paths, ask the Gofer first, for a clean ENOENT (the mounts
     that mask them in the app's namespace are the backstop). */
  if (c->s->policy->nhidden > 0)
    {
      ret = app_path (c, dirfd, addr, path, true);
      if (ret == -ECANCELED)
        return ret;
      if (ret == 0 && sb_gofer (c, SB_GOFER_STAT, path, NULL, 0, STATX_TYPE, 0, NULL, 0) == -ENOENT)
        return -ENOENT;
    }
  /* The kernel must load the program itself, so it reads the path and argv
     again after this answer. That is safe: the caller's mount namespace
     holds only the container root (pivot_root, old root detached) with the
     hidden paths masked, so no path it can name leads out; no_new_privs
     stops set-id gains; and the new image inherits the same filter. */
  return SB_RET_CONTINUE;
}

long
sys_inotify_add_watch (struct sb_call *c)
{
  char path[PATH_BUF], via[48];
  uint32_t mask = (uint32_t) c->args[2];
  cleanup_close int ifd = -1;
  cleanup_close int target = -1;
  int ret;

  ret = app_path (c, AT_FDCWD, c->args[1], path, !(mask & IN_DONT_FOLLOW));
  if (ret < 0)
    return ret;
  ret = sb_gofer (c, SB_GOFER_WALK, path, NULL,
               ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0) | ((mask & IN_ONLYDIR) ? O_DIRECTORY : 0),
               0, 0, NULL, 0);
  if (ret < 0)
    return ret;
  target = answer.fd;
  ifd = sb_get_app_fd (c, (int) c->args[0]);
  if (ifd < 0)
    return ifd;
  /* The watch is placed on the inode the Gofer resolved, reached through the
     Sentry's own descriptor. */
  snprintf (via, sizeof (via), "/proc/self/fd/%d", target);
  ret = sb_act_as_caller (c);
  if (ret < 0)
    return ret;
  ret = inotify_add_watch (ifd, via, mask & ~IN_DONT_FOLLOW);
  ret = ret < 0 ? -errno : ret;
  sb_act_as_self (c);
  return ret;
}
