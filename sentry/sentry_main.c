/* sandbox-sentry: started by sandbox-runtime as pid 1 of the sandbox's
   namespaces. Builds the sandbox, then serves the app's system calls until
   its init exits; exits with the app's status (128+signal if killed). */
#include "launch.h"
#include "sentry.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_SANDBOX_ERROR 125

static void
usage (void)
{
  fprintf (stderr,
           "usage: sandbox-sentry --id-map HOST:COUNT --lifeline-fd N --ctl-fd N (--stdio IN,OUT,ERR | --tty)\n"
           "       [--user UID:GID[:GROUP,...]]\n"
           "       [--rootfs DIR --rootfs-fd N | --layer-fd N... [--upper N:UPPER:WORK]] [--volume-fd N]...\n"
           "       [--hostname H]\n"
           "       [--release R] [--network none|host] [--strace] [--audit-fd N] [--memory BYTES] [--cpus N]\n"
           "       [--no-spin] [--tmpfs-size BYTES] [--shm-size BYTES | --shm-fd N] [--id ID] [--cwd DIR [--cwd-optional]]\n"
           "       [--policy FILE [--policy-base FILE]] [--cgroup-procs FILE]...\n"
           "       [--read-only-root] [--rootfs-writable] [--tmpfs PATH:SIZE:MODE:FLAGS]... [--caps MASK[:INH:AMB]] [--rlimit RES:SOFT:HARD]...\n"
           "       [--serve-threads N] [--own-mounts proc,dev,dev/pts,dev/shm,dev/mqueue,sys] [--hold]\n"
           "       [--join-pid-ns-fd N --join-time-ns-fd N]\n"
           "       -- CMD [ARG...]\n"
           "Started by sandbox-runtime; not meant to be run by hand. If sandbox-runtime\n"
           "started it, the two come from different builds: reinstall both.\n");
}

static int
parse_u64 (const char *s, uint64_t *out)
{
  char *end;
  unsigned long long v;

  if (s == NULL || *s == '\0' || *s == '-')
    return -1;
  v = strtoull (s, &end, 10);
  if (*end)
    return -1;
  *out = v;
  return 0;
}

/* A descriptor passed by number (3 up: 0-2 are stdio). */
static int
parse_fd (const char *s, int *out)
{
  uint64_t v;

  if (parse_u64 (s, &v) < 0 || v < 3 || v > 65535)
    return -1;
  *out = (int) v;
  return 0;
}

/* Threads serving the app's calls (notify.c): one per CPU the sandbox may
   use (the Sentry's affinity, the tenant's cpus limit), at most 4;
   SANDBOX_SENTRY_THREADS (1-8) when --serve-threads is not given. */
static int
default_serve_threads (const struct sentry_config *cfg)
{
  const char *env = getenv ("SANDBOX_SENTRY_THREADS");
  cpu_set_t set;
  uint64_t v;
  int n = 1;

  if (env && parse_u64 (env, &v) == 0 && v >= 1 && v <= SB_LANES_MAX)
    return (int) v;
  if (sched_getaffinity (0, sizeof (set), &set) == 0)
    n = CPU_COUNT (&set);
  if (cfg->cpus > 0 && cfg->cpus < n)
    n = cfg->cpus;
  if (n > 4)
    n = 4;
  return n < 1 ? 1 : n;
}

static int
parse_args (int argc, char **argv, struct sentry_config *cfg)
{
  static const struct option opts[] = {
    { "rootfs", required_argument, 0, 'r' },  { "hostname", required_argument, 0, 'h' },
    { "release", required_argument, 0, 'R' }, { "network", required_argument, 0, 'n' },
    { "strace", no_argument, 0, 's' },        { "audit-fd", required_argument, 0, 'a' },
    { "memory", required_argument, 0, 'm' },  { "cpus", required_argument, 0, 'c' },
    { "tmpfs-size", required_argument, 0, 't' }, { "id", required_argument, 0, 'i' },
    { "cwd", required_argument, 0, 'w' },     { "cwd-optional", no_argument, 0, 'W' },
    { "policy", required_argument, 0, 'p' },  { "policy-base", required_argument, 0, 'b' },
    { "cgroup-procs", required_argument, 0, 'g' }, { "id-map", required_argument, 0, 'u' },
    { "rootfs-fd", required_argument, 0, 'F' }, { "volume-fd", required_argument, 0, 'V' },
    { "stdio", required_argument, 0, 'S' },   { "tty", no_argument, 0, 'T' },
    { "ctl-fd", required_argument, 0, 'C' },  { "no-spin", no_argument, 0, 'N' },
    { "lifeline-fd", required_argument, 0, 'L' }, { "user", required_argument, 0, 'U' },
    { "layer-fd", required_argument, 0, 'l' }, { "upper", required_argument, 0, 'X' },
    { "read-only-root", no_argument, 0, 'O' }, { "rootfs-writable", no_argument, 0, 'Y' }, { "tmpfs", required_argument, 0, 'P' },
    { "caps", required_argument, 0, 'K' },    { "rlimit", required_argument, 0, 'Z' },
    { "serve-threads", required_argument, 0, 'H' }, { "own-mounts", required_argument, 0, 'M' },
    { "oom-score-adj", required_argument, 0, 'J' }, { "hold", no_argument, 0, 'G' },
    { "shm-size", required_argument, 0, 'Q' }, { "shm-fd", required_argument, 0, 'q' },
    { "join-pid-ns-fd", required_argument, 0, 'j' }, { "join-time-ns-fd", required_argument, 0, 'k' },
    { 0, 0, 0, 0 },
  };
  uint64_t v;
  int o;

  while ((o = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    {
      switch (o)
        {
        case 'r': cfg->rootfs = optarg; break;
        case 'h': cfg->hostname = optarg; break;
        case 'R': cfg->release = optarg; break;
        case 'n':
          if (strcmp (optarg, "host") == 0)
            cfg->network_host = true;
          else if (strcmp (optarg, "none") != 0)
            return -1;
          break;
        case 's': cfg->strace = true; break;
        case 'a':
          if (parse_u64 (optarg, &v) < 0 || v > 65535)
            return -1;
          cfg->audit_fd = (int) v;
          break;
        case 'm':
          if (parse_u64 (optarg, &cfg->memory_limit) < 0)
            return -1;
          break;
        case 'c':
          if (parse_u64 (optarg, &v) < 0 || v > 4096)
            return -1;
          cfg->cpus = (int) v;
          break;
        case 't':
          if (parse_u64 (optarg, &cfg->tmpfs_size) < 0 || cfg->tmpfs_size < 4096)
            return -1;
          break;
        case 'Q':
          if (parse_u64 (optarg, &cfg->shm_size) < 0 || cfg->shm_size < 4096)
            return -1;
          break;
        case 'i': cfg->container_id = optarg; break;
        case 'w':
          if (optarg[0] != '/')
            return -1;
          cfg->cwd = optarg;
          break;
        case 'W': cfg->cwd_optional = true; break;
        case 'p': cfg->policy_file = optarg; break;
        case 'b': cfg->policy_base = optarg; break;
        case 'g':
          if (cfg->ncgroup_procs >= 8 || optarg[0] != '/')
            return -1;
          cfg->cgroup_procs[cfg->ncgroup_procs++] = optarg;
          break;
        case 'u':
          {
            unsigned long long host, count;
            char *end;
            host = strtoull (optarg, &end, 10);
            if (*end != ':')
              return -1;
            count = strtoull (end + 1, &end, 10);
            if (*end || host == 0 || count == 0 || host + count - 1 > 4294967294ull)
              return -1;
            cfg->idmap.host = (uint32_t) host;
            cfg->idmap.count = (uint32_t) count;
            break;
          }
        case 'F':
          if (parse_fd (optarg, &cfg->rootfs_fd) < 0)
            return -1;
          break;
        case 'q':
          if (parse_fd (optarg, &cfg->shm_fd) < 0)
            return -1;
          break;
        case 'j':
          if (parse_fd (optarg, &cfg->join_pid_ns_fd) < 0)
            return -1;
          break;
        case 'k':
          if (parse_fd (optarg, &cfg->join_time_ns_fd) < 0)
            return -1;
          break;
        case 'V':
          if (cfg->nvolume_fds >= SB_POLICY_MAX_VOLUMES || parse_fd (optarg, &cfg->volume_fd[cfg->nvolume_fds]) < 0)
            return -1;
          cfg->nvolume_fds++;
          break;
        case 'l':
          if (cfg->nlayer_fds >= SB_MAX_LAYERS || parse_fd (optarg, &cfg->layer_fd[cfg->nlayer_fds]) < 0)
            return -1;
          cfg->nlayer_fds++;
          break;
        case 'X':
          {
            /* N:UPPER:WORK, two names in the directory N is a copy of */
            char *end, *work;
            unsigned long n = strtoul (optarg, &end, 10);
            size_t len;
            if (end == optarg || *end != ':' || n < 3 || n > 65535)
              return -1;
            work = strchr (end + 1, ':');
            if (work == NULL)
              return -1;
            len = (size_t) (work - end - 1);
            if (len == 0 || len >= sizeof (cfg->upper_name) || strlen (work + 1) == 0
                || strlen (work + 1) >= sizeof (cfg->work_name))
              return -1;
            memcpy (cfg->upper_name, end + 1, len);
            cfg->upper_name[len] = '\0';
            strcpy (cfg->work_name, work + 1);
            if (strchr (cfg->upper_name, '/') || strchr (cfg->work_name, '/') || strchr (cfg->work_name, ':')
                || strcmp (cfg->upper_name, ".") == 0 || strcmp (cfg->upper_name, "..") == 0
                || strcmp (cfg->work_name, ".") == 0 || strcmp (cfg->work_name, "..") == 0
                || strcmp (cfg->upper_name, cfg->work_name) == 0)
              return -1;
            cfg->upper_fd = (int) n;
            break;
          }
        case 'S':
          {
            int k;
            char *p = optarg, *end;
            for (k = 0; k < 3; k++)
              {
                unsigned long n = strtoul (p, &end, 10);
                if (end == p || n < 3 || n > 65535 || (k < 2 ? *end != ',' : *end != '\0'))
                  return -1;
                cfg->app_stdio[k] = (int) n;
                p = end + 1;
              }
            break;
          }
        case 'T': cfg->tty = true; break;
        case 'C':
          if (parse_fd (optarg, &cfg->ctl_fd) < 0)
            return -1;
          break;
        case 'N': cfg->no_spin = true; break;
        case 'H':
          if (parse_u64 (optarg, &v) < 0 || v < 1 || v > SB_LANES_MAX)
            return -1;
          cfg->serve_threads = (int) v;
          break;
        case 'U':
          {
            /* UID:GID[:G1,G2...], container ids */
            char *p = optarg, *end;
            unsigned long v2;
            cfg->user.set = true;
            v2 = strtoul (p, &end, 10);
            if (end == p || *end != ':')
              return -1;
            cfg->user.uid = (uint32_t) v2;
            p = end + 1;
            v2 = strtoul (p, &end, 10);
            if (end == p || (*end != ':' && *end != '\0'))
              return -1;
            cfg->user.gid = (uint32_t) v2;
            while (*end == ':' || *end == ',')
              {
                p = end + 1;
                v2 = strtoul (p, &end, 10);
                if (end == p || cfg->user.ngroups >= SB_PROC_MAX_GROUPS)
                  return -1;
                cfg->user.groups[cfg->user.ngroups++] = (uint32_t) v2;
              }
            if (*end)
              return -1;
            break;
          }
        case 'L':
          if (parse_fd (optarg, &cfg->lifeline_fd) < 0)
            return -1;
          break;
        case 'O': cfg->read_only_root = true; break;
        case 'M': cfg->own_mounts = optarg; break;
        case 'G': cfg->hold = true; break;
        case 'Y': cfg->rootfs_writable = true; break;
        case 'P':
          if (cfg->ntmpfs >= 16 || optarg[0] != '/')
            return -1;
          cfg->tmpfs[cfg->ntmpfs++] = optarg;
          break;
        case 'K':
          {
            char *end;
            /* BOUNDING[:INHERITABLE:AMBIENT] */
            cfg->app_caps = strtoull (optarg, &end, 0);
            if (*end == ':')
              {
                cfg->app_caps_inheritable = strtoull (end + 1, &end, 0);
                if (*end != ':')
                  return -1;
                cfg->app_caps_ambient = strtoull (end + 1, &end, 0);
              }
            if (*end || cfg->app_caps == 0)
              return -1;
            cfg->app_caps_inheritable &= cfg->app_caps;
            cfg->app_caps_ambient &= cfg->app_caps_inheritable;
            break;
          }
        case 'J':
          {
            /* The app's, OCI process.oomScoreAdj: below 0 only as far as
               the tenant's policy let sandboxd admit it, never -1000. */
            long adj;
            if (sb_parse_long (optarg, -999, 1000, &adj) < 0)
              return -1;
            cfg->oom_score_adj = (int) adj;
            break;
          }
        case 'Z':
          {
            /* RESOURCE:SOFT:HARD */
            unsigned long long res, soft, hard;
            if (cfg->nrlimits >= 16 || sscanf (optarg, "%llu:%llu:%llu", &res, &soft, &hard) != 3 || res >= 16)
              return -1;
            cfg->rlimits[cfg->nrlimits++] = (struct sb_rlimit) { (int) res, soft, hard };
            break;
          }
        default: return -1;
        }
    }
  if (optind >= argc || cfg->idmap.count == 0 || cfg->lifeline_fd < 0)
    return -1;
  if (cfg->ctl_fd < 0 || (!cfg->tty && cfg->app_stdio[0] < 0))
    return -1;
  if ((cfg->rootfs != NULL) != (cfg->rootfs_fd >= 0) || (cfg->rootfs_fd >= 0 && cfg->nlayer_fds > 0)
      || (cfg->upper_fd >= 0 && cfg->nlayer_fds == 0))
    return -1;
  cfg->argv = argv + optind;
  if (cfg->serve_threads == 0)
    cfg->serve_threads = default_serve_threads (cfg);
  /* Every path call through the Gofer, as before directfs.c (to compare
     the two, and a way back should a kernel answer differently). */
  {
    const char *env = getenv ("SANDBOX_SENTRY_DIRECTFS");
    cfg->no_direct = env && strcmp (env, "0") == 0;
  }
  return 0;
}

/* The tenant's policy (or the defaults), and what the filter takes from it. */
static int
load_policy (struct sentry *s, sb_error_t *err)
{
  int i;

  /* Pages of its own: only those the policy uses are ever touched. */
  if (s->cfg.policy_file)
    {
      if (sb_policy_load_new (&s->policy, s->cfg.policy_base, s->cfg.policy_file, err) < 0)
        return -1;
    }
  else if ((s->policy = sb_policy_new ()) == NULL)
    return sb_error (err, ENOMEM, "allocate the policy");
  s->filter.profile = s->policy->profile;
  for (i = 0; i < s->policy->ndenies; i++)
    {
      long nr = sb_syscall_by_name (s->policy->denies[i]);
      if (nr < 0 || nr >= SB_SYSCALL_NR_MAX)
        return sb_error (err, EINVAL, "policy: unknown system call `%s`", s->policy->denies[i]);
      s->filter.deny[nr] = true;
    }
  return 0;
}

/* The sandbox could not be built: the owner is told why (an OCI start
   answers its caller with it), and so is our stderr (the owner's log). */
static int
not_built (struct sentry *s, sb_error_t *err)
{
  sb_control_failed (s, *err ? (*err)->msg : NULL);
  sb_error_print ("sandbox-sentry", err);
  return EXIT_SANDBOX_ERROR;
}

int
main (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct sentry s = {
    .listener = -1, .gofer_sock = -1, .gofer_pid = -1, .init_pid = -1, .init_inner_pid = 1, .procfd = -1,
    .memory_limit_fd = -1, .freeze_fd = -1, .app_procfs = -1, .cgroup_app_dirfd = -1,
    .userns_fd = -1, .pty_slave = -1, .ptsfd = -1, .init_sock = -1, .direct_root = -1,
    .cfg = { .hostname = "sandbox", .release = "6.1.0", .audit_fd = -1,
             .tmpfs_size = 1ull << 30, .shm_size = 64ull << 20, .container_id = "", .rootfs_fd = -1, .upper_fd = -1, .shm_fd = -1,
             .join_pid_ns_fd = -1, .join_time_ns_fd = -1,
             .app_stdio = { -1, -1, -1 }, .ctl_fd = -1, .lifeline_fd = -1 },
  };
  int code;

  sb_app_init_title_area (argv[0], argv[argc - 1] + strlen (argv[argc - 1]) + 1 - argv[0]);
  if (parse_args (argc, argv, &s.cfg) < 0)
    {
      usage ();
      return EXIT_SANDBOX_ERROR;
    }
  if (load_policy (&s, &err) < 0)
    return not_built (&s, &err);
  if (s.cfg.nvolume_fds != s.policy->nvolumes)
    {
      sb_error (&err, EINVAL, "%d volume sources were passed for %d volumes (sandbox-runtime and "
                "sandbox-sentry come from different builds: reinstall both)", s.cfg.nvolume_fds, s.policy->nvolumes);
      return not_built (&s, &err);
    }
  sb_audit_init (&s.audit, s.cfg.audit_fd, s.cfg.container_id);
  s.start_ns = sb_now_ns ();
  if (sb_launch (&s, &err) < 0)
    {
      sb_audit_flush (&s.audit);
      return not_built (&s, &err);
    }
  sb_control_ready (&s);
  code = sentry_serve (&s, &err);
  sb_audit_flush (&s.audit);
  if (code < 0 || err)
    {
      sb_error_print ("sandbox-sentry", &err);
      return EXIT_SANDBOX_ERROR;
    }
  return code;
}
