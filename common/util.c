#include "util.h"
#include "cleanup.h"

#include <errno.h>
#include <linux/sched.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

int
sb_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      p += n;
      len -= n;
    }
  return 0;
}

int
sb_read_all (int fd, void *buf, size_t len)
{
  char *p = buf;

  while (len > 0)
    {
      ssize_t n = read (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      if (n == 0)
        return -EIO;
      p += n;
      len -= n;
    }
  return 0;
}

int
sb_write_file (const char *path, const char *content, sb_error_t *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  int ret;

  if (fd < 0)
    return sb_error (err, errno, "open `%s`", path);
  ret = sb_write_all (fd, content, strlen (content));
  if (ret < 0)
    return sb_error (err, -ret, "write `%s` to `%s`", content, path);
  return 0;
}

ssize_t
sb_read_file_at (int dirfd, const char *path, char *buf, size_t max)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  size_t total = 0;

  if (fd < 0)
    return -errno;
  while (total + 1 < max)
    {
      ssize_t n = read (fd, buf + total, max - 1 - total);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      if (n == 0)
        break;
      total += n;
    }
  buf[total] = '\0';
  return total;
}

int
sb_proc_stat (pid_t pid, pid_t *ppid, unsigned long long *start)
{
  char path[64], buf[1024], *p;
  unsigned long long ticks;
  int parent;
  ssize_t n;

  if (pid > 0)
    snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  else
    snprintf (path, sizeof (path), "/proc/self/stat");
  n = sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf));
  if (n < 0)
    return n == -ENOENT ? -ESRCH : (int) n;
  /* After the command's closing parenthesis (it may hold any byte): the
     state (field 3), the parent (4), ... the start time (22). */
  p = strrchr (buf, ')');
  if (p == NULL
      || sscanf (p + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                 &parent, &ticks) != 2)
    return -EINVAL;
  if (ppid)
    *ppid = parent;
  if (start)
    *start = ticks;
  return 0;
}

bool
sb_proc_started_at (pid_t pid, unsigned long long start)
{
  unsigned long long now;

  return sb_proc_stat (pid, NULL, &now) == 0 && now == start;
}

bool
sb_proc_child_of (pid_t pid, pid_t parent)
{
  pid_t pp;

  return sb_proc_stat (pid, &pp, NULL) == 0 && pp == parent;
}

int
sb_wait_exit (pid_t pid, int timeout_ms)
{
  uint64_t deadline = sb_now_ns () + (uint64_t) (timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
  struct pollfd p = { .events = POLLIN };
  int r;

  p.fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (p.fd < 0)
    return errno == ESRCH ? 0 : -errno;
  for (;;)
    {
      int left = -1;

      if (timeout_ms >= 0)
        {
          uint64_t now = sb_now_ns ();
          left = now >= deadline ? 0 : (int) ((deadline - now + 999999) / 1000000);
        }
      r = poll (&p, 1, left);
      if (r > 0)
        r = 0;
      else if (r == 0)
        r = -ETIMEDOUT;
      else if (errno == EINTR)
        continue;
      else
        r = -errno;
      break;
    }
  close (p.fd);
  return r;
}

int
sb_wait_child (pid_t pid, long long timeout_s, int *status)
{
  if (timeout_s > 0)
    {
      int r = sb_wait_exit (pid, timeout_s > INT_MAX / 1000 ? INT_MAX : (int) timeout_s * 1000);

      if (r < 0)
        {
          kill (pid, SIGKILL);
          while (waitpid (pid, status, 0) < 0 && errno == EINTR)
            ;
          return r;
        }
    }
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return 0;
}

int
sb_parse_long (const char *s, long min, long max, long *out)
{
  char *end;
  long v;

  if (s == NULL || *s == '\0')
    return -EINVAL;
  errno = 0;
  v = strtol (s, &end, 10);
  if (errno || *end != '\0' || v < min || v > max)
    return -EINVAL;
  *out = v;
  return 0;
}

int
sb_path_join (char *out, size_t outlen, const char *base, const char *rel)
{
  int n;

  if (rel[0] == '/')
    n = snprintf (out, outlen, "%s", rel);
  else if (rel[0] == '\0')
    n = snprintf (out, outlen, "%s", base);
  else if (strcmp (base, "/") == 0)
    n = snprintf (out, outlen, "/%s", rel);
  else
    n = snprintf (out, outlen, "%s/%s", base, rel);
  if (n < 0 || (size_t) n >= outlen)
    return -ENAMETOOLONG;
  return 0;
}

bool
sb_path_has_prefix (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);

  if (strncmp (path, prefix, n) != 0)
    return false;
  return path[n] == '\0' || path[n] == '/';
}

bool
sb_path_under_any (const char *path, const char *const *list, int n)
{
  int i;

  for (i = 0; i < n; i++)
    if (strcmp (list[i], "/") == 0 || sb_path_has_prefix (path, list[i]))
      return true;
  return false;
}

uint64_t
sb_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void
sb_now_iso_digits (char *buf, size_t len, int digits)
{
  struct timespec ts;
  struct tm tm;
  long frac;
  size_t k;
  int i;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  k = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  for (frac = ts.tv_nsec, i = digits; i < 9; i++)
    frac /= 10;
  snprintf (buf + k, len - k, ".%0*ldZ", digits, frac);
}

void
sb_now_iso (char *buf, size_t len)
{
  sb_now_iso_digits (buf, len, 9);
}

const char *
sb_libexec_dir (void)
{
  const char *dir = getenv ("SANDBOX_LIBEXEC_DIR");

  if (dir && dir[0] == '/')
    return dir;
  return SB_LIBEXECDIR;
}

void
sb_close_fds_except (int lowfd, const int *keep, int nkeep)
{
  int fd, i, maxfd = (int) sysconf (_SC_OPEN_MAX);

  /* close_range over the gaps between kept descriptors. */
  for (fd = lowfd; fd < maxfd;)
    {
      int next_keep = maxfd;
      for (i = 0; i < nkeep; i++)
        if (keep[i] >= fd && keep[i] < next_keep)
          next_keep = keep[i];
      if (next_keep > fd)
        syscall (SYS_close_range, fd, next_keep - 1, 0);
      fd = next_keep + 1;
    }
}

int
sb_write_atomic (const char *path, const void *data, size_t len, mode_t mode)
{
  char tmp[PATH_MAX], dir[PATH_MAX], *slash;
  int fd, ret;

  if (snprintf (tmp, sizeof (tmp), "%s.tmp", path) >= (int) sizeof (tmp))
    return -ENAMETOOLONG;
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return -errno;
  ret = sb_write_all (fd, data, len);
  if (ret == 0 && fsync (fd) < 0)
    ret = -errno;
  close (fd);
  if (ret == 0 && rename (tmp, path) < 0)
    ret = -errno;
  if (ret < 0)
    {
      unlink (tmp);
      return ret;
    }
  snprintf (dir, sizeof (dir), "%s", path);
  slash = strrchr (dir, '/');
  if (slash && slash != dir)
    {
      *slash = '\0';
      fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0)
        {
          fsync (fd);
          close (fd);
        }
    }
  return 0;
}

/* --- removing a tree ---------------------------------------------------------
   Depth-first without one descriptor per level (an image layer may nest
   2,000 deep): the walk climbs back with "..", which is safe because nobody
   else writes in the trees it is used on (the image store, a container's
   record). Each directory is read in batches of subdirectory names, so a
   wide one is not read again for each of its children. It never follows a
   symlink and never enters another mount (EXDEV). */

#define REMOVE_BATCH 512

struct remove_frame
{
  char *name;              /* this directory's name in its parent */
  char **pending;          /* subdirectories still to remove */
  size_t npending, next;
};

static void
frame_clear (struct remove_frame *f)
{
  for (size_t i = f->next; i < f->npending; i++)
    free (f->pending[i]);
  free (f->pending);
  f->pending = NULL;
  f->npending = f->next = 0;
}

/* Unlinks what dirfd holds but directories; collects up to a batch of those. */
static int
remove_scan (int dirfd, struct remove_frame *f)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;
  DIR *d;

  frame_clear (f);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      return -e;
    }
  f->pending = calloc (REMOVE_BATCH, sizeof (char *));
  if (f->pending == NULL)
    {
      closedir (d);
      return -ENOMEM;
    }
  while (f->npending < REMOVE_BATCH && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd, de->d_name, 0) == 0 || errno == ENOENT)
        continue;
      if (errno != EISDIR || (f->pending[f->npending++] = strdup (de->d_name)) == NULL)
        {
          int e = errno ? errno : ENOMEM;
          closedir (d);
          return -e;
        }
    }
  closedir (d);
  return 0;
}

int
sb_remove_tree (int dirfd, const char *name)
{
  struct remove_frame *stack = NULL;
  size_t depth = 0, cap = 0;
  struct stat top, here;
  int cur, ret = 0;

  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR)
    return -errno;
  cur = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (cur < 0)
    return -errno;
  if (fstat (cur, &top) < 0)
    {
      int e = errno;
      close (cur);
      return -e;
    }
  for (;;)
    {
      struct remove_frame *f;
      int next;

      if (depth == cap)
        {
          struct remove_frame *s = realloc (stack, (cap ? 2 * cap : 16) * sizeof (*s));
          if (s == NULL)
            {
              ret = -ENOMEM;
              break;
            }
          stack = s;
          cap = cap ? 2 * cap : 16;
        }
      if (depth == 0)
        stack[depth++] = (struct remove_frame) { 0 };
      f = &stack[depth - 1];
      if (f->next == f->npending && (ret = remove_scan (cur, f)) < 0)
        break;
      if (f->npending == 0)
        {
          /* Empty now: climb, and remove it from its parent. */
          char *done = f->name;
          frame_clear (f);
          if (--depth == 0)
            break;
          next = openat (cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (next < 0 || (unlinkat (next, done, AT_REMOVEDIR) < 0 && errno != ENOENT))
            ret = -errno;
          free (done);
          close (cur);
          cur = next;
          if (ret < 0)
            break;
          continue;
        }
      next = openat (cur, f->pending[f->next], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          free (f->pending[f->next++]);
          if (errno == ENOENT)
            continue;
          ret = -errno;
          break;
        }
      if (fstat (next, &here) < 0 || here.st_dev != top.st_dev)
        {
          ret = here.st_dev != top.st_dev ? -EXDEV : -errno;
          close (next);
          break;
        }
      stack[depth++] = (struct remove_frame) { .name = f->pending[f->next++] };
      close (cur);
      cur = next;
    }
  if (cur >= 0)
    close (cur);
  while (depth > 0)
    {
      frame_clear (&stack[depth - 1]);
      free (stack[--depth].name);
    }
  free (stack);
  if (ret == 0 && unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    ret = -errno;
  return ret;
}

pid_t
sb_clone_into_cgroup (unsigned long flags, int cgroup_fd, bool *placed)
{
  *placed = false;
  if (cgroup_fd >= 0)
    {
      struct clone_args args = { .flags = (flags & ~(unsigned long) CSIGNAL) | CLONE_INTO_CGROUP,
                                 .exit_signal = flags & CSIGNAL,
                                 .cgroup = (uint64_t) cgroup_fd };
      long r = syscall (SYS_clone3, &args, sizeof (args));

      if (r >= 0)
        {
          *placed = true;
          return (pid_t) r;
        }
      /* A kernel without clone3 (ENOSYS) or without CLONE_INTO_CGROUP
         (E2BIG for the larger struct, EINVAL for the flag): a plain clone,
         and the caller moves the child. */
      if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
        return -1;
    }
  return (pid_t) syscall (SYS_clone, flags, 0, 0, 0, 0);
}

pid_t
sb_clone_in_pid_ns (int pidns, int own, unsigned long flags, int cgroup_fd, bool *placed)
{
  pid_t pid;
  int e;

  *placed = false;
  if (setns (pidns, CLONE_NEWPID) < 0)
    return -1;
  pid = sb_clone_into_cgroup (flags & ~(unsigned long) CLONE_NEWPID, cgroup_fd, placed);
  e = errno;
  if (pid != 0 && setns (own, CLONE_NEWPID) < 0)
    {
      e = errno;
      if (pid > 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, NULL, 0);
        }
      pid = -1;
    }
  errno = e;
  return pid;
}


int
sb_rlimit_by_name (const char *name)
{
  static const struct
  {
    const char *name;
    int resource;
  } names[] = {
    { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
    { "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  };

  for (size_t i = 0; name && i < sizeof (names) / sizeof (names[0]); i++)
    if (strcmp (names[i].name, name) == 0)
      return names[i].resource;
  return -1;
}

void
sb_ns_identity (const struct stat *st, char *out, size_t len)
{
  snprintf (out, len, "%llu:%llu", (unsigned long long) st->st_dev, (unsigned long long) st->st_ino);
}
