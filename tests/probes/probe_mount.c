/* probe_mount: mount, umount2, pivot_root, chroot and the new mount API
   (fsopen, fspick, open_tree, move_mount, mount_setattr) must be refused.

   Harmless when they succeed: mounts go on a fresh directory under /tmp and
   are unmounted again, the remount of "/" keeps every flag it has (it only
   tries to drop MS_RDONLY), pivot_root gets arguments that can never
   pivot ("/" as put_old), chroot runs in a child, umount2 only ever targets
   the probe's own directory. */
#include "probe.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSPICK_CLOEXEC
#define FSPICK_CLOEXEC 0x00000001
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif

struct probe_mount_attr
{
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

static void
try_chroot (void *arg)
{
  const char *dir = arg;
  char what[256];
  snprintf (what, sizeof what, "chroot(%s)", dir);
  errno = 0;
  long rc = chroot (dir);
  probe_denied (what, rc, errno);
}

/* mount flags that reproduce the current per-mount flags of PATH, minus
   read-only. */
static unsigned long
same_flags_but_rw (const char *path)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs (path, &sv) != 0)
    return MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME;
  if (sv.f_flag & ST_NOSUID)
    f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV)
    f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC)
    f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME)
    f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME)
    f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME)
    f |= MS_RELATIME;
  if (!(sv.f_flag & (ST_NOATIME | ST_RELATIME)))
    f |= MS_STRICTATIME;
  return f;
}

int
main (void)
{
  probe_init ();

  char dir[] = "/tmp/sbprobe-mnt-XXXXXX";
  char bdir[] = "/tmp/sbprobe-bind-XXXXXX";
  if (!mkdtemp (dir) || !mkdtemp (bdir))
    {
      probe_setup ("mkdtemp under /tmp", errno);
      return probe_status ();
    }

  char what[512];
  long rc;
  int err;

  /* mount(2): a tmpfs, a bind of "/", a read-write remount of "/". */
  snprintf (what, sizeof what, "mount(tmpfs on %s)", dir);
  errno = 0;
  rc = mount ("sbprobe", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=16k");
  err = errno;
  probe_denied (what, rc, err);

  snprintf (what, sizeof what, "mount(/ bind on %s)", bdir);
  errno = 0;
  rc = mount ("/", bdir, NULL, MS_BIND, NULL);
  err = errno;
  probe_denied (what, rc, err);
  if (rc == 0)
    umount2 (bdir, MNT_DETACH);

  errno = 0;
  rc = mount (NULL, "/", NULL, MS_REMOUNT | MS_BIND | same_flags_but_rw ("/"),
              NULL);
  err = errno;
  probe_denied ("mount(/, MS_REMOUNT|MS_BIND read-write)", rc, err);

  /* umount2: the tmpfs above if it got mounted (else EINVAL natively). */
  snprintf (what, sizeof what, "umount2(%s)", dir);
  errno = 0;
  rc = umount2 (dir, 0);
  err = errno;
  probe_denied (what, rc, err);
  if (rc != 0)
    umount2 (dir, MNT_DETACH);

  /* pivot_root: put_old "/" is never under new_root, so it cannot pivot. */
  snprintf (what, sizeof what, "pivot_root(%s, /)", dir);
  errno = 0;
  rc = syscall (SYS_pivot_root, dir, "/");
  err = errno;
  probe_denied (what, rc, err);

  /* chroot, in a child so that this process keeps its root. */
  probe_in_child ("chroot", try_chroot, dir);

  /* The new mount API. */
  errno = 0;
  rc = syscall (__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  err = errno;
  probe_denied ("fsopen(tmpfs)", rc, err);
  if (rc >= 0)
    close ((int) rc);

  errno = 0;
  rc = syscall (__NR_fspick, AT_FDCWD, "/", FSPICK_CLOEXEC);
  err = errno;
  probe_denied ("fspick(/)", rc, err);
  if (rc >= 0)
    close ((int) rc);

  errno = 0;
  rc = syscall (__NR_open_tree, AT_FDCWD, "/",
                OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  err = errno;
  probe_denied ("open_tree(/, OPEN_TREE_CLONE)", rc, err);
  int tree = rc >= 0 ? (int) rc : -1;

  snprintf (what, sizeof what, "move_mount(%s onto %s)",
            tree >= 0 ? "the cloned tree" : "fd -1", dir);
  errno = 0;
  rc = syscall (__NR_move_mount, tree, "", AT_FDCWD, dir,
                MOVE_MOUNT_F_EMPTY_PATH);
  err = errno;
  probe_denied (what, rc, err);
  if (rc == 0)
    umount2 (dir, MNT_DETACH);
  if (tree >= 0)
    close (tree);

  struct probe_mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };
  errno = 0;
  rc = syscall (__NR_mount_setattr, AT_FDCWD, "/", 0, &attr, sizeof attr);
  err = errno;
  probe_denied ("mount_setattr(/, clear MOUNT_ATTR_RDONLY)", rc, err);

  rmdir (dir);
  rmdir (bdir);
  return probe_status ();
}
