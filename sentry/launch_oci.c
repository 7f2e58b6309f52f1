/* What an OCI config adds to the container root, always narrowing:
   tmpfs mounts (in memory charged to the sandbox, owned by the container's
   root, never larger than the policy's writable disk), a read-only root,
   and rlimits that only lower the inherited ones. Called by launch.c once
   the root and the policy's mounts are built. Also the root's layering
   over an engine's writable layer (sb_launch_engine_overlay). */
#include "launch.h"
#include "cleanup.h"
#include "mounts.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the engine's writable layer's directory is attached. */
#define ENGINE_DIR SB_STAGE_DIR "/engine"
/* Our overlay's workdir, inside the engine's workdir (on the same mount
   as the writable layer, as overlayfs requires, but not the engine's own:
   overlayfs empties a workdir's `work` at mount, and the engine's mount
   is still using its own). Removed with the engine's layer. */
#define OUR_WORKDIR "sandbox"

static int
mount_tmpfs (struct sentry *s, int rootfd, const char *spec, sb_error_t *err)
{
  char path[4096], flags[16] = "", opts[128], via[64];
  unsigned long long size = 0;
  unsigned mode = 01777;
  unsigned long mflags = MS_NODEV;
  cleanup_close int fd = -1;
  const char *colon = strchr (spec, ':');
  int ret;

  if (colon == NULL || (size_t) (colon - spec) >= sizeof (path)
      || sscanf (colon + 1, "%llu:%o:%15s", &size, &mode, flags) < 2)
    return sb_error (err, EINVAL, "tmpfs `%s`", spec);
  snprintf (path, sizeof (path), "%.*s", (int) (colon - spec), spec);
  if (size == 0 || size > s->policy->disk_bytes)
    size = s->policy->disk_bytes;
  if (strchr (flags, 'n'))
    mflags |= MS_NOSUID;
  if (strchr (flags, 'x'))
    mflags |= MS_NOEXEC;
  ret = sb_launch_make_in_root (rootfd, path, false, s->cfg.idmap.host);
  if (ret < 0)
    return sb_error (err, -ret, "tmpfs: create `%s` in the container", path);
  fd = sb_open_in_root (rootfd, path, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
  if (fd < 0)
    return sb_error (err, -fd, "tmpfs: open `%s` in the container", path);
  snprintf (via, sizeof (via), "/proc/self/fd/%d", fd);
  snprintf (opts, sizeof (opts), "size=%llu,mode=%o,uid=%u,gid=%u", size, mode & 07777, s->cfg.idmap.host,
            s->cfg.idmap.host);
  if (mount ("tmpfs", via, "tmpfs", mflags | MS_NOSUID, opts) < 0)
    return sb_error (err, errno, "tmpfs on `%s`", path);
  return 0;
}

int
sb_launch_oci_mounts (struct sentry *s, sb_error_t *err)
{
  cleanup_close int rootfd = open (SB_ROOT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (rootfd < 0)
    return sb_error (err, errno, "open the container root");
  for (int i = 0; i < s->cfg.ntmpfs; i++)
    if (mount_tmpfs (s, rootfd, s->cfg.tmpfs[i], err) < 0)
      return -1;
  /* The root itself read-only; /dev, /proc, volumes and tmpfs mounts keep
     their own modes. The Gofer and the app see the same mount. */
  if (s->cfg.read_only_root
      && mount (NULL, SB_ROOT_DIR, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    return sb_error (err, errno, "make the container root read-only");
  return 0;
}

int
sb_apply_rlimits (const struct sb_rlimit *r, int n, sb_error_t *err)
{
  for (int i = 0; i < n; i++)
    {
      struct rlimit now;
      if (getrlimit (r[i].resource, &now) < 0)
        return sb_error (err, errno, "getrlimit %d", r[i].resource);
      if (r[i].hard < now.rlim_max)
        now.rlim_max = r[i].hard;
      now.rlim_cur = r[i].soft < now.rlim_max ? r[i].soft : now.rlim_max;
      if (setrlimit (r[i].resource, &now) < 0)
        return sb_error (err, errno, "process.rlimits: resource %d", r[i].resource);
    }
  return 0;
}

int
sb_launch_fs_ids_as (uint32_t id)
{
  int saved = prctl (PR_GET_SECUREBITS);

  /* Without SECBIT_NO_SETUID_FIXUP, leaving fsuid 0 would drop the
     file capabilities the Sentry still needs to build the root. */
  if (saved < 0 || prctl (PR_SET_SECUREBITS, saved | SECBIT_NO_SETUID_FIXUP) < 0)
    return -1;
  setfsgid (id);
  setfsuid (id);
  return saved;
}

void
sb_launch_fs_ids_back (int saved)
{
  if (saved < 0)
    return;
  setfsuid (0);
  setfsgid (0);
  prctl (PR_SET_SECUREBITS, saved);
}

/* Docker's, containerd's and podman's overlayfs snapshots hold the
   container's writes in their upper directory, which `docker diff`, `cp`
   and `commit` read. Their overlay mount cannot be idmapped, its layers
   can: the directory holding the upper layer and its workdir is attached
   writable and idmapped with the tenant's namespace, so the container's
   root writes files owned by 0 on disk, as under runc, and a file owned
   by 0 there is the container root's. Only the container's own files are
   reached: the overlay's root is that upper directory. The overlay is
   mounted as the container's root (fs ids): overlayfs creates its work
   files and whiteouts with its mounter's credentials, and host root has
   no mapping in an idmapped mount. index=off: the engine's mount holds the
   upper layer too (two mounts on one upper layer are allowed without an
   index; what one writes the other sees unless it has cached the name). */
int
sb_launch_engine_overlay (struct sentry *s, const char *lowerdir, sb_error_t *err)
{
  uint32_t root = s->cfg.idmap.host;
  cleanup_close int dir = -1;
  char opts[4600];
  struct stat st;
  int saved, ret;

  if (sb_mount_set (s->cfg.upper_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, s->userns_fd,
                    "the engine's writable layer", err) < 0)
    return -1;
  if ((mkdir (ENGINE_DIR, 0700) < 0 && errno != EEXIST) || sb_mount_attach (s->cfg.upper_fd, ENGINE_DIR, err) < 0)
    return sb_error_prefix (err, "attach the engine's writable layer");
  close (s->cfg.upper_fd);
  s->cfg.upper_fd = -1;
  dir = open (ENGINE_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return sb_error (err, errno, "open the engine's writable layer");
  if (fstatat (dir, s->cfg.upper_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode)
      || fstatat (dir, s->cfg.work_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
    return sb_error (err, ENOTDIR, "the engine's writable layer `%s` and workdir `%s`: directories",
                     s->cfg.upper_name, s->cfg.work_name);
  ret = snprintf (opts, sizeof (opts), "%s,upperdir=%s/%s,workdir=%s/%s/" OUR_WORKDIR ",index=off", lowerdir,
                  ENGINE_DIR, s->cfg.upper_name, ENGINE_DIR, s->cfg.work_name);
  if (ret < 0 || (size_t) ret >= sizeof (opts))
    return sb_error (err, E2BIG, "too many layers for one overlay");
  saved = sb_launch_fs_ids_as (root);
  if (saved < 0)
    return sb_error (err, errno, "act as the container's root");
  {
    cleanup_close int work = openat (dir, s->cfg.work_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ret = work < 0 || (mkdirat (work, OUR_WORKDIR, 0700) < 0 && errno != EEXIST) ? -1 : 0;
    if (ret == 0)
      {
        /* Not a symlink planted in its place. */
        cleanup_close int ours = openat (work, OUR_WORKDIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ret = ours < 0 ? -1 : 0;
      }
    if (ret == 0)
      ret = mount ("overlay", SB_ROOT_DIR, "overlay", MS_NOSUID | MS_NODEV, opts);
  }
  ret = ret < 0 ? -errno : 0;
  sb_launch_fs_ids_back (saved);
  if (ret < 0)
    return sb_error (err, -ret, "stack the layers under the engine's writable layer (%s)", opts);
  return 0;
}
