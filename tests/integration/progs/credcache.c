/* credcache CASE: attacks on the Sentry's kept credentials (sentry/caller.c),
   run inside a sandbox as root. Each case prints "CASE what=RESULT" lines,
   RESULT being "ok" or the errno's name. Ids change with raw system calls,
   so that only the calling thread changes (glibc's wrappers would change
   every thread of the process).

   drop      a thread that used root's ids drops to uid 1000: its next open
             of a root-only file fails; the main thread, still root, opens it
   capset    root drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: a file of
             uid 2000 (0600) it opened a moment ago is refused
   setgroups root without the DAC capabilities reads a file through group
             3000, drops the group: refused at once
   umask     one thread sets umask 077, another creates a file: mode 0600
   tidreuse  a root thread opens a root-only file and exits; a uid-1000
             process makes threads until one has that thread's number: that
             one cannot open the file (waits for a line on stdin first: the
             test lowers the namespace's pid_max meanwhile)
   setfsuid  (compat profile) root opens a root-only file, then sets its
             fsuid to 1000: refused at once
   execswap  the leader (root) opens a root-only file and exits; another
             thread drops to uid 1000 and execs, taking the leader's number:
             the new program cannot open the file
   mix       threads of different credentials (root; root without the DAC
             capabilities; uid 1000; uid 1001 in group 3000; real uid 1000
             with effective uid 0) stat, open and access the same files
             at once, many times over: the serving threads keep the file
             credentials they took for one caller between calls
             (sentry/directfs.c), so every answer must be its caller's
             own (as Linux gives them: access() of a real root checks
             with the permitted capabilities, which root-without-dac
             kept). Prints "mix WHO checks=N wrong=M" per thread and the
             first few wrong answers */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "/tmp/credcache-secret"   /* root's, 0600 */
#define OTHERS "/tmp/credcache-others"   /* uid 2000's, 0600 */
#define GROUPS "/tmp/credcache-group"    /* uid 2000, gid 3000, 0040 */

static const char *
result (int ret)
{
  return ret >= 0 ? "ok" : strerrorname_np (errno);
}

static int
try_open (const char *path)
{
  int fd = open (path, O_RDONLY);

  if (fd >= 0)
    close (fd);
  return fd;
}

static void
make_file (const char *path, uid_t uid, gid_t gid, mode_t mode)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  if (fd < 0 || write (fd, "x\n", 2) != 2 || fchown (fd, uid, gid) < 0 || fchmod (fd, mode) < 0)
    {
      fprintf (stderr, "credcache: make %s: %s\n", path, strerror (errno));
      exit (2);
    }
  close (fd);
}

static int
raw_drop_to (uid_t uid, gid_t gid)
{
  if (syscall (SYS_setgroups, 0, NULL) < 0 || syscall (SYS_setresgid, gid, gid, gid) < 0
      || syscall (SYS_setresuid, uid, uid, uid) < 0)
    return -1;
  return 0;
}

/* Drops the given capabilities from the effective set of this thread. */
static int
drop_effective (uint64_t caps)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2];

  if (syscall (SYS_capget, &hdr, data) < 0)
    return -1;
  data[0].effective &= ~(uint32_t) caps;
  data[1].effective &= ~(uint32_t) (caps >> 32);
  return (int) syscall (SYS_capset, &hdr, data);
}

#define DAC_CAPS ((1ull << CAP_DAC_OVERRIDE) | (1ull << CAP_DAC_READ_SEARCH))

/* ---- drop ---- */
static void *
drop_thread (void *arg)
{
  (void) arg;
  printf ("drop thread-root-open=%s\n", result (try_open (SECRET)));
  if (raw_drop_to (1000, 1000) < 0)
    printf ("drop setresuid=%s\n", result (-1));
  printf ("drop thread-after-drop-open=%s\n", result (try_open (SECRET)));
  return NULL;
}

static void
case_drop (void)
{
  pthread_t t;

  make_file (SECRET, 0, 0, 0600);
  printf ("drop main-open=%s\n", result (try_open (SECRET)));
  pthread_create (&t, NULL, drop_thread, NULL);
  pthread_join (t, NULL);
  printf ("drop main-still-root-open=%s\n", result (try_open (SECRET)));
  /* The whole process, one thread: the main thread too. */
  if (raw_drop_to (1000, 1000) < 0)
    printf ("drop setresuid=%s\n", result (-1));
  printf ("drop main-after-drop-open=%s\n", result (try_open (SECRET)));
}

/* ---- capset ---- */
static void
case_capset (void)
{
  make_file (OTHERS, 2000, 2000, 0600);
  printf ("capset before=%s\n", result (try_open (OTHERS)));
  if (drop_effective (DAC_CAPS) < 0)
    printf ("capset capset=%s\n", result (-1));
  printf ("capset after=%s\n", result (try_open (OTHERS)));
}

/* ---- setgroups ---- */
static void
case_setgroups (void)
{
  gid_t g = 3000;

  make_file (GROUPS, 2000, 3000, 0040);
  if (syscall (SYS_setgroups, 1, &g) < 0 || drop_effective (DAC_CAPS) < 0)
    printf ("setgroups setup=%s\n", result (-1));
  printf ("setgroups with-group=%s\n", result (try_open (GROUPS)));
  if (syscall (SYS_setgroups, 0, NULL) < 0)
    printf ("setgroups drop=%s\n", result (-1));
  printf ("setgroups without-group=%s\n", result (try_open (GROUPS)));
}

/* ---- setfsuid (compat) ---- */
static void
case_setfsuid (void)
{
  make_file (SECRET, 0, 0, 0600);
  printf ("setfsuid before=%s\n", result (try_open (SECRET)));
  /* setfsuid answers the old value, never an error: read it back. */
  syscall (SYS_setfsuid, 1000);
  printf ("setfsuid fsuid=%ld\n", (long) syscall (SYS_setfsuid, -1));
  printf ("setfsuid after=%s\n", result (try_open (SECRET)));
}

/* ---- umask ---- */
static pthread_barrier_t umask_barrier;

static void *
umask_setter (void *arg)
{
  (void) arg;
  pthread_barrier_wait (&umask_barrier); /* the other thread has made a call */
  umask (077);
  pthread_barrier_wait (&umask_barrier);
  return NULL;
}

static void
case_umask (void)
{
  pthread_t t;
  struct stat st;
  int fd;

  umask (022);
  pthread_barrier_init (&umask_barrier, NULL, 2);
  pthread_create (&t, NULL, umask_setter, NULL);
  fd = open ("/tmp/credcache-u1", O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd >= 0)
    close (fd);
  pthread_barrier_wait (&umask_barrier);
  pthread_barrier_wait (&umask_barrier); /* the sibling's umask is 077 now */
  fd = open ("/tmp/credcache-u2", O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0 || fstat (fd, &st) < 0)
    printf ("umask create=%s\n", result (-1));
  else
    printf ("umask mode=%o\n", st.st_mode & 0777);
  if (fd >= 0)
    close (fd);
  mkdir ("/tmp/credcache-d", 0777);
  if (stat ("/tmp/credcache-d", &st) == 0)
    printf ("umask dir-mode=%o\n", st.st_mode & 0777);
  pthread_join (t, NULL);
}

/* ---- tidreuse ---- */
static pid_t root_tid;

static void *
root_thread (void *arg)
{
  (void) arg;
  root_tid = (pid_t) syscall (SYS_gettid);
  printf ("tidreuse root-open=%s\n", result (try_open (SECRET)));
  return NULL;
}

static volatile int reuse_result = -2;
static pid_t probe_tid;   /* the app's number whose Sentry number is root_tid's */

static void *
probe_thread (void *arg)
{
  (void) arg;
  /* Only the thread with the old number makes a mediated call: nothing
     else touches the Sentry's entry for that number meanwhile. */
  if ((pid_t) syscall (SYS_gettid) == probe_tid)
    reuse_result = try_open (SECRET) >= 0 ? 0 : errno;
  return NULL;
}

static void *
nothing (void *arg)
{
  return arg;
}

static void
case_tidreuse (void)
{
  pthread_t t;
  pid_t child;
  int status;
  char line[16];

  make_file (SECRET, 0, 0, 0600);
  /* Numbers wrap round to 300, not 1: the root thread gets one above. */
  for (int i = 0; i < 400; i++)
    if (pthread_create (&t, NULL, nothing, NULL) == 0)
      pthread_join (t, NULL);
  pthread_create (&t, NULL, root_thread, NULL);
  pthread_join (t, NULL);
  printf ("tidreuse root-tid=%d\n", (int) root_tid);
  /* The test lowers this pid namespace's pid_max from the host (a turn of
     the default 4194304 numbers takes minutes), then says go. */
  printf ("tidreuse ready\n");
  fflush (stdout);
  if (fgets (line, sizeof (line), stdin) == NULL)
    return;
  /* "go S": S numbers were taken in the Sentry's pid namespace alone
     meanwhile (the test's own process there), so a thread's number there
     is now S more above its number here than the root thread's was. */
  probe_tid = root_tid - (pid_t) atoi (line + 2);
  child = fork ();
  if (child == 0)
    {
      long i;

      if (raw_drop_to (1000, 1000) < 0)
        _exit (3);
      /* Thread numbers are given out in turn: a full turn of pid_max
         brings the old number round again. */
      for (i = 0; i < 200000 && reuse_result == -2; i++)
        {
          if (pthread_create (&t, NULL, probe_thread, NULL) != 0)
            continue;
          pthread_join (t, NULL);
        }
      if (reuse_result == -2)
        printf ("tidreuse reused=never (%ld threads)\n", i);
      else
        printf ("tidreuse reused-open=%s (after %ld threads)\n",
                reuse_result == 0 ? "ok" : strerrorname_np (reuse_result), i);
      fflush (stdout);
      _exit (0);
    }
  waitpid (child, &status, 0);
}

/* ---- execswap ---- */
static char *self_path;

static void *
exec_thread (void *arg)
{
  pid_t leader = *(pid_t *) arg;
  char *argv[] = { self_path, "execswap-child", NULL };

  /* Wait until the leader is a zombie (it exited alone, with SYS_exit). */
  for (int i = 0; i < 1000; i++)
    {
      char path[64], buf[512];
      snprintf (path, sizeof (path), "/proc/%d/stat", leader);
      int fd = open (path, O_RDONLY);
      ssize_t n = fd >= 0 ? read (fd, buf, sizeof (buf) - 1) : -1;
      if (fd >= 0)
        close (fd);
      if (n > 0)
        {
          buf[n] = '\0';
          char *p = strrchr (buf, ')');
          if (p && p[2] == 'Z')
            break;
        }
      usleep (1000);
    }
  if (raw_drop_to (1000, 1000) < 0)
    printf ("execswap setresuid=%s\n", result (-1));
  fflush (stdout);
  execv (self_path, argv);
  printf ("execswap exec=%s\n", result (-1));
  fflush (stdout);
  _exit (1);
}

static void
case_execswap (void)
{
  static pid_t leader;
  pthread_t t;
  pid_t child;
  int status;

  make_file (SECRET, 0, 0, 0600);
  fflush (stdout);
  child = fork ();
  if (child == 0)
    {
      leader = getpid ();
      printf ("execswap leader-open=%s\n", result (try_open (SECRET)));
      fflush (stdout);
      pthread_create (&t, NULL, exec_thread, &leader);
      syscall (SYS_exit, 0); /* this thread only: the process goes on */
    }
  waitpid (child, &status, 0);
}

static void
execswap_child (void)
{
  printf ("execswap new-program-pid-is-leader=%s\n",
          getpid () == (pid_t) syscall (SYS_gettid) ? "yes" : "no");
  printf ("execswap new-program-uid=%d\n", (int) getuid ());
  printf ("execswap new-program-open=%s\n", result (try_open (SECRET)));
}

/* ---- mix ---- */
#define MIX_DIR "/tmp/credmix"
#define MIX_ROUNDS 400

/* What each file answers to each kind of caller: stat (a search of its
   directory), open, access(R_OK) (real ids), faccessat2(R_OK, AT_EACCESS). */
struct mix_expect
{
  const char *path;
  int stat_errno, open_errno, access_errno, eaccess_errno;
};

struct mixer
{
  const char *who;
  uid_t ruid, euid;
  gid_t gid, group; /* group: one supplementary group, or 0 for none */
  uint64_t drop;    /* effective capabilities dropped */
  struct mix_expect expect[3];
  long checks, wrong;
};

static pthread_barrier_t mix_barrier;

static void
mix_check (struct mixer *m, const char *call, const char *path, int ret, int want)
{
  int got = ret < 0 ? errno : 0;

  m->checks++;
  if (got == want)
    return;
  if (m->wrong++ < 3)
    printf ("mix %s wrong: %s %s = %s, want %s\n", m->who, call, path, got ? strerrorname_np (got) : "ok",
            want ? strerrorname_np (want) : "ok");
}

static void *
mixer_thread (void *arg)
{
  struct mixer *m = arg;
  struct stat st;
  int i, j, fd;

  if (syscall (SYS_setgroups, m->group ? 1 : 0, &m->group) < 0
      || syscall (SYS_setresgid, m->gid, m->gid, m->gid) < 0
      || syscall (SYS_setresuid, m->ruid, m->euid, m->euid) < 0 || (m->drop && drop_effective (m->drop) < 0))
    {
      printf ("mix %s setup=%s\n", m->who, result (-1));
      m->wrong++;
    }
  pthread_barrier_wait (&mix_barrier);
  for (i = 0; i < MIX_ROUNDS; i++)
    for (j = 0; j < 3; j++)
      {
        const struct mix_expect *e = &m->expect[j];
        mix_check (m, "stat", e->path, stat (e->path, &st), e->stat_errno);
        fd = open (e->path, O_RDONLY);
        mix_check (m, "open", e->path, fd, e->open_errno);
        if (fd >= 0)
          close (fd);
        mix_check (m, "access", e->path, access (e->path, R_OK), e->access_errno);
        mix_check (m, "eaccess", e->path, (int) syscall (SYS_faccessat2, AT_FDCWD, e->path, R_OK, AT_EACCESS),
                   e->eaccess_errno);
      }
  return NULL;
}

static void
case_mix (void)
{
  const char *rootonly = MIX_DIR "/root-only", *grp = MIX_DIR "/group/f", *u1000 = MIX_DIR "/u1000";
  struct mixer m[] = {
    { "root", 0, 0, 0, 0, 0, { { rootonly, 0, 0, 0, 0 }, { grp, 0, 0, 0, 0 }, { u1000, 0, 0, 0, 0 } } },
    { "root-without-dac", 0, 0, 0, 0, DAC_CAPS,
      { { rootonly, 0, 0, 0, 0 }, { grp, 0, 0, 0, 0 }, { u1000, 0, EACCES, 0, EACCES } } },
    { "uid-1000", 1000, 1000, 1000, 0, 0,
      { { rootonly, 0, EACCES, EACCES, EACCES }, { grp, EACCES, EACCES, EACCES, EACCES }, { u1000, 0, 0, 0, 0 } } },
    { "uid-1001-group-3000", 1001, 1001, 1001, 3000, 0,
      { { rootonly, 0, EACCES, EACCES, EACCES }, { grp, 0, 0, 0, 0 }, { u1000, 0, EACCES, EACCES, EACCES } } },
    { "real-1000-effective-0", 1000, 0, 1000, 0, 0,
      { { rootonly, 0, 0, EACCES, 0 }, { grp, 0, 0, EACCES, 0 }, { u1000, 0, 0, 0, 0 } } },
  };
  size_t n = sizeof (m) / sizeof (m[0]), i;
  pthread_t t[sizeof (m) / sizeof (m[0])];

  if ((mkdir (MIX_DIR, 0755) < 0 && errno != EEXIST) || (mkdir (MIX_DIR "/group", 0750) < 0 && errno != EEXIST)
      || chown (MIX_DIR "/group", 0, 3000) < 0)
    {
      fprintf (stderr, "credcache: make %s: %s\n", MIX_DIR, strerror (errno));
      exit (2);
    }
  make_file (rootonly, 0, 0, 0600);
  make_file (grp, 0, 0, 0644);
  make_file (u1000, 1000, 1000, 0600);
  pthread_barrier_init (&mix_barrier, NULL, (unsigned) n);
  for (i = 0; i < n; i++)
    pthread_create (&t[i], NULL, mixer_thread, &m[i]);
  for (i = 0; i < n; i++)
    {
      pthread_join (t[i], NULL);
      printf ("mix %s checks=%ld wrong=%ld\n", m[i].who, m[i].checks, m[i].wrong);
    }
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  self_path = argv[0];
  if (argc != 2)
    {
      fprintf (stderr, "usage: credcache drop|capset|setgroups|setfsuid|umask|tidreuse|execswap|mix\n");
      return 2;
    }
  if (strcmp (argv[1], "drop") == 0)
    case_drop ();
  else if (strcmp (argv[1], "capset") == 0)
    case_capset ();
  else if (strcmp (argv[1], "setgroups") == 0)
    case_setgroups ();
  else if (strcmp (argv[1], "setfsuid") == 0)
    case_setfsuid ();
  else if (strcmp (argv[1], "umask") == 0)
    case_umask ();
  else if (strcmp (argv[1], "tidreuse") == 0)
    case_tidreuse ();
  else if (strcmp (argv[1], "execswap") == 0)
    case_execswap ();
  else if (strcmp (argv[1], "mix") == 0)
    case_mix ();
  else if (strcmp (argv[1], "execswap-child") == 0)
    execswap_child ();
  else
    return 2;
  return 0;
}
