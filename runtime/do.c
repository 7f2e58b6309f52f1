/* sandbox-runtime do: run one command in a new sandbox, like `runsc do`.
   Without --rootfs or --layer the host root is the image, read-only, under
   an in-memory writable layer that vanishes at exit. The command runs as the
   tenant's host ids (a user namespace); its stdio are pipes (or, with a
   terminal, the sandbox's own pty) that this process relays to ours, so it
   never holds one of our descriptors; its exit status (or 128+signal) is
   ours; SIGINT, SIGTERM and SIGHUP reach it. Everything the sandbox makes
   lives in its namespaces and its cgroup, both gone when this returns. */
#include "runtime.h"
#include "auditlog.h"
#include "idrange.h"
#include "relay.h"
#include "sandbox.h"
#include "policy/policy.h"
#include "cleanup.h"
#include "mounts.h"
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

#define DEFAULT_POLICY_BASE SB_SYSCONFDIR "/sandboxd/defaults.conf"

#define DEFAULT_AUDIT_LOG_MAX (16ull << 20)

struct do_options
{
  const char *rootfs;
  const char *layers[SB_MAX_LAYERS + 1];   /* --layer, bottom first, NULL-terminated */
  int nlayers;
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
           "  --layer DIR           a read-only layer of the root (repeat, bottom first:\n"
           "                        an image's layers), under an in-memory writable layer;\n"
           "                        not with --rootfs\n"
           "  --policy FILE         apply a tenant policy file (over %s when it exists)\n"
           "  --policy-base FILE    use FILE as the provider's base policy instead\n"
           "  --hostname NAME       the sandbox's hostname (default: sandbox)\n"
           "  --release R           the kernel release uname reports (default: 6.1.0)\n"
           "  --network none|host   none: loopback only (default); host: the host's network\n"
           "  --strace              print every mediated system call to stderr\n"
           "  --cwd DIR             the command's working directory (default: the current one\n"
           "                        with the host root, / with --rootfs or --layer)\n"
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
    { "layer", required_argument, 0, 'l' },
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
        case 'l':
          if (o->nlayers == SB_MAX_LAYERS)
            return sb_error (err, 0, "--layer: at most %d layers", SB_MAX_LAYERS);
          o->layers[o->nlayers++] = optarg;
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
  if (o->rootfs && o->nlayers > 0)
    return sb_error (err, 0, "--rootfs and --layer cannot be combined (the layers are the root)");
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
  struct sb_cgroup_limits limits;
  struct sb_idmap ids;
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
  st->limits.memory_bytes = p->memory_bytes;
  st->limits.swap_bytes = p->swap_bytes;
  st->limits.cpu_millis = p->cpu_millis;
  st->limits.pids = p->pids;
  return 0;
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

int
sb_runtime_do (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct do_options o = { .audit_log = DEFAULT_AUDIT_LOG, .audit_log_max = DEFAULT_AUDIT_LOG_MAX };
  struct sb_audit_log log = { .fd = -1, .lockfd = -1 };
  struct sb_sandbox sb = { .sentry = -1, .watcher = -1 };
  struct sb_sandbox_spec spec = { 0 };
  char id[64], here[PATH_MAX];
  struct sb_policy *policy = NULL; /* sb_policy_new: only the pages it uses are touched */
  cleanup_free struct do_settings *st = calloc (1, sizeof (*st));
  sigset_t block, old;
  int code = SB_EXIT_SANDBOX, ret;
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
  if (st == NULL)
    {
      sb_error (&err, ENOMEM, "allocate");
      goto out;
    }
  if (o.policy)
    {
      if (o.policy_base == NULL && access (DEFAULT_POLICY_BASE, F_OK) == 0)
        o.policy_base = DEFAULT_POLICY_BASE;
      if (sb_policy_load_new (&policy, o.policy_base, o.policy, &err) < 0)
        {
          code = SB_EXIT_USAGE;
          goto out;
        }
    }
  else if ((policy = sb_policy_new ()) == NULL)
    {
      sb_error (&err, ENOMEM, "allocate the policy");
      goto out;
    }
  if (settle (&o, policy, st, &err) < 0)
    {
      code = SB_EXIT_USAGE;
      goto out;
    }
  if (sb_idrange_for (policy, SB_IDRANGE_STATE, &st->ids, &err) < 0)
    goto out;
  if (open_audit_log (o.audit_log, o.audit_log_max, &log, &err) < 0)
    goto out;
  snprintf (id, sizeof (id), "do-%d-%llx", getpid (), (unsigned long long) (sb_now_ns () & 0xffffff));
  spec.id = id;
  spec.policy = policy;
  spec.policy_file = o.policy;
  spec.policy_base = o.policy ? o.policy_base : NULL;
  spec.rootfs = o.rootfs;
  spec.layers = o.layers;
  spec.hostname = st->hostname;
  spec.release = st->release;
  spec.network_host = st->network_host;
  spec.strace = o.strace;
  spec.tty = o.tty;
  spec.argv = o.argv;
  spec.limits = st->limits;
  spec.ids = st->ids;
  if (o.cwd)
    spec.cwd = o.cwd;
  else if (!o.rootfs && o.nlayers == 0 && getcwd (here, sizeof (here)))
    {
      /* Like runsc do: start where the caller is, if the image has that directory. */
      spec.cwd = here;
      spec.cwd_optional = true;
    }

  /* Signals wait in a queue from here on, to be forwarded to the sandbox. */
  sigemptyset (&block);
  sigaddset (&block, SIGCHLD);
  for (i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (&block, forwarded[i]);
  sigprocmask (SIG_BLOCK, &block, &old);
  ret = sb_sandbox_start (&spec, &sb, &err);
  if (ret < 0)
    {
      sigprocmask (SIG_SETMASK, &old, NULL);
      code = ret == SB_SANDBOX_EREQUEST ? SB_EXIT_USAGE : SB_EXIT_SANDBOX;
      goto out;
    }
  {
    struct sb_relay r = {
      .child = sb.sentry, .tty = o.tty, .ctl = sb.ctl, .app_in = sb.app_in, .app_out = sb.app_out,
      .app_err = sb.app_err, .audit = sb.audit, .log = &log, .forward = forwarded,
      .nforward = (int) (sizeof (forwarded) / sizeof (forwarded[0])),
    };
    int status;

    sb.ctl = sb.app_in = sb.app_out = sb.app_err = sb.audit = -1; /* the relay closes them */
    status = sb_relay_run (&r, &err);
    sigprocmask (SIG_SETMASK, &old, NULL);
    if (status < 0)
      code = SB_EXIT_SANDBOX;
    else if (WIFEXITED (status))
      code = WEXITSTATUS (status);
    else if (WTERMSIG (status) == SIGKILL && sb_cgroup_oom_kills (&sb.cg) > 0)
      code = 128 + SIGKILL; /* the OOM killer reached the helpers too: reported below */
    else
      {
        sb_error (&err, 0, "the sandbox's Sentry died (signal %d): the sandbox is gone",
                  WIFSIGNALED (status) ? WTERMSIG (status) : 0);
        code = SB_EXIT_SANDBOX;
      }
  }
  if (code == 128 + SIGKILL && sb_cgroup_oom_kills (&sb.cg) > 0)
    fprintf (stderr, "sandbox-runtime do: the command was killed: out of memory (limit %llu bytes, "
             "for the app and the work done for it)\n",
             (unsigned long long) st->limits.memory_bytes);

out:
  sb_sandbox_cleanup (&sb);
  sb_audit_log_close (&log);
  sb_policy_free (policy);
  if (err)
    sb_error_print ("sandbox-runtime do", &err);
  return code;
}
