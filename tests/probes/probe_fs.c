/* probe_fs: nothing outside the sandbox's root may be reached through the
   file system.

   Layout (made by tests/integration/test-probes.sh on the host):
     HOSTDIR/secret          "HOST-SECRET"
     HOSTDIR/rootfs/         the sandbox root (--rootfs), holding this
                             static probe as /probe_fs and empty dev proc
                             sys tmp
   so from inside, the secret sits at "../secret" relative to the root.

   Usage: /probe_fs HOST-PATH-OF-SECRET [RACE-ITERATIONS (default 20000)]

   Every attempt that reads "HOST-SECRET" (or stats the 11-byte host file,
   or finds a renamed/created file gone from inside the root, or sees the
   host path in a /proc link) is an escape.  The probe refuses to run unless
   it is /probe_fs at the root of a tree without /secret, so that a run
   outside the prepared root cannot create files at the host's "/".  The
   test also checks from outside that HOSTDIR holds nothing but rootfs and
   the unchanged secret. */
#include "probe.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define SECRET "HOST-SECRET"

static const char *hostpath;  /* argv[1]: the secret, as the host sees it */
static char hostdir[PATH_MAX]; /* its directory */

enum
{
  READ_FAILED = -1,
  READ_OTHER = 0,
  READ_SECRET = 1,
};

/* Open PATH (relative to DIRFD) read-only and look for the secret. */
static int
read_at (int dirfd, const char *path, int *err)
{
  int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      *err = errno;
      return READ_FAILED;
    }
  char buf[128];
  ssize_t n = read (fd, buf, sizeof buf - 1);
  *err = n < 0 ? errno : 0;
  close (fd);
  if (n <= 0)
    return READ_OTHER;
  buf[n] = '\0';
  return strstr (buf, SECRET) ? READ_SECRET : READ_OTHER;
}

static int
read_fd (int fd, int *err)
{
  char buf[128];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  *err = n < 0 ? errno : 0;
  if (n <= 0)
    return READ_OTHER;
  buf[n] = '\0';
  return strstr (buf, SECRET) ? READ_SECRET : READ_OTHER;
}

static void
report_read (const char *what, int r, int err)
{
  if (r == READ_SECRET)
    probe_report (false, what, "read the host secret");
  else if (r == READ_OTHER)
    probe_report (true, what, "opened something inside the root, not the "
                              "secret");
  else
    probe_refused (what, true, err);
}

static void
attempt_open (const char *what, int dirfd, const char *path)
{
  int err = 0;
  int r = read_at (dirfd, path, &err);
  report_read (what, r, err);
}

static void
attempt_stat (const char *path)
{
  char what[PATH_MAX + 32];
  snprintf (what, sizeof what, "stat(%s)", path);
  struct stat st;
  if (stat (path, &st) != 0)
    probe_refused (what, true, errno);
  else if (S_ISREG (st.st_mode) && st.st_size == (off_t) strlen (SECRET))
    probe_report (false, what, "the host secret is visible");
  else
    probe_report (true, what, "found something else inside the root");
}

/* A /proc link must not show where the root lives on the host. */
static void
attempt_readlink (const char *path)
{
  char what[PATH_MAX + 32], target[PATH_MAX];
  snprintf (what, sizeof what, "readlink(%s) hides the host path", path);
  ssize_t n = readlink (path, target, sizeof target - 1);
  if (n < 0)
    {
      probe_refused (what, true, errno);
      return;
    }
  target[n] = '\0';
  if (strstr (target, hostdir))
    probe_report (false, what, "-> %s", target);
  else
    probe_report (true, what, "-> %s", target);
}

static void
fresh_symlink (const char *target, const char *path)
{
  unlink (path);
  if (symlink (target, path) != 0)
    {
      char msg[PATH_MAX + 64];
      snprintf (msg, sizeof msg, "symlink %s -> %s", path, target);
      probe_setup (msg, errno);
    }
}

/* A call meant to make INSIDE (a path in "/") by naming "/../NAME" or the
   like: it may fail, or succeed inside the root; anything else means it
   landed outside. */
static void
check_landed (const char *what, long rc, int err, const char *inside,
              bool is_dir)
{
  if (rc < 0)
    {
      probe_refused (what, true, err);
      return;
    }
  struct stat st;
  if (lstat (inside, &st) == 0)
    {
      probe_report (true, what, "stayed inside the root as %s", inside);
      if (is_dir)
        rmdir (inside);
      else
        unlink (inside);
    }
  else
    probe_report (false, what, "succeeded, but %s is not inside the root",
                  inside);
}

static void
attempt_mutations (void)
{
  long rc;
  int err;

  errno = 0;
  rc = rename ("/tmp/abs", "/../sbprobe-moved");
  err = errno;
  check_landed ("rename(/tmp/abs, /../sbprobe-moved)", rc, err,
                "/sbprobe-moved", false);

  if (chdir ("/tmp") != 0)
    probe_setup ("chdir /tmp", errno);
  errno = 0;
  rc = rename ("/tmp/rel", "../../sbprobe-moved2");
  err = errno;
  check_landed ("rename(/tmp/rel, ../../sbprobe-moved2) from /tmp", rc, err,
                "/sbprobe-moved2", false);
  if (chdir ("/") != 0)
    probe_setup ("chdir /", errno);

  errno = 0;
  rc = link ("/tmp/benign", "/../sbprobe-linked");
  err = errno;
  check_landed ("link(/tmp/benign, /../sbprobe-linked)", rc, err,
                "/sbprobe-linked", false);

  errno = 0;
  rc = open ("/../sbprobe-created", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
             0600);
  err = errno;
  if (rc >= 0)
    close ((int) rc);
  check_landed ("open(/../sbprobe-created, O_CREAT)", rc, err,
                "/sbprobe-created", false);

  errno = 0;
  rc = mkdir ("/../sbprobe-dir", 0700);
  err = errno;
  check_landed ("mkdir(/../sbprobe-dir)", rc, err, "/sbprobe-dir", true);

  errno = 0;
  rc = symlink ("/tmp/benign", "/../sbprobe-symlink");
  err = errno;
  check_landed ("symlink(/tmp/benign, /../sbprobe-symlink)", rc, err,
                "/sbprobe-symlink", false);

  /* Hard links and renames that would pull the host file inside. */
  struct
  {
    const char *from, *to;
    bool follow;
  } links[] = {
    { hostpath, "/tmp/hl-host", false },
    { "/../secret", "/tmp/hl-dotdot", false },
    { "/tmp/hostabs", "/tmp/hl-follow", true },
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    {
      char what[PATH_MAX + 64];
      snprintf (what, sizeof what, "link%s(%s, %s) then read",
                links[i].follow ? "at(AT_SYMLINK_FOLLOW)" : "",
                links[i].from, links[i].to);
      unlink (links[i].to);
      errno = 0;
      rc = linkat (AT_FDCWD, links[i].from, AT_FDCWD, links[i].to,
                   links[i].follow ? AT_SYMLINK_FOLLOW : 0);
      if (rc != 0)
        {
          probe_refused (what, true, errno);
          continue;
        }
      attempt_open (what, AT_FDCWD, links[i].to);
      unlink (links[i].to);
    }

  const char *renames[] = { hostpath, "/../secret" };
  for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
    {
      char what[PATH_MAX + 64];
      snprintf (what, sizeof what, "rename(%s, /tmp/stolen) then read",
                renames[i]);
      unlink ("/tmp/stolen");
      if (rename (renames[i], "/tmp/stolen") != 0)
        {
          probe_refused (what, true, errno);
          continue;
        }
      attempt_open (what, AT_FDCWD, "/tmp/stolen");
      /* Put it back where it came from (the test checks the host side). */
      if (rename ("/tmp/stolen", renames[i]) != 0)
        unlink ("/tmp/stolen");
    }
}

/* Classic chroot breakout: chroot into a subdirectory while the cwd stays
   outside it, climb with "..", chroot("."), read the host path. */
static void
chroot_breakout (void *arg)
{
  (void) arg;
  const char *what = "chroot(/tmp/cb) + chdir(..)x64 + chroot(.) breakout";
  mkdir ("/tmp/cb", 0700);
  if (chroot ("/tmp/cb") != 0)
    {
      probe_refused (what, true, errno);
      return;
    }
  for (int i = 0; i < 64; i++)
    if (chdir ("..") != 0)
      break;
  if (chroot (".") != 0)
    {
      probe_refused (what, true, errno);
      return;
    }
  int err = 0;
  int r = read_at (AT_FDCWD, hostpath, &err);
  if (r != READ_SECRET)
    r = read_at (AT_FDCWD, "secret", &err);
  if (r == READ_SECRET)
    probe_report (false, what, "read the host secret");
  else
    probe_report (true, what, "chroot allowed, but the breakout stayed "
                              "inside");
}

/* ---- the race -------------------------------------------------------- */

static atomic_int race_stop;
static atomic_long race_swaps;

static void *
swapper (void *arg)
{
  (void) arg;
  const char *targets[] = {
    "/tmp/benign", "../../../../secret", "/tmp/benign",
    "/../secret",  "/tmp/benign",        hostpath,
  };
  const size_t ntargets = sizeof targets / sizeof targets[0];
  bool exchange = true;
  for (size_t i = 0; !atomic_load (&race_stop); i++)
    {
      /* /tmp/swap: atomically replaced by a symlink to the next target. */
      unlink ("/tmp/swap.new");
      if (symlink (targets[i % ntargets], "/tmp/swap.new") == 0)
        rename ("/tmp/swap.new", "/tmp/swap");

      /* /tmp/d: a directory swapped with /tmp/dlink, a symlink to "/..". */
      if (exchange
          && syscall (SYS_renameat2, AT_FDCWD, "/tmp/d", AT_FDCWD,
                      "/tmp/dlink", RENAME_EXCHANGE)
                 != 0)
        exchange = false;
      if (!exchange)
        {
          rename ("/tmp/d", "/tmp/d.dir");
          rename ("/tmp/dlink", "/tmp/d");
          rename ("/tmp/d", "/tmp/dlink");
          rename ("/tmp/d.dir", "/tmp/d");
        }
      atomic_fetch_add (&race_swaps, 1);
    }
  return NULL;
}

struct race_count
{
  const char *what;
  const char *path;
  long secret, other, failed;
};

static void
race (long iterations)
{
  struct race_count counts[] = {
    { "race: open(/tmp/swap) while it flips between /tmp/benign and "
      "escaping symlinks",
      "/tmp/swap", 0, 0, 0 },
    { "race: open(/tmp/d/../../secret) while /tmp/d flips between a "
      "directory and a symlink to /..",
      "/tmp/d/../../secret", 0, 0, 0 },
    { "race: open(/tmp/d/secret) while /tmp/d flips between a directory "
      "and a symlink to /..",
      "/tmp/d/secret", 0, 0, 0 },
  };
  const size_t ncounts = sizeof counts / sizeof counts[0];

  /* Start from a known state even after an interrupted earlier run. */
  unlink ("/tmp/d");
  rmdir ("/tmp/d");
  unlink ("/tmp/dlink");
  rmdir ("/tmp/dlink");
  rmdir ("/tmp/d.dir");
  fresh_symlink ("/tmp/benign", "/tmp/swap");
  if (mkdir ("/tmp/d", 0700) != 0)
    probe_setup ("mkdir /tmp/d", errno);
  fresh_symlink ("/..", "/tmp/dlink");

  pthread_t th;
  int e = pthread_create (&th, NULL, swapper, NULL);
  if (e != 0)
    {
      probe_setup ("pthread_create for the race", e);
      return;
    }
  /* Let the swapper get going first (at most about two seconds). */
  for (int spins = 0; atomic_load (&race_swaps) < 2 && spins < 2000; spins++)
    {
      struct timespec ms = { .tv_nsec = 1000000 };
      nanosleep (&ms, NULL);
    }
  for (long i = 0; i < iterations; i++)
    for (size_t k = 0; k < ncounts; k++)
      {
        int err;
        switch (read_at (AT_FDCWD, counts[k].path, &err))
          {
          case READ_SECRET:
            counts[k].secret++;
            break;
          case READ_OTHER:
            counts[k].other++;
            break;
          default:
            counts[k].failed++;
            break;
          }
      }
  atomic_store (&race_stop, 1);
  pthread_join (th, NULL);

  probe_info ("race: %ld iterations, the swapper made %ld swaps",
              iterations, atomic_load (&race_swaps));
  for (size_t k = 0; k < ncounts; k++)
    probe_report (counts[k].secret == 0, counts[k].what,
                  "%ld secret, %ld inside, %ld failed", counts[k].secret,
                  counts[k].other, counts[k].failed);
  if (counts[0].other == 0 && iterations >= 100)
    probe_setup ("the race never read /tmp/benign through /tmp/swap: it did "
                 "not run",
                 0);
}

int
main (int argc, char **argv)
{
  probe_init ();
  if (argc < 2 || argv[1][0] != '/')
    {
      probe_setup ("usage: /probe_fs HOST-PATH-OF-SECRET [ITERATIONS]", 0);
      return probe_status ();
    }
  hostpath = argv[1];
  long iterations = 20000;
  if (argc > 2)
    {
      char *end;
      iterations = strtol (argv[2], &end, 10);
      if (*end || iterations < 0)
        {
          probe_setup ("ITERATIONS must be a number >= 0", 0);
          return probe_status ();
        }
    }
  snprintf (hostdir, sizeof hostdir, "%s", hostpath);
  char *slash = strrchr (hostdir, '/');
  if (slash && slash != hostdir)
    *slash = '\0';

  /* Only ever run in the prepared root (see the top of the file). */
  struct stat st;
  if (stat ("/probe_fs", &st) != 0)
    {
      probe_setup ("not running as /probe_fs in the prepared root", errno);
      return probe_status ();
    }
  if (stat ("/secret", &st) == 0)
    {
      probe_setup ("/secret exists inside the root: cannot tell an escape",
                   0);
      return probe_status ();
    }
  if (chdir ("/") != 0)
    {
      probe_setup ("chdir /", errno);
      return probe_status ();
    }
  mkdir ("/tmp", 01777);

  int bfd = open ("/tmp/benign", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  0644);
  if (bfd < 0 || write (bfd, "benign\n", 7) != 7)
    {
      probe_setup ("create /tmp/benign", errno);
      return probe_status ();
    }
  close (bfd);

  fresh_symlink ("/../../secret", "/tmp/abs");
  fresh_symlink ("../../../secret", "/tmp/rel");
  fresh_symlink (hostpath, "/tmp/hostabs");
  fresh_symlink ("../..", "/tmp/up");
  fresh_symlink ("/..", "/tmp/rootup");
  if (probe_st.setup_errors)
    return probe_status ();

  char what[PATH_MAX + 128], path[PATH_MAX + 64];

  /* Plain ".." climbing. */
  attempt_open ("open(/../secret)", AT_FDCWD, "/../secret");
  attempt_open ("open(../../../../secret) from /", AT_FDCWD,
                "../../../../secret");
  attempt_open ("open(/tmp/../../../secret)", AT_FDCWD,
                "/tmp/../../../secret");
  if (chdir ("/tmp") != 0)
    probe_setup ("chdir /tmp", errno);
  attempt_open ("open(../../secret) from /tmp", AT_FDCWD, "../../secret");
  if (chdir ("/") != 0)
    probe_setup ("chdir /", errno);

  /* Symlinks. */
  attempt_open ("open(/tmp/abs -> /../../secret)", AT_FDCWD, "/tmp/abs");
  attempt_open ("open(/tmp/rel -> ../../../secret)", AT_FDCWD, "/tmp/rel");
  snprintf (what, sizeof what, "open(/tmp/hostabs -> %s)", hostpath);
  attempt_open (what, AT_FDCWD, "/tmp/hostabs");
  attempt_open ("open(/tmp/up/secret), /tmp/up -> ../..", AT_FDCWD,
                "/tmp/up/secret");
  attempt_open ("open(/tmp/rootup/secret), /tmp/rootup -> /..", AT_FDCWD,
                "/tmp/rootup/secret");
  snprintf (what, sizeof what, "open(%s)", hostpath);
  attempt_open (what, AT_FDCWD, hostpath);

  /* /proc magic links. */
  attempt_open ("open(/proc/self/root/../secret)", AT_FDCWD,
                "/proc/self/root/../secret");
  snprintf (path, sizeof path, "/proc/self/root%s", hostpath);
  snprintf (what, sizeof what, "open(%s)", path);
  attempt_open (what, AT_FDCWD, path);
  snprintf (path, sizeof path, "/proc/1/root%s", hostpath);
  snprintf (what, sizeof what, "open(%s)", path);
  attempt_open (what, AT_FDCWD, path);
  attempt_open ("open(/proc/1/root/../secret)", AT_FDCWD,
                "/proc/1/root/../secret");
  attempt_open ("open(/proc/self/cwd/../../secret) with cwd /", AT_FDCWD,
                "/proc/self/cwd/../../secret");

  /* Directory fds. */
  int rootfd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    probe_setup ("open /", errno);
  else
    {
      attempt_open ("openat(fd of /, ../secret)", rootfd, "../secret");
      attempt_open ("openat(fd of /, ../../../secret)", rootfd,
                    "../../../secret");

      struct
      {
        uint64_t flags, mode, resolve;
      } how = { .flags = O_RDONLY | O_CLOEXEC };
      errno = 0;
      long fd = syscall (__NR_openat2, rootfd, "../secret", &how, sizeof how);
      if (fd < 0)
        probe_refused ("openat2(fd of /, ../secret)", true, errno);
      else
        {
          int err;
          int r = read_fd ((int) fd, &err);
          close ((int) fd);
          report_read ("openat2(fd of /, ../secret)", r, err);
        }
      close (rootfd);
    }
  int pathfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pathfd < 0)
    probe_setup ("open / O_PATH", errno);
  else
    {
      snprintf (path, sizeof path, "/proc/self/fd/%d/../secret", pathfd);
      snprintf (what, sizeof what, "open(%s), fd %d = O_PATH /", path,
                pathfd);
      attempt_open (what, AT_FDCWD, path);
      close (pathfd);
    }
  int tmpfd = open ("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (tmpfd >= 0)
    {
      attempt_open ("openat(O_PATH fd of /tmp, ../../secret)", tmpfd,
                    "../../secret");
      close (tmpfd);
    }

  /* Metadata and link targets. */
  attempt_stat ("/../secret");
  attempt_stat ("/tmp/abs");
  attempt_stat (hostpath);
  attempt_stat ("/proc/self/root/../secret");
  snprintf (path, sizeof path, "/proc/1/root%s", hostpath);
  attempt_stat (path);
  attempt_readlink ("/proc/self/root");
  attempt_readlink ("/proc/self/cwd");
  attempt_readlink ("/proc/self/exe");
  attempt_readlink ("/proc/1/root");

  /* chroot breakout, in a child. */
  probe_in_child ("the chroot breakout", chroot_breakout, NULL);

  /* The race, before anything below could have moved the secret. */
  race (iterations);

  /* Making names outside the root, pulling the secret in. */
  attempt_mutations ();
  return probe_status ();
}
