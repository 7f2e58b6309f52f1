/* The app's path arguments, made absolute in the container: copied once
   from the app's memory, joined to the caller's cwd or dirfd (resolved by
   what the descriptor is), and /proc/self-style names rewritten to the
   caller's ids. The Gofer resolves the result inside the root. */
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

/* Where a dirfd (or the cwd) is, as a path in the container. The
   descriptor is judged by what it is, never by the name its /proc link
   shows: the Sentry takes its own copy (pidfd_getfd, or its procfs for the
   cwd), fstat says whether it is a directory and whether it was removed,
   and only then is the kernel's name of that same open file read. A file
   named like a directory ("/tmp/etc", a memfd, a pipe) is ENOTDIR; a
   directory whose name ends in " (deleted)" is not taken for a removed one. */
int
sb_base_dir (struct sb_call *c, int dirfd, char *out, size_t len)
{
  cleanup_close int fd = -1;
  char link[64];
  struct stat st;
  ssize_t n;

  if (dirfd == AT_FDCWD)
    {
      snprintf (link, sizeof (link), "%d/cwd", c->tid);
      fd = openat (c->s->procfd, link, O_PATH | O_CLOEXEC);
      if (fd < 0)
        return -ENOENT;
    }
  else if (dirfd < 0)
    return -EBADF;
  else if ((fd = sb_get_app_fd (c, dirfd)) < 0)
    return fd == -ESRCH ? -ESRCH : -EBADF;
  if (fstat (fd, &st) < 0)
    return -errno;
  if (!S_ISDIR (st.st_mode))
    return -ENOTDIR;
  if (st.st_nlink == 0)
    return -ENOENT;
  snprintf (link, sizeof (link), "self/fd/%d", fd);
  n = readlinkat (c->s->procfd, link, out, len - 1);
  if (n < 0)
    return -ENOENT;
  out[n] = '\0';
  /* A directory outside the container's tree (none is: every directory
     the app holds came from the Gofer or its own mount namespace). */
  if (out[0] != '/')
    return -ENOTDIR;
  return 0;
}

/* Copies a path argument; *empty tells an empty string apart (AT_EMPTY_PATH). */
int
sb_read_path (struct sb_call *c, uint64_t addr, char *raw, size_t len)
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
  ret = sb_base_dir (c, dirfd, base, sizeof (base));
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

/* The caller's own magic links in the middle of a path (or at its end,
   followed): /proc/<its pid>/cwd, /proc/<its pid>/root and a directory
   descriptor's /proc/<its pid>/fd/N, and the same under task/<its tid>/.
   The Gofer never follows magic links, so the Sentry puts in their place
   where they lead, judged as a dirfd is (sb_base_dir: what the descriptor
   is, never the name its link shows). /proc/<pid>/fd/N at the end of a
   path is left for the callers (a reopen, an fstat of the descriptor);
   other processes' links are proc_links.c's. */
static int
resolve_own_links (struct sb_call *c, char *path, size_t len, bool follow_last)
{
  char prefix[96], base[PATH_BUF], rest[PATH_BUF];
  const char *rem = NULL, *after;
  pid_t pid, tid;
  int ret, dirfd;
  size_t plen;
  long n;
  char *end;

  if (strncmp (path, "/proc/", 6) != 0 || path[6] < '0' || path[6] > '9')
    return 0;
  if ((ret = sb_inner_ids (c, &pid, &tid)) < 0)
    return ret;
  plen = snprintf (prefix, sizeof (prefix), "/proc/%d/task/%d/", pid, tid);
  if (strncmp (path, prefix, plen) == 0)
    rem = path + plen;
  else
    {
      plen = snprintf (prefix, sizeof (prefix), "/proc/%d/", pid);
      if (strncmp (path, prefix, plen) == 0)
        rem = path + plen;
    }
  if (rem == NULL || (strncmp (rem, "exe", 3) == 0 && (rem[3] == '/' || rem[3] == '\0')))
    {
      /* Another process's links, and one's own program (proc_links.c). */
      ret = sb_resolve_other_links (c, path, len, follow_last);
      return ret < 0 ? ret : 0;
    }
  if (strncmp (rem, "cwd", 3) == 0 && (rem[3] == '/' || rem[3] == '\0'))
    {
      after = rem + 3;
      if (*after == '\0' && !follow_last)
        return 0;
      if ((ret = sb_base_dir (c, AT_FDCWD, base, sizeof (base))) < 0)
        return ret;
    }
  else if (strncmp (rem, "root", 4) == 0 && (rem[4] == '/' || rem[4] == '\0'))
    {
      after = rem + 4;
      if (*after == '\0' && !follow_last)
        return 0;
      strcpy (base, "/");
    }
  else if (strncmp (rem, "fd/", 3) == 0 && rem[3] >= '0' && rem[3] <= '9')
    {
      n = strtol (rem + 3, &end, 10);
      if (*end != '/' || n < 0 || n > (1 << 20))
        return 0; /* the descriptor itself: the callers' business */
      after = end;
      dirfd = (int) n;
      if ((ret = sb_base_dir (c, dirfd, base, sizeof (base))) < 0)
        return ret == -EBADF ? -ENOENT : ret;
    }
  else
    return 0;
  snprintf (rest, sizeof (rest), "%s", after);
  if (rest[0] == '\0')
    return snprintf (path, len, "%s", base) >= (int) len ? -ENAMETOOLONG : 0;
  return sb_path_join (path, len, base, rest + 1);
}

int
sb_read_app_path (struct sb_call *c, uint64_t addr, char *raw)
{
  int ret = sb_read_path (c, addr, raw, PATH_BUF);

  if (ret < 0)
    return ret;
  return raw[0] == '\0' ? -ENOENT : 0;
}

int
sb_app_path (struct sb_call *c, int dirfd, uint64_t addr, char *out, size_t outlen)
{
  char raw[PATH_BUF];
  int ret = sb_read_app_path (c, addr, raw);

  if (ret < 0)
    return ret;
  /* A descriptor's or a /proc, /dev name's pre-steps read procfs entries
     of the caller's (a directory of descriptors is its owner's alone): as
     the Sentry, not with file credentials taken for the fast path. */
  if ((raw[0] != '/' && dirfd != AT_FDCWD) || strncmp (raw, "/proc", 5) == 0 || strncmp (raw, "/dev", 4) == 0)
    sb_direct_release (c->s);
  ret = sb_absolute_path (c, dirfd, raw, out, outlen);
  if (ret < 0)
    return ret;
  if (c->detail[0] == '\0')
    snprintf (c->detail, sizeof (c->detail), "%s", out);
  return 0;
}

int
sb_app_path_translated (struct sb_call *c, int dirfd, uint64_t addr, char *out, bool follow,
                        bool *translated, bool *magic)
{
  char before[PATH_BUF], middle[PATH_BUF];
  int ret = sb_app_path (c, dirfd, addr, out, PATH_BUF);

  if (ret < 0)
    return ret;
  if (translated)
    snprintf (before, sizeof (before), "%s", out);
  ret = translate_self (c, out, PATH_BUF, follow);
  if (magic)
    snprintf (middle, sizeof (middle), "%s", out);
  if (ret == 0)
    ret = resolve_own_links (c, out, PATH_BUF, follow);
  if (ret == 0 && translated)
    *translated = strcmp (before, out) != 0;
  if (ret == 0 && magic)
    *magic = strcmp (middle, out) != 0;
  return ret;
}

/* A path the Gofer sent back (SB_GOFER_KIND_REDIRECT): its symlinks up to
   /proc/self or /proc/thread-self replaced by their targets; those names,
   and the caller's own magic links after them, are the caller's here. */
int
sb_path_redirected (struct sb_call *c, char *path, size_t len)
{
  int ret = translate_self (c, path, len, true);

  return ret < 0 ? ret : resolve_own_links (c, path, len, true);
}

int
sb_app_path_follow (struct sb_call *c, int dirfd, uint64_t addr, char *out, bool follow)
{
  return sb_app_path_translated (c, dirfd, addr, out, follow, NULL, NULL);
}

/* An AT_EMPTY_PATH call: an empty string with the flag means the dirfd itself. */
int
sb_empty_path_fd (struct sb_call *c, int dirfd, uint64_t addr, int flags, bool *is_empty)
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

int
sb_copy_out (struct sb_call *c, uint64_t addr, const void *buf, size_t len)
{
  if (!sb_call_valid (c))
    return -ECANCELED;
  return sb_mem_write (c->tid, addr, buf, len);
}

/* "/proc/<pid>/fd/<n>" where pid is the caller's own process: the app asks to
   reopen one of its descriptors (/dev/stdout, /dev/fd/3...). */
bool
sb_own_fd_path (struct sb_call *c, const char *path, int *fdnum)
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

int
sb_fd_link_file (struct sb_call *c, const char *path)
{
  int appfd, fd;

  if (!sb_own_fd_path (c, path, &appfd))
    return sb_other_fd (c, path);
  fd = sb_get_app_fd (c, appfd);
  return fd == -EBADF ? -ENOENT : fd;
}

int
sb_fd_name (const struct sentry *s, int fd, char *out, size_t len)
{
  char link[32];
  ssize_t n;

  snprintf (link, sizeof (link), "self/fd/%d", fd);
  n = readlinkat (s->procfd, link, out, len - 1);
  if (n <= 0 || (size_t) n >= len - 1)
    return -1;
  out[n] = '\0';
  return out[0] == '/' ? 0 : -1;
}

/* The tenant's rules on the file of a descriptor, by the file's name: a
   hidden one answers ENOENT, and one changed (change) by a read-only name
   EROFS, as by their names. A file that existed at the start has a mount
   over it that answers so already: the mask of a hidden one, the
   read-only bind of a read-only one; and every file the Gofer opens by a
   read-only name comes from its read-only copy of the root
   (gofer_open.c). This is for one that appeared after the start, without
   such a mount, in an O_PATH descriptor: the kernel opens those for the
   app (sys_open.c) where the name leads, and a thread swapping the path
   after the Gofer's check may land one on a hidden name. The kernel's
   name of the Sentry's copy is the file's path in the app's mount
   namespace, which the forms are written in; a file removed meanwhile no
   longer has that name. */
int
sb_fd_check (struct sb_call *c, int fd, bool change)
{
  char name[PATH_BUF + 16];
  const struct sentry *s = c->s;

  if (s->nhidden_forms == 0 && (s->nread_only_forms == 0 || !change))
    return 0;
  if (sb_fd_name (s, fd, name, sizeof (name)) < 0)
    return 0;
  if (sb_path_under_any (name, (const char *const *) s->hidden_forms, s->nhidden_forms))
    return -ENOENT;
  if (change && sb_path_under_any (name, (const char *const *) s->read_only_forms, s->nread_only_forms))
    return -EROFS;
  return 0;
}

/* /proc/<own pid>/ns/NAME (or under task/<own tid>/): the caller's own
   namespace link, followed. Its file is a handle on a kernel object and
   is never handed to the app; only its stat is answered (sys_stat.c). */
bool
sb_own_ns_path (struct sb_call *c, const char *path, char *name, size_t len)
{
  static const char *const names[] = { "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
                                       "time", "time_for_children", "user", "uts" };
  pid_t pid, tid;
  char prefix[64];
  size_t plen, i;

  if (strncmp (path, "/proc/", 6) != 0 || strstr (path, "/ns/") == NULL)
    return false;
  if (sb_inner_ids (c, &pid, &tid) < 0)
    return false;
  plen = snprintf (prefix, sizeof (prefix), "/proc/%d/ns/", pid);
  if (strncmp (path, prefix, plen) != 0)
    {
      plen = snprintf (prefix, sizeof (prefix), "/proc/%d/task/%d/ns/", pid, tid);
      if (strncmp (path, prefix, plen) != 0)
        return false;
    }
  for (i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strcmp (path + plen, names[i]) == 0)
      {
        snprintf (name, len, "%s", names[i]);
        return true;
      }
  return false;
}
