#include "sandbox.h"
#include "capabilities.h"
#include "cleanup.h"
#include "hostpath.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
sb_cgroup_root (void)
{
  const char *r = getenv ("SANDBOX_CGROUP_ROOT");
  return r ? r : "/sys/fs/cgroup";
}

/* Descriptors the Sentry inherits, from fd 3 up, in this order. */
struct handoff
{
  int fds[12 + SB_POLICY_MAX_VOLUMES + SB_MAX_LAYERS];
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
  int rootfs;              /* a detached copy of --rootfs's mount tree, or -1 */
  int volumes[SB_POLICY_MAX_VOLUMES];
  int nvolumes;
  int layers[SB_MAX_LAYERS];  /* the same of each layer, bottom first */
  int nlayers;
  int upper;               /* a copy of the mount of the directory holding the writable
                              layer and its workdir (not of the mounts below it), or -1 */
  int shm;                 /* a copy of the mount of a pod's shm tmpfs, or -1 */
};

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* The mount trees (the Sentry's, once it has been started). */
static void
close_trees (struct sandbox_io *io)
{
  close_fd (&io->rootfs);
  for (int i = 0; i < io->nvolumes; i++)
    close_fd (&io->volumes[i]);
  io->nvolumes = 0;
  for (int i = 0; i < io->nlayers; i++)
    close_fd (&io->layers[i]);
  io->nlayers = 0;
  close_fd (&io->upper);
  close_fd (&io->shm);
}

static void
sandbox_io_close (struct sandbox_io *io)
{
  int *all[] = { &io->lifeline[0], &io->lifeline[1], &io->audit[0], &io->audit[1], &io->ctl[0],
                 &io->ctl[1], &io->in[0], &io->in[1], &io->out[0], &io->out[1], &io->err[0],
                 &io->err[1] };

  for (size_t i = 0; i < sizeof (all) / sizeof (all[0]); i++)
    close_fd (all[i]);
  close_trees (io);
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

/* The last component of PATH when PATH is DIR/NAME, with the same DIR as
   OTHER's and a name that is neither "." nor ".."; NULL otherwise. */
static const char *
sibling_name (const char *path, const char *other)
{
  const char *a = strrchr (path, '/'), *b = strrchr (other, '/');

  if (a == NULL || b == NULL || a == path || a - path != b - other || strncmp (path, other, (size_t) (a - path)) != 0
      || a[1] == '\0' || strcmp (a + 1, ".") == 0 || strcmp (a + 1, "..") == 0 || strcmp (a, b) == 0)
    return NULL;
  return a + 1;
}

/* An engine's writable layer and its overlayfs workdir, side by side
   (overlayfs wants both on one mount): a copy of the mount of their
   parent directory alone (not the engine's overlay mounted below it),
   opened as the other host directories are. */
static int
upper_tree (const char *upper, const char *work, sb_error_t *err)
{
  char parent[4096];
  cleanup_close int fd = -1;
  const char *name = sibling_name (upper, work);
  int tree;

  if (name == NULL || sibling_name (work, upper) == NULL || (size_t) (name - upper) > sizeof (parent)
      || strchr (name, ':') || strchr (sibling_name (work, upper), ':'))
    return sb_error (err, EINVAL, "writable layer `%s`, workdir `%s`: two directories side by side", upper, work);
  snprintf (parent, sizeof (parent), "%.*s", (int) (name - upper - 1), upper);
  fd = sb_open_host_path (parent, "writable layer", err);
  if (fd < 0)
    return -1;
  tree = syscall (SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return sb_error (err, errno, "writable layer `%s`: copy its mount", parent);
  return tree;
}

static int
open_host_dirs (const struct sb_sandbox_spec *spec, struct sandbox_io *io, sb_error_t *err)
{
  const struct sb_policy *p = spec->policy;

  if (spec->rootfs)
    {
      io->rootfs = host_tree (spec->rootfs, "--rootfs", NULL, 0, err);
      if (io->rootfs < 0)
        return -1;
    }
  for (int i = 0; spec->layers && spec->layers[i]; i++)
    {
      if (spec->rootfs)
        return sb_error (err, EINVAL, "a rootfs and an image's layers cannot be combined");
      if (i == SB_MAX_LAYERS)
        return sb_error (err, E2BIG, "more than %d layers", SB_MAX_LAYERS);
      io->layers[i] = host_tree (spec->layers[i], "layer", NULL, 0, err);
      if (io->layers[i] < 0)
        return -1;
      io->nlayers++;
    }
  if ((spec->upper != NULL) != (spec->work != NULL) || (spec->upper && io->nlayers == 0))
    return sb_error (err, EINVAL, "a writable layer needs its workdir and lower layers");
  if (spec->upper)
    {
      io->upper = upper_tree (spec->upper, spec->work, err);
      if (io->upper < 0)
        return -1;
    }
  if (spec->shm_source)
    {
      /* A pod's /dev/shm: the tmpfs sandboxd admitted, or nothing. */
      char id[64];
      cleanup_close int fd = sb_open_host_shm (spec->shm_source, id, sizeof (id), err);
      if (fd < 0)
        return -1;
      if (spec->shm_id == NULL || strcmp (id, spec->shm_id) != 0)
        return sb_error (err, EPERM, "/dev/shm source `%s`: not the tmpfs sandboxd admitted (%s, now %s)",
                         spec->shm_source, spec->shm_id ? spec->shm_id : "none", id);
      io->shm = sb_mount_clone (fd, false, "/dev/shm source", err);
      if (io->shm < 0)
        return -1;
    }
  for (int i = 0; i < p->nvolumes; i++)
    {
      const struct sb_volume *v = &p->volumes[i];
      char what[128], now[4096];
      int fd;

      snprintf (what, sizeof (what), "volume %s: source", v->name);
      fd = host_tree (v->source, what, now, sizeof (now), err);
      if (fd < 0)
        return -1;
      io->volumes[io->nvolumes++] = fd;
      /* Where it is now, judged as the policy judged where it was named. */
      if (!sb_policy_in_volume_roots (p, now))
        return sb_error (err, EPERM, "%s `%s` is outside the tenant's volume roots", what, now);
    }
  return 0;
}

static int
make_io (const struct sb_sandbox_spec *spec, struct sandbox_io *io, sb_error_t *err)
{
  uint32_t root = spec->ids.host;

  if (pipe2 (io->audit, O_CLOEXEC) < 0 || pipe2 (io->lifeline, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  /* The Sentry never waits for us to read an audit line. */
  fcntl (io->audit[1], F_SETFL, O_NONBLOCK);
  /* Its control channel (sentry/control.c): a terminal's master, exec, stats. */
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, io->ctl) < 0)
    return sb_error (err, errno, "socketpair");
  if (spec->tty)
    return 0;
  if (pipe2 (io->in, O_CLOEXEC) < 0 || pipe2 (io->out, O_CLOEXEC) < 0 || pipe2 (io->err, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  /* The pipes belong to the container's root, as if it had made them: it
     may then reopen them by name (/dev/stdout is /proc/self/fd/1). */
  if (fchown (io->in[0], root, root) < 0 || fchown (io->out[0], root, root) < 0
      || fchown (io->err[0], root, root) < 0)
    return sb_error (err, errno, "give the stdio pipes to the container's root");
  return 0;
}

/* The strings sentry_argv points into. */
struct argv_bufs
{
  char memory[32], cpus[16], disk[32], shm[32], idmap[32], user[16 * 66], caps[64], upper[560], oom[16];
  char fds[12 + SB_POLICY_MAX_VOLUMES + SB_MAX_LAYERS][32];
  char cgroup_procs[SB_CGROUP_MAX_DIRS][8300];
};

/* argv for sandbox-sentry; fills the hand-off of the descriptors it names. */
static char **
sentry_argv (const struct sb_sandbox_spec *spec, struct sandbox_io *io, struct sb_cgroup *cg,
             struct handoff *h, struct argv_bufs *b)
{
  size_t n = 0, i;
  int k, f = 0;
  char **v;

  while (spec->argv[n])
    n++;
  v = calloc (n + 68 + 2 * SB_POLICY_MAX_VOLUMES + 2 * SB_MAX_LAYERS + 2 * SB_CGROUP_MAX_DIRS + 2 * 32 + 4,
              sizeof (char *));
  if (v == NULL)
    return NULL;
  i = 0;
  v[i++] = "sandbox-sentry";
  snprintf (b->idmap, sizeof (b->idmap), "%u:%u", spec->ids.host, spec->ids.count);
  v[i++] = "--id-map";
  v[i++] = b->idmap;
  snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->audit[1]));
  v[i++] = "--audit-fd";
  v[i++] = b->fds[f++];
  snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->lifeline[0]));
  v[i++] = "--lifeline-fd";
  v[i++] = b->fds[f++];
  snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->ctl[1]));
  v[i++] = "--ctl-fd";
  v[i++] = b->fds[f++];
  if (spec->tty)
    v[i++] = "--tty";
  else
    {
      int a = handoff_add (h, io->in[0]), c = handoff_add (h, io->out[1]), e = handoff_add (h, io->err[1]);
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d,%d,%d", a, c, e);
      v[i++] = "--stdio";
      v[i++] = b->fds[f++];
    }
  if (spec->rootfs)
    {
      v[i++] = "--rootfs";
      v[i++] = (char *) spec->rootfs;
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->rootfs));
      v[i++] = "--rootfs-fd";
      v[i++] = b->fds[f++];
    }
  for (k = 0; k < io->nvolumes; k++)
    {
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->volumes[k]));
      v[i++] = "--volume-fd";
      v[i++] = b->fds[f++];
    }
  for (k = 0; k < io->nlayers; k++)
    {
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->layers[k]));
      v[i++] = "--layer-fd";
      v[i++] = b->fds[f++];
    }
  if (io->shm >= 0)
    {
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, io->shm));
      v[i++] = "--shm-fd";
      v[i++] = b->fds[f++];
    }
  if (spec->join_pid_ns)
    {
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, spec->pod_app_pid_ns));
      v[i++] = "--join-pid-ns-fd";
      v[i++] = b->fds[f++];
      snprintf (b->fds[f], sizeof (b->fds[f]), "%d", handoff_add (h, spec->pod_app_time_ns));
      v[i++] = "--join-time-ns-fd";
      v[i++] = b->fds[f++];
    }
  if (io->upper >= 0)
    {
      snprintf (b->upper, sizeof (b->upper), "%d:%s:%s", handoff_add (h, io->upper), strrchr (spec->upper, '/') + 1,
                strrchr (spec->work, '/') + 1);
      v[i++] = "--upper";
      v[i++] = b->upper;
    }
  v[i++] = "--hostname";
  v[i++] = (char *) spec->hostname;
  v[i++] = "--release";
  v[i++] = (char *) spec->release;
  v[i++] = "--network";
  v[i++] = spec->network_host ? "host" : "none";
  if (spec->limits.memory_bytes)
    {
      snprintf (b->memory, sizeof (b->memory), "%llu", (unsigned long long) spec->limits.memory_bytes);
      v[i++] = "--memory";
      v[i++] = b->memory;
    }
  if (spec->limits.cpu_millis)
    {
      snprintf (b->cpus, sizeof (b->cpus), "%u", (spec->limits.cpu_millis + 999) / 1000);
      v[i++] = "--cpus";
      v[i++] = b->cpus;
      /* Polling for the next call would spend the sandbox's own CPU quota. */
      v[i++] = "--no-spin";
    }
  snprintf (b->disk, sizeof (b->disk), "%llu", (unsigned long long) spec->policy->disk_bytes);
  v[i++] = "--tmpfs-size";
  v[i++] = b->disk;
  if (spec->shm_size)
    {
      snprintf (b->shm, sizeof (b->shm), "%llu", (unsigned long long) spec->shm_size);
      v[i++] = "--shm-size";
      v[i++] = b->shm;
    }
  if (spec->policy_file)
    {
      v[i++] = "--policy";
      v[i++] = (char *) spec->policy_file;
      if (spec->policy_base)
        {
          v[i++] = "--policy-base";
          v[i++] = (char *) spec->policy_base;
        }
    }
  for (k = 0; k < cg->ndirs; k++)
    {
      sb_cgroup_app_procs (cg, k, b->cgroup_procs[k], sizeof (b->cgroup_procs[k]));
      v[i++] = "--cgroup-procs";
      v[i++] = b->cgroup_procs[k];
    }
  if (spec->strace)
    v[i++] = "--strace";
  if (spec->user.set)
    {
      size_t o = (size_t) snprintf (b->user, sizeof (b->user), "%u:%u", spec->user.uid, spec->user.gid);
      for (k = 0; k < spec->user.ngroups && o < sizeof (b->user); k++)
        o += (size_t) snprintf (b->user + o, sizeof (b->user) - o, "%c%u", k ? ',' : ':', spec->user.groups[k]);
      v[i++] = "--user";
      v[i++] = b->user;
    }
  if (spec->rootfs_writable && spec->rootfs)
    v[i++] = "--rootfs-writable";
  if (spec->read_only_root)
    v[i++] = "--read-only-root";
  for (k = 0; spec->tmpfs && spec->tmpfs[k] && k < 16; k++)
    {
      v[i++] = "--tmpfs";
      v[i++] = (char *) spec->tmpfs[k];
    }
  for (k = 0; spec->rlimits && spec->rlimits[k] && k < 16; k++)
    {
      v[i++] = "--rlimit";
      v[i++] = (char *) spec->rlimits[k];
    }
  if (spec->oom_score_adj != 0)
    {
      snprintf (b->oom, sizeof (b->oom), "%d", spec->oom_score_adj);
      v[i++] = "--oom-score-adj";
      v[i++] = b->oom;
    }
  if (spec->hold)
    v[i++] = "--hold";
  if (spec->own_mounts)
    {
      v[i++] = "--own-mounts";
      v[i++] = (char *) spec->own_mounts;
    }
  if (spec->caps_inheritable || spec->caps_ambient)
    {
      snprintf (b->caps, sizeof (b->caps), "0x%llx:0x%llx:0x%llx",
                (unsigned long long) (spec->caps ? spec->caps : sb_caps_docker_default),
                (unsigned long long) spec->caps_inheritable, (unsigned long long) spec->caps_ambient);
      v[i++] = "--caps";
      v[i++] = b->caps;
    }
  else if (spec->caps)
    {
      snprintf (b->caps, sizeof (b->caps), "0x%llx", (unsigned long long) spec->caps);
      v[i++] = "--caps";
      v[i++] = b->caps;
    }
  v[i++] = "--id";
  v[i++] = (char *) spec->id;
  if (spec->cwd)
    {
      v[i++] = "--cwd";
      v[i++] = (char *) spec->cwd;
      if (spec->cwd_optional)
        v[i++] = "--cwd-optional";
    }
  v[i++] = "--";
  memcpy (v + i, spec->argv, n * sizeof (char *));
  return v;
}

/* A small process that outlives us only if we are killed: it waits for the
   Sentry to end (it does, when its lifeline hangs up) and removes the
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
    /* Give the owner a moment: if it lives, it cleans up and ends us. */
    for (i = 0; i < 50 && getppid () == parent; i++)
      usleep (20000);
    if (getppid () != parent)
      sb_cgroup_destroy (cg, NULL);
    _exit (0);
  }
}

/* In the child: the Sentry's descriptors (0: /dev/null, 1-2: ours, for its
   own messages and --strace; 3..: the hand-off), its environment (the
   command's; the Sentry drops its own SANDBOX_* settings before the
   command starts), then exec. */
__attribute__ ((noreturn)) static void
exec_sentry (int sentry_exe, int devnull, const struct handoff *h, char **sargv, char *const *envp)
{
  static const int held[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  int moved[12 + SB_POLICY_MAX_VOLUMES + SB_MAX_LAYERS], k, exe;
  sigset_t mask;

  /* The signals we forward stay blocked across the exec: the Sentry is the
     init of its pid namespace and would drop them until it has handlers
     for them; blocked, they wait for it. */
  sigemptyset (&mask);
  for (k = 0; k < (int) (sizeof (held) / sizeof (held[0])); k++)
    sigaddset (&mask, held[k]);
  sigprocmask (SIG_SETMASK, &mask, NULL);
  /* Move every descriptor above where they go first: any may sit there. */
  for (k = 0; k < h->n; k++)
    if ((moved[k] = fcntl (h->fds[k], F_DUPFD_CLOEXEC, 64)) < 0)
      _exit (125);
  exe = fcntl (sentry_exe, F_DUPFD_CLOEXEC, 64);
  if (exe < 0 || dup2 (devnull, 0) < 0)
    _exit (125);
  for (k = 0; k < h->n; k++)
    if (dup2 (moved[k], 3 + k) < 0)
      _exit (125);
  {
    int keep[1] = { exe };
    sb_close_fds_except (3 + h->n, keep, 1);
  }
  if (envp != NULL)
    {
      /* The helpers' own directory still matters to the Sentry itself. */
      const char *libexec = getenv ("SANDBOX_LIBEXEC_DIR");
      size_t n = 0;
      char **env;

      while (envp[n])
        n++;
      env = calloc (n + 2, sizeof (char *));
      if (env == NULL)
        _exit (125);
      memcpy (env, envp, n * sizeof (char *));
      if (libexec && asprintf (&env[n], "SANDBOX_LIBEXEC_DIR=%s", libexec) < 0)
        _exit (125);
      envp = env;
    }
  syscall (SYS_execveat, exe, "", sargv, envp ? envp : environ, AT_EMPTY_PATH);
  fprintf (stderr, "sandbox: exec the Sentry: %s\n", strerror (errno));
  _exit (125);
}

int
sb_sandbox_start (const struct sb_sandbox_spec *spec, struct sb_sandbox *sb, sb_error_t *err)
{
  struct sandbox_io io = { .lifeline = { -1, -1 }, .audit = { -1, -1 }, .ctl = { -1, -1 },
                           .in = { -1, -1 }, .out = { -1, -1 }, .err = { -1, -1 }, .rootfs = -1, .upper = -1, .shm = -1 };
  struct handoff h = { 0 };
  cleanup_close int sentry_exe = -1;
  cleanup_close int devnull = -1;
  cleanup_close int own_pid_ns = -1;
  cleanup_free char **sargv = NULL;
  cleanup_free struct argv_bufs *bufs = calloc (1, sizeof (*bufs));
  int sync[2] = { -1, -1 }, placed[2] = { -1, -1 }, ret = -1;
  char path[PATH_MAX];
  unsigned long flags;
  bool cloned_in = false;
  pid_t child;

  {
    struct sb_cgroup made = sb->cg;
    memset (sb, 0, sizeof (*sb));
    if (spec->cgroup_ready)
      sb->cg = made;
  }
  sb->sentry = sb->watcher = -1;
  sb->app_in = sb->app_out = sb->app_err = sb->ctl = sb->audit = sb->lifeline = -1;
  if (bufs == NULL)
    return sb_error (err, ENOMEM, "allocate");
  snprintf (path, sizeof (path), "%s/sandbox-sentry", sb_libexec_dir ());
  sentry_exe = open (path, O_PATH | O_CLOEXEC);
  if (sentry_exe < 0)
    return sb_error (err, errno, "open the Sentry `%s`", path);
  devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0)
    return sb_error (err, errno, "open /dev/null");
  if (open_host_dirs (spec, &io, err) < 0)
    {
      sandbox_io_close (&io);
      return SB_SANDBOX_EREQUEST;
    }
  if (make_io (spec, &io, err) < 0)
    goto fail;
  if (!spec->cgroup_ready && sb_cgroup_create (&sb->cg, sb_cgroup_root (), spec->id, err) < 0)
    {
      sb_error_prefix (err, "create the sandbox's cgroup");
      goto fail;
    }
  if (sb_cgroup_set_limits (&sb->cg, &spec->limits, err) < 0)
    {
      sb_error_prefix (err, "apply the policy's limits");
      goto fail;
    }
  sargv = sentry_argv (spec, &io, &sb->cg, &h, bufs);
  if (sargv == NULL)
    {
      sb_error (err, ENOMEM, "allocate");
      goto fail;
    }
  if (pipe2 (sync, O_CLOEXEC) < 0 || pipe2 (placed, O_CLOEXEC) < 0)
    {
      sb_error (err, errno, "pipe");
      goto fail;
    }
  flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  if (spec->ipc_inherit)
    flags &= ~CLONE_NEWIPC;
  if (!spec->network_host)
    flags |= CLONE_NEWNET;
  /* A pod's pid namespace: the Sentry is made in the pod's first Sentry's
     (not its pid 1: when that one ends, the kernel ends ours with it, as
     a pod's containers end with its first), and our own children are
     ours again right after. */
  if (spec->join_pid_ns && (own_pid_ns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
    {
      sb_error (err, errno, "open our own pid namespace");
      goto fail;
    }
  {
    int cgfd = sb_cgroup_clone_fd (&sb->cg), e;

    child = spec->join_pid_ns ? sb_clone_in_pid_ns (spec->pod_sentry_pid_ns, own_pid_ns, flags, cgfd, &cloned_in)
                              : sb_clone_into_cgroup (flags, cgfd, &cloned_in);
    e = errno;
    if (child != 0 && cgfd >= 0)
      close (cgfd);
    if (child < 0)
      {
        sb_error (err, e, spec->join_pid_ns ? "clone the Sentry in the pod's pid namespace"
                                            : "clone the sandbox's namespaces");
        goto fail;
      }
  }
  if (child == 0)
    {
      char go;

      /* If we are killed, the Sentry goes too, and with it (pid 1 of the
         sandbox) every process of the sandbox. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      close (sync[1]);
      close (placed[0]);
      /* Into the sandbox's cgroup, by our own move (sb_cgroup_enter: one
         thread, no global lock), unless the clone placed us (v2); the
         parent hears how it went: the status, then what failed. */
      {
        sb_error_t perr = NULL;
        int status = !cloned_in && sb_cgroup_enter (&sb->cg, &perr) < 0 ? (perr && perr->status ? perr->status : EIO) : 0;
        ssize_t w;

        /* An OCI config's oomScoreAdj below 0 (as the tenant's policy
           allows): written here, with the caller's CAP_SYS_RESOURCE, which
           the Sentry and the app's init no longer have; it becomes their
           floor too, so the init's own write of it passes and the app can
           go no lower. A failure is told apart by its sign. */
        if (status == 0 && spec->oom_score_adj < 0)
          {
            char adj[16];
            snprintf (adj, sizeof (adj), "%d", spec->oom_score_adj);
            if (sb_write_file ("/proc/self/oom_score_adj", adj, &perr) < 0)
              status = -(perr && perr->status ? perr->status : EIO);
          }
        w = write (placed[1], &status, sizeof (status));

        if (status != 0 && w == (ssize_t) sizeof (status) && perr && perr->msg)
          w = write (placed[1], perr->msg, strlen (perr->msg));
        if (status != 0 || w < 0)
          _exit (125);
        close (placed[1]);
      }
      /* (getppid is 0 here: our parent is outside the new pid namespace. If it
         died before prctl, the read below sees end-of-file.) */
      if (read (sync[0], &go, 1) != 1)
        _exit (125); /* the parent gave up on us */
      exec_sentry (sentry_exe, devnull, &h, sargv, spec->envp);
    }
  close_fd (&sync[0]);
  close_fd (&placed[1]);
  sb->sentry = child;
  /* Only the Sentry keeps its ends. */
  {
    int *theirs[] = { &io.audit[1], &io.ctl[1], &io.in[0], &io.out[1], &io.err[1], &io.lifeline[0] };
    for (size_t i = 0; i < sizeof (theirs) / sizeof (theirs[0]); i++)
      close_fd (theirs[i]);
    close_trees (&io);
  }
  {
    char why[1024];
    int status = 0;
    ssize_t n;

    do
      n = read (placed[0], &status, sizeof (status));
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t) sizeof (status) || status != 0)
      {
        ssize_t m = n == (ssize_t) sizeof (status) ? read (placed[0], why, sizeof (why) - 1) : -1;

        why[m > 0 ? m : 0] = '\0';
        close_fd (&sync[1]);
        kill (child, SIGKILL);
        waitpid (child, NULL, 0);
        sb->sentry = -1;
        /* The child's own words name the errno already. */
        if (n == (ssize_t) sizeof (status) && status < 0)
          {
            sb_error (err, 0, "process.oomScoreAdj %d%s: %s", spec->oom_score_adj,
                      -status == EACCES ? " (a value below 0 needs CAP_SYS_RESOURCE, which this host withholds from "
                                          "its root)" : "", m > 0 ? why : strerror (-status));
            if (err && *err)
              (*err)->status = -status;
          }
        else if (n == (ssize_t) sizeof (status))
          {
            sb_error (err, 0, "place the sandbox in its cgroup: %s", m > 0 ? why : strerror (status));
            if (err && *err)
              (*err)->status = status;
          }
        else
          sb_error (err, n < 0 ? errno : EPIPE, "place the sandbox in its cgroup: the sandbox's first process ended");
        goto fail;
      }
    close_fd (&placed[0]);
  }
  sb->watcher = start_watcher (child, &sb->cg);
  if (write (sync[1], "G", 1) != 1)
    kill (child, SIGKILL);
  close_fd (&sync[1]);
  sb->app_in = io.in[1];
  sb->app_out = io.out[0];
  sb->app_err = io.err[0];
  sb->ctl = io.ctl[0];
  sb->audit = io.audit[0];
  sb->lifeline = io.lifeline[1];
  io.in[1] = io.out[0] = io.err[0] = io.ctl[0] = io.audit[0] = io.lifeline[1] = -1;
  return 0;

fail:
  close_fd (&sync[0]);
  close_fd (&sync[1]);
  close_fd (&placed[0]);
  close_fd (&placed[1]);
  sandbox_io_close (&io);
  if (spec->cgroup_ready)
    {
      /* The caller's cgroup, which it may be in (an OCI monitor): it
         leaves it, then removes it. */
      struct sb_cgroup keep = sb->cg;
      sb->cg.ndirs = 0;
      sb_sandbox_cleanup (sb);
      sb->cg = keep;
    }
  else
    sb_sandbox_cleanup (sb);
  return ret;
}

void
sb_sandbox_kill (struct sb_sandbox *sb)
{
  if (sb->sentry > 0)
    kill (sb->sentry, SIGKILL);
  sb_cgroup_let_go (&sb->cg);
}

void
sb_sandbox_cleanup (struct sb_sandbox *sb)
{
  int *ours[] = { &sb->app_in, &sb->app_out, &sb->app_err, &sb->ctl, &sb->audit, &sb->lifeline };

  for (size_t i = 0; i < sizeof (ours) / sizeof (ours[0]); i++)
    close_fd (ours[i]);
  if (sb->cg.ndirs > 0)
    {
      sb_error_t cgerr = NULL;
      if (sb_cgroup_destroy (&sb->cg, &cgerr) < 0)
        sb_error_print ("sandbox", &cgerr);
    }
  if (sb->watcher > 0)
    {
      kill (sb->watcher, SIGKILL);
      waitpid (sb->watcher, NULL, 0);
    }
  sb->watcher = -1;
}
