/* Other processes' magic links in the sandbox (/proc/<pid>/cwd, root,
   fd/N, exe, and under task/<tid>/): Linux follows them when the caller may
   ptrace-read the target. The Sentry finds the target in its own procfs
   (only among the app's pid namespace: never the Sentry or the Gofer),
   opens the link there with the caller's credentials so the kernel applies
   its own rule, and hands on what it found: a place in the container, which
   the Gofer then resolves inside the root, or a copy of the descriptor. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The innermost pid of a /proc/<pid> (or task/<tid>) directory of the
   Sentry's procfs, when that task is in the app's pid namespace (its NSpid
   line has two levels: the Sentry's namespace, then the app's); else -1.
   The Sentry and the Gofer have one level, and are never the app's. */
static long
app_pid_of (int dfd)
{
  char buf[2048], *line, *end;
  long outer, inner;

  if (sb_read_file_at (dfd, "status", buf, sizeof (buf)) <= 0 || (line = strstr (buf, "\nNSpid:")) == NULL)
    return -1;
  outer = strtol (line + 8, &end, 10);
  if (end == line + 8 || outer <= 0)
    return -1;
  inner = strtol (end, &line, 10);
  if (line == end || inner <= 0 || (*line != '\n' && *line != '\0'))
    return -1;
  return inner;
}

/* A directory descriptor of the Sentry's procfs for the app's process (or
   thread, under a process's task/) whose pid in the app's namespace is
   inner: the entries of dir are searched, and the status read through the
   descriptor returned, so a pid reused meanwhile is never taken for it. */
static int
open_app_task (int dirfd, long inner, long *outer)
{
  cleanup_close int d = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *dir = NULL;
  struct dirent *de;
  long n;
  int t;

  if (d < 0 || (dir = fdopendir (d)) == NULL)
    return -ENOENT;
  d = -1; /* owned by dir */
  while ((de = readdir (dir)) != NULL)
    {
      if (sb_parse_long (de->d_name, 1, 1 << 30, &n) < 0)
        continue;
      t = openat (dirfd, de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (t < 0)
        continue;
      if (app_pid_of (t) == inner)
        {
          if (outer)
            *outer = n;
          return t;
        }
      close (t);
    }
  return -ENOENT;
}

/* Opens link (O_PATH) below dir with the caller's credentials, so the
   kernel's ptrace-read rule decides: the descriptor, or -EACCES when the
   caller may not, -ENOENT when there is no such link. */
static int
open_link_as_caller (struct sb_call *c, int dir, const char *link)
{
  int fd, e;

  if ((e = sb_act_as_caller (c)) < 0)
    return e;
  fd = openat (dir, link, O_PATH | O_CLOEXEC);
  e = errno;
  sb_act_as_self (c);
  if (fd < 0)
    return e == EACCES || e == EPERM ? -EACCES : -ENOENT;
  return fd;
}

/* "/proc/<pid>/" or "/proc/<pid>/task/<tid>/" at the start of path (pid
   and tid from 1): what follows, with the numbers; NULL if not such a path. */
static const char *
pid_path_rest (const char *path, long *pid, long *tid)
{
  char *end;

  if (strncmp (path, "/proc/", 6) != 0 || path[6] < '1' || path[6] > '9')
    return NULL;
  *pid = strtol (path + 6, &end, 10);
  *tid = 0;
  if (*end != '/')
    return NULL;
  path = end + 1;
  if (strncmp (path, "task/", 5) == 0 && path[5] >= '1' && path[5] <= '9')
    {
      *tid = strtol (path + 5, &end, 10);
      if (*end != '/')
        return NULL;
      path = end + 1;
    }
  return path;
}

/* The directories of the app's process pid and, with tid, of its thread,
   in the Sentry's procfs; the outer pid and tid where asked. */
static int
open_pid_dirs (struct sb_call *c, long pid, long tid, int *pdir, int *tdir, long *outer, long *outer_tid)
{
  cleanup_close int tasks = -1;

  if ((*pdir = open_app_task (c->s->procfd, pid, outer)) < 0)
    return -ENOENT;
  if (tid > 0)
    {
      tasks = openat (*pdir, "task", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (tasks < 0 || (*tdir = open_app_task (tasks, tid, outer_tid)) < 0)
        return -ENOENT;
    }
  return 0;
}

/* Another process's magic link of the sandbox, in the middle of a path or
   followed at its end: /proc/<pid>/cwd, /proc/<pid>/root and a directory
   descriptor's /proc/<pid>/fd/N (or under task/<tid>/); and, followed at
   the end only, /proc/<pid>/exe, the caller's own too (the program, by its
   name in the container: opened, stat'ed, executed). The Sentry opens
   the link in its own procfs with the caller's credentials, so the kernel
   applies Linux's own rule (ptrace read access with the caller's fs ids and
   capabilities: same ids, or CAP_SYS_PTRACE over the target; a target that
   is not dumpable): who may not gets EACCES as on Linux. The descriptor is
   then judged as a dirfd is (what it is, then its name) and its place in
   the container put in the path, which the Gofer resolves inside the root
   as always: nothing outside the container is reachable by these names.
   Only the app's pid namespace is searched (the Sentry and the Gofer are
   not in it). A non-directory /proc/<pid>/fd/N at the end is left as it is
   (ELOOP). Returns 1 when the path was rewritten, 0 when not such a link. */
int
sb_resolve_other_links (struct sb_call *c, char *path, size_t len, bool follow_last)
{
  cleanup_close int pdir = -1, tdir = -1, fd = -1;
  char base[PATH_BUF], rest[PATH_BUF], link[64];
  const char *rem, *after, *what;
  struct stat st;
  long pid, tid, n = -1;
  pid_t own, own_tid;
  char *end;
  ssize_t k;
  int ret;

  if ((rem = pid_path_rest (path, &pid, &tid)) == NULL || pid <= 0 || tid < 0)
    return 0;
  if (strncmp (rem, "cwd", 3) == 0 && (rem[3] == '/' || rem[3] == '\0'))
    what = "cwd", after = rem + 3;
  else if (strncmp (rem, "root", 4) == 0 && (rem[4] == '/' || rem[4] == '\0'))
    what = "root", after = rem + 4;
  else if (strncmp (rem, "fd/", 3) == 0 && rem[3] >= '0' && rem[3] <= '9')
    {
      n = strtol (rem + 3, &end, 10);
      if ((*end != '/' && *end != '\0') || n < 0 || n > (1 << 20))
        return 0;
      what = "fd", after = end;
    }
  else if (strncmp (rem, "exe", 3) == 0 && (rem[3] == '/' || rem[3] == '\0'))
    what = "exe", after = rem + 3;
  else
    return 0;
  if (*after == '\0' && !follow_last)
    return 0; /* the link itself (lstat, readlink) */
  if (open_pid_dirs (c, pid, tid, &pdir, &tdir, NULL, NULL) < 0)
    return -ENOENT;
  if (n >= 0)
    snprintf (link, sizeof (link), "fd/%ld", n);
  else
    snprintf (link, sizeof (link), "%s", what);
  /* One's own program needs no permission (Linux lets a process through
     its own links even when it is not dumpable); the file itself is then
     opened with the caller's credentials by the Gofer, as any path is. */
  if (what[0] == 'e' && sb_inner_ids (c, &own, &own_tid) == 0 && pid == own)
    {
      if ((fd = openat (tid > 0 ? tdir : pdir, link, O_PATH | O_CLOEXEC)) < 0)
        return -ENOENT;
    }
  else if ((fd = open_link_as_caller (c, tid > 0 ? tdir : pdir, link)) < 0)
    return fd;
  if (fstat (fd, &st) < 0)
    return -errno;
  if (what[0] == 'e')
    {
      /* The program: followed at the end, it is the file by its name in
         the container (a program removed since, or one that is no file
         of the container, an fexecve'd memfd, is not found). */
      if (*after != '\0')
        return S_ISDIR (st.st_mode) ? -ENOENT : -ENOTDIR;
      if (st.st_nlink == 0)
        return -ENOENT;
    }
  else if (!S_ISDIR (st.st_mode))
    return *after == '\0' ? 0 : -ENOTDIR;
  if (st.st_nlink == 0)
    return -ENOENT;
  snprintf (link, sizeof (link), "self/fd/%d", fd);
  k = readlinkat (c->s->procfd, link, base, sizeof (base) - 1);
  if (k < 0)
    return -ENOENT;
  base[k] = '\0';
  if (base[0] != '/')
    return what[0] == 'e' ? -ENOENT : -ENOTDIR;
  snprintf (rest, sizeof (rest), "%s", after);
  if (rest[0] == '\0')
    return snprintf (path, len, "%s", base) >= (int) len ? -ENAMETOOLONG : 1;
  ret = sb_path_join (path, len, base, rest + 1);
  return ret < 0 ? ret : 1;
}

/* "/proc/<pid>/fd/N" (or under task/<tid>/) of another process of the
   sandbox, followed at the end of a path: a copy of that descriptor, once
   the kernel has let the caller through the link (opened with the caller's
   credentials in the Sentry's procfs: Linux's ptrace read rule), for the
   caller to reopen as it would reopen its own. 0: not such a path. */
int
sb_other_fd (struct sb_call *c, const char *path)
{
  cleanup_close int pdir = -1, tdir = -1, probe = -1, pidfd = -1;
  char link[64], buf[64];
  long pid, tid, n, outer = 0, outer_tid = 0;
  pid_t own, own_tid;
  const char *rem = pid_path_rest (path, &pid, &tid);
  char *end;
  int fd;

  if (rem == NULL || strncmp (rem, "fd/", 3) != 0 || rem[3] < '0' || rem[3] > '9')
    return 0;
  n = strtol (rem + 3, &end, 10);
  if (*end != '\0' || n > (1 << 20))
    return 0;
  if (sb_inner_ids (c, &own, &own_tid) < 0 || pid == own)
    return 0; /* one's own: sb_own_fd_path */
  if (open_pid_dirs (c, pid, tid, &pdir, &tdir, &outer, &outer_tid) < 0)
    return -ENOENT;
  snprintf (link, sizeof (link), "fd/%ld", n);
  if ((probe = open_link_as_caller (c, tid > 0 ? tdir : pdir, link)) < 0)
    return probe;
  /* The process of pdir still lives (its status reads), so its pid was
     not reused before pidfd_open. */
  pidfd = (int) syscall (SYS_pidfd_open, (pid_t) outer, 0);
  if (pidfd < 0 || sb_read_file_at (pdir, "status", buf, sizeof (buf)) <= 0)
    return -ENOENT;
  fd = (int) syscall (SYS_pidfd_getfd, pidfd, (int) n, 0);
  return fd < 0 ? -ENOENT : fd;
}

/* "/proc/<pid>/ns/NAME" (or under task/<tid>/) of another process of the
   sandbox, followed: an O_PATH descriptor of that namespace, once the
   kernel has let the caller through the link (opened with the caller's
   credentials in the Sentry's procfs: Linux's ptrace read rule, EACCES
   otherwise). Only its stat is answered from it (tools such as gdb compare
   their own namespaces with their inferior's by device and inode); like
   one's own, it is never handed to the app. 0: not such a path. */
int
sb_other_ns_fd (struct sb_call *c, const char *path)
{
  static const char *const names[] = { "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                       "time", "time_for_children", "user", "uts" };
  cleanup_close int pdir = -1, tdir = -1;
  char link[64];
  long pid, tid;
  pid_t own, own_tid;
  const char *rem = pid_path_rest (path, &pid, &tid);
  size_t i;

  if (rem == NULL || strncmp (rem, "ns/", 3) != 0)
    return 0;
  rem += 3;
  for (i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strcmp (rem, names[i]) == 0)
      break;
  if (i == sizeof (names) / sizeof (names[0]))
    return 0;
  if (sb_inner_ids (c, &own, &own_tid) < 0 || pid == own)
    return 0; /* one's own: sb_own_ns_path */
  if (open_pid_dirs (c, pid, tid, &pdir, &tdir, NULL, NULL) < 0)
    return -ENOENT;
  snprintf (link, sizeof (link), "ns/%s", names[i]);
  return open_link_as_caller (c, tid > 0 ? tdir : pdir, link);
}
