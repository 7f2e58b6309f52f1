/* stat_probe: the calls that look at a path and change nothing, run inside
   a sandbox by tests/integration/test-directfs.sh. Static, so it runs alone
   in a --rootfs. For each PATH it prints one line per call:

     CALL PATH ok TYPE MODE UID GID SIZE NLINK     stat, lstat, fstatat, statx, statx-nofollow
     CALL PATH ok                                  access-{f,r,w,x}, faccessat2-{w,eaccess}
     readlink PATH ok TARGET                       (readlinkat-short: into 3 bytes)
     OPEN PATH ok TYPE FL CLOEXEC WHAT             open-r, openat-dir, open-nofollow,
                                                   open-nonblock, openat2-r, creat-r (open(2)
                                                   with its O_RDONLY flags), open-noatime:
                                                   the open file's type, status flags, close-
                                                   on-exec, and its first bytes (a regular
                                                   file) or its sorted listing (a directory)
     OPEN PATH ok                                  open-w, open-rdwr; after every PATH's
                                                   lines, open-trunc (O_RDONLY | O_TRUNC)
                                                   and create (PATH.new, O_CREAT | O_EXCL,
                                                   removed again) for each PATH
     CALL PATH ERRNO                               a failure, by its errno name

   Nothing that differs between two sandboxes of the same root is printed
   (no device, inode or time), so two runs compare line by line.

   stat_probe [-u UID] [-C DIR] PATH...
     -u UID   become UID (and gid UID, no supplementary groups) first
     -C DIR   chdir to DIR first (relative paths start there)
     -o       also the opens (probe_open: a truncation and a creation among them) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *
ename (int e)
{
  const char *n = strerrorname_np (e);
  return n ? n : "E?";
}

static char
type_of (mode_t m)
{
  return S_ISREG (m) ? 'f' : S_ISDIR (m) ? 'd' : S_ISLNK (m) ? 'l' : S_ISCHR (m) ? 'c' : S_ISBLK (m) ? 'b'
         : S_ISFIFO (m)                                                                ? 'p'
         : S_ISSOCK (m)                                                                ? 's'
                                                                                       : '?';
}

static void
print_stat (const char *call, const char *path, int ret, const struct stat *st)
{
  if (ret < 0)
    printf ("%s %s %s\n", call, path, ename (errno));
  else
    printf ("%s %s ok %c %04o %u %u %lld %lu\n", call, path, type_of (st->st_mode),
            (unsigned) (st->st_mode & 07777), (unsigned) st->st_uid, (unsigned) st->st_gid,
            S_ISDIR (st->st_mode) ? 0LL : (long long) st->st_size, (unsigned long) st->st_nlink);
}

static void
print_statx (const char *call, const char *path, int ret, const struct statx *x)
{
  if (ret < 0)
    printf ("%s %s %s\n", call, path, ename (errno));
  else
    printf ("%s %s ok %c %04o %u %u %lld %u\n", call, path, type_of (x->stx_mode),
            (unsigned) (x->stx_mode & 07777), x->stx_uid, x->stx_gid,
            S_ISDIR (x->stx_mode) ? 0LL : (long long) x->stx_size, x->stx_nlink);
}

static void
print_ret (const char *call, const char *path, long ret)
{
  if (ret < 0)
    printf ("%s %s %s\n", call, path, ename (errno));
  else
    printf ("%s %s ok\n", call, path);
}

static bool with_opens;

static int
by_name (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* What an open file shows: a regular file's first bytes, a directory's
   sorted names (read through this descriptor, as ls would). */
static void
print_open (const char *call, const char *path, int fd)
{
  struct stat st;
  char what[256], buf[64];
  int fl, fdfl;

  if (fd < 0)
    {
      printf ("%s %s %s\n", call, path, ename (errno));
      return;
    }
  fl = fcntl (fd, F_GETFL);
  fdfl = fcntl (fd, F_GETFD);
  what[0] = '\0';
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    {
      ssize_t n = read (fd, buf, 16), i;

      if (n < 0)
        snprintf (what, sizeof (what), "read-%s", ename (errno));
      for (i = 0; i < n; i++)
        what[i] = buf[i] >= 0x21 && buf[i] < 0x7f ? buf[i] : '.';
      if (n >= 0)
        what[n] = '\0';
    }
  else if (S_ISDIR (st.st_mode))
    {
      DIR *d = fdopendir (dup (fd));
      char *names[64];
      size_t n = 0, i, len = 0;
      struct dirent *e;

      while (d && (e = readdir (d)) != NULL && n < 64)
        names[n++] = strdup (e->d_name);
      if (d)
        closedir (d);
      qsort (names, n, sizeof (names[0]), by_name);
      for (i = 0; i < n; i++)
        {
          len += (size_t) snprintf (what + len, len < sizeof (what) ? sizeof (what) - len : 0, "%s%s",
                                    i ? "," : "", names[i]);
          if (len >= sizeof (what))
            len = sizeof (what) - 1;
          free (names[i]);
        }
    }
  printf ("%s %s ok %c %o %d %s\n", call, path, type_of (st.st_mode),
          (unsigned) (fl & (O_ACCMODE | O_NONBLOCK | O_APPEND | O_NOATIME | O_DIRECTORY)),
          fdfl >= 0 && (fdfl & FD_CLOEXEC), what);
  close (fd);
}

/* Opens that change nothing, then the writes, which the read-only rules
   refuse (a truncation only of what the sandbox may write). */
static void
probe_open (const char *path)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
  int fd;

  print_open ("open-r", path, open (path, O_RDONLY));
  print_open ("openat-dir", path, openat (AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  print_open ("open-nofollow", path, open (path, O_RDONLY | O_NOFOLLOW));
  print_open ("open-nonblock", path, open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  print_open ("open-noatime", path, open (path, O_RDONLY | O_NOATIME));
  print_open ("openat2-r", path, (int) syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof (how)));
  print_open ("sys-open-r", path, (int) syscall (SYS_open, path, O_RDONLY | 0100000 /* O_LARGEFILE */));
  fd = open (path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  print_ret ("open-w", path, fd);
  if (fd >= 0)
    close (fd);
  fd = open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  print_ret ("open-rdwr", path, fd);
  if (fd >= 0)
    close (fd);
}

/* After every path's other calls: a truncation (of what the sandbox may
   write) and a creation, removed again. */
static void
probe_writes (const char *path)
{
  char created[4200];
  int fd;

  fd = open (path, O_RDONLY | O_TRUNC | O_NONBLOCK | O_CLOEXEC);
  print_ret ("open-trunc", path, fd);
  if (fd >= 0)
    close (fd);
  snprintf (created, sizeof (created), "%s.new", path);
  fd = open (created, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  print_ret ("create", path, fd);
  if (fd >= 0)
    {
      close (fd);
      unlink (created);
    }
}

static void
probe (const char *path)
{
  struct stat st;
  struct statx x;
  char target[4096];
  ssize_t n;

  print_stat ("stat", path, stat (path, &st), &st);
  print_stat ("lstat", path, lstat (path, &st), &st);
  print_stat ("fstatat", path, fstatat (AT_FDCWD, path, &st, 0), &st);
  print_stat ("sys-stat", path, (int) syscall (SYS_stat, path, &st), &st);
  print_stat ("sys-lstat", path, (int) syscall (SYS_lstat, path, &st), &st);
  print_statx ("statx", path, statx (AT_FDCWD, path, 0, STATX_BASIC_STATS, &x), &x);
  print_statx ("statx-nofollow", path, statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x), &x);
  print_ret ("access-f", path, access (path, F_OK));
  print_ret ("access-r", path, access (path, R_OK));
  print_ret ("access-w", path, access (path, W_OK));
  print_ret ("access-x", path, access (path, X_OK));
  print_ret ("faccessat-r", path, syscall (SYS_faccessat, AT_FDCWD, path, R_OK));
  print_ret ("faccessat2-w", path, syscall (SYS_faccessat2, AT_FDCWD, path, W_OK, 0));
  print_ret ("faccessat2-eaccess", path, syscall (SYS_faccessat2, AT_FDCWD, path, R_OK, AT_EACCESS));
  n = readlink (path, target, sizeof (target) - 1);
  if (n < 0)
    printf ("readlink %s %s\n", path, ename (errno));
  else
    printf ("readlink %s ok %.*s\n", path, (int) n, target);
  n = syscall (SYS_readlinkat, AT_FDCWD, path, target, 3);
  if (n < 0)
    printf ("readlinkat-short %s %s\n", path, ename (errno));
  else
    printf ("readlinkat-short %s ok %.*s\n", path, (int) n, target);
  if (with_opens)
    probe_open (path);
}

int
main (int argc, char **argv)
{
  int opt, i;

  while ((opt = getopt (argc, argv, "u:C:o")) != -1)
    switch (opt)
      {
      case 'u':
        {
          unsigned id = (unsigned) strtoul (optarg, NULL, 10);
          if (setgroups (0, NULL) < 0 || setresgid (id, id, id) < 0 || setresuid (id, id, id) < 0)
            {
              printf ("setid %s\n", ename (errno));
              return 2;
            }
          break;
        }
      case 'C':
        if (chdir (optarg) < 0)
          {
            printf ("chdir %s %s\n", optarg, ename (errno));
            return 2;
          }
        break;
      case 'o': with_opens = true; break;
      default: return 2;
      }
  for (i = optind; i < argc; i++)
    probe (argv[i]);
  for (i = optind; with_opens && i < argc; i++)
    probe_writes (argv[i]);
  fflush (stdout);
  return 0;
}
