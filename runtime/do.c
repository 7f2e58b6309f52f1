/* sandbox-runtime do: run one command in a new sandbox, like `runsc do`.
   Without --rootfs the host root is the image, read-only, under an in-memory
   writable layer that vanishes at exit. The command's stdio are ours; its
   exit status (or 128+signal) is ours; SIGINT, SIGTERM and SIGHUP reach it.
   Everything the sandbox makes lives in its namespaces and its cgroup, both
   gone when this returns. */
#include "runtime.h"
#include "cgroup.h"
#include "policy/policy.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_AUDIT_LOG SB_LOCALSTATEDIR "/log/sandboxd/audit.log"
#define HOSTNAME_MAX 64

/* Where cgroups are: $SANDBOX_CGROUP_ROOT lets a test point at a cgroup2
   mount of its own (to test v2 on a v1 host). */
#define SB_CGROUP_ROOT (getenv ("SANDBOX_CGROUP_ROOT") ? getenv ("SANDBOX_CGROUP_ROOT") : "/sys/fs/cgroup")
#define DEFAULT_POLICY_BASE SB_SYSCONFDIR "/sandboxd/defaults.conf"

struct do_options
{
  char *rootfs;             /* realpath'd */
  const char *policy;
  const char *policy_base;
  const char *hostname;
  const char *release;
  const char *audit_log;
  const char *cwd;
  bool network_host;
  bool network_host_given;
  bool strace;
  char **argv;
};

static void
do_usage (FILE *f)
{
  fprintf (f,
           "usage: sandbox-runtime do [OPTIONS] -- CMD [ARG...]\n"
           "\n"
           "Runs CMD in a new sandbox and exits with its status (128+N if killed by signal N).\n"
           "\n"
           "  --rootfs DIR          use DIR as the root (default: the host root, read-only,\n"
           "                        with an in-memory writable layer)\n"
           "  --policy FILE         apply a tenant policy file (over %s when it exists)\n"
           "  --policy-base FILE    use FILE as the provider's base policy instead\n"
           "  --hostname NAME       the sandbox's hostname (default: sandbox)\n"
           "  --release R           the kernel release uname reports (default: 6.1.0)\n"
           "  --network none|host   none: loopback only (default); host: the host's network\n"
           "  --strace              print every mediated system call to stderr\n"
           "  --cwd DIR             the command's working directory (default: the current one\n"
           "                        with the host root, / with --rootfs)\n"
           "  --audit-log FILE      append denied calls as JSON lines (default: %s)\n"
           "  -h, --help            show this help\n",
           DEFAULT_POLICY_BASE, DEFAULT_AUDIT_LOG);
}

static bool
valid_hostname (const char *h)
{
  size_t n = strlen (h), i;

  if (n == 0 || n > HOSTNAME_MAX)
    return false;
  for (i = 0; i < n; i++)
    if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9')
          || h[i] == '-' || h[i] == '.'))
      return false;
  return h[0] != '-' && h[0] != '.';
}

static int
parse_do_options (int argc, char **argv, struct do_options *o, sb_error_t *err)
{
  static const struct option opts[] = {
    { "rootfs", required_argument, 0, 'r' },   { "policy", required_argument, 0, 'p' },
    { "hostname", required_argument, 0, 'H' }, { "release", required_argument, 0, 'R' },
    { "network", required_argument, 0, 'n' },  { "strace", no_argument, 0, 's' },
    { "audit-log", required_argument, 0, 'a' }, { "help", no_argument, 0, 'h' },
    { "cwd", required_argument, 0, 'w' },      { "policy-base", required_argument, 0, 'b' },
    { 0, 0, 0, 0 },
  };
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'r':
          {
            struct stat st;
            o->rootfs = realpath (optarg, NULL);
            if (o->rootfs == NULL)
              return sb_error (err, errno, "--rootfs `%s`", optarg);
            if (stat (o->rootfs, &st) < 0 || !S_ISDIR (st.st_mode))
              return sb_error (err, ENOTDIR, "--rootfs `%s`", optarg);
            break;
          }
        case 'p':
          o->policy = optarg;
          break;
        case 'b':
          o->policy_base = optarg;
          break;
        case 'H':
          if (!valid_hostname (optarg))
            return sb_error (err, 0, "--hostname `%s`: use letters, digits, '-' and '.', at most %d",
                             optarg, HOSTNAME_MAX);
          o->hostname = optarg;
          break;
        case 'R':
          if (strlen (optarg) == 0 || strlen (optarg) > 64)
            return sb_error (err, 0, "--release `%s`: 1 to 64 characters", optarg);
          o->release = optarg;
          break;
        case 'n':
          if (strcmp (optarg, "host") == 0)
            o->network_host = true;
          else if (strcmp (optarg, "none") == 0)
            o->network_host = false;
          else
            return sb_error (err, 0, "--network `%s`: use none or host", optarg);
          o->network_host_given = true;
          break;
        case 's':
          o->strace = true;
          break;
        case 'a':
          o->audit_log = optarg;
          break;
        case 'w':
          if (optarg[0] != '/')
            return sb_error (err, 0, "--cwd `%s`: must be an absolute path", optarg);
          o->cwd = optarg;
          break;
        case 'h':
          do_usage (stdout);
          exit (0);
        default:
          return sb_error (err, 0, "unknown or incomplete option `%s` (see --help)",
                           argv[optind - 1]);
        }
    }
  if (optind >= argc)
    return sb_error (err, 0, "no command given (usage: sandbox-runtime do [OPTIONS] -- CMD [ARG...])");
  o->argv = argv + optind;
  if (o->policy_base && !o->policy)
    return sb_error (err, 0, "--policy-base needs --policy");
  return 0;
}

static int
open_audit_log (const char *path, sb_error_t *err)
{
  int fd;

  if (strcmp (path, DEFAULT_AUDIT_LOG) == 0)
    {
      /* mkdir -p of the default log directory, private to root. */
      char dir[PATH_MAX], *p;
      snprintf (dir, sizeof (dir), "%s", SB_LOCALSTATEDIR "/log/sandboxd");
      for (p = dir + 1; *p; p++)
        if (*p == '/')
          {
            *p = '\0';
            mkdir (dir, 0755);
            *p = '/';
          }
      mkdir (dir, 0700);
    }
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return sb_error (err, errno, "open the audit log `%s`", path);
  return fd;
}

/* The sandbox's settings: the policy's, narrowed (never widened) by options. */
struct do_settings
{
  const char *hostname;
  const char *release;
  bool network_host;
  char memory[32], cpus[16], disk[32];
  struct sb_cgroup_limits limits;
  char cgroup_procs[SB_CGROUP_MAX_DIRS][8300];
  int ncgroup_procs;
};

static int
settle (const struct do_options *o, const struct sb_policy *p, struct do_settings *st, sb_error_t *err)
{
  st->hostname = o->hostname ? o->hostname : p->hostname[0] ? p->hostname : "sandbox";
  if (o->policy && !sb_policy_hostname_allowed (p, st->hostname))
    return sb_error (err, 0, "hostname `%s` is not allowed by the policy (pattern `%s`)",
                     st->hostname, p->hostname_pattern);
  if (o->policy && o->release && strcmp (o->release, p->uname_release) != 0)
    return sb_error (err, 0, "--release: the policy sets the kernel release (`%s`)", p->uname_release);
  st->release = o->release ? o->release : p->uname_release;
  if (o->network_host && o->policy && p->network != SB_NET_HOST)
    return sb_error (err, 0, "--network host: the policy allows only network mode none");
  st->network_host = o->policy ? (o->network_host_given ? o->network_host : p->network == SB_NET_HOST)
                               : o->network_host;
  snprintf (st->memory, sizeof (st->memory), "%llu", (unsigned long long) p->memory_bytes);
  snprintf (st->cpus, sizeof (st->cpus), "%u", (p->cpu_millis + 999) / 1000);
  snprintf (st->disk, sizeof (st->disk), "%llu", (unsigned long long) p->disk_bytes);
  st->limits.memory_bytes = p->memory_bytes;
  st->limits.swap_bytes = p->swap_bytes;
  st->limits.cpu_millis = p->cpu_millis;
  st->limits.pids = p->pids;
  return 0;
}

/* argv for sandbox-sentry. */
static char **
sentry_argv (const struct do_options *o, const struct do_settings *st, int audit_fd, const char *id)
{
  size_t n = 0, i;
  char **v;
  static char audit_buf[16];
  int k;

  while (o->argv[n])
    n++;
  v = calloc (n + 48, sizeof (char *));
  if (v == NULL)
    return NULL;
  i = 0;
  v[i++] = "sandbox-sentry";
  if (o->rootfs)
    {
      v[i++] = "--rootfs";
      v[i++] = o->rootfs;
    }
  v[i++] = "--hostname";
  v[i++] = (char *) st->hostname;
  v[i++] = "--release";
  v[i++] = (char *) st->release;
  v[i++] = "--network";
  v[i++] = st->network_host ? "host" : "none";
  if (st->limits.memory_bytes)
    {
      v[i++] = "--memory";
      v[i++] = (char *) st->memory;
    }
  if (st->limits.cpu_millis)
    {
      v[i++] = "--cpus";
      v[i++] = (char *) st->cpus;
    }
  v[i++] = "--tmpfs-size";
  v[i++] = (char *) st->disk;
  if (o->policy)
    {
      v[i++] = "--policy";
      v[i++] = (char *) o->policy;
      if (o->policy_base)
        {
          v[i++] = "--policy-base";
          v[i++] = (char *) o->policy_base;
        }
    }
  for (k = 0; k < st->ncgroup_procs; k++)
    {
      v[i++] = "--cgroup-procs";
      v[i++] = (char *) st->cgroup_procs[k];
    }
  if (o->strace)
    v[i++] = "--strace";
  snprintf (audit_buf, sizeof (audit_buf), "%d", audit_fd);
  v[i++] = "--audit-fd";
  v[i++] = audit_buf;
  v[i++] = "--id";
  v[i++] = (char *) id;
  if (o->cwd)
    {
      v[i++] = "--cwd";
      v[i++] = (char *) o->cwd;
    }
  else if (!o->rootfs)
    {
      /* Like runsc do: start where the caller is, if the image has that directory. */
      static char here[PATH_MAX];
      if (getcwd (here, sizeof (here)))
        {
          v[i++] = "--cwd";
          v[i++] = here;
          v[i++] = "--cwd-optional";
        }
    }
  v[i++] = "--";
  memcpy (v + i, o->argv, n * sizeof (char *));
  return v;
}

/* A small process that outlives us only if we are killed: it waits for the
   Sentry to end (it does, by its parent-death signal) and removes the
   sandbox's cgroup, which nobody else would. On a normal exit we clean up
   ourselves and end it. */
static pid_t
start_watcher (pid_t sentry, struct sb_cgroup *cg)
{
  int pidfd = syscall (SYS_pidfd_open, sentry, 0);
  pid_t parent = getpid (), pid;

  if (pidfd < 0)
    return -1;
  pid = fork ();
  if (pid != 0)
    {
      close (pidfd);
      return pid;
    }
  {
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    sigset_t all;
    int i;

    /* Signals meant for the command (a Ctrl-C to the process group) are not ours. */
    for (i = 1; i < NSIG; i++)
      if (i != SIGKILL && i != SIGSTOP)
        signal (i, SIG_IGN);
    sigfillset (&all);
    sigprocmask (SIG_SETMASK, &all, NULL);
    while (poll (&pfd, 1, -1) < 0 && errno == EINTR)
      ;
    /* Give the runtime a moment: if it lives, it cleans up and ends us. */
    for (i = 0; i < 50 && getppid () == parent; i++)
      usleep (20000);
    if (getppid () != parent)
      sb_cgroup_destroy (cg, NULL);
    _exit (0);
  }
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int
wait_sandbox (pid_t child, sb_error_t *err)
{
  sigset_t set;
  size_t i;
  int status;

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (&set, forwarded[i]);
  for (;;)
    {
      siginfo_t si;
      int sig = sigwaitinfo (&set, &si);

      if (sig < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (sig != SIGCHLD)
        {
          kill (child, sig);
          continue;
        }
      if (waitpid (child, &status, WNOHANG) == child)
        break;
    }
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  sb_error (err, 0, "the sandbox's Sentry died (signal %d): the sandbox is gone",
            WIFSIGNALED (status) ? WTERMSIG (status) : 0);
  return -1;
}

int
sb_runtime_do (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct do_options o = { .audit_log = DEFAULT_AUDIT_LOG };
  struct sb_cgroup cg = { 0 };
  cleanup_close int sentry_exe = -1;
  cleanup_close int audit_fd = -1;
  int sync[2] = { -1, -1 };
  char path[PATH_MAX], id[64];
  cleanup_free char **sargv = NULL;
  cleanup_free struct sb_policy *policy = calloc (1, sizeof (*policy));
  cleanup_free struct do_settings *st = calloc (1, sizeof (*st));
  sigset_t block, old;
  unsigned long flags;
  pid_t child, watcher = -1;
  int code = SB_EXIT_SANDBOX;
  size_t i;

  /* A sandbox that failed early closes its end of our pipes: that is an
     error to report, not a reason to die. */
  signal (SIGPIPE, SIG_IGN);
  if (parse_do_options (argc, argv, &o, &err) < 0)
    {
      sb_error_print ("sandbox-runtime do", &err);
      free (o.rootfs);
      return SB_EXIT_USAGE;
    }
  if (geteuid () != 0)
    {
      fprintf (stderr, "sandbox-runtime do: must run as root (it creates namespaces and cgroups)\n");
      free (o.rootfs);
      return SB_EXIT_SANDBOX;
    }
  snprintf (path, sizeof (path), "%s/sandbox-sentry", sb_libexec_dir ());
  sentry_exe = open (path, O_PATH | O_CLOEXEC);
  if (sentry_exe < 0)
    {
      sb_error (&err, errno, "open the Sentry `%s`", path);
      goto out;
    }
  if (policy == NULL || st == NULL)
    {
      sb_error (&err, ENOMEM, "allocate");
      goto out;
    }
  if (o.policy)
    {
      if (o.policy_base == NULL && access (DEFAULT_POLICY_BASE, F_OK) == 0)
        o.policy_base = DEFAULT_POLICY_BASE;
      if (sb_policy_load (policy, o.policy_base, o.policy, &err) < 0)
        {
          code = SB_EXIT_USAGE;
          goto out;
        }
    }
  else
    sb_policy_defaults (policy);
  if (settle (&o, policy, st, &err) < 0)
    {
      code = SB_EXIT_USAGE;
      goto out;
    }
  if ((audit_fd = open_audit_log (o.audit_log, &err)) < 0)
    goto out;
  snprintf (id, sizeof (id), "do-%d-%llx", getpid (), (unsigned long long) (sb_now_ns () & 0xffffff));
  if (sb_cgroup_create (&cg, SB_CGROUP_ROOT, id, &err) < 0)
    {
      sb_error_prefix (&err, "create the sandbox's cgroup");
      goto out;
    }
  if (sb_cgroup_set_limits (&cg, &st->limits, &err) < 0)
    {
      sb_error_prefix (&err, "apply the policy's limits");
      goto out;
    }
  for (st->ncgroup_procs = 0; st->ncgroup_procs < cg.ndirs; st->ncgroup_procs++)
    sb_cgroup_app_procs (&cg, st->ncgroup_procs, st->cgroup_procs[st->ncgroup_procs],
                         sizeof (st->cgroup_procs[0]));
  sargv = sentry_argv (&o, st, 3, id);
  if (sargv == NULL)
    {
      sb_error (&err, ENOMEM, "allocate");
      goto out;
    }
  if (pipe2 (sync, O_CLOEXEC) < 0)
    {
      sb_error (&err, errno, "pipe");
      goto out;
    }

  /* Signals wait in a queue from here on, to be forwarded to the sandbox. */
  sigemptyset (&block);
  sigaddset (&block, SIGCHLD);
  for (i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (&block, forwarded[i]);
  sigprocmask (SIG_BLOCK, &block, &old);

  flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  if (!st->network_host)
    flags |= CLONE_NEWNET;
  child = syscall (SYS_clone, flags, 0, 0, 0, 0);
  if (child < 0)
    {
      sb_error (&err, errno, "clone the sandbox's namespaces");
      sigprocmask (SIG_SETMASK, &old, NULL);
      goto out;
    }
  if (child == 0)
    {
      int keep[2] = { 3, 4 };
      char go;

      sigprocmask (SIG_SETMASK, &old, NULL);
      /* If we are killed, the Sentry goes too, and with it (pid 1 of the
         sandbox) every process of the sandbox. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      close (sync[1]);
      /* (getppid is 0 here: our parent is outside the new pid namespace. If it
         died before prctl, the read below sees end-of-file.) */
      if (read (sync[0], &go, 1) != 1)
        _exit (SB_EXIT_SANDBOX); /* the parent failed to place us: give up */
      /* The Sentry gets stdio, the audit log as fd 3, its binary as fd 4. */
      {
        /* Move both above 4 first: either may already sit on 3 or 4. */
        int a = fcntl (audit_fd, F_DUPFD_CLOEXEC, 10), e = fcntl (sentry_exe, F_DUPFD_CLOEXEC, 10);
        if (a < 0 || e < 0 || dup2 (a, 3) < 0 || dup2 (e, 4) < 0)
          _exit (SB_EXIT_SANDBOX);
      }
      sb_close_fds_except (5, keep, 0);
      syscall (SYS_execveat, 4, "", sargv, environ, AT_EMPTY_PATH);
      fprintf (stderr, "sandbox-runtime do: exec the Sentry: %s\n", strerror (errno));
      _exit (SB_EXIT_SANDBOX);
    }
  close (sync[0]);
  sync[0] = -1;
  if (sb_cgroup_add_pid (&cg, child, &err) < 0)
    {
      close (sync[1]);
      waitpid (child, NULL, 0);
      sigprocmask (SIG_SETMASK, &old, NULL);
      sb_error_prefix (&err, "place the sandbox in its cgroup");
      goto out;
    }
  watcher = start_watcher (child, &cg);
  if (write (sync[1], "G", 1) != 1)
    kill (child, SIGKILL);
  close (sync[1]);
  sync[1] = -1;
  code = wait_sandbox (child, &err);
  sigprocmask (SIG_SETMASK, &old, NULL);
  if (code < 0)
    code = SB_EXIT_SANDBOX;
  else if (code == 128 + SIGKILL && sb_cgroup_oom_kills (&cg) > 0)
    fprintf (stderr, "sandbox-runtime do: the command was killed: out of memory (limit %llu bytes)\n",
             (unsigned long long) st->limits.memory_bytes);

out:
  if (sync[0] >= 0)
    close (sync[0]);
  if (sync[1] >= 0)
    close (sync[1]);
  if (cg.ndirs > 0)
    {
      sb_error_t cgerr = NULL;
      if (sb_cgroup_destroy (&cg, &cgerr) < 0)
        sb_error_print ("sandbox-runtime do", &cgerr);
    }
  if (watcher > 0)
    {
      kill (watcher, SIGKILL);
      waitpid (watcher, NULL, 0);
    }
  if (err)
    sb_error_print ("sandbox-runtime do", &err);
  free (o.rootfs);
  return code;
}
