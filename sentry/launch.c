/* Assembles the sandbox. sandbox-runtime starts sandbox-sentry as pid 1 of
   new pid, mount, ipc, uts (and, unless --network host, net) namespaces.
   Here, in that private mount namespace:
   - a tmpfs at SB_STAGE_DIR holds the container root: an overlay of the host
     root (read-only lower, tmpfs upper) or a bind of --rootfs; a /dev with
     only null, zero, full, random, urandom, tty, pts, ptmx and shm; a
     read-only /sys; /proc comes later from the app's pid namespace;
   - the Gofer starts and pivots into that root in a mount namespace of its own;
   - the app's init starts in new pid, mount and cgroup namespaces;
   - the Sentry takes the listener, then pivots into an empty tmpfs that holds
     only its own procfs, drops capabilities and loads its own filter.
   Nothing is created outside these namespaces: when they die, so does
   everything mounted here. */
#include "launch.h"
#include "capabilities.h"
#include "cleanup.h"
#include "fdpass.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <dirent.h>
#include <sched.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SB_SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW (4, __u64)
#define SB_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1ul
#else
#define SB_SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SB_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#endif

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };

static int
mount_or_fail (const char *src, const char *dst, const char *type, unsigned long flags,
               const char *data, sb_error_t *err)
{
  if (mount (src, dst, type, flags, data) < 0)
    return sb_error (err, errno, "mount %s on `%s`", type ? type : src, dst);
  return 0;
}

static int
ensure_dir (const char *path, mode_t mode, sb_error_t *err)
{
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", path);
  return 0;
}

static int
make_dev (sb_error_t *err)
{
  char path[256];
  int i;

  if (mount_or_fail ("tmpfs", SB_ROOT_DIR "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
                     "mode=755,size=65536k", err) < 0)
    return -1;
  for (i = 0; dev_nodes[i]; i++)
    {
      char host[64];
      int fd;

      snprintf (path, sizeof (path), SB_ROOT_DIR "/dev/%s", dev_nodes[i]);
      snprintf (host, sizeof (host), "/dev/%s", dev_nodes[i]);
      fd = open (path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
      if (fd < 0)
        return sb_error (err, errno, "create `%s`", path);
      close (fd);
      if (mount_or_fail (host, path, NULL, MS_BIND, NULL, err) < 0)
        return -1;
    }
  if (ensure_dir (SB_ROOT_DIR "/dev/pts", 0755, err) < 0
      || ensure_dir (SB_ROOT_DIR "/dev/shm", 01777, err) < 0)
    return -1;
  if (mount_or_fail ("devpts", SB_ROOT_DIR "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620", err) < 0
      || mount_or_fail ("shm", SB_ROOT_DIR "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
                        "mode=1777,size=65536k", err) < 0)
    return -1;
  if (symlink ("pts/ptmx", SB_ROOT_DIR "/dev/ptmx") < 0
      || symlink ("/proc/self/fd", SB_ROOT_DIR "/dev/fd") < 0
      || symlink ("/proc/self/fd/0", SB_ROOT_DIR "/dev/stdin") < 0
      || symlink ("/proc/self/fd/1", SB_ROOT_DIR "/dev/stdout") < 0
      || symlink ("/proc/self/fd/2", SB_ROOT_DIR "/dev/stderr") < 0)
    return sb_error (err, errno, "populate /dev");
  return 0;
}

/* Container paths are resolved inside the root being built (sb_open_in_root),
   so a symlink in the image cannot point a mount at the host. */
static int
open_in_root (int rootfd, const char *path, int flags)
{
  return sb_open_in_root (rootfd, path, flags, 0);
}

/* mkdir -p of a container path, one component at a time inside the root;
   the last component is a file when as_file. */
static int
make_in_root (int rootfd, const char *path, bool as_file)
{
  char parent[4096] = "/";
  const char *p = path;

  while (*p)
    {
      cleanup_close int dirfd = -1;
      const char *end;
      char name[256];
      size_t n;
      bool last;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      end = strchrnul (p, '/');
      n = end - p;
      if (n >= sizeof (name) || strlen (parent) + n + 2 > sizeof (parent))
        return -ENAMETOOLONG;
      memcpy (name, p, n);
      name[n] = '\0';
      last = end[strspn (end, "/")] == '\0';
      dirfd = open_in_root (rootfd, parent, O_PATH | O_DIRECTORY);
      if (dirfd < 0)
        return dirfd;
      if (last && as_file)
        {
          int fd = openat (dirfd, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
          if (fd < 0 && errno != EEXIST && errno != EISDIR)
            return -errno;
          if (fd >= 0)
            close (fd);
        }
      else if (mkdirat (dirfd, name, 0755) < 0 && errno != EEXIST)
        return -errno;
      if (strcmp (parent, "/") != 0)
        strcat (parent, "/");
      strcat (parent, name);
      p = end;
    }
  return 0;
}

static int
remount_read_only (int rootfd, const char *path, sb_error_t *err)
{
  cleanup_close int fd = open_in_root (rootfd, path, O_PATH);
  char via[64];

  if (fd < 0)
    return sb_error (err, -fd, "reopen `%s`", path);
  snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
  if (mount (NULL, via, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    return sb_error (err, errno, "make `%s` read-only", path);
  return 0;
}

/* The tenant's volumes, read-only paths and hidden paths, as mounts in the
   root being built: the Gofer and the app's mount namespaces copy them. */
static int
apply_policy_mounts (struct sentry *s, sb_error_t *err)
{
  const struct sb_policy *p = s->policy;
  cleanup_close int rootfd = open (SB_ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  char via[64];
  int i, ret;

  if (rootfd < 0)
    return sb_error (err, errno, "open the container root");
  for (i = 0; i < p->nvolumes; i++)
    {
      const struct sb_volume *v = &p->volumes[i];
      cleanup_close int target = -1;
      char src[64];
      struct stat st;

      snprintf (src, sizeof (src), "/proc/self/fd/%d", s->volume_fd[i]);
      if (fstat (s->volume_fd[i], &st) < 0)
        return sb_error (err, errno, "volume %s: stat `%s`", v->name, v->source);
      ret = make_in_root (rootfd, v->target, !S_ISDIR (st.st_mode));
      if (ret < 0)
        return sb_error (err, -ret, "volume %s: create `%s` in the container", v->name, v->target);
      target = open_in_root (rootfd, v->target, O_PATH | O_NOFOLLOW);
      if (target < 0)
        return sb_error (err, -target, "volume %s: open `%s` in the container", v->name, v->target);
      snprintf (via, sizeof (via), "/proc/self/fd/%d", target);
      if (mount (src, via, NULL, MS_BIND | MS_REC, NULL) < 0)
        return sb_error (err, errno, "volume %s: mount `%s` on `%s`", v->name, v->source, v->target);
      if (v->read_only && remount_read_only (rootfd, v->target, err) < 0)
        return sb_error_prefix (err, "volume %s", v->name);
    }
  for (i = 0; i < p->nread_only; i++)
    {
      cleanup_close int fd = open_in_root (rootfd, p->read_only[i], O_PATH | O_NOFOLLOW);
      if (fd == -ENOENT)
        continue;
      if (fd < 0)
        return sb_error (err, -fd, "read-only path `%s`", p->read_only[i]);
      snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
      if (mount (via, via, NULL, MS_BIND | MS_REC, NULL) < 0)
        return sb_error (err, errno, "read-only path `%s`: bind", p->read_only[i]);
      if (remount_read_only (rootfd, p->read_only[i], err) < 0)
        return -1;
    }
  /* Hidden paths: the Gofer answers ENOENT for them; these masks are for the
     one thing the kernel resolves itself, execve. */
  for (i = 0; i < p->nhidden; i++)
    {
      cleanup_close int fd = open_in_root (rootfd, p->hidden[i], O_PATH | O_NOFOLLOW);
      struct stat st;

      if (fd == -ENOENT || fd == -ELOOP)
        continue;
      if (fd < 0)
        return sb_error (err, -fd, "hidden path `%s`", p->hidden[i]);
      if (fstat (fd, &st) < 0)
        return sb_error (err, errno, "hidden path `%s`", p->hidden[i]);
      if (S_ISLNK (st.st_mode))
        continue;
      snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
      if (S_ISDIR (st.st_mode))
        ret = mount ("hidden", via, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=000");
      else
        ret = mount (SB_ROOT_DIR "/dev/null", via, NULL, MS_BIND, NULL);
      if (ret < 0)
        return sb_error (err, errno, "mask hidden path `%s`", p->hidden[i]);
    }
  return 0;
}

/* What the sandbox needs from the host's tree, opened before the stage
   tmpfs (at SB_STAGE_DIR) can hide any of it: volume sources (checked
   against the tenant's volume roots after realpath, so a symlink cannot
   widen the grant) and the cgroup files that receive the app. */
static int
open_host_inputs (struct sentry *s, sb_error_t *err)
{
  const struct sb_policy *p = s->policy;
  int i, j;

  for (i = 0; i < p->nvolumes; i++)
    {
      const struct sb_volume *v = &p->volumes[i];
      cleanup_free char *src = realpath (v->source, NULL);
      bool inside = false;

      if (src == NULL)
        return sb_error (err, errno, "volume %s: source `%s`", v->name, v->source);
      for (j = 0; j < p->nvolume_roots && !inside; j++)
        inside = sb_path_has_prefix (src, p->volume_roots[j]);
      if (!inside)
        return sb_error (err, EPERM, "volume %s: `%s` is outside the tenant's volume roots", v->name, src);
      s->volume_fd[i] = open (src, O_PATH | O_CLOEXEC);
      if (s->volume_fd[i] < 0)
        return sb_error (err, errno, "volume %s: open `%s`", v->name, src);
    }
  for (i = 0; i < s->cfg.ncgroup_procs; i++)
    {
      s->cgroup_procs_fd[i] = open (s->cfg.cgroup_procs[i], O_WRONLY | O_CLOEXEC);
      if (s->cgroup_procs_fd[i] < 0)
        return sb_error (err, errno, "open `%s`", s->cfg.cgroup_procs[i]);
    }
  return 0;
}

static int
make_root (struct sentry *s, sb_error_t *err)
{
  cleanup_close int lowerfd = -1;
  char opts[256], src[64];

  /* Held before the stage tmpfs may hide it (a rootfs under /tmp). */
  lowerfd = open (s->cfg.rootfs ? s->cfg.rootfs : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (lowerfd < 0)
    return sb_error (err, errno, "open the root `%s`", s->cfg.rootfs ? s->cfg.rootfs : "/");
  snprintf (src, sizeof (src), "/proc/self/fd/%d", lowerfd);

  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return sb_error (err, errno, "make mounts private");
  snprintf (opts, sizeof (opts), "mode=700,size=%llu", (unsigned long long) s->cfg.tmpfs_size);
  if (mount_or_fail ("sandbox", SB_STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV, opts, err) < 0)
    return -1;
  if (ensure_dir (SB_ROOT_DIR, 0755, err) < 0)
    return -1;
  if (s->cfg.rootfs)
    {
      static const char *const dirs[] = { "dev", "proc", "sys", "tmp", NULL };
      int i;

      if (mount_or_fail (src, SB_ROOT_DIR, NULL, MS_BIND | MS_REC, NULL, err) < 0)
        return -1;
      for (i = 0; dirs[i]; i++)
        {
          char path[128];
          snprintf (path, sizeof (path), SB_ROOT_DIR "/%s", dirs[i]);
          if (ensure_dir (path, strcmp (dirs[i], "tmp") == 0 ? 01777 : 0755, err) < 0)
            return sb_error_prefix (err, "prepare the rootfs `%s`", s->cfg.rootfs);
        }
    }
  else
    {
      if (ensure_dir (SB_STAGE_DIR "/upper", 0755, err) < 0
          || ensure_dir (SB_STAGE_DIR "/work", 0755, err) < 0)
        return -1;
      snprintf (opts, sizeof (opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", src,
                SB_STAGE_DIR, SB_STAGE_DIR);
      if (mount_or_fail ("overlay", SB_ROOT_DIR, "overlay", 0, opts, err) < 0)
        return sb_error_prefix (err, "make the writable layer over the host root");
    }
  if (make_dev (err) < 0)
    return -1;
  if (mount_or_fail ("sysfs", SB_ROOT_DIR "/sys", "sysfs",
                     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
    return -1;
  return apply_policy_mounts (s, err);
}

static int
loopback_up (sb_error_t *err)
{
  cleanup_close int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (sock < 0)
    return sb_error (err, errno, "socket");
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    return sb_error (err, errno, "get the loopback flags");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    return sb_error (err, errno, "bring the loopback up");
  return 0;
}

static int
start_gofer (struct sentry *s, int gofer_exe, sb_error_t *err)
{
  int sv[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return sb_error (err, errno, "socketpair for the Gofer");
  pid = fork ();
  if (pid < 0)
    return sb_error (err, errno, "fork the Gofer");
  if (pid == 0)
    {
      char **argv = calloc (2 * SB_POLICY_MAX_PATHS + 4, sizeof (char *));
      int i, n = 0;

      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (argv == NULL || dup2 (sv[1], 3) < 0)
        _exit (125);
      argv[n++] = "sandbox-gofer";
      for (i = 0; i < s->policy->nhidden; i++)
        {
          argv[n++] = "--hidden";
          argv[n++] = s->policy->hidden[i];
        }
      argv[n++] = SB_ROOT_DIR;
      sb_close_fds_except (4, &gofer_exe, 1);
      syscall (SYS_execveat, gofer_exe, "", argv, environ, AT_EMPTY_PATH);
      fprintf (stderr, "sandbox-sentry: exec the Gofer: %s\n", strerror (errno));
      _exit (125);
    }
  close (sv[1]);
  s->gofer_sock = sv[0];
  s->gofer_pid = pid;
  return 0;
}

static int
start_init (struct sentry *s, int *sync_out, sb_error_t *err)
{
  int sv[2];
  pid_t pid;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return sb_error (err, errno, "socketpair for the init");
  pid = syscall (SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0)
    return sb_error (err, errno, "clone the sandbox init");
  if (pid == 0)
    {
      struct sb_app_init_args a = { .sync_sock = sv[1], .argv = s->cfg.argv, .cwd = s->cfg.cwd,
                                    .cwd_optional = s->cfg.cwd_optional,
                                    .open_files = s->policy->open_files, .filter = &s->filter };
      close (sv[0]);
      sb_app_init (&a);
    }
  close (sv[1]);
  s->init_pid = pid;
  *sync_out = sv[0];
  /* The app's part of the cgroup, where the tenant's limits are (the files
     were opened before the stage could hide them). */
  {
    char value[32];
    int i;

    snprintf (value, sizeof (value), "%d", pid);
    for (i = 0; i < s->cfg.ncgroup_procs; i++)
      {
        int r = sb_write_all (s->cgroup_procs_fd[i], value, strlen (value));
        close (s->cgroup_procs_fd[i]);
        s->cgroup_procs_fd[i] = -1;
        if (r < 0)
          return sb_error (err, -r, "place the app in its cgroup (`%s`)", s->cfg.cgroup_procs[i]);
      }
  }
  if (sb_write_all (*sync_out, "C", 1) < 0)
    return sb_error (err, EPIPE, "the sandbox init died");
  return 0;
}

/* The init's seccomp listener: the descriptor that appears in its table
   once it has loaded its filter (it loads it right after saying so). Found by
   taking each of its low descriptors with pidfd_getfd and asking what it is
   through our own /proc/self (our procfs shows the host's pid numbers, not
   the sandbox's, so the init's own /proc entry is not used). */
static int
take_listener (int pidfd)
{
  int tries, fd;

  for (tries = 0; tries < 5000; tries++)
    {
      struct timespec ts = { 0, 1000 * 1000 };

      for (fd = 3; fd < 64; fd++)
        {
          char link[64], target[64];
          int dup = syscall (SYS_pidfd_getfd, pidfd, fd, 0);
          ssize_t n;

          if (dup < 0)
            continue;
          snprintf (link, sizeof (link), "/proc/self/fd/%d", dup);
          n = readlink (link, target, sizeof (target) - 1);
          if (n > 0)
            {
              target[n] = '\0';
              if (strcmp (target, "anon_inode:seccomp notify") == 0)
                return dup;
            }
          close (dup);
        }
      nanosleep (&ts, NULL);
    }
  return -ETIMEDOUT;
}

/* Hands the container procfs to the Gofer, then takes the app's listener. */
static int
handshake (struct sentry *s, int sync, sb_error_t *err)
{
  struct sb_gofer_req req = { .op = SB_GOFER_HELLO };
  struct sb_gofer_answer *ans;
  cleanup_close int pidfd = -1;
  int fds[1], nfds = 1, ret;
  char byte;
  ssize_t n;

  n = sb_recv_msg (sync, &byte, 1, fds, &nfds);
  if (n <= 0 || nfds != 1)
    return sb_error (err, n < 0 ? (int) -n : EPIPE, "receive the procfs from the sandbox init");
  ans = malloc (sizeof (*ans));
  if (ans == NULL)
    {
      close (fds[0]);
      return sb_error (err, ENOMEM, "allocate");
    }
  ret = sb_gofer_call (s, &req, NULL, NULL, NULL, 0, fds[0], ans);
  close (fds[0]);
  if (ret == 0 && ans->result < 0)
    ret = ans->result;
  free (ans);
  if (ret < 0)
    return sb_error (err, -ret, "start the Gofer");

  if (sb_read_all (sync, &byte, 1) < 0)
    return sb_error (err, EPIPE, "the sandbox init failed before loading its filter");
  pidfd = syscall (SYS_pidfd_open, s->init_pid, 0);
  if (pidfd < 0)
    return sb_error (err, errno, "pidfd_open the sandbox init");
  s->listener = take_listener (pidfd);
  if (s->listener < 0)
    return sb_error (err, -s->listener, "take the seccomp listener of the sandbox init");
  fcntl (s->listener, F_SETFD, FD_CLOEXEC);
  /* Linux 6.6+: wake the Sentry on the caller's CPU, the caller on the
     Sentry's; a round trip then avoids two cross-CPU wake-ups (~3 us instead
     of tens here). Older kernels refuse the flag: nothing else changes. */
  ioctl (s->listener, SB_SECCOMP_IOCTL_NOTIF_SET_FLAGS, SB_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0) < 0)
    return sb_error (err, errno, "start the command");
  return 0;
}

/* The Sentry keeps no view of the host's files: an empty tmpfs root with
   only its own procfs (for /proc/<tid>/{status,cwd,fd} of the callers). */
static int
confine_self (struct sentry *s, sb_error_t *err)
{
  /* Docker's set plus SYS_PTRACE: to read callers' memory and /proc entries
     whatever their uid. */
  uint64_t caps = sb_caps_docker_default | (1ull << CAP_SYS_PTRACE);

  if (mount_or_fail ("sentry", SB_STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     "mode=700,size=64k", err) < 0)
    return -1;
  if (ensure_dir (SB_STAGE_DIR "/proc", 0555, err) < 0)
    return -1;
  if (mount_or_fail ("proc", SB_STAGE_DIR "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     NULL, err) < 0)
    return -1;
  if (sb_pivot_into (SB_STAGE_DIR, err) < 0)
    return sb_error_prefix (err, "pivot the Sentry into its empty root");
  s->procfd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->procfd < 0)
    return sb_error (err, errno, "open the Sentry's procfs");
  if (sb_caps_restrict (caps, err) < 0)
    return -1;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sb_error (err, errno, "set no_new_privs");
  return sb_sentry_apply_filter (err);
}

static void
noop_handler (int sig)
{
  (void) sig;
}

/* As pid 1, the Sentry receives only signals it has a handler for; they
   are blocked and read from a signalfd in the loop. */
static void
prepare_signals (void)
{
  static const int sigs[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  struct sigaction sa = { .sa_handler = noop_handler };
  sigset_t mask;
  size_t i;

  sigemptyset (&mask);
  for (i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
    {
      sigaction (sigs[i], &sa, NULL);
      sigaddset (&mask, sigs[i]);
    }
  sigprocmask (SIG_BLOCK, &mask, NULL);
}

int
sb_launch (struct sentry *s, sb_error_t *err)
{
  cleanup_close int gofer_exe = -1;
  cleanup_close int sync = -1;
  char path[4096];
  struct seccomp_notif_sizes sizes;
  int i;

  if (getpid () != 1)
    return sb_error (err, EINVAL, "sandbox-sentry must start as pid 1 of a new pid namespace (use sandbox-runtime)");
  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return sb_error (err, errno, "seccomp user notification is not available");
  s->notif_size = sizes.seccomp_notif;
  prepare_signals ();

  snprintf (path, sizeof (path), "%s/sandbox-gofer", sb_libexec_dir ());
  gofer_exe = open (path, O_PATH | O_CLOEXEC);
  if (gofer_exe < 0)
    return sb_error (err, errno, "open the Gofer `%s`", path);
  if (sethostname (s->cfg.hostname, strlen (s->cfg.hostname)) < 0)
    return sb_error (err, errno, "set the hostname");
  if (!s->cfg.network_host && loopback_up (err) < 0)
    return -1;
  if (open_host_inputs (s, err) < 0 || make_root (s, err) < 0)
    return sb_error_prefix (err, "build the container root");
  for (i = 0; i < s->policy->nvolumes; i++)
    close (s->volume_fd[i]);
  if (start_gofer (s, gofer_exe, err) < 0 || start_init (s, &sync, err) < 0)
    return -1;
  if (handshake (s, sync, err) < 0)
    return -1;
  return confine_self (s, err);
}
