/* Assembles the sandbox. sandbox-runtime starts sandbox-sentry as pid 1 of
   new pid, mount, ipc, uts (and, unless --network host, net) namespaces,
   with the --rootfs and the volume sources already opened safely (by
   descriptor, see common/hostpath.h). Here, in that private mount namespace:
   - the tenant's user namespace is made (sentry/userns.c): container ids
     0..N-1 are the tenant's host ids;
   - a tmpfs at SB_STAGE_DIR holds the container root: an overlay whose
     read-only lower layers are the host root (or an image --rootfs, or an
     image's layers) seen through idmapped mounts, under a tmpfs upper
     layer or an engine's own writable layer, idmapped too
     (launch_oci.c); or a --rootfs the tenant owns, bound as it is; or an
     OCI bundle's rootfs directory, bound writable and idmapped; a /dev of
     fresh device nodes; a read-only /sys; /proc, a procfs of the app's pid
     namespace made by the init, started first for that; these in an OCI
     config's order (make_own_mounts); the policy's and the config's
     mounts and rules, the masks of /proc last;
   - the Gofer starts and pivots into that root in a mount namespace of its
     own, then joins the user namespace;
   - the app's init goes on in new mount and cgroup namespaces and joins
     the user namespace;
   - the Sentry takes the listener, then pivots into an empty tmpfs, joins
     the user namespace, drops capabilities and loads its own filter.
   Nothing is created outside these namespaces: when they die, so does
   everything mounted here. */
#include "launch.h"
#include "capabilities.h"
#include "cleanup.h"
#include "fdpass.h"
#include "mounts.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
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
#include <sys/resource.h>
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

/* The device nodes of /dev: fresh nodes in the sandbox's own tmpfs, owned
   by the tenant's root. No host inode is among them, so nothing done to
   them (chmod, chown, truncate, xattrs) reaches the host's /dev. */
static const struct
{
  const char *name;
  unsigned major, minor;
} dev_nodes[] = {
  { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
  { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

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
make_dev (struct sentry *s, sb_error_t *err)
{
  uint32_t root = s->cfg.idmap.host;
  char path[256], opts[128];
  size_t i;

  snprintf (opts, sizeof (opts), "mode=755,size=65536k,uid=%u,gid=%u", root, root);
  if (mount_or_fail ("tmpfs", SB_ROOT_DIR "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, opts, err) < 0)
    return -1;
  for (i = 0; i < sizeof (dev_nodes) / sizeof (dev_nodes[0]); i++)
    {
      snprintf (path, sizeof (path), SB_ROOT_DIR "/dev/%s", dev_nodes[i].name);
      if (mknod (path, S_IFCHR | 0666, makedev (dev_nodes[i].major, dev_nodes[i].minor)) < 0
          || chown (path, root, root) < 0 || chmod (path, 0666) < 0)
        return sb_error (err, errno, "create `/dev/%s`", dev_nodes[i].name);
    }
  if (ensure_dir (SB_ROOT_DIR "/dev/pts", 0755, err) < 0
      || ensure_dir (SB_ROOT_DIR "/dev/shm", 01777, err) < 0)
    return -1;
  if (symlink ("pts/ptmx", SB_ROOT_DIR "/dev/ptmx") < 0
      || symlink ("/proc/self/fd", SB_ROOT_DIR "/dev/fd") < 0
      || symlink ("/proc/self/fd/0", SB_ROOT_DIR "/dev/stdin") < 0
      || symlink ("/proc/self/fd/1", SB_ROOT_DIR "/dev/stdout") < 0
      || symlink ("/proc/self/fd/2", SB_ROOT_DIR "/dev/stderr") < 0)
    return sb_error (err, errno, "populate /dev");
  return 0;
}

static int
make_devpts (struct sentry *s, sb_error_t *err)
{
  char opts[128];

  /* The tty group (5) of the container owns the terminals. */
  snprintf (opts, sizeof (opts), "newinstance,ptmxmode=0666,mode=0620,gid=%u", s->cfg.idmap.host + 5);
  return mount_or_fail ("devpts", SB_ROOT_DIR "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, opts, err);
}

/* /dev/shm: a tmpfs of the sandbox's own, or a pod's: the engine's tmpfs
   that its members bind (sandboxd admitted it for this tenant alone).
   Files the app makes in a pod's carry the tenant's host ids, as in a
   writable volume. */
static int
make_shm (struct sentry *s, sb_error_t *err)
{
  char opts[128];

  if (s->cfg.shm_fd >= 0)
    {
      cleanup_close int tree = steal_fd (&s->cfg.shm_fd);
      if (sb_mount_set (tree, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, -1, "the pod's /dev/shm", err) < 0
          || sb_mount_attach (tree, SB_ROOT_DIR "/dev/shm", err) < 0)
        return -1;
      return 0;
    }

  snprintf (opts, sizeof (opts), "mode=1777,size=%lluk,uid=%u,gid=%u",
            (unsigned long long) ((s->cfg.shm_size + 1023) >> 10), s->cfg.idmap.host, s->cfg.idmap.host);
  return mount_or_fail ("shm", SB_ROOT_DIR "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts, err);
}

/* POSIX message queues of the sandbox's own ipc namespace (the Sentry's,
   which the app shares: sb_sandbox_start made it with CLONE_NEWIPC, or an
   OCI container's monitor made or joined it, a pod's), only
   when an OCI config asks for it. Its queues are the app's, no one
   else's; mq_open and the rest stay as the profile classes them. */
static int
make_mqueue (struct sentry *s, sb_error_t *err)
{
  (void) s;
  if (ensure_dir (SB_ROOT_DIR "/dev/mqueue", 01777, err) < 0)
    return -1;
  return mount_or_fail ("mqueue", SB_ROOT_DIR "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
}

static int
attach_procfs (struct sentry *s, sb_error_t *err)
{
  int ret = sb_mount_attach (s->app_procfs, SB_ROOT_DIR "/proc", err);

  close (s->app_procfs);
  s->app_procfs = -1;
  return ret < 0 ? sb_error_prefix (err, "the container procfs") : 0;
}

static int
make_sys (struct sentry *s, sb_error_t *err)
{
  (void) s;
  return sb_make_sysfs (SB_ROOT_DIR "/sys", err);
}

/* The sandbox's own mounts, in an OCI config's order as runc mounts them
   (runtime-tools checks it in mountinfo), else ours. A mount inside /dev
   makes /dev first. The masks of /proc, and the policy's and the config's
   hidden and read-only paths, still go on top of all of them (make_root). */
enum own_mount { OWN_PROC, OWN_DEV, OWN_DEVPTS, OWN_SHM, OWN_MQUEUE, OWN_SYS, OWN_COUNT };

static const struct
{
  const char *name;
  int (*make) (struct sentry *s, sb_error_t *err);
} own_mounts[OWN_COUNT] = {
  [OWN_PROC] = { "proc", attach_procfs },   [OWN_DEV] = { "dev", make_dev },
  [OWN_DEVPTS] = { "dev/pts", make_devpts }, [OWN_SHM] = { "dev/shm", make_shm },
  [OWN_MQUEUE] = { "dev/mqueue", make_mqueue }, [OWN_SYS] = { "sys", make_sys },
};

static int
make_own_mount (struct sentry *s, int which, bool *done, sb_error_t *err)
{
  if (done[which])
    return 0;
  if (which == OWN_DEVPTS || which == OWN_SHM || which == OWN_MQUEUE)
    if (make_own_mount (s, OWN_DEV, done, err) < 0)
      return -1;
  done[which] = true;
  return own_mounts[which].make (s, err);
}

static int
make_own_mounts (struct sentry *s, sb_error_t *err)
{
  static const int ours[] = { OWN_DEV, OWN_DEVPTS, OWN_SHM, OWN_SYS, OWN_PROC };
  bool done[OWN_COUNT] = { false };
  const char *p = s->cfg.own_mounts;

  while (p && *p)
    {
      size_t len = strcspn (p, ",");
      for (int k = 0; k < OWN_COUNT; k++)
        if (strlen (own_mounts[k].name) == len && strncmp (own_mounts[k].name, p, len) == 0
            && make_own_mount (s, k, done, err) < 0)
          return -1;
      /* Other names (sys/fs/cgroup) are parts of these. */
      p += len;
      p += *p == ',';
    }
  for (size_t k = 0; k < sizeof (ours) / sizeof (ours[0]); k++)
    if (make_own_mount (s, ours[k], done, err) < 0)
      return -1;
  return 0;
}

/* With a terminal: a pty of the sandbox's own devpts (its slave is the
   app's stdio, owned by the container's root and tty group); the master
   goes back to sandbox-runtime, which relays it to the operator's terminal. */
static int
make_pty (struct sentry *s, sb_error_t *err)
{
  cleanup_close int master = open (SB_ROOT_DIR "/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  int n = 0, unlock = 0, ret;
  char path[64];

  if (master < 0 || ioctl (master, TIOCSPTLCK, &unlock) < 0 || ioctl (master, TIOCGPTN, &n) < 0)
    return sb_error (err, errno, "allocate the sandbox's terminal");
  snprintf (path, sizeof (path), SB_ROOT_DIR "/dev/pts/%d", n);
  s->pty_slave = open (path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s->pty_slave < 0 || fchown (s->pty_slave, s->cfg.idmap.host, s->cfg.idmap.host + 5) < 0
      || fchmod (s->pty_slave, 0620) < 0)
    return sb_error (err, errno, "open the sandbox's terminal");
  {
    static const char msg[] = "{\"op\":\"terminal\"}";
    ret = sb_send_msg (s->cfg.ctl_fd, msg, sizeof (msg) - 1, &master, 1);
  }
  if (ret < 0)
    return sb_error (err, -ret, "hand the terminal to its owner");
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
make_in_root (int rootfd, const char *path, bool as_file, uint32_t owner)
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
      /* What is created here belongs to the container's root, as it would
         had the container made it (created as that id: through an
         idmapped writable layer, host root has no mapping). */
      if (last && as_file)
        {
          int saved = sb_launch_fs_ids_as (owner);
          int fd = openat (dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
          int e = errno;
          sb_launch_fs_ids_back (saved);
          errno = e;
          if (fd < 0 && errno != EEXIST && errno != EISDIR)
            return -errno;
          if (fd >= 0)
            {
              if (fchown (fd, owner, owner) < 0)
                {
                  close (fd);
                  return -errno;
                }
              close (fd);
            }
        }
      else
        {
          int saved = sb_launch_fs_ids_as (owner);
          int ret = mkdirat (dirfd, name, 0755) == 0 ? 0 : -errno;
          sb_launch_fs_ids_back (saved);
          if (ret == 0 && fchownat (dirfd, name, owner, owner, AT_SYMLINK_NOFOLLOW) < 0)
            return -errno;
          if (ret < 0 && ret != -EEXIST)
            return ret;
        }
      if (strcmp (parent, "/") != 0)
        strcat (parent, "/");
      strcat (parent, name);
      p = end;
    }
  return 0;
}

/* The tenant's volumes, read-only paths and hidden paths, as mounts in the
   root being built: the Gofer and the app's mount namespaces copy them. */
static int
apply_policy_mounts (struct sentry *s, sb_error_t *err)
{
  const struct sb_policy *p = s->policy;
  cleanup_close int rootfd = open (SB_ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int i, ret;

  if (rootfd < 0)
    return sb_error (err, errno, "open the container root");
  for (i = 0; i < p->nvolumes; i++)
    {
      const struct sb_volume *v = &p->volumes[i];
      cleanup_close int target = -1;
      cleanup_close int tree = -1;
      char what[128];
      struct stat st;

      snprintf (what, sizeof (what), "volume %s", v->name);
      if (i >= s->cfg.nvolume_fds)
        return sb_error (err, EINVAL, "%s: sandbox-runtime did not open its source", what);
      if (fstat (s->cfg.volume_fd[i], &st) < 0)
        return sb_error (err, errno, "%s: stat `%s`", what, v->source);
      ret = make_in_root (rootfd, v->target, !S_ISDIR (st.st_mode), s->cfg.idmap.host);
      if (ret < 0)
        return sb_error (err, -ret, "%s: create `%s` in the container", what, v->target);
      target = open_in_root (rootfd, v->target, O_PATH | O_NOFOLLOW);
      if (target < 0)
        return sb_error (err, -target, "%s: open `%s` in the container", what, v->target);
      /* A writable volume is the tenant's: its files carry the tenant's
         host ids, and what the app makes there lands as those ids. A
         read-only one is shown through the id mapping (usual owners) and
         can never be written. Never setuid, never devices. */
      tree = steal_fd (&s->cfg.volume_fd[i]);
      if (sb_mount_set (tree, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (v->read_only ? MOUNT_ATTR_RDONLY : 0),
                        v->read_only ? s->userns_fd : -1, what, err) < 0)
        return -1;
      if (sb_mount_attach_fd (tree, target, err) < 0)
        return sb_error_prefix (err, "%s on `%s`", what, v->target);
    }
  /* Read-only and hidden paths (sentry/protect.c). */
  return sb_protect_paths (s, rootfd, err);
}

/* The memory limit file of the app's cgroups (DIR/app/cgroup.procs's DIR:
   v2 memory.max, v1 memory.limit_in_bytes), kept open read-only: the file
   alone, no way to the rest of the host's cgroup tree. */
static void
open_memory_limit (struct sentry *s, const char *procs)
{
  static const char *const files[] = { "memory.max", "memory.limit_in_bytes" };
  char path[PATH_MAX];
  const char *end = strrchr (procs, '/');
  size_t n;

  if (s->memory_limit_fd >= 0 || end == NULL)
    return;
  n = (size_t) (end - procs);
  while (n > 0 && procs[n - 1] != '/')
    n--; /* drop app/ */
  for (size_t i = 0; n > 1 && i < sizeof (files) / sizeof (files[0]); i++)
    if ((size_t) snprintf (path, sizeof (path), "%.*s%s", (int) n, procs, files[i]) < sizeof (path)
        && (s->memory_limit_fd = open (path, O_RDONLY | O_CLOEXEC)) >= 0)
      return;
}

/* The app's freezer state beside its cgroup.procs (the first hierarchy
   that has one): a pause the sweep of blocking calls must let through. */
static void
open_freeze_state (struct sentry *s, const char *procs)
{
  static const char *const files[] = { "freezer.state", "cgroup.freeze" };
  char path[PATH_MAX];
  const char *end = strrchr (procs, '/');

  for (size_t i = 0; s->freeze_fd < 0 && end != NULL && i < sizeof (files) / sizeof (files[0]); i++)
    if ((size_t) snprintf (path, sizeof (path), "%.*s/%s", (int) (end - procs), procs, files[i]) < sizeof (path))
      s->freeze_fd = open (path, O_RDONLY | O_CLOEXEC);
}

/* The cgroup files that receive the app, opened before the stage tmpfs (at
   SB_STAGE_DIR) can hide them. (The rootfs and the volume sources arrive
   already open.) */
static int
open_host_inputs (struct sentry *s, sb_error_t *err)
{
  int i;

  for (i = 0; i < s->cfg.ncgroup_procs; i++)
    {
      const char *procs = s->cfg.cgroup_procs[i], *end = strrchr (procs, '/');
      char path[PATH_MAX];

      s->cgroup_procs_fd[i] = s->cgroup_tasks_fd[i] = -1;
      if (end != NULL && (size_t) snprintf (path, sizeof (path), "%.*s/tasks", (int) (end - procs), procs) < sizeof (path))
        {
          s->cgroup_tasks_fd[i] = open (path, O_WRONLY | O_CLOEXEC);
          if (s->cgroup_tasks_fd[i] < 0 && errno != ENOENT)
            return sb_error (err, errno, "open `%s`", path);
        }
      if (s->cgroup_tasks_fd[i] < 0)
        {
          /* No `tasks`: v2, where the init is cloned into the directory
             (or, on a kernel without that, placed by pid). */
          s->cgroup_procs_fd[i] = open (procs, O_WRONLY | O_CLOEXEC);
          if (s->cgroup_procs_fd[i] < 0)
            return sb_error (err, errno, "open `%s`", procs);
          if (s->cgroup_app_dirfd < 0 && end != NULL)
            {
              snprintf (path, sizeof (path), "%.*s", (int) (end - procs), procs);
              s->cgroup_app_dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            }
        }
      open_memory_limit (s, procs);
      open_freeze_state (s, procs);
    }
  return 0;
}

/* An image as the root: its layers (one for the host root or an image
   --rootfs; an image of the store has them bottom first), each read-only
   and seen through the tenant's id mapping (a file the host's root owns is
   the container root's), attached at SB_STAGE_DIR/lower0, lower1..., under
   an overlay whose upper layer is the stage tmpfs: writes stay in memory,
   owned by the tenant's ids, and vanish with the sandbox. */
static int
image_root (struct sentry *s, const int *trees, int n, const char *what, sb_error_t *err)
{
  uint32_t root = s->cfg.idmap.host;
  char opts[4096], dir[64];
  size_t len = 0;
  int i;

  for (i = 0; i < n; i++)
    {
      snprintf (dir, sizeof (dir), SB_STAGE_DIR "/lower%d", i);
      if (sb_mount_set (trees[i], MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                        s->userns_fd, what, err) < 0
          || ensure_dir (dir, 0700, err) < 0 || sb_mount_attach (trees[i], dir, err) < 0)
        return n > 1 ? sb_error_prefix (err, "layer %d", i) : -1;
    }
  if (s->cfg.upper_fd >= 0)
    {
      /* overlayfs lists its lower layers top first. */
      len = (size_t) snprintf (opts, sizeof (opts), "lowerdir=");
      for (i = n - 1; i >= 0 && len < sizeof (opts); i--)
        len += (size_t) snprintf (opts + len, sizeof (opts) - len, "%s%s/lower%d", i == n - 1 ? "" : ":",
                                  SB_STAGE_DIR, i);
      if (len >= sizeof (opts))
        return sb_error (err, E2BIG, "%d layers: too many for one overlay", n);
      return sb_launch_engine_overlay (s, opts, err);
    }
  if (ensure_dir (SB_STAGE_DIR "/upper", 0755, err) < 0 || ensure_dir (SB_STAGE_DIR "/work", 0700, err) < 0)
    return -1;
  /* The overlay's root directory is the upper one: the container root's. */
  if (chown (SB_STAGE_DIR "/upper", root, root) < 0)
    return sb_error (err, errno, "chown the writable layer");
  /* overlayfs lists its lower layers top first. */
  len = (size_t) snprintf (opts, sizeof (opts), "lowerdir=");
  for (i = n - 1; i >= 0 && len < sizeof (opts); i--)
    len += (size_t) snprintf (opts + len, sizeof (opts) - len, "%s%s/lower%d", i == n - 1 ? "" : ":",
                              SB_STAGE_DIR, i);
  if (len < sizeof (opts))
    len += (size_t) snprintf (opts + len, sizeof (opts) - len, ",upperdir=%s/upper,workdir=%s/work",
                              SB_STAGE_DIR, SB_STAGE_DIR);
  if (len >= sizeof (opts))
    return sb_error (err, E2BIG, "%d layers: too many for one overlay", n);
  /* index=on: a hard link made to a file of a lower layer (which copies it
     up) shows one device and inode number by every name, as on one
     filesystem; without it the new name shows the upper layer's own
     numbers (git clone of a local repository checks its links by them and
     stops: "hardlink different from source"). The upper layer is this
     sandbox's alone, so the index has nothing to disagree with; a lower
     filesystem without file handles cannot have one, and is mounted
     without. */
  s->root_in_memory = true;
  if (len + sizeof (",index=on") <= sizeof (opts))
    {
      strcat (opts, ",index=on");
      if (mount ("overlay", SB_ROOT_DIR, "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
        return 0;
      opts[len] = '\0';
    }
  if (mount_or_fail ("overlay", SB_ROOT_DIR, "overlay", MS_NOSUID | MS_NODEV, opts, err) < 0)
    return sb_error_prefix (err, "make the writable layer over %s", what);
  return 0;
}

/* A --rootfs the tenant owns (its directory belongs to the tenant's ids):
   bound as it is, writable; what the app makes lands as the tenant's ids.
   An OCI bundle's own rootfs directory (rootfs_writable) is bound writable
   too, idmapped like a layer: the container's root writes files of 0's
   there, as under runc. */
static int
tenant_root (struct sentry *s, bool idmapped, sb_error_t *err)
{
  if (sb_mount_set (s->cfg.rootfs_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, idmapped ? s->userns_fd : -1,
                    "--rootfs", err) < 0)
    return -1;
  return sb_mount_attach (s->cfg.rootfs_fd, SB_ROOT_DIR, err);
}

/* Whether a hosts file's text names host (a name on a line that is not a
   comment). */
static bool
hosts_names (const char *text, const char *host)
{
  const char *line = text;

  while (*line)
    {
      const char *end = strchrnul (line, '\n'), *p = line;
      size_t n = strlen (host);
      bool first = true;

      while (p < end && *p != '#')
        {
          const char *w;
          while (p < end && (*p == ' ' || *p == '\t'))
            p++;
          w = p;
          while (p < end && *p != ' ' && *p != '\t' && *p != '#')
            p++;
          if (!first && (size_t) (p - w) == n && strncasecmp (w, host, n) == 0)
            return true;
          if (p > w)
            first = false; /* the address */
        }
      line = *end ? end + 1 : end;
    }
  return false;
}

/* The sandbox's hostname resolves, as under Docker (whose /etc/hosts names
   it): `sudo`, `hostname -f`, Java's InetAddress.getLocalHost() and mail
   servers fail on a name that does not. When the root's /etc/hosts does
   not name it, a copy with "127.0.1.1 HOSTNAME" added (Debian's line for
   it) is bound over it from the stage; the root's own file is never
   changed (a missing one is created, empty, in a writable layer). Nothing
   is done when the root has no /etc, when /etc/hosts is no regular file
   (a symlink is not followed), when a volume gives /etc/hosts (a
   tenant's own), for an OCI container (its engine gives /etc/hosts, or
   does not, and runc leaves the root as the config made it), or when the
   name is not a plain DNS name. */
static int
hostname_resolves (struct sentry *s, int rootfd, bool layered, sb_error_t *err)
{
  static const char localhost[] = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  const char *host = s->cfg.hostname;
  cleanup_close int etc = -1, fd = -1, tree = -1, target = -1;
  cleanup_free char *text = NULL;
  char add[128];
  struct stat st;
  size_t len = 0;
  ssize_t n;
  int i;

  if (s->cfg.own_mounts != NULL || host == NULL || *host == '\0' || strlen (host) > 64 || strspn (host, "abcdefghijklmnopqrstuvwxyz"
                                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
                                                             != strlen (host))
    return 0;
  for (i = 0; i < s->policy->nvolumes; i++)
    if (strcmp (s->policy->volumes[i].target, "/etc/hosts") == 0)
      return 0;
  if ((etc = open_in_root (rootfd, "/etc", O_PATH | O_DIRECTORY)) < 0)
    return 0;
  fd = open_in_root (rootfd, "/etc/hosts", O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (fd == -ENOENT && layered)
    {
      if (make_in_root (rootfd, "/etc/hosts", true, s->cfg.idmap.host) < 0)
        return 0;
      fd = open_in_root (rootfd, "/etc/hosts", O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    }
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > 65536)
    return 0;
  text = malloc ((size_t) st.st_size + 1);
  if (text == NULL)
    return sb_error (err, ENOMEM, "read /etc/hosts");
  while (len < (size_t) st.st_size && (n = read (fd, text + len, (size_t) st.st_size - len)) > 0)
    len += (size_t) n;
  text[len] = '\0';
  if (hosts_names (text, host))
    return 0;
  close (fd);
  fd = open (SB_STAGE_DIR "/hosts", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return sb_error (err, errno, "create the sandbox's /etc/hosts");
  if (!hosts_names (text, "localhost") && write (fd, localhost, strlen (localhost)) != (ssize_t) strlen (localhost))
    return sb_error (err, errno, "write the sandbox's /etc/hosts");
  n = snprintf (add, sizeof (add), "%s127.0.1.1\t%s\n", len > 0 && text[len - 1] != '\n' ? "\n" : "", host);
  if ((len > 0 && write (fd, text, len) != (ssize_t) len) || write (fd, add, (size_t) n) != n
      || fchown (fd, s->cfg.idmap.host, s->cfg.idmap.host) < 0)
    return sb_error (err, errno, "write the sandbox's /etc/hosts");
  close (fd);
  fd = open (SB_STAGE_DIR "/hosts", O_PATH | O_CLOEXEC);
  if (fd < 0)
    return sb_error (err, errno, "open the sandbox's /etc/hosts");
  if ((tree = sb_mount_clone (fd, false, "the sandbox's /etc/hosts", err)) < 0
      || sb_mount_set (tree, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, -1, "/etc/hosts", err) < 0)
    return -1;
  if ((target = open_in_root (rootfd, "/etc/hosts", O_PATH | O_NOFOLLOW)) < 0)
    return sb_error (err, -target, "open /etc/hosts in the container");
  if (sb_mount_attach_fd (tree, target, err) < 0)
    return sb_error_prefix (err, "bind the sandbox's /etc/hosts");
  return 0;
}

static int
make_root (struct sentry *s, sb_error_t *err)
{
  static const char *const dirs[] = { "dev", "proc", "sys", "tmp", NULL };
  cleanup_close int hostroot = -1;
  cleanup_close int rootfd = -1;
  const struct sb_idmap *m = &s->cfg.idmap;
  char opts[256];
  struct stat st = { 0 };
  bool layered;
  int i;

  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return sb_error (err, errno, "make mounts private");
  if (s->cfg.rootfs_fd < 0 && s->cfg.nlayer_fds == 0)
    {
      /* Copied before the stage tmpfs covers SB_STAGE_DIR. */
      cleanup_close int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        return sb_error (err, errno, "open the host root");
      hostroot = sb_mount_clone (fd, false, "the host root", err);
      if (hostroot < 0)
        return -1;
    }
  else if (s->cfg.rootfs_fd >= 0 && (fstat (s->cfg.rootfs_fd, &st) < 0 || !S_ISDIR (st.st_mode)))
    return sb_error (err, ENOTDIR, "--rootfs `%s`", s->cfg.rootfs);
  snprintf (opts, sizeof (opts), "mode=700,size=%llu", (unsigned long long) s->cfg.tmpfs_size);
  if (mount_or_fail ("sandbox", SB_STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV, opts, err) < 0)
    return -1;
  if (ensure_dir (SB_ROOT_DIR, 0755, err) < 0)
    return -1;
  /* The one empty file masks of single files are bound from. */
  i = open (SB_MASK_FILE, O_CREAT | O_WRONLY | O_CLOEXEC, 0);
  if (i < 0)
    return sb_error (err, errno, "create `%s`", SB_MASK_FILE);
  close (i);
  layered = !(s->cfg.rootfs_fd >= 0 && s->cfg.nlayer_fds == 0 && hostroot < 0
               && ((st.st_uid >= m->host && st.st_uid - m->host < m->count) || s->cfg.rootfs_writable));
  if (hostroot >= 0)
    {
      if (image_root (s, &hostroot, 1, "the host root", err) < 0)
        return -1;
    }
  else if (s->cfg.nlayer_fds > 0)
    {
      int ret = image_root (s, s->cfg.layer_fd, s->cfg.nlayer_fds, "an image layer", err);
      for (i = 0; i < s->cfg.nlayer_fds; i++)
        close (s->cfg.layer_fd[i]);
      s->cfg.nlayer_fds = 0;
      if (ret < 0)
        return -1;
    }
  else if (st.st_uid >= m->host && st.st_uid - m->host < m->count)
    {
      if (tenant_root (s, false, err) < 0)
        return -1;
    }
  else if (s->cfg.rootfs_writable)
    {
      if (tenant_root (s, true, err) < 0)
        return -1;
    }
  else if (image_root (s, &s->cfg.rootfs_fd, 1, "--rootfs", err) < 0)
    return -1;
  rootfd = open (SB_ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return sb_error (err, errno, "open the container root");
  for (i = 0; dirs[i]; i++)
    {
      int ret = make_in_root (rootfd, dirs[i], false, m->host);
      if (ret < 0)
        return sb_error (err, -ret, "prepare /%s in the container root", dirs[i]);
    }
  if (make_own_mounts (s, err) < 0)
    return -1;
  /* Kept for the sandbox's life: terminals of exec sessions come from it. */
  s->ptsfd = open (SB_ROOT_DIR "/dev/pts", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->ptsfd < 0)
    return sb_error (err, errno, "open the sandbox's devpts");
  if (s->cfg.tty && make_pty (s, err) < 0)
    return -1;
  if (hostname_resolves (s, rootfd, layered, err) < 0)
    return -1;
  if (apply_policy_mounts (s, err) < 0 || sb_launch_oci_mounts (s, err) < 0)
    return -1;
  /* On top of everything: /proc/sys read-only, the host-describing entries
     of /proc covered. The init and the Gofer get copies of this tree. */
  if (sb_bind_read_only (SB_ROOT_DIR, "/proc/sys", err) < 0)
    return -1;
  return sb_mask_procfs (SB_ROOT_DIR, SB_MASK_FILE, err);
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
  /* The network namespace is the Sentry's (the host's user namespace owns
     it), so no tenant holds CAP_NET_BIND_SERVICE over it: in its own
     namespace every port is an ordinary one, as Docker sets it. */
  return sb_write_file ("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0", err);
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
      char **argv = calloc (2 * (s->nhidden_forms + s->nread_only_forms) + 5, sizeof (char *));
      int i, n = 0;

      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (argv == NULL || dup2 (sv[1], 3) < 0)
        _exit (125);
      argv[n++] = "sandbox-gofer";
      if (s->cfg.no_spin)
        argv[n++] = "--no-spin";
      for (i = 0; i < s->nhidden_forms; i++)
        {
          argv[n++] = "--hidden";
          argv[n++] = s->hidden_forms[i];
        }
      for (i = 0; i < s->nread_only_forms; i++)
        {
          argv[n++] = "--read-only";
          argv[n++] = s->read_only_forms[i];
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

/* The "E" message of the init: why it could not make the app's side. */
static int
init_failed (char *msg, ssize_t n, const int *fds, int nfds, sb_error_t *err)
{
  for (int i = 0; i < nfds; i++)
    close (fds[i]);
  msg[n] = '\0';
  return sb_error (err, 0, "sandbox init: %s", msg + 1);
}

/* The sandbox's init, pid 1 of the app's pid namespace, started before the
   root is built: it makes the app's procfs (only a process of that
   namespace can), which make_root places in the config's order. It then
   waits for release_init. */
static int
start_init (struct sentry *s, int *sync_out, sb_error_t *err)
{
  int sv[2], fds[1], nfds = 1;
  bool joined = s->cfg.join_pid_ns_fd >= 0;
  char msg[1025];
  ssize_t n;
  pid_t pid;

  /* Messages: set-up first, exec requests for the sandbox's life after. */
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return sb_error (err, errno, "socketpair for the init");
  /* Its own mount namespace comes later (release_init): a copy of the
     root once built. Its pid namespace is new (it is its pid 1), or a
     pod's app pid namespace that the container joins (cfg.join_pid_ns_fd,
     which the monitor opened and checked: that of a container of the same
     tenant, whose Sentry's pid namespace ours was made in). */
  if (joined)
    {
      cleanup_close int ns = steal_fd (&s->cfg.join_pid_ns_fd);
      cleanup_close int own = openat (s->procfd, "self/ns/pid", O_RDONLY | O_CLOEXEC);

      pid = own < 0 ? -1 : sb_clone_in_pid_ns (ns, own, SIGCHLD, s->cgroup_app_dirfd, &s->init_cloned_in);
    }
  else
    pid = sb_clone_into_cgroup (CLONE_NEWPID | SIGCHLD, s->cgroup_app_dirfd, &s->init_cloned_in);
  if (pid < 0)
    {
      int e = errno;
      close (sv[0]);
      close (sv[1]);
      return sb_error (err, e, joined ? "clone the sandbox init in the pod's app pid namespace" : "clone the sandbox init");
    }
  if (pid == 0)
    {
      struct sb_app_init_args a = { .sync_sock = sv[1], .argv = s->cfg.argv, .cwd = s->cfg.cwd,
                                    .cwd_optional = s->cfg.cwd_optional,
                                    .open_files = s->policy->open_files, .caller_nofile = s->caller_nofile,
                                    .userns_fd = s->userns_fd, .tty = s->cfg.tty,
                                    .user = s->cfg.user, .caps = s->cfg.app_caps,
                                    .caps_inheritable = s->cfg.app_caps_inheritable,
                                    .caps_ambient = s->cfg.app_caps_ambient,
                                    .nrlimits = s->cfg.nrlimits, .rlimits = s->cfg.rlimits,
                                    .oom_score_adj = s->cfg.oom_score_adj,
                                    .ncgroup_tasks = s->cfg.ncgroup_procs, .cgroup_tasks = s->cgroup_tasks_fd,
                                    .hold = s->cfg.hold, .joined = joined,
                                    .time_ns_fd = s->cfg.join_time_ns_fd };
      int k;
      for (k = 0; k < 3; k++)
        a.stdio[k] = s->cfg.tty ? -1 : s->cfg.app_stdio[k];
      close (sv[0]);
      sb_app_init (&a);
    }
  close (sv[1]);
  s->init_pid = pid;
  *sync_out = sv[0];
  /* The init's own copy is what it joins. */
  sb_closep (&s->cfg.join_time_ns_fd);
  s->cfg.join_time_ns_fd = -1;
  if (joined)
    {
      /* Its number in the pod's pid namespace, which is not 1. */
      char path[32], text[4096];
      struct sb_task_status st;

      snprintf (path, sizeof (path), "%d/status", (int) pid);
      if (sb_read_file_at (s->procfd, path, text, sizeof (text)) <= 0 || sb_parse_task_status (text, &st) < 0
          || st.nspid <= 1)
        return sb_error (err, ESRCH, "the sandbox init's pid in the pod's pid namespace");
      s->init_inner_pid = st.nspid;
    }
  n = sb_recv_msg (sv[0], msg, sizeof (msg) - 1, fds, &nfds);
  if (n > 0 && msg[0] == 'E')
    return init_failed (msg, n, fds, nfds, err);
  if (n != 1 || msg[0] != 'Q' || nfds != 1)
    {
      for (int k = 0; k < nfds; k++)
        close (fds[k]);
      return sb_error (err, n < 0 ? (int) -n : EPIPE, "receive the procfs from the sandbox init");
    }
  s->app_procfs = fds[0];
  return 0;
}

/* The root is built: the init goes on, in the app's cgroup, with the
   filter's final options and the app's terminal. */
static int
release_init (struct sentry *s, int sync, sb_error_t *err)
{
  char msg[1 + sizeof (s->filter)];
  int ret;

  /* The app's part of the cgroup, where the tenant's limits are (the files
     were opened before the stage could hide them). A v1 hierarchy, which
     has `tasks`: the init moves itself on "C", before anything of the
     app's runs (sb_app_init), since a move by pid waits for the kernel's
     global lock (libsandbox/cgroup.c, sb_cgroup_enter). v2: the init was
     cloned into it (start_init), or, on a kernel without that, by pid
     here. */
  {
    char value[32];
    int i;

    snprintf (value, sizeof (value), "%d", s->init_pid);
    for (i = 0; i < s->cfg.ncgroup_procs; i++)
      {
        int r = s->cgroup_procs_fd[i] < 0 || s->init_cloned_in
                  ? 0
                  : sb_write_all (s->cgroup_procs_fd[i], value, strlen (value));
        sb_closep (&s->cgroup_procs_fd[i]);
        sb_closep (&s->cgroup_tasks_fd[i]);
        s->cgroup_procs_fd[i] = s->cgroup_tasks_fd[i] = -1;
        if (r < 0)
          return sb_error (err, -r, "place the app in its cgroup (`%s`)", s->cfg.cgroup_procs[i]);
      }
  }
  msg[0] = 'C';
  memcpy (msg + 1, &s->filter, sizeof (s->filter));
  ret = sb_send_msg (sync, msg, sizeof (msg), s->cfg.tty ? &s->pty_slave : NULL, s->cfg.tty ? 1 : 0);
  if (ret < 0)
    return sb_error (err, -ret, "the sandbox init died");
  /* The init holds the app's stdio now; the Sentry keeps none of them. */
  if (s->pty_slave >= 0)
    {
      close (s->pty_slave);
      s->pty_slave = -1;
    }
  for (int k = 0; k < 3; k++)
    if (s->cfg.app_stdio[k] >= 0)
      {
        close (s->cfg.app_stdio[k]);
        s->cfg.app_stdio[k] = -1;
      }
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
  struct sb_gofer_answer *ans;
  cleanup_close int pidfd = -1;
  int fds[1], nfds = 1, ret;
  char msg[1025];
  ssize_t n;

  n = sb_recv_msg (sync, msg, sizeof (msg) - 1, fds, &nfds);
  if (n > 0 && msg[0] == 'E')
    return init_failed (msg, n, fds, nfds, err);
  if (n <= 0 || nfds != 1)
    return sb_error (err, n < 0 ? (int) -n : EPIPE, "receive the procfs from the sandbox init");
  ans = malloc (sizeof (*ans));
  if (ans == NULL)
    {
      close (fds[0]);
      return sb_error (err, ENOMEM, "allocate");
    }
  {
    int hello[2] = { fds[0], s->userns_fd };
    ret = sb_gofer_hello (s, hello, 2, ans);
  }
  close (fds[0]);
  if (ret == 0 && ans->result < 0)
    ret = ans->result;
  free (ans);
  if (ret < 0)
    return sb_error (err, -ret, "start the Gofer");
  sb_direct_start (s);

  nfds = 0;
  n = sb_recv_msg (sync, msg, sizeof (msg) - 1, NULL, &nfds);
  if (n > 0 && msg[0] == 'E')
    return init_failed (msg, n, NULL, 0, err);
  if (n != 1 || msg[0] != 'L')
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
  /* Held (an OCI create): the init waits in sigsuspend, under its filter,
     until the owner's start (sb_control_from_owner). */
  if (s->cfg.hold)
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0) < 0)
    return sb_error (err, errno, "start the command");
  return 0;
}

/* The Sentry keeps no view of the host's files: an empty tmpfs root with only
   its own procfs. Then it joins the
   tenant's user namespace: its capabilities reach the tenant's objects only. */
static int
confine_self (struct sentry *s, sb_error_t *err)
{
  /* Docker's set plus SYS_PTRACE (to read callers' memory and /proc entries
     whatever their ids), all in the tenant's namespace. */
  uint64_t caps = sb_caps_docker_default | (1ull << CAP_SYS_PTRACE);

  if (mount_or_fail ("sentry", SB_STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     "mode=711,size=64k", err) < 0)
    return -1;
  /* Its procfs, at /proc: Unix socket and inotify targets are named as
     /proc/self/fd/N of the descriptors the Gofer gave. */
  if (ensure_dir (SB_STAGE_DIR "/proc", 0555, err) < 0)
    return -1;
  if (sb_mount_attach (s->procfd, SB_STAGE_DIR "/proc", err) < 0)
    return sb_error_prefix (err, "the Sentry's procfs");
  if (sb_pivot_into (SB_STAGE_DIR, err) < 0)
    return sb_error_prefix (err, "pivot the Sentry into its empty root");
  if (sb_userns_enter (s->userns_fd, err) < 0 || sb_cred_fix_securebits (err) < 0)
    return sb_error_prefix (err, "the Sentry");
  /* Changing ids cleared it (the lifeline covers the moment in between). */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (sb_caps_restrict (caps, err) < 0)
    return -1;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sb_error (err, errno, "set no_new_privs");
  if (sb_cred_self (&s->self_cred, err) < 0)
    return -1;
  sb_direct_confirm (s);
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

/* The Sentry, the Gofer and whatever they do for the app are charged to the
   sandbox's cgroup, but an app that fills it must never have them killed:
   the kernel's OOM killer picks among the app's processes (the init resets
   this for itself and what it starts). */
static int
protect_from_oom (sb_error_t *err)
{
  cleanup_error sb_error_t e = NULL;

  /* Without CAP_SYS_RESOURCE (some hosts withhold it even from root) the
     helpers stay at 0: the OOM killer still picks by size, and the app's
     processes are the large ones. */
  if (sb_write_file ("/proc/self/oom_score_adj", "-1000", &e) < 0 && e->status != EACCES)
    return sb_error (err, e->status, "%s", e->msg);
  return 0;
}

/* The Sentry's descriptors, and with them the tenant's quota of
   descriptors in flight in Unix sockets (the kernel bounds a user's by the
   sender's RLIMIT_NOFILE, and the Sentry sends as the caller): the
   tenant's open-files, or 4096 if that is more (the Sentry's caches need
   a few hundred). Never above what we were given. The hard limit stays
   what we were given, so that without an open-files rule the app gets our
   starter's soft limit back (app_init.c), as a process started directly
   would. */
static int
limit_descriptors (struct sentry *s, sb_error_t *err)
{
  rlim_t want = s->policy->open_files > 4096 ? s->policy->open_files : 4096;
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return sb_error (err, errno, "getrlimit");
  s->caller_nofile = rl.rlim_cur;
  rl.rlim_cur = rl.rlim_max > want ? want : rl.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &rl) < 0)
    return sb_error (err, errno, "set the Sentry's open-files limit");
  return 0;
}

int
sb_launch (struct sentry *s, sb_error_t *err)
{
  cleanup_close int gofer_exe = -1;
  int sync = -1, ret;
  char path[4096];
  struct seccomp_notif_sizes sizes;

  /* Pid 1 of a new pid namespace; or, joining a pod's (join_pid_ns_fd),
     in the pod's first Sentry's, whose end ends ours too. */
  if (getpid () != 1 && s->cfg.join_pid_ns_fd < 0)
    return sb_error (err, EINVAL, "sandbox-sentry must start as pid 1 of a new pid namespace (use sandbox-runtime)");
  if ((s->cfg.join_pid_ns_fd < 0) != (s->cfg.join_time_ns_fd < 0))
    return sb_error (err, EINVAL, "--join-pid-ns-fd and --join-time-ns-fd go together (sandbox-runtime and "
                     "sandbox-sentry come from different builds: reinstall both)");
  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return sb_error (err, errno, "seccomp user notification is not available");
  s->notif_size = sizes.seccomp_notif;
  prepare_signals ();
  if (protect_from_oom (err) < 0 || limit_descriptors (s, err) < 0)
    return -1;
  /* A procfs of the sandbox's outer pid namespace (callers' /proc entries),
     kept as a detached mount: the Sentry never needs it in a tree. */
  s->procfd = sb_new_procfs (err);
  if (s->procfd < 0)
    return -1;
  s->userns_fd = sb_userns_create (&s->cfg.idmap, s->procfd, err);
  if (s->userns_fd < 0)
    return sb_error_prefix (err, "the tenant's user namespace (ids %u-%u)", s->cfg.idmap.host,
                            s->cfg.idmap.host + s->cfg.idmap.count - 1);

  snprintf (path, sizeof (path), "%s/sandbox-gofer", sb_libexec_dir ());
  gofer_exe = open (path, O_PATH | O_CLOEXEC);
  if (gofer_exe < 0)
    return sb_error (err, errno, "open the Gofer `%s`", path);
  /* The environment is the command's from here on: none of our settings. */
  unsetenv ("SANDBOX_LIBEXEC_DIR");
  unsetenv ("SANDBOX_CGROUP_ROOT");
  if (sethostname (s->cfg.hostname, strlen (s->cfg.hostname)) < 0)
    return sb_error (err, errno, "set the hostname");
  if (!s->cfg.network_host && loopback_up (err) < 0)
    return -1;
  if (open_host_inputs (s, err) < 0)
    return sb_error_prefix (err, "build the container root");
  ret = start_init (s, &sync, err);
  if (s->cgroup_app_dirfd >= 0)
    close (s->cgroup_app_dirfd);
  s->cgroup_app_dirfd = -1;
  if (ret < 0)
    return -1;
  s->init_sock = sync;
  if (make_root (s, err) < 0)
    return sb_error_prefix (err, "build the container root");
  if (s->cfg.rootfs_fd >= 0)
    {
      close (s->cfg.rootfs_fd);
      s->cfg.rootfs_fd = -1;
    }
  for (int i = 0; i < s->cfg.nvolume_fds; i++)
    close (s->cfg.volume_fd[i]);
  s->cfg.nvolume_fds = 0;
  if (s->cfg.shm_fd >= 0)
    {
      close (s->cfg.shm_fd);
      s->cfg.shm_fd = -1;
    }
  if (start_gofer (s, gofer_exe, err) < 0 || release_init (s, sync, err) < 0)
    return -1;
  if (handshake (s, sync, err) < 0)
    return -1;
  if (confine_self (s, err) < 0)
    return -1;
  /* Building the root and the filters (libseccomp) left free heap behind:
     give it back, it would stay resident for the sandbox's whole life. */
  malloc_trim (0);
  return 0;
}

/* For launch_oci.c: mount points of an OCI container's own mounts. */
int
sb_launch_make_in_root (int rootfd, const char *path, bool as_file, uint32_t owner)
{
  return make_in_root (rootfd, path, as_file, owner);
}
