/* syscall_fuzz SECONDS [SEED]: random system calls with random and edge
   arguments, inside a sandbox (tests/integration/test-fuzz.sh), for a
   bounded time; then it checks that the Sentry still answers.

   Calls run in short-lived children (a crash or a hang costs one child,
   which the parent replaces); calls whose only effect would be to kill or
   corrupt the caller itself (exit, rt_sigreturn, munmap, mprotect, signal
   masks and handlers, MAP_FIXED...) or to reach the fuzzer's own parent
   (kill, prlimit64, process_vm_writev) are left out. Everything else goes:
   paths to hidden, masked and host files, FIFOs, descriptors of every
   kind, unmapped and kernel addresses, huge sizes, stray flag bits, and
   numbers past the end of the table and of other ABIs.

   Prints "calls N children C crashed K hung H" and then "sentry answers"
   (exit 0), or what failed (exit 1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALLS_PER_CHILD 400
#define SCRATCH "/tmp/fuzz"
#define REPORT_FD 200 /* where the parent reports: far from the numbers calls pick */

static uint64_t rng_state;

static uint64_t
rnd (void)
{
  /* xorshift64*: reproducible from the seed */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}

static const int excluded[] = {
  SYS_exit, SYS_exit_group, SYS_rt_sigreturn, SYS_kill, SYS_tkill, SYS_tgkill,
  SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, 424 /* pidfd_send_signal */,
  SYS_clone, 435 /* clone3 */, SYS_fork, SYS_vfork, SYS_execve, SYS_execveat,
  SYS_munmap, SYS_mprotect, SYS_mremap, SYS_brk, SYS_madvise, SYS_remap_file_pages,
  SYS_pkey_mprotect, 462 /* mseal */, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sigaltstack,
  SYS_rt_sigsuspend, SYS_pause, SYS_setitimer, SYS_alarm, SYS_arch_prctl, SYS_seccomp,
  SYS_set_tid_address, SYS_prlimit64, SYS_process_vm_writev, SYS_process_madvise, SYS_sync,
  SYS_syncfs, SYS_shmat,
  /* uretprobe and uprobe: seccomp lets them through unfiltered (Linux
     6.11+), and called from anywhere but a probe trampoline they only
     SIGILL the caller. */
  335, 336, -1
};

static const char *const paths[] = {
  "/etc/shadow", "/etc/passwd", "/proc/self/fd/3", "/proc/self/mem", "/proc/1/root/etc/shadow",
  "../../../../../etc/passwd", SCRATCH "/f", SCRATCH "/d", SCRATCH "/fifo", SCRATCH "/link",
  "/dev/null", "/dev/zero", "/dev/tty", "/dev/ptmx", "", "/", ".", "..",
  "/proc/sys/kernel/core_pattern", "/proc/sysrq-trigger", "/proc/kcore", "/proc/bus/pci/devices",
  "/sys/kernel/notes", "/sys/firmware", "/sys/fs/cgroup/cgroup.procs", "/proc/self/timens_offsets",
  "/proc/self/sched", "/proc/thread-self/attr/current", "/dev/fd/0", SCRATCH "/f/../d/../../fuzz/f",
  "/tmp", "/root", "/run", "/proc/self/cwd/../../..", "/usr/bin/busybox", "/bin/sh",
};

static char *scratch;          /* 64 KiB of memory, random bytes and strings */
static volatile long *last_nr; /* shared with the parent: the call a child died in */
static char *long_path;        /* past PATH_MAX */
static int fds[16], nfds;

static bool
is_excluded (long nr)
{
  int i;

  for (i = 0; excluded[i] >= 0; i++)
    if (excluded[i] == nr)
      return true;
  return false;
}

static uint64_t
rnd_arg (void)
{
  static const uint64_t edges[] = {
    0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fffffff, 0x80000000, 0xffffffff,
    0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0xfffffffffffff000ull, 0xffffffff81000000ull, 0xffff888000000000ull, 0x10, 0x400000,
    (uint64_t) -100 /* AT_FDCWD */, (uint64_t) -1, (uint64_t) -4096,
  };
  switch (rnd () % 10)
    {
    case 0:
      return edges[rnd () % (sizeof (edges) / sizeof (edges[0]))];
    case 1:
    case 2:
      return nfds ? (uint64_t) fds[rnd () % nfds] : 0;
    case 3:
      return rnd () % 64;
    case 4:
    case 5:
      return (uint64_t) (uintptr_t) paths[rnd () % (sizeof (paths) / sizeof (paths[0]))];
    case 6:
      return (uint64_t) (uintptr_t) (scratch + (rnd () % 65536));
    case 7:
      return (uint64_t) (uintptr_t) long_path;
    case 8:
      return 1ull << (rnd () % 64);
    default:
      return rnd ();
    }
}

static long
rnd_nr (void)
{
  switch (rnd () % 40)
    {
    case 0:
      return 1000 + (long) (rnd () % 100000); /* past the table */
    case 1:
      return 0x40000000 | (long) (rnd () % 548); /* the x32 ABI */
    default:
      return (long) (rnd () % 470);
    }
}

static void
on_alarm (int sig)
{
  (void) sig; /* interrupts a call that would wait */
}

static void
prepare_objects (void)
{
  int sv[2], p[2], i;

  nfds = 0;
  fds[nfds++] = open (SCRATCH "/f", O_RDWR | O_CREAT, 0644);
  fds[nfds++] = open (SCRATCH "/d", O_RDONLY | O_DIRECTORY);
  fds[nfds++] = open ("/", O_RDONLY | O_DIRECTORY);
  fds[nfds++] = open ("/proc/self/status", O_RDONLY);
  if (pipe (p) == 0)
    {
      fds[nfds++] = p[0];
      fds[nfds++] = p[1];
    }
  if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) == 0)
    {
      fds[nfds++] = sv[0];
      fds[nfds++] = sv[1];
    }
  fds[nfds++] = socket (AF_INET, SOCK_DGRAM, 0);
  fds[nfds++] = eventfd (0, 0);
  fds[nfds++] = memfd_create ("fuzz", 0);
  for (i = 0; i < nfds; i++)
    if (fds[i] < 0)
      fds[i] = 0;
}

static void
child (void)
{
  struct sigaction sa = { .sa_handler = on_alarm };
  struct itimerval it = { { 0, 50000 }, { 0, 50000 } };
  int null = open ("/dev/null", O_RDWR), i;

  struct rlimit fsize = { 32 << 20, 32 << 20 };
  int adj;

  /* Memory the calls take without it showing as theirs (a memfd or a file
     grown by fallocate, shared memory) must not make the OOM killer pick
     the fuzzer's parents: a child is always the first choice, and files
     stop growing at 32 MiB (EFBIG; it cannot raise a hard limit). */
  adj = open ("/proc/self/oom_score_adj", O_WRONLY);
  if (adj < 0 || write (adj, "1000", 4) != 4)
    _exit (3);
  close (adj);
  signal (SIGXFSZ, SIG_IGN);
  close (REPORT_FD); /* the parent's report is not the calls' to write */
  if (setrlimit (RLIMIT_FSIZE, &fsize) < 0)
    _exit (3);
  /* Random writes go nowhere; random reads find nothing waiting. */
  dup2 (null, 0);
  dup2 (null, 1);
  dup2 (null, 2);
  if (chdir (SCRATCH) < 0)
    _exit (3);
  prepare_objects ();
  sigaction (SIGALRM, &sa, NULL); /* no SA_RESTART */
  signal (SIGPIPE, SIG_IGN);
  setitimer (ITIMER_REAL, &it, NULL);
  for (i = 0; i < CALLS_PER_CHILD; i++)
    {
      long nr = rnd_nr ();
      uint64_t a[6];
      int k;

      if (is_excluded (nr & ~0x40000000L))
        continue;
      for (k = 0; k < 6; k++)
        a[k] = rnd_arg ();
      if (nr == SYS_mmap)
        a[3] &= ~(uint64_t) MAP_FIXED; /* never over the fuzzer's own memory */
      /* A descriptor's owner receives its I/O signals, with F_SETSIG any
         signal: not the fuzzer's own parents. */
      if (nr == SYS_fcntl
          && ((uint32_t) a[1] == F_SETOWN || (uint32_t) a[1] == F_SETOWN_EX || (uint32_t) a[1] == F_SETSIG))
        continue;
      if (nr == SYS_ioctl
          && ((uint32_t) a[1] == FIOSETOWN || (uint32_t) a[1] == SIOCSPGRP || (uint32_t) a[1] == TIOCSPGRP))
        continue;
      if ((rnd () % 8) == 0)
        memcpy (scratch + rnd () % 60000, paths[rnd () % (sizeof (paths) / sizeof (paths[0]))], 16);
      *last_nr = nr;
      syscall (nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
  _exit (0);
}

/* After the storm, in the same sandbox: the Sentry and the Gofer answer. */
static int
check_sentry (void)
{
  struct stat st;
  struct utsname u;
  char buf[256];
  int fd, bad = 0;
  DIR *d;

  if (stat ("/", &st) < 0)
    printf ("stat / failed: %s\n", strerror (errno)), bad++;
  fd = open ("/etc/hostname", O_RDONLY);
  if (fd < 0 || read (fd, buf, sizeof (buf)) < 0)
    printf ("open/read /etc/hostname failed: %s\n", strerror (errno)), bad++;
  if (fd >= 0)
    close (fd);
  if (uname (&u) < 0)
    printf ("uname failed: %s\n", strerror (errno)), bad++;
  d = opendir ("/proc");
  if (d == NULL || readdir (d) == NULL)
    printf ("listing /proc failed: %s\n", strerror (errno)), bad++;
  if (d)
    closedir (d);
  fd = open (SCRATCH "/after", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0 || write (fd, "x", 1) != 1)
    printf ("create a file failed: %s\n", strerror (errno)), bad++;
  if (fd >= 0)
    close (fd);
  return bad;
}

/* Forks children one after another until the time is up; counters (shared
   with the parent): calls, children, crashed, hung, then per-call deaths. */
static int
run_children (long seconds, uint64_t seed, volatile long *counters)
{
  struct timespec start, now;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      pid_t pid;
      int status, waited;

      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= seconds)
        break;
      pid = fork ();
      if (pid < 0)
        {
          usleep (100000);
          continue;
        }
      if (pid == 0)
        {
          /* Each child its own stream, reproducible from the seed. */
          rng_state = (seed + (uint64_t) counters[1] * 0x9E3779B97F4A7C15ull) | 1;
          child ();
        }
      counters[1]++;
      for (waited = 0; waited < 300; waited++)
        {
          pid_t r = waitpid (pid, &status, WNOHANG);
          if (r == pid)
            break;
          usleep (10000);
        }
      if (waited == 300)
        {
          counters[3]++;
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
        }
      else if (WIFSIGNALED (status))
        {
          counters[2]++;
          counters[4 + (*last_nr & 511)]++;
          if (counters[2] < 4)
            {
              printf ("  a child died (signal %d) in %#lx\n", WTERMSIG (status), *last_nr);
              fflush (stdout);
            }
        }
      counters[0] += CALLS_PER_CHILD;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  long seconds = argc > 1 ? atol (argv[1]) : 120;
  uint64_t seed = argc > 2 ? strtoull (argv[2], NULL, 0) : (uint64_t) time (NULL);
  long calls, children, crashed, hung;
  volatile long *counters;
  struct timespec start, now;
  size_t i;

  rng_state = seed ? seed : 1;
  /* The report goes to a descriptor far from the small numbers the calls
     use (a child can take any of its parents' descriptors with
     pidfd_getfd and write garbage there); stdio is /dev/null. */
  {
    int out = fcntl (1, F_DUPFD_CLOEXEC, REPORT_FD), null = open ("/dev/null", O_RDWR);
    if (out < 0 || null < 0 || dup2 (out, REPORT_FD) < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0)
      return 2;
    if (out != REPORT_FD)
      close (out);
    close (null);
    if (freopen ("/dev/null", "w", stdout) == NULL || (stdout = fdopen (REPORT_FD, "w")) == NULL)
      return 2;
  }
  printf ("seed %llu\n", (unsigned long long) seed);
  fflush (stdout);
  scratch = mmap (NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  last_nr = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  counters = mmap (NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (last_nr == MAP_FAILED || counters == MAP_FAILED)
    return 2;
  long_path = malloc (8192);
  if (scratch == MAP_FAILED || long_path == NULL)
    return 2;
  for (i = 0; i < 65536; i++)
    scratch[i] = (char) rnd ();
  memset (long_path, 'a', 8191);
  long_path[8191] = '\0';
  mkdir (SCRATCH, 0755);
  mkdir (SCRATCH "/d", 0755);
  mkfifo (SCRATCH "/fifo", 0644);
  if (symlink ("/etc/shadow", SCRATCH "/link") < 0 && errno != EEXIST)
    return 2;
  signal (SIGPIPE, SIG_IGN);
  clock_gettime (CLOCK_MONOTONIC, &start);
  /* The children run under a runner, restarted should a child's call take
     it down too; this process only counts and checks. */
  while (1)
    {
      pid_t runner;
      int status;

      clock_gettime (CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= seconds)
        break;
      runner = fork ();
      if (runner == 0)
        _exit (run_children (seconds - (now.tv_sec - start.tv_sec), seed, counters));
      while (waitpid (runner, &status, 0) < 0 && errno == EINTR)
        ;
      if (WIFSIGNALED (status))
        printf ("the runner was killed by signal %d; restarting it\n", WTERMSIG (status));
    }
  calls = counters[0];
  children = counters[1];
  crashed = counters[2];
  hung = counters[3];
  printf ("\ncalls %ld children %ld crashed %ld hung %ld\n", calls, children, crashed, hung);
  for (i = 0; i < 512; i++)
    if (counters[4 + i] > children / 20)
      printf ("  died in %zu: %ld times\n", i, counters[4 + i]);
  if (check_sentry () > 0)
    {
      printf ("the sandbox stopped answering\n");
      return 1;
    }
  printf ("sentry answers\n");
  return 0;
}
