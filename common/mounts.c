#include "mounts.h"
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
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
  /* Its source as mount(8) and runc name it ("none" otherwise), which
     /proc/self/mountinfo shows and OCI validation tools compare. */
  if (syscall (SYS_fsconfig, fsfd, 1 /* FSCONFIG_SET_STRING */, "source", "proc", 0) < 0)
    return sb_error (err, errno, "name a procfs's source");
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

/* The entries of the root of /proc the app sees. Everything else there is
   masked: a list of what to hide would miss whatever the next kernel adds,
   and most of /proc's root describes the host (its disks: partitions,
   diskstats, swaps, mdstat; its memory: vmstat, buddyinfo, zoneinfo,
   slabinfo; its devices: interrupts, softirqs, iomem, ioports, bus, irq,
   devices, misc; its boot: cmdline, bootconfig; its kernel: modules,
   kallsyms, config.gz, keys, kmsg, timer_list, schedstat, pressure...).
   Visible are: the processes (numbers, self, thread-self); entries the
   kernel scopes to the reader's namespaces (mounts, net, sysvipc, locks);
   the files the Sentry answers from the sandbox's own state (meminfo,
   cpuinfo, stat, uptime, loadavg, version, cmdline); /proc/sys, read-only
   (its boot_id, osrelease and version answered by the Sentry too); and
   filesystems and cgroups, which programs read to learn what they may mount
   and which controllers exist. */
static const char *const proc_visible[] = {
  "self", "thread-self", "mounts", "net", "sysvipc", "locks", "meminfo", "cpuinfo", "stat",
  "uptime", "loadavg", "version", "cmdline", "sys", "filesystems", "cgroups", NULL
};

bool
sb_proc_entry_visible (const char *name)
{
  int i;

  if (name[0] >= '1' && name[0] <= '9' && name[strspn (name, "0123456789")] == '\0')
    return true;
  for (i = 0; proc_visible[i]; i++)
    if (strcmp (name, proc_visible[i]) == 0)
      return true;
  return false;
}

/* Deeper entries of visible directories that reach the host (the /sys
   ones are applied by the Sentry when it builds /sys). */
const char *const sb_masked_paths[] = { "/proc/sys/kernel/core_pattern",
                                        "/sys/devices/system/cpu/vulnerabilities", NULL };

/* Per-process entries whose values are the host's clocks: sched
   (se.exec_start...: nanoseconds since the host booted) and timens_offsets
   (the sandbox's time namespace offsets: minus the host's uptime). They
   cannot be covered by mounts (processes come and go): the Gofer answers
   ENOENT for them. */
static bool
proc_private (const char *dir, const char *name)
{
  const char *rest = sb_proc_task_rest (dir);

  return rest && *rest == '\0' && (strcmp (name, "sched") == 0 || strcmp (name, "timens_offsets") == 0);
}

const char *
sb_proc_task_rest (const char *path)
{
  const char *p;

  if (strncmp (path, "/proc/", 6) != 0)
    return NULL;
  p = path + 6;
  if (*p < '1' || *p > '9')
    return NULL;
  p += strspn (p, "0123456789");
  if (strncmp (p, "/task/", 6) == 0)
    {
      p += 6;
      if (*p < '1' || *p > '9')
        return NULL;
      p += strspn (p, "0123456789");
    }
  return *p == '\0' || *p == '/' ? p : NULL;
}

bool
sb_entry_masked (const char *dir, const char *name)
{
  size_t n = strlen (dir);
  int i;

  if (strcmp (dir, "/proc") == 0)
    return name[0] != '.' && !sb_proc_entry_visible (name);
  for (i = 0; sb_masked_paths[i]; i++)
    if (strncmp (sb_masked_paths[i], dir, n) == 0 && sb_masked_paths[i][n] == '/'
        && strcmp (sb_masked_paths[i] + n + 1, name) == 0)
      return true;
  return proc_private (dir, name);
}

void
sb_mount_point_unescape (const char *escaped, char *out, size_t len)
{
  const char *p;
  size_t n = 0;

  if (len == 0)
    return;
  for (p = escaped; *p && n < len - 1; p++)
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7')
      {
        out[n++] = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
        p += 3;
      }
    else
      out[n++] = *p;
  out[n] = '\0';
}

bool
sb_path_masked (const char *path)
{
  char dir[4096];
  const char *slash = strrchr (path, '/');
  size_t n;

  if (slash == NULL || slash[1] == '\0')
    return false;
  n = slash == path ? 1 : (size_t) (slash - path);
  if (n >= sizeof (dir))
    return false;
  memcpy (dir, path, n);
  dir[n] = '\0';
  return sb_entry_masked (dir, slash + 1);
}

int
sb_mask_procfs (const char *root, const char *empty_file, sb_error_t *err)
{
  char dir[4096], path[4096 + 8];
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int i;

  snprintf (dir, sizeof (dir), "%s/proc", root);
  d = opendir (dir);
  if (d == NULL)
    return sb_error (err, errno, "open `%s`", dir);
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || sb_proc_entry_visible (de->d_name))
        continue;
      snprintf (path, sizeof (path), "/proc/%s", de->d_name);
      if (sb_mask_path (root, path, empty_file, err) < 0)
        return -1;
    }
  for (i = 0; sb_masked_paths[i]; i++)
    if (strncmp (sb_masked_paths[i], "/proc/", 6) == 0
        && sb_mask_path (root, sb_masked_paths[i], empty_file, err) < 0)
      return -1;
  return 0;
}

int
sb_mask_path (const char *root, const char *path, const char *empty_file, sb_error_t *err)
{
  char full[4096];
  struct stat st;
  int ret;

  snprintf (full, sizeof (full), "%s%s", root, path);
  if (lstat (full, &st) < 0)
    return errno == ENOENT ? 0 : sb_error (err, errno, "mask `%s`", path);
  /* Searchable and empty: every name below a mask is ENOENT, not EACCES
     (the owner is the host's root, whom no capability of the tenant's
     namespace overrides). */
  if (S_ISDIR (st.st_mode))
    ret = mount ("masked", full, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "size=4k,mode=0555");
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

int
sb_mount_clone (int fd, bool recursive, const char *what, sb_error_t *err)
{
  int tree = syscall (SYS_open_tree, fd, "",
                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));

  if (tree < 0)
    return sb_error (err, errno, "%s: copy the mount", what);
  return tree;
}

int
sb_mount_set (int tree, uint64_t attrs, int userns_fd, const char *what, sb_error_t *err)
{
  struct mount_attr attr = { .attr_set = attrs, .propagation = MS_PRIVATE };

  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof (attr)) < 0)
    return sb_error (err, errno, "%s: set the mount's attributes", what);
  if (userns_fd < 0)
    return 0;
  memset (&attr, 0, sizeof (attr));
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t) userns_fd;
  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof (attr)) < 0)
    return sb_error (err, errno, "%s: make an idmapped mount (needs Linux 5.12 or later and "
                     "a filesystem that supports them: ext4, xfs, btrfs, tmpfs since 6.3...)",
                     what);
  return 0;
}
