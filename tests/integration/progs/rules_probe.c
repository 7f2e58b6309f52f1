/* rules_probe: attacks on the tenant's rules, run inside a sandbox by
   tests/integration/test-rules.sh. Static, so it runs alone in a --rootfs.
   Each subcommand prints "NAME RESULT" lines (RESULT: "ok", an errno name,
   or a value) that the test compares; it never decides pass or fail itself.

   rules_probe try OP PATH [PATH2]     one call: read, stat, lstat, readlink, list,
                                       rename, rmdir, unlink, mkdir, symlink, chmod-nofollow
   rules_probe list DIR                the names getdents64 (and getdents) return
   rules_probe dirfd                   openat() relative to descriptors that are not directories
   rules_probe openat2 DIR             every RESOLVE_* flag
   rules_probe chdir-race HIDDEN N     a thread swaps chdir's path under the Sentry
   rules_probe bind-race DIR RO N      Unix binds under DIR/d while a thread exchanges
                                       DIR/d (a directory) with DIR/l (a symlink to the
                                       read-only directory RO): nothing may land in RO
   rules_probe opath-race HIDDEN N     the same for open(O_PATH), which the kernel makes
   rules_probe opath-race-change HIDDEN N
                                       the same, then chmod and utimes of each descriptor
                                       that landed elsewhere, by its /proc/self/fd name
   rules_probe connect-race-inet ADDR PORT N
                                       the same for TCP, swapped between the probe's own
                                       listener on 127.0.0.1 and ADDR:PORT (outside)
   rules_probe connect-race HIDDEN N   N connects of a Unix socket while a thread swaps its
                                       path between the probe's own socket and HIDDEN (a
                                       listener outside answers "H": a leak)
   rules_probe try create|creat|trunc PATH   open with O_CREAT|O_EXCL, O_CREAT, O_TRUNC
                                       (O_WRONLY each); "ok" if it opened, and writes
                                       "WRITTEN" through the descriptor it got
   rules_probe try fdtrunc|fdpathtrunc PATH   truncate("/proc/self/fd/N") of a read-only
                                       (or O_PATH) descriptor N of PATH
   rules_probe try fdattr-chmod|chown|xattr|utime PATH
                                       fchmod, fchown, fsetxattr, futimens of a read-only
                                       descriptor of PATH
   rules_probe try pathattr-chmod|chown|xattr|utime|emptychown PATH
                                       the same by the /proc/self/fd name of an O_PATH
                                       descriptor of PATH (fchownat "" for emptychown)
   rules_probe try fdlink PATH NEW     a link NEW of a read-only descriptor of PATH, by
                                       /proc/self/fd/N, then by AT_EMPTY_PATH
   rules_probe open-race LINK SAFE TARGET N   N opens of LINK with O_CREAT|O_TRUNC|O_WRONLY
                                       while a thread swaps LINK between SAFE and TARGET;
                                       each open that succeeds writes "RACED"
   rules_probe fifo-kill N FIFO        N openers of a FIFO killed while they wait
   rules_probe lease FILE              a lease held by the app against the Sentry's loop
   rules_probe inflight FILE           descriptors in flight up to the tenant's quota */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static const char *
ename (int e)
{
  const char *n = strerrorname_np (e);
  return n ? n : "E?";
}

static void
result (const char *name, long ret)
{
  if (ret < 0)
    printf ("%s %s\n", name, ename (errno));
  else
    printf ("%s ok\n", name);
  fflush (stdout);
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- one call --------------------------------------------------------------- */

static int
cmd_try (int argc, char **argv)
{
  const char *op = argv[2], *p = argv[3], *q = argc > 4 ? argv[4] : NULL;
  char buf[4096];
  struct stat st;
  long r = -1;

  if (strcmp (op, "read") == 0)
    {
      int fd = open (p, O_RDONLY);
      r = fd;
      if (fd >= 0)
        {
          ssize_t n = read (fd, buf, sizeof (buf) - 1);
          close (fd);
          if (n >= 0)
            {
              buf[n] = '\0';
              printf ("%s %s ok %zd\n", op, p, n);
              return 0;
            }
          r = -1;
        }
    }
  else if (strcmp (op, "stat") == 0)
    r = stat (p, &st);
  else if (strcmp (op, "lstat") == 0)
    r = lstat (p, &st);
  else if (strcmp (op, "readlink") == 0)
    r = readlink (p, buf, sizeof (buf));
  else if (strcmp (op, "rename") == 0)
    r = rename (p, q);
  else if (strcmp (op, "rmdir") == 0)
    r = rmdir (p);
  else if (strcmp (op, "unlink") == 0)
    r = unlink (p);
  else if (strcmp (op, "mkdir") == 0)
    r = mkdir (p, 0755);
  else if (strcmp (op, "symlink") == 0)
    r = symlink (q, p);
  else if (strcmp (op, "lchown") == 0)
    r = lchown (p, 0, 0);
  else if (strcmp (op, "create") == 0 || strcmp (op, "creat") == 0 || strcmp (op, "trunc") == 0)
    {
      int flags = O_WRONLY | (strcmp (op, "trunc") == 0 ? O_TRUNC : O_CREAT)
                  | (strcmp (op, "create") == 0 ? O_EXCL : 0);
      int fd = open (p, flags, 0644);
      r = fd;
      if (fd >= 0)
        {
          if (write (fd, "WRITTEN\n", 8) != 8)
            r = -1;
          close (fd);
        }
    }
  else if (strcmp (op, "fdlink") == 0)
    {
      /* A second name, by the descriptor, for a read-only file (PATH2). */
      int fd = open (p, O_RDONLY);
      r = fd;
      if (fd >= 0)
        {
          snprintf (buf, sizeof (buf), "/proc/self/fd/%d", fd);
          r = linkat (AT_FDCWD, buf, AT_FDCWD, q, AT_SYMLINK_FOLLOW);
          if (r < 0)
            {
              int e = errno;
              r = linkat (fd, "", AT_FDCWD, q, AT_EMPTY_PATH);
              if (r < 0 && errno != e)
                errno = EPROTO; /* the two ways disagree */
            }
          close (fd);
        }
    }
  else if (strcmp (op, "fdtrunc") == 0 || strcmp (op, "fdpathtrunc") == 0)
    {
      /* Truncated by its /proc/self/fd name, through a read-only (or
         O_PATH) descriptor. */
      int fd = open (p, strcmp (op, "fdtrunc") == 0 ? O_RDONLY : O_PATH);
      r = fd;
      if (fd >= 0)
        {
          snprintf (buf, sizeof (buf), "/proc/self/fd/%d", fd);
          r = truncate (buf, 0);
          close (fd);
        }
    }
  else if (strncmp (op, "fdattr-", 7) == 0 || strncmp (op, "pathattr-", 9) == 0)
    {
      /* The file's mode, owner, extended attributes or times changed
         through a descriptor: a read-only one with the f* calls (which run
         on the host), an O_PATH one by its /proc/self/fd name (which the
         Sentry follows). */
      static const struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
      bool by_path = op[0] == 'p';
      const char *what = op + (by_path ? 9 : 7);
      int fd = open (p, by_path ? O_PATH : O_RDONLY);
      r = fd;
      if (fd >= 0)
        {
          snprintf (buf, sizeof (buf), "/proc/self/fd/%d", fd);
          if (strcmp (what, "chmod") == 0)
            r = by_path ? chmod (buf, 0666) : fchmod (fd, 0666);
          else if (strcmp (what, "chown") == 0)
            r = by_path ? chown (buf, 1, 1) : fchown (fd, 1, 1);
          else if (strcmp (what, "xattr") == 0)
            r = by_path ? setxattr (buf, "user.rp", "1", 1, 0) : fsetxattr (fd, "user.rp", "1", 1, 0);
          else if (strcmp (what, "utime") == 0)
            r = by_path ? utimensat (AT_FDCWD, buf, ts, 0) : futimens (fd, ts);
          else if (strcmp (what, "emptychown") == 0)
            r = fchownat (fd, "", 1, 1, AT_EMPTY_PATH);
          else
            {
              fprintf (stderr, "unknown op %s\n", op);
              return 2;
            }
          close (fd);
        }
    }
  else if (strcmp (op, "write") == 0)
    {
      int fd = open (p, O_WRONLY | O_APPEND);
      r = fd;
      if (fd >= 0)
        close (fd);
    }
  else
    {
      fprintf (stderr, "unknown op %s\n", op);
      return 2;
    }
  if (r < 0)
    printf ("%s %s %s\n", op, p, ename (errno));
  else
    printf ("%s %s ok\n", op, p);
  return 0;
}

/* ---- listings ---------------------------------------------------------------- */

static int
cmd_list (const char *dir, bool old)
{
  char buf[512]; /* small: many calls, some with every entry filtered */
  int fd = open (dir, O_RDONLY | O_DIRECTORY);
  long n;

  if (fd < 0)
    {
      printf ("list %s %s\n", dir, ename (errno));
      return 0;
    }
  while ((n = syscall (old ? SYS_getdents : SYS_getdents64, fd, buf, sizeof (buf))) > 0)
    {
      long at = 0;
      while (at < n)
        {
          unsigned short reclen = *(unsigned short *) (buf + at + 16);
          const char *name = old ? buf + at + 18 : buf + at + 19;
          printf ("name %s\n", name);
          at += reclen;
        }
    }
  if (n < 0)
    printf ("list %s %s\n", dir, ename (errno));
  close (fd);
  return 0;
}

/* ---- descriptors that are not directories ------------------------------------ */

static int
cmd_dirfd (void)
{
  int p[2], sv[2], fd;
  char dir[] = "/tmp/rp-dirfd (deleted)";

  /* A regular file whose name reads like a directory. */
  mkdir ("/tmp/rp-etc-dir", 0755);
  fd = open ("/tmp/rp-etc", O_CREAT | O_RDWR, 0644);
  result ("regular-file", openat (fd, "passwd", O_RDONLY));
  result ("regular-file-dotdot", openat (fd, "../rp-etc-dir", O_RDONLY));
  close (fd);
  fd = memfd_create ("x/../../etc", 0);
  result ("memfd", openat (fd, "passwd", O_RDONLY));
  close (fd);
  if (pipe (p) == 0)
    {
      result ("pipe", openat (p[0], "x", O_RDONLY));
      close (p[0]);
      close (p[1]);
    }
  if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) == 0)
    {
      result ("socket", openat (sv[0], "x", O_RDONLY));
      close (sv[0]);
      close (sv[1]);
    }
  /* A live directory whose name ends like a removed one's. */
  mkdir (dir, 0755);
  close (open ("/tmp/rp-dirfd (deleted)/f", O_CREAT | O_WRONLY, 0644));
  fd = open (dir, O_RDONLY | O_DIRECTORY);
  result ("deleted-looking-dir", openat (fd, "f", O_RDONLY));
  close (fd);
  /* A removed directory. */
  mkdir ("/tmp/rp-gone", 0755);
  fd = open ("/tmp/rp-gone", O_RDONLY | O_DIRECTORY);
  rmdir ("/tmp/rp-gone");
  result ("removed-dir", openat (fd, "f", O_RDONLY | O_CREAT, 0644));
  close (fd);
  return 0;
}

/* ---- openat2 ----------------------------------------------------------------- */

static long
o2 (int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
  struct open_how how = { .flags = flags, .resolve = resolve };
  long fd = syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
  if (fd >= 0)
    close ((int) fd);
  return fd;
}

static int
cmd_openat2 (const char *dir)
{
  int d;
  char path[512];

  /* dir/sub, dir/link -> sub, dir/abs -> /etc, dir/file */
  snprintf (path, sizeof (path), "%s/sub", dir);
  mkdir (dir, 0755);
  mkdir (path, 0755);
  snprintf (path, sizeof (path), "%s/sub/file", dir);
  close (open (path, O_CREAT | O_WRONLY, 0644));
  snprintf (path, sizeof (path), "%s/link", dir);
  if (symlink ("sub", path) < 0 && errno != EEXIST)
    return 2;
  snprintf (path, sizeof (path), "%s/abs", dir);
  if (symlink ("/etc", path) < 0 && errno != EEXIST)
    return 2;
  snprintf (path, sizeof (path), "%s/etc", dir);
  mkdir (path, 0755);
  snprintf (path, sizeof (path), "%s/etc/passwd", dir);
  close (open (path, O_CREAT | O_WRONLY, 0644));
  d = open (dir, O_RDONLY | O_DIRECTORY);

  result ("plain", o2 (d, "link/file", O_RDONLY, 0));
  result ("no-symlinks-middle", o2 (d, "link/file", O_RDONLY, RESOLVE_NO_SYMLINKS));
  result ("no-symlinks-plain", o2 (d, "sub/file", O_RDONLY, RESOLVE_NO_SYMLINKS));
  result ("no-symlinks-proc-self", o2 (AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_SYMLINKS));
  result ("no-magiclinks", o2 (AT_FDCWD, "/proc/self/fd/0", O_RDONLY, RESOLVE_NO_MAGICLINKS));
  result ("no-xdev-cross", o2 (AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_XDEV));
  result ("no-xdev-same", o2 (d, "sub/file", O_RDONLY, RESOLVE_NO_XDEV));
  result ("beneath-inside", o2 (d, "sub/file", O_RDONLY, RESOLVE_BENEATH));
  result ("beneath-dotdot", o2 (d, "../", O_RDONLY, RESOLVE_BENEATH));
  result ("beneath-absolute", o2 (d, "/etc/passwd", O_RDONLY, RESOLVE_BENEATH));
  result ("beneath-abs-symlink", o2 (d, "abs/passwd", O_RDONLY, RESOLVE_BENEATH));
  /* In the root dir: "/etc/passwd" and "abs" (-> /etc) both mean dir/etc. */
  result ("in-root-absolute", o2 (d, "/etc/passwd", O_RDONLY, RESOLVE_IN_ROOT));
  result ("in-root-dotdot", o2 (d, "../../../etc/passwd", O_RDONLY, RESOLVE_IN_ROOT));
  result ("in-root-abs-symlink", o2 (d, "abs/passwd", O_RDONLY, RESOLVE_IN_ROOT));
  result ("in-root-outside", o2 (d, "../../../bin", O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT));
  result ("beneath-and-in-root", o2 (d, "sub", O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
  result ("cached-create", o2 (d, "new", O_RDWR | O_CREAT, RESOLVE_CACHED));
  result ("unknown-flag", o2 (d, "sub/file", O_RDONLY, 0x80));
  close (d);
  return 0;
}

/* ---- chdir under a second thread ---------------------------------------------- */

static char race_path[256];
static volatile int race_stop;
static const char *race_hidden;

static void *
swapper (void *arg)
{
  (void) arg;
  while (!race_stop)
    {
      strcpy (race_path, "/tmp");
      strcpy (race_path, race_hidden);
    }
  return NULL;
}

static void *
swapper_file (void *arg)
{
  (void) arg;
  while (!race_stop)
    {
      strcpy (race_path, "/tmp/rp-plain");
      strcpy (race_path, race_hidden);
    }
  return NULL;
}

/* Runs what the kernel resolves against the cwd alone: execve of "./x",
   a script whose "#!" interpreter is "./x"; and what the Sentry resolves:
   open("x"). */
static int
probe_cwd (void)
{
  int fd, status;
  pid_t pid;
  char cwd[256];
  int leaks = 0;

  if (getcwd (cwd, sizeof (cwd)) && strcmp (cwd, "/tmp") != 0)
    printf ("landed %s\n", cwd);
  fd = open ("x", O_RDONLY);
  if (fd >= 0)
    {
      leaks++;
      printf ("leak open-relative\n");
      close (fd);
    }
  pid = fork ();
  if (pid == 0)
    {
      char *args[] = { "./x", NULL };
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, 1);
      execve ("./x", args, NULL);
      _exit (errno == ENOENT ? 100 : 101);
    }
  waitpid (pid, &status, 0);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 42)
    {
      leaks++;
      printf ("leak execve\n");
    }
  pid = fork ();
  if (pid == 0)
    {
      char *args[] = { "/tmp/rp-script", NULL };
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, 1);
      execve ("/tmp/rp-script", args, NULL);
      _exit (100);
    }
  waitpid (pid, &status, 0);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 42)
    {
      leaks++;
      printf ("leak interpreter\n");
    }
  return leaks;
}

static int
cmd_chdir_race (const char *hidden, int n)
{
  pthread_t th;
  int i, fd, leaks = 0, landed = 0, direct;
  char cwd[256];

  /* A script whose interpreter is "./x", relative to the cwd. */
  fd = open ("/tmp/rp-script", O_CREAT | O_TRUNC | O_WRONLY, 0755);
  if (fd < 0 || write (fd, "#!./x\n", 6) != 6)
    return 2;
  close (fd);
  direct = chdir (hidden);
  printf ("chdir-direct %s\n", direct < 0 ? ename (errno) : "ok");
  if (direct == 0)
    leaks += probe_cwd ();
  race_hidden = hidden;
  strcpy (race_path, "/tmp");
  pthread_create (&th, NULL, swapper, NULL);
  for (i = 0; i < n; i++)
    {
      if (chdir (race_path) < 0 && chdir ("/tmp") < 0)
        continue;
      if (getcwd (cwd, sizeof (cwd)) && strcmp (cwd, "/tmp") != 0)
        {
          landed++;
          leaks += probe_cwd ();
        }
      if (chdir ("/tmp") < 0)
        return 2;
    }
  race_stop = 1;
  pthread_join (th, NULL);
  printf ("landed-count %d\nleaks %d\n", landed, leaks);
  return 0;
}

/* An O_PATH open is checked by the Gofer and made by the kernel: a thread
   swaps the path to HIDDEN (a file whose first bytes are "SHADOW") after
   the check. Whatever descriptor the race yields must show nothing of it:
   not its size, not its content through a reopen of /proc/self/fd/N, and
   it must not open anything by its name. */
static int
cmd_opath_race (const char *hidden, int n, bool change)
{
  pthread_t th;
  int i, fd, leaks = 0, landed = 0, changed = 0, direct;
  char via[64], buf[16];
  struct stat st, plain;

  fd = open ("/tmp/rp-plain", O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0 || write (fd, "plain-file-text", 15) != 15)
    return 2;
  close (fd);
  stat ("/tmp/rp-plain", &plain);
  direct = open (hidden, O_PATH);
  printf ("opath-direct %s\n", direct < 0 ? ename (errno) : "ok");
  if (direct >= 0)
    close (direct);
  race_hidden = hidden;
  race_stop = 0;
  strcpy (race_path, "/tmp/rp-plain");
  pthread_create (&th, NULL, swapper_file, NULL);
  for (i = 0; i < n; i++)
    {
      int r;
      fd = open (race_path, O_PATH);
      if (fd < 0)
        continue;
      snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
      if (fstat (fd, &st) == 0 && st.st_ino != plain.st_ino)
        {
          landed++;
          if (change)
            {
              /* What the descriptor's name lets the Sentry change: the
                 file's mode and times (sb_fd_check). */
              static const struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
              if (chmod (via, 0600) == 0)
                changed++;
              if (utimensat (AT_FDCWD, via, ts, 0) == 0)
                changed++;
            }
          else if (st.st_size >= 6)
            {
              leaks++;
              printf ("leak size %lld\n", (long long) st.st_size);
            }
        }
      r = open (via, O_RDONLY);
      if (r >= 0)
        {
          ssize_t k = read (r, buf, sizeof (buf));
          if (k >= 6 && memcmp (buf, "SHADOW", 6) == 0)
            {
              leaks++;
              printf ("leak reopen\n");
            }
          close (r);
        }
      close (fd);
    }
  race_stop = 1;
  pthread_join (th, NULL);
  printf ("landed-count %d\nleaks %d\n", landed, leaks);
  if (change)
    printf ("changed %d\n", changed);
  return 0;
}

/* ---- connect() of a Unix socket under a racing thread ----------------------------- */

static struct sockaddr_un race_addr = { .sun_family = AF_UNIX };

static void *
swapper_sock (void *arg)
{
  (void) arg;
  /* Each path stays whole for a moment: swapped back to back, nearly
     every read, the Sentry's or the kernel's, caught one half-written (a
     name that does not exist), and the race reached nothing even where
     nothing stops it. (The barriers keep the compiler from merging the
     stores, which no code of this thread reads.) */
  while (!race_stop)
    {
      strcpy (race_addr.sun_path, "/tmp/rp-ok.sock");
      __asm__ volatile ("" ::: "memory");
      for (volatile int k = 0; k < 300; k++)
        ;
      strcpy (race_addr.sun_path, race_hidden);
      __asm__ volatile ("" ::: "memory");
      for (volatile int k = 0; k < 300; k++)
        ;
    }
  return NULL;
}

/* The probe's own listener: answers "O" to whoever connects. */
static void *
own_listener (void *arg)
{
  int l = *(int *) arg, a;

  while ((a = accept (l, NULL, NULL)) >= 0)
    {
      if (write (a, "O", 1) != 1)
        break;
      close (a);
    }
  return NULL;
}

/* N connects of new DOMAIN stream sockets to *addr, which swap rewrites
   meanwhile; a listener outside answers "H" (a leak), the probe's
   own "O". */
static int
connect_race_loop (int domain, const struct sockaddr *addr, socklen_t len, void *(*swap) (void *), int n)
{
  int i, fd, leaks = 0, own = 0;
  pthread_t th;
  char b;

  race_stop = 0;
  pthread_create (&th, NULL, swap, NULL);
  for (i = 0; i < n; i++)
    {
      fd = socket (domain, SOCK_STREAM, 0);
      if (connect (fd, addr, len) == 0 && read (fd, &b, 1) == 1)
        {
          if (b == 'H')
            leaks++;
          else
            own++;
        }
      close (fd);
    }
  race_stop = 1;
  pthread_join (th, NULL);
  printf ("connect-race own %d\nleaks %d\n", own, leaks);
  return 0;
}

/* N connects while a thread swaps the path between a socket of the probe's
   own and HIDDEN (a socket whose listener, outside the sandbox, answers
   "H"). Where the app's own connect runs (network mode none), the kernel
   resolves the path again, in the app's mount namespace: every "H" read
   is a leak. */
static int
cmd_connect_race (const char *hidden, int n)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  pthread_t lt;
  int l, fd, direct;

  unlink ("/tmp/rp-ok.sock");
  l = socket (AF_UNIX, SOCK_STREAM, 0);
  strcpy (sun.sun_path, "/tmp/rp-ok.sock");
  if (l < 0 || bind (l, (struct sockaddr *) &sun, sizeof (sun)) < 0 || listen (l, 64) < 0)
    return 2;
  pthread_create (&lt, NULL, own_listener, &l);
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  snprintf (sun.sun_path, sizeof (sun.sun_path), "%s", hidden);
  direct = connect (fd, (struct sockaddr *) &sun, sizeof (sun));
  printf ("connect-direct %s\n", direct < 0 ? ename (errno) : "ok");
  close (fd);
  race_hidden = hidden;
  strcpy (race_addr.sun_path, "/tmp/rp-ok.sock");
  return connect_race_loop (AF_UNIX, (struct sockaddr *) &race_addr, sizeof (race_addr), swapper_sock, n);
}

/* The same for TCP: N connects while a thread swaps the address between
   the probe's own listener on 127.0.0.1 and ADDR:PORT (a listener outside
   the sandbox that answers "H"). In network mode none the app's own
   connect reads the address again; the sandbox's network namespace has
   no way out of its loopback, so every "H" read is a leak. */
static struct sockaddr_in race_in;
static struct sockaddr_in race_in_a, race_in_b;

static void *
swapper_in (void *arg)
{
  (void) arg;
  while (!race_stop)
    {
      race_in = race_in_a;
      __asm__ volatile ("" ::: "memory");
      for (volatile int k = 0; k < 300; k++)
        ;
      race_in = race_in_b;
      __asm__ volatile ("" ::: "memory");
      for (volatile int k = 0; k < 300; k++)
        ;
    }
  return NULL;
}

static int
cmd_connect_race_inet (const char *addr, int port, int n)
{
  socklen_t len = sizeof (race_in_a);
  pthread_t lt;
  int l, fd, direct;

  race_in_a.sin_family = AF_INET;
  race_in_a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  l = socket (AF_INET, SOCK_STREAM, 0);
  if (l < 0 || bind (l, (struct sockaddr *) &race_in_a, sizeof (race_in_a)) < 0 || listen (l, 64) < 0
      || getsockname (l, (struct sockaddr *) &race_in_a, &len) < 0)
    return 2;
  race_in_b.sin_family = AF_INET;
  race_in_b.sin_port = htons ((uint16_t) port);
  if (inet_pton (AF_INET, addr, &race_in_b.sin_addr) != 1)
    return 2;
  pthread_create (&lt, NULL, own_listener, &l);
  fd = socket (AF_INET, SOCK_STREAM, 0);
  direct = connect (fd, (struct sockaddr *) &race_in_b, sizeof (race_in_b));
  printf ("connect-direct %s\n", direct < 0 ? ename (errno) : "ok");
  close (fd);
  race_in = race_in_a;
  return connect_race_loop (AF_INET, (struct sockaddr *) &race_in, sizeof (race_in), swapper_in, n);
}

/* ---- open(O_CREAT|O_TRUNC) through a swapped symlink ------------------------------ */

static const char *swap_link, *swap_a, *swap_b;
static volatile int swap_stop;

static void *
swapper_link (void *arg)
{
  char tmp[4096];
  unsigned i = 0;

  (void) arg;
  snprintf (tmp, sizeof (tmp), "%s.new", swap_link);
  while (!swap_stop)
    {
      unlink (tmp);
      if (symlink ((i++ & 1) ? swap_b : swap_a, tmp) == 0)
        rename (tmp, swap_link);
    }
  unlink (tmp);
  return NULL;
}

static int
cmd_open_race (const char *link, const char *safe, const char *target, int n)
{
  pthread_t th;
  int i, fd, opened = 0;

  swap_link = link;
  swap_a = safe;
  swap_b = target;
  swap_stop = 0;
  pthread_create (&th, NULL, swapper_link, NULL);
  for (i = 0; i < n; i++)
    {
      fd = open (link, O_CREAT | O_TRUNC | O_WRONLY, 0644);
      if (fd < 0)
        continue;
      opened++;
      if (write (fd, "RACED\n", 6) != 6)
        printf ("write %s\n", ename (errno));
      close (fd);
    }
  swap_stop = 1;
  pthread_join (th, NULL);
  printf ("open-race %d opened %d\n", n, opened);
  return 0;
}

/* ---- Unix binds under a racing rename -------------------------------------------- */

static const char *xchg_a, *xchg_b;

static void *
exchanger (void *arg)
{
  (void) arg;
  while (!race_stop)
    syscall (SYS_renameat2, AT_FDCWD, xchg_a, AT_FDCWD, xchg_b, 2 /* RENAME_EXCHANGE */);
  return NULL;
}

/* The Sentry binds a checked Unix path under the app's own name, and the
   kernel resolves that name again: DIR/d may be the symlink to RO by then.
   Whatever is bound must not be in RO. */
static int
cmd_bind_race (const char *dir, const char *ro, int n)
{
  char d[256], l[256], path[300];
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int i, s, bound = 0, landed = 0;
  struct dirent *e;
  pthread_t th;
  DIR *dp;

  snprintf (d, sizeof (d), "%s/d", dir);
  snprintf (l, sizeof (l), "%s/l", dir);
  mkdir (dir, 0755);
  mkdir (d, 0755);
  if (symlink (ro, l) < 0 && errno != EEXIST)
    return 2;
  s = socket (AF_UNIX, SOCK_STREAM, 0);
  snprintf (sun.sun_path, sizeof (sun.sun_path), "%s/direct", ro);
  printf ("bind-direct %s\n", bind (s, (struct sockaddr *) &sun, sizeof (sun)) < 0 ? ename (errno) : "ok");
  close (s);
  xchg_a = d;
  xchg_b = l;
  race_stop = 0;
  pthread_create (&th, NULL, exchanger, NULL);
  for (i = 0; i < n; i++)
    {
      s = socket (AF_UNIX, SOCK_STREAM, 0);
      snprintf (sun.sun_path, sizeof (sun.sun_path), "%s/d/s%d", dir, i);
      if (bind (s, (struct sockaddr *) &sun, sizeof (sun)) == 0)
        bound++;
      close (s);
    }
  race_stop = 1;
  pthread_join (th, NULL);
  dp = opendir (ro);
  while (dp && (e = readdir (dp)))
    if (e->d_name[0] == 's' || strcmp (e->d_name, "direct") == 0)
      {
        landed++;
        snprintf (path, sizeof (path), "%s/%s", ro, e->d_name);
        printf ("landed %s\n", path);
      }
  if (dp)
    closedir (dp);
  printf ("bind-race bound %d\nbind-race landed %d\n", bound, landed);
  return 0;
}

/* ---- FIFO openers killed while they wait --------------------------------------- */

static int
cmd_fifo_kill (int n, const char *fifo)
{
  int i, fd, status;
  pid_t pid;
  double t0;

  unlink (fifo);
  if (mkfifo (fifo, 0600) < 0)
    {
      printf ("mkfifo %s\n", ename (errno));
      return 1;
    }
  for (i = 0; i < n; i++)
    {
      int go[2];
      char byte;

      if (pipe (go) < 0)
        return 2;
      pid = fork ();
      if (pid == 0)
        {
          close (go[0]);
          if (write (go[1], "g", 1) != 1)
            _exit (2);
          open (fifo, O_RDONLY); /* no writer ever comes */
          _exit (1);
        }
      close (go[1]);
      /* Killed once its open surely waits in the Sentry. */
      if (read (go[0], &byte, 1) != 1)
        return 2;
      close (go[0]);
      usleep (10000);
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
    }
  /* Now an open that waits for a real peer must still be served. */
  t0 = now ();
  pid = fork ();
  if (pid == 0)
    {
      usleep (200000);
      fd = open (fifo, O_WRONLY);
      _exit (fd < 0 ? 1 : 0);
    }
  fd = open (fifo, O_RDONLY);
  printf ("after %d killed openers: blocking open %s (%.1f s)\n", n, fd < 0 ? ename (errno) : "ok",
          now () - t0);
  waitpid (pid, &status, 0);
  return 0;
}

/* ---- a lease the app holds ------------------------------------------------------ */

static volatile sig_atomic_t lease_broken;
static int lease_fd = -1;

/* The break is announced: give the lease up two seconds later, as a
   holder that takes its time to flush would. */
static void
on_sigio (int sig)
{
  (void) sig;
  if (!lease_broken)
    alarm (2);
  lease_broken = 1;
}

static void
on_alarm (int sig)
{
  (void) sig;
  fcntl (lease_fd, F_SETLEASE, F_UNLCK);
}

static int
cmd_lease (const char *file)
{
  int fd, status, pfd[2];
  pid_t pid;
  double t0, t;
  struct stat st;

  fd = open (file, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || pipe (pfd) < 0)
    return 2;
  lease_fd = fd;
  signal (SIGIO, on_sigio);
  signal (SIGALRM, on_alarm);
  if (fcntl (fd, F_SETLEASE, F_WRLCK) < 0)
    {
      printf ("setlease %s\n", ename (errno));
      return 0;
    }
  /* Another process: every mediated call it makes while the lease is being
     broken must be served at once. */
  pid = fork ();
  if (pid == 0)
    {
      char byte;
      double worst = 0;
      if (read (pfd[0], &byte, 1) != 1)
        _exit (2);
      for (int i = 0; i < 40; i++)
        {
          double a = now ();
          stat ("/", &st);
          if (now () - a > worst)
            worst = now () - a;
          usleep (50000);
        }
      printf ("stat during the lease break: worst %.2f s\n", worst);
      fflush (stdout);
      _exit (0);
    }
  if (write (pfd[1], "g", 1) != 1)
    return 2;
  /* Reopen our own descriptor: the Sentry's open breaks our lease. */
  t0 = now ();
  {
    char via[64];
    int again;
    snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
    again = open (via, O_RDONLY);
    t = now () - t0;
    printf ("reopen %s after %.1f s (lease broken: %s)\n", again < 0 ? ename (errno) : "ok", t,
            lease_broken ? "yes" : "no");
    fflush (stdout);
    if (again >= 0)
      close (again);
  }
  waitpid (pid, &status, 0);
  /* Another process opens the file by its name: it waits for the break,
     as it would on the host (it does not fail with EAGAIN). The lease is
     taken again first: the reopened descriptor was installed with ADDFD,
     whose ioctl keeps its own reference to the file until the Sentry's
     thread runs again after the install, so a write lease asked at once
     may meet it (EAGAIN) for that long (docs/COMPAT.md); it is asked
     again for up to 200 ms. */
  lease_broken = 0;
  {
    int tries = 0, r;
    while ((r = fcntl (fd, F_SETLEASE, F_WRLCK)) < 0 && errno == EAGAIN && ++tries < 200)
      usleep (1000);
    if (r < 0)
      {
        printf ("setlease again %s\n", ename (errno));
        return 0;
      }
  }
  pid = fork ();
  if (pid == 0)
    {
      double a = now ();
      int f = open (file, O_RDONLY);
      printf ("open by name %s after %.1f s\n", f < 0 ? ename (errno) : "ok", now () - a);
      fflush (stdout);
      _exit (0);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return 0;
}

/* ---- descriptors in flight ------------------------------------------------------ */

static int
send_fds (int sock, const int *fds, int n)
{
  char byte = 'x';
  struct iovec iov = { &byte, 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * 64)];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = CMSG_SPACE (sizeof (int) * n) };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int) * n);
  memcpy (CMSG_DATA (c), fds, sizeof (int) * n);
  return sendmsg (sock, &msg, MSG_DONTWAIT) < 0 ? -errno : 0;
}

static int
cmd_inflight (const char *file)
{
  int fds[64], socks[1024][2], nsocks = 0, i, total = 0, fd, e = 0;

  for (i = 0; i < 64; i++)
    fds[i] = open ("/dev/null", O_RDONLY);
  /* Fill the tenant's quota of descriptors in flight: messages nobody reads. */
  while (nsocks < 1024 && socketpair (AF_UNIX, SOCK_DGRAM, 0, socks[nsocks]) == 0)
    {
      nsocks++;
      /* 64 at a time: what one message through the Sentry carries. */
      while ((e = send_fds (socks[nsocks - 1][0], fds, 64)) == 0)
        total += 64;
      if (e != -EAGAIN)
        break;
    }
  printf ("in flight: %d, then %s\n", total, ename (-e));
  fd = open (file, O_RDONLY);
  printf ("open while the quota is full: %s\n", fd < 0 ? ename (errno) : "ok");
  if (fd >= 0)
    close (fd);
  for (i = 0; i < nsocks; i++)
    {
      close (socks[i][0]);
      close (socks[i][1]);
    }
  usleep (200000);
  fd = open (file, O_RDONLY);
  printf ("open after: %s\n", fd < 0 ? ename (errno) : "ok");
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 4 && strcmp (argv[1], "try") == 0)
    return cmd_try (argc, argv);
  if (argc == 3 && strcmp (argv[1], "list") == 0)
    return cmd_list (argv[2], false);
  if (argc == 3 && strcmp (argv[1], "list-old") == 0)
    return cmd_list (argv[2], true);
  if (argc == 2 && strcmp (argv[1], "dirfd") == 0)
    return cmd_dirfd ();
  if (argc == 3 && strcmp (argv[1], "openat2") == 0)
    return cmd_openat2 (argv[2]);
  if (argc == 4 && strcmp (argv[1], "chdir-race") == 0)
    return cmd_chdir_race (argv[2], atoi (argv[3]));
  if (argc == 5 && strcmp (argv[1], "bind-race") == 0)
    return cmd_bind_race (argv[2], argv[3], atoi (argv[4]));
  if (argc == 4 && strcmp (argv[1], "connect-race") == 0)
    return cmd_connect_race (argv[2], atoi (argv[3]));
  if (argc == 5 && strcmp (argv[1], "connect-race-inet") == 0)
    return cmd_connect_race_inet (argv[2], atoi (argv[3]), atoi (argv[4]));
  if (argc == 4 && strcmp (argv[1], "opath-race") == 0)
    return cmd_opath_race (argv[2], atoi (argv[3]), false);
  if (argc == 4 && strcmp (argv[1], "opath-race-change") == 0)
    return cmd_opath_race (argv[2], atoi (argv[3]), true);
  if (argc == 6 && strcmp (argv[1], "open-race") == 0)
    return cmd_open_race (argv[2], argv[3], argv[4], atoi (argv[5]));
  if (argc == 4 && strcmp (argv[1], "fifo-kill") == 0)
    return cmd_fifo_kill (atoi (argv[2]), argv[3]);
  if (argc == 3 && strcmp (argv[1], "lease") == 0)
    return cmd_lease (argv[2]);
  if (argc == 3 && strcmp (argv[1], "inflight") == 0)
    return cmd_inflight (argv[2]);
  if (argc == 1 || strcmp (argv[1], "x") == 0)
    return 42; /* the program planted in hidden directories */
  fprintf (stderr, "usage: see the comment at the top of rules_probe.c\n");
  return 2;
}
