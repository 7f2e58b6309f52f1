/* The app's /sys: an allow-list, not the host's sysfs with holes in it.

   sysfs describes the machine: its disks (block, class/block, the devices
   under devices/pci*), memory (devices/system/node/nodeN/meminfo,
   devices/system/memory), firmware (ACPI tables, DMI serial numbers), the
   kernel's build (kernel/notes, btf, vmcoreinfo), its modules and their
   parameters. A list of masks over it misses whatever the next kernel or
   driver adds, so the app gets a read-only tmpfs holding only what programs
   need, each part bound read-only from a sysfs of the sandbox's own
   network namespace:
   - devices/system/cpu: online, possible, present, topology (thread pools
     size themselves from these), less cpu/vulnerabilities (the host
     kernel's mitigations);
   - class/net and devices/virtual/net: the sandbox's own interfaces;
   - kernel/mm/transparent_hugepage: memory allocators read it.
   Nothing else exists (ENOENT by any name). */
#include "launch.h"
#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSFS_STAGE SB_STAGE_DIR "/sysfs"
#define SYSFS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const char *const sysfs_visible[] = {
  "devices/system/cpu", "devices/virtual/net", "class/net", "kernel/mm/transparent_hugepage", NULL
};


/* mkdir -p of dir/rel (rel relative, the stage's own tmpfs: no symlinks). */
static int
make_dirs (const char *dir, const char *rel, sb_error_t *err)
{
  char path[4096];
  size_t n = strlen (dir);
  char *p;

  if (snprintf (path, sizeof (path), "%s/%s", dir, rel) >= (int) sizeof (path))
    return sb_error (err, ENAMETOOLONG, "sysfs: `%s`", rel);
  for (p = path + n + 1; (p = strchr (p, '/')) != NULL; p++)
    {
      *p = '\0';
      if (mkdir (path, 0555) < 0 && errno != EEXIST)
        return sb_error (err, errno, "mkdir `%s`", path);
      *p = '/';
    }
  if (mkdir (path, 0555) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", path);
  return 0;
}

static int
bind_read_only (const char *src, const char *dst, sb_error_t *err)
{
  if (mount (src, dst, NULL, MS_BIND | MS_REC, NULL) < 0
      || mount (NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | SYSFS_FLAGS, NULL) < 0)
    return sb_error (err, errno, "bind `%s` read-only", src);
  return 0;
}

int
sb_make_sysfs (const char *target, sb_error_t *err)
{
  char src[4096], dst[4096];
  struct stat st;
  int i;

  if (mkdir (SYSFS_STAGE, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", SYSFS_STAGE);
  if (mount ("sysfs", SYSFS_STAGE, "sysfs", MS_RDONLY | SYSFS_FLAGS, NULL) < 0)
    return sb_error (err, errno, "mount sysfs");
  if (mount ("sysfs", target, "tmpfs", SYSFS_FLAGS, "mode=0555,size=64k") < 0)
    return sb_error (err, errno, "mount the sandbox's /sys");
  for (i = 0; sysfs_visible[i]; i++)
    {
      snprintf (src, sizeof (src), "%s/%s", SYSFS_STAGE, sysfs_visible[i]);
      if (lstat (src, &st) < 0 || !S_ISDIR (st.st_mode))
        continue; /* not on this kernel */
      snprintf (dst, sizeof (dst), "%s/%s", target, sysfs_visible[i]);
      if (make_dirs (target, sysfs_visible[i], err) < 0 || bind_read_only (src, dst, err) < 0)
        return -1;
    }
  /* Below the visible parts, what still describes the host (sb_masked_paths). */
  for (i = 0; sb_masked_paths[i]; i++)
    if (strncmp (sb_masked_paths[i], "/sys/", 5) == 0
        && sb_mask_path (target, sb_masked_paths[i] + 4, SB_MASK_FILE, err) < 0)
      return -1;
  if (mount (NULL, target, NULL, MS_REMOUNT | MS_RDONLY | SYSFS_FLAGS, "mode=0555,size=64k") < 0)
    return sb_error (err, errno, "make the sandbox's /sys read-only");
  if (umount2 (SYSFS_STAGE, MNT_DETACH) < 0)
    return sb_error (err, errno, "detach the staging sysfs");
  rmdir (SYSFS_STAGE);
  return 0;
}
