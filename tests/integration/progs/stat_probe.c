/* stat_probe: the calls that look at a path and change nothing, run inside
   a sandbox by tests/integration/test-directfs.sh. Static, so it runs alone
   in a --rootfs. For each PATH it prints one line per call:

     CALL PATH ok TYPE MODE UID GID SIZE NLINK     stat, lstat, fstatat, statx, statx-nofollow
     CALL PATH ok                                  access-{f,r,w,x}, faccessat2-{w,eaccess}
     readlink PATH ok TARGET                       (readlinkat-short: into 3 bytes)
     CALL PATH ERRNO                               a failure, by its errno name

   Nothing that differs between two sandboxes of the same root is printed
   (no device, inode or time), so two runs compare line by line.

   stat_probe [-u UID] [-C DIR] PATH...
     -u UID   become UID (and gid UID, no supplementary groups) first
     -C DIR   chdir to DIR first (relative paths start there) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
}

int
main (int argc, char **argv)
{
  int opt, i;

  while ((opt = getopt (argc, argv, "u:C:")) != -1)
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
      default: return 2;
      }
  for (i = optind; i < argc; i++)
    probe (argv[i]);
  fflush (stdout);
  return 0;
}
