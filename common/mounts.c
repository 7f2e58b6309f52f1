#include "mounts.h"
#include "cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int
sb_pivot_into (const char *dir, sb_error_t *err)
{
  if (chdir (dir) < 0)
    return sb_error (err, errno, "chdir `%s`", dir);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return sb_error (err, errno, "pivot_root into `%s`", dir);
  if (umount2 (".", MNT_DETACH) < 0)
    return sb_error (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return sb_error (err, errno, "chdir /");
  return 0;
}

int
sb_new_procfs (sb_error_t *err)
{
  cleanup_close int fsfd = syscall (SYS_fsopen, "proc", 1 /* FSOPEN_CLOEXEC */);
  int mfd;

  if (fsfd < 0)
    return sb_error (err, errno, "fsopen proc");
  if (syscall (SYS_fsconfig, fsfd, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) < 0)
    return sb_error (err, errno, "create a procfs");
  mfd = syscall (SYS_fsmount, fsfd, 1 /* FSMOUNT_CLOEXEC */, 0x2 | 0x4 | 0x8 /* nosuid nodev noexec */);
  if (mfd < 0)
    return sb_error (err, errno, "fsmount a procfs");
  return mfd;
}

int
sb_open_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (unsigned) flags | O_CLOEXEC,
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode & 07777 : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1, tries;

  /* EAGAIN: a rename raced with a ".." walk. Retry a bounded number of times
     rather than fall back to an unchecked walk. */
  for (tries = 0; tries < 64; tries++)
    {
      fd = syscall (SYS_openat2, rootfd, path, &how, sizeof (how));
      if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
        break;
    }
  return fd < 0 ? -errno : fd;
}

const char *const sb_masked_paths[] = {
  "/proc/kcore", "/proc/keys", "/proc/key-users", "/proc/timer_list", "/proc/sched_debug",
  "/proc/latency_stats", "/proc/kmsg", "/proc/kallsyms", "/proc/sysrq-trigger", "/proc/acpi",
  "/proc/scsi", "/proc/asound", "/proc/irq", "/proc/bus", "/proc/fs", "/proc/sys/kernel/core_pattern",
  "/proc/config.gz", "/proc/vmallocinfo", "/proc/slabinfo", "/proc/pagetypeinfo", "/proc/zoneinfo",
  "/sys/firmware", "/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/security",
  "/sys/fs/cgroup", "/sys/module", NULL
};

int
sb_mask_path (const char *root, const char *path, const char *empty_file, sb_error_t *err)
{
  char full[4096];
  struct stat st;
  int ret;

  snprintf (full, sizeof (full), "%s%s", root, path);
  if (lstat (full, &st) < 0)
    return errno == ENOENT ? 0 : sb_error (err, errno, "mask `%s`", path);
  if (S_ISDIR (st.st_mode))
    ret = mount ("masked", full, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "size=4k,mode=000");
  else
    {
      ret = mount (empty_file, full, NULL, MS_BIND, NULL);
      if (ret == 0)
        ret = mount (NULL, full, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    }
  if (ret < 0)
    return sb_error (err, errno, "mask `%s`", path);
  return 0;
}

int
sb_bind_read_only (const char *root, const char *path, sb_error_t *err)
{
  char full[4096];

  snprintf (full, sizeof (full), "%s%s", root, path);
  if (mount (full, full, NULL, MS_BIND | MS_REC, NULL) < 0
      || mount (NULL, full, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    return sb_error (err, errno, "make `%s` read-only", path);
  return 0;
}
