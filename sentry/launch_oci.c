/* What an OCI config adds to the container root, always narrowing:
   tmpfs mounts (in memory charged to the sandbox, owned by the container's
   root, never larger than the policy's writable disk), a read-only root,
   and rlimits that only lower the inherited ones. Called by launch.c once
   the root and the policy's mounts are built. */
#include "launch.h"
#include "cleanup.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

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
