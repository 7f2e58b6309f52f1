/* sandbox-runtime do: run one command in a new sandbox, like `runsc do`.
   Without --rootfs the host root is the image, read-only, under an
   in-memory writable layer that vanishes at exit. The command runs as the
   tenant's host ids (a user namespace); its stdio are pipes (or, with a
   terminal, the sandbox's own pty) that this process relays to ours, so it
   never holds one of our descriptors; its exit status (or 128+signal) is
   ours; SIGINT, SIGTERM and SIGHUP reach it. Everything the sandbox makes
   lives in its namespaces and its cgroup, both gone when this returns. */
#include "runtime.h"
#include "auditlog.h"
#include "cgroup.h"
#include "hostpath.h"
#include "idrange.h"
#include "relay.h"
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
#include <linux/mount.h>
#include <sys/socket.h>
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

#define DEFAULT_AUDIT_LOG_MAX (16ull << 20)

struct do_options
{
  const char *rootfs;
  const char *policy;
  const char *policy_base;
  const char *hostname;
  const char *release;
  const char *audit_log;
  const char *cwd;
  bool network_host;
  bool network_host_given;
  bool strace;
  bool tty;
  uint64_t audit_log_max;
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
           "  --audit-log-max SIZE  rotate the audit log past SIZE (K, M, G; 0: never;\n"
           "                        default 16M)\n"
           "  -t, --tty             give the command a terminal (the default when our\n"
           "                        stdin is one)\n"
           "  -h, --help            show this help\n"
           "\n"
           "The command runs as the tenant's host ids (the policy's id-range, or a block of\n"
           "the id-pool recorded in %s).\n",
           DEFAULT_POLICY_BASE, DEFAULT_AUDIT_LOG, SB_IDRANGE_STATE);
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
    { "tty", no_argument, 0, 't' },            { "audit-log-max", required_argument, 0, 'M' },
    { 0, 0, 0, 0 },
  };
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+ht", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'r':
          o->rootfs = optarg;
          break;
        case 't':
          o->tty = true;
          break;
        case 'M':
          if (sb_parse_size (optarg, &o->audit_log_max) < 0 && strcmp (optarg, "0") != 0)
            return sb_error (err, 0, "--audit-log-max `%s`: a size such as 512K or 16M", optarg);
          if (strcmp (optarg, "0") == 0)
            o->audit_log_max = 0;
          break;
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
open_audit_log (const char *path, uint64_t max, struct sb_audit_log *log, sb_error_t *err)
{
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
  return sb_audit_log_open (log, path, max, err);
}

/* The sandbox's settings: the policy's, narrowed (never widened) by options. */
struct do_settings
{
  const char *hostname;
  const char *release;
  bool network_host;
  char memory[32], cpus[16], disk[32], idmap[32];
  struct sb_cgroup_limits limits;
  struct sb_idmap ids;
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

/* Descriptors the Sentry inherits, from fd 3 up, in this order. */
struct handoff
{
  int fds[8 + SB_POLICY_MAX_VOLUMES];
  int n;
};

/* Adds fd to the hand-off; returns the number it will have in the Sentry. */
static int
handoff_add (struct handoff *h, int fd)
{
  h->fds[h->n] = fd;
  return 3 + h->n++;
}

struct sandbox_io
{
  int lifeline[2];         /* write end ours, held until we exit: the Sentry sees us go */
  int audit[2];            /* the Sentry's audit lines: read end ours */
  int ctl[2];              /* with a terminal: the pty's master comes back on it */
  int in[2], out[2], err[2];  /* without: the app's stdio pipes */
  int rootfs;              /* O_PATH of --rootfs, or -1 */
  int volumes[SB_POLICY_MAX_VOLUMES];
  int nvolumes;
};

static void
close_pair (int p[2])
{
  for (int i = 0; i < 2; i++)
    if (p[i] >= 0)
      {
        close (p[i]);
        p[i] = -1;
      }
}

static void
sandbox_io_close (struct sandbox_io *io)
{
  close_pair (io->lifeline);
  close_pair (io->audit);
  close_pair (io->ctl);
  close_pair (io->in);
  close_pair (io->out);
  close_pair (io->err);
  if (io->rootfs >= 0)
    close (io->rootfs);
  for (int i = 0; i < io->nvolumes; i++)
    close (io->volumes[i]);
  io->rootfs = -1;
  io->nvolumes = 0;
}

/* The host directories the sandbox is built from, opened once by
   descriptor (common/hostpath.h) and checked there; what the Sentry gets is
   a detached copy of each one's mount tree, taken from that descriptor
   (the Sentry's own mount namespace could not copy ours). A volume must
   still be inside the tenant's volume roots where the walk ended up. */
static int
host_tree (const char *path, const char *what, char *where, size_t len, sb_error_t *err)
{
  cleanup_close int fd = sb_open_host_path (path, what, err);
  int tree;

  if (fd < 0)
    return -1;
  if (where && sb_fd_host_path (fd, where, len) < 0)
    return sb_error (err, EIO, "%s `%s`: cannot tell where it is", what, path);
  tree = syscall (SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0)
    return sb_error (err, errno, "%s `%s`: copy its mount", what, path);
  return tree;
}

static int
open_host_dirs (const struct do_options *o, const struct sb_policy *p, struct sandbox_io *io,
                sb_error_t *err)
{
  if (o->rootfs)
    {
      io->rootfs = host_tree (o->rootfs, "--rootfs", NULL, 0, err);
      if (io->rootfs < 0)
        return -1;
    }
  for (int i = 0; i < p->nvolumes; i++)
    {
      const struct sb_volume *v = &p->volumes[i];
      char what[128], now[4096];
      bool inside = false;
      int fd;

      snprintf (what, sizeof (what), "volume %s: source", v->name);
      fd = host_tree (v->source, what, now, sizeof (now), err);
      if (fd < 0)
        return -1;
      io->volumes[io->nvolumes++] = fd;
      for (int k = 0; k < p->nvolume_roots && !inside; k++)
        inside = sb_path_has_prefix (now, p->volume_roots[k]);
      if (!inside)
        return sb_error (err, EPERM, "%s `%s` is outside the tenant's volume roots", what, now);
    }
  return 0;
}

static int
make_io (const struct do_options *o, const struct sb_idmap *ids, struct sandbox_io *io,
         sb_error_t *err)
{
  if (pipe2 (io->audit, O_CLOEXEC) < 0 || pipe2 (io->lifeline, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  /* The Sentry never waits for us to read an audit line. */
  fcntl (io->audit[1], F_SETFL, O_NONBLOCK);
  if (o->tty)
    {
      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, io->ctl) < 0)
        return sb_error (err, errno, "socketpair");
      return 0;
    }
  if (pipe2 (io->in, O_CLOEXEC) < 0 || pipe2 (io->out, O_CLOEXEC) < 0 || pipe2 (io->err, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  /* The pipes belong to the container's root, as if it had made them: it
     may then reopen them by name (/dev/stdout is /proc/self/fd/1). */
  if (fchown (io->in[0], ids->host, ids->host) < 0 || fchown (io->out[0], ids->host, ids->host) < 0
      || fchown (io->err[0], ids->host, ids->host) < 0)
    return sb_error (err, errno, "give the stdio pipes to the container's root");
  return 0;
}

/* argv for sandbox-sentry; fills the hand-off of the descriptors it names. */
static char **
sentry_argv (const struct do_options *o, struct do_settings *st, struct sandbox_io *io,
             struct handoff *h, const char *id)
{
  static char bufs[8 + SB_POLICY_MAX_VOLUMES][32];
  size_t n = 0, i;
  int k, b = 0;
  char **v;

  while (o->argv[n])
    n++;
  v = calloc (n + 64 + 2 * SB_POLICY_MAX_VOLUMES + 2 * SB_CGROUP_MAX_DIRS, sizeof (char *));
  if (v == NULL)
    return NULL;
  i = 0;
  v[i++] = "sandbox-sentry";
  snprintf (st->idmap, sizeof (st->idmap), "%u:%u", st->ids.host, st->ids.count);
  v[i++] = "--id-map";
  v[i++] = st->idmap;
  snprintf (bufs[b], sizeof (bufs[b]), "%d", handoff_add (h, io->audit[1]));
  v[i++] = "--audit-fd";
  v[i++] = bufs[b++];
  snprintf (bufs[b], sizeof (bufs[b]), "%d", handoff_add (h, io->lifeline[0]));
  v[i++] = "--lifeline-fd";
  v[i++] = bufs[b++];
  if (o->tty)
    {
      v[i++] = "--tty";
      snprintf (bufs[b], sizeof (bufs[b]), "%d", handoff_add (h, io->ctl[1]));
      v[i++] = "--ctl-fd";
      v[i++] = bufs[b++];
    }
  else
    {
      int a = handoff_add (h, io->in[0]), c = handoff_add (h, io->out[1]), e = handoff_add (h, io->err[1]);
      snprintf (bufs[b], sizeof (bufs[b]), "%d,%d,%d", a, c, e);
      v[i++] = "--stdio";
      v[i++] = bufs[b++];
    }
  if (o->rootfs)
    {
      v[i++] = "--rootfs";
      v[i++] = (char *) o->rootfs;
      snprintf (bufs[b], sizeof (bufs[b]), "%d", handoff_add (h, io->rootfs));
      v[i++] = "--rootfs-fd";
      v[i++] = bufs[b++];
    }
  for (k = 0; k < io->nvolumes; k++)
    {
      snprintf (bufs[b], sizeof (bufs[b]), "%d", handoff_add (h, io->volumes[k]));
      v[i++] = "--volume-fd";
      v[i++] = bufs[b++];
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
      /* Polling for the next call would spend the sandbox's own CPU quota. */
      v[i++] = "--no-spin";
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
   ourselves and end it. It keeps no descriptor but the Sentry's pidfd. */
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

    sb_close_fds_except (0, &pidfd, 1);
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

/* In the child: the Sentry's descriptors (0: /dev/null, 1-2: ours, for its
   own messages and --strace; 3..: the hand-off), then exec. */
__attribute__ ((noreturn)) static void
exec_sentry (int sentry_exe, int devnull, const struct handoff *h, char **sargv)
{
  int moved[8 + SB_POLICY_MAX_VOLUMES + 2], k, exe;

  /* Move every descriptor above where they go first: any may sit there. */
  for (k = 0; k < h->n; k++)
    if ((moved[k] = fcntl (h->fds[k], F_DUPFD_CLOEXEC, 64)) < 0)
      _exit (SB_EXIT_SANDBOX);
  exe = fcntl (sentry_exe, F_DUPFD_CLOEXEC, 64);
  if (exe < 0 || dup2 (devnull, 0) < 0)
    _exit (SB_EXIT_SANDBOX);
  for (k = 0; k < h->n; k++)
    if (dup2 (moved[k], 3 + k) < 0)
      _exit (SB_EXIT_SANDBOX);
  {
    int keep[1] = { exe };
    sb_close_fds_except (3 + h->n, keep, 1);
  }
  syscall (SYS_execveat, exe, "", sargv, environ, AT_EMPTY_PATH);
  fprintf (stderr, "sandbox-runtime do: exec the Sentry: %s\n", strerror (errno));
  _exit (SB_EXIT_SANDBOX);
}

int
sb_runtime_do (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct do_options o = { .audit_log = DEFAULT_AUDIT_LOG, .audit_log_max = DEFAULT_AUDIT_LOG_MAX };
  struct sandbox_io io = { .lifeline = { -1, -1 }, .audit = { -1, -1 }, .ctl = { -1, -1 }, .in = { -1, -1 },
                           .out = { -1, -1 }, .err = { -1, -1 }, .rootfs = -1 };
  struct sb_audit_log log = { .fd = -1, .lockfd = -1 };
  struct sb_cgroup cg = { 0 };
  struct handoff h = { 0 };
  cleanup_close int sentry_exe = -1;
  cleanup_close int devnull = -1;
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
      return SB_EXIT_USAGE;
    }
  /* Like docker run -t: a terminal for the command when we have one. */
  if (isatty (STDIN_FILENO))
    o.tty = true;
  if (geteuid () != 0)
    {
      fprintf (stderr, "sandbox-runtime do: must run as root (it creates namespaces and cgroups)\n");
      return SB_EXIT_SANDBOX;
    }
  snprintf (path, sizeof (path), "%s/sandbox-sentry", sb_libexec_dir ());
  sentry_exe = open (path, O_PATH | O_CLOEXEC);
  if (sentry_exe < 0)
    {
      sb_error (&err, errno, "open the Sentry `%s`", path);
      goto out;
    }
  devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (policy == NULL || st == NULL || devnull < 0)
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
  if (settle (&o, policy, st, &err) < 0 || open_host_dirs (&o, policy, &io, &err) < 0)
    {
      code = SB_EXIT_USAGE;
      goto out;
    }
  if (sb_idrange_for (policy, SB_IDRANGE_STATE, &st->ids, &err) < 0)
    goto out;
  if (open_audit_log (o.audit_log, o.audit_log_max, &log, &err) < 0 || make_io (&o, &st->ids, &io, &err) < 0)
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
  sargv = sentry_argv (&o, st, &io, &h, id);
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
      exec_sentry (sentry_exe, devnull, &h, sargv);
    }
  close (sync[0]);
  sync[0] = -1;
  /* Only the Sentry keeps its ends. */
  {
    int *theirs[] = { &io.audit[1], &io.ctl[1], &io.in[0], &io.out[1], &io.err[1], &io.lifeline[0] };
    for (i = 0; i < sizeof (theirs) / sizeof (theirs[0]); i++)
      if (*theirs[i] >= 0)
        {
          close (*theirs[i]);
          *theirs[i] = -1;
        }
  }
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
  {
    struct sb_relay r = {
      .child = child, .tty = o.tty, .ctl = io.ctl[0], .app_in = io.in[1], .app_out = io.out[0],
      .app_err = io.err[0], .audit = io.audit[0], .log = &log, .forward = forwarded,
      .nforward = (int) (sizeof (forwarded) / sizeof (forwarded[0])),
    };
    int status;

    io.ctl[0] = io.in[1] = io.out[0] = io.err[0] = io.audit[0] = -1; /* the relay closes them */
    status = sb_relay_run (&r, &err);
    sigprocmask (SIG_SETMASK, &old, NULL);
    if (status < 0)
      code = SB_EXIT_SANDBOX;
    else if (WIFEXITED (status))
      code = WEXITSTATUS (status);
    else if (WTERMSIG (status) == SIGKILL && sb_cgroup_oom_kills (&cg) > 0)
      code = 128 + SIGKILL; /* the OOM killer reached the helpers too: reported below */
    else
      {
        sb_error (&err, 0, "the sandbox's Sentry died (signal %d): the sandbox is gone",
                  WIFSIGNALED (status) ? WTERMSIG (status) : 0);
        code = SB_EXIT_SANDBOX;
      }
  }
  if (code == 128 + SIGKILL && sb_cgroup_oom_kills (&cg) > 0)
    fprintf (stderr, "sandbox-runtime do: the command was killed: out of memory (limit %llu bytes, "
             "for the app and the work done for it)\n",
             (unsigned long long) st->limits.memory_bytes);

out:
  if (sync[0] >= 0)
    close (sync[0]);
  if (sync[1] >= 0)
    close (sync[1]);
  sandbox_io_close (&io);
  sb_audit_log_close (&log);
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
  return code;
}
