/* stat, access, readlink and read-only opens answered by the Sentry
   itself, without the Gofer's hop, where the answer is certain to be the
   Gofer's (issue 13, gVisor's "directfs" for the calls that change
   nothing).

   At start the Gofer walks "/" for the Sentry (SB_GOFER_WALK): an O_PATH
   descriptor of the container root as the Gofer's mount namespace shows
   it, with the masks over hidden paths, the read-only binds, the volumes,
   /dev, /sys and the container's procfs. A path is then resolved here with
   the Gofer's own flags, openat2(root, path, RESOLVE_IN_ROOT |
   RESOLVE_NO_MAGICLINKS), so no "..", symlink or rename leaves the root.

   The fast path answers only where nothing but the kernel decides:
   - the caller's file credentials are the Sentry's own (fs ids, real ids,
     groups, the capabilities a permission check reads): the kernel then
     checks search and access permissions exactly as in the Gofer acting as
     the caller, with no credential switch here;
   - the walk never leaves the root's own mount (RESOLVE_NO_XDEV; one
     statx checks the result's mount with the answer): masks, read-only
     binds, volumes, /proc, /sys and /dev are other mounts, and a walk into
     one goes to the Gofer, which knows their rules;
   - the Gofer's rules by name are applied to the kernel's name of the
     result, as the Gofer does (a hidden symlink, a hidden path no mask
     covers; EROFS for access(W_OK) under a read-only name);
   - a failed walk (on the root's mount) is answered only with an error
     the Gofer would give unchanged; an ENOENT through a symlink goes to
     the Gofer, which looks for a /proc/self on the way to redirect.
   Anything else returns SB_DIRECT_NO and the caller asks the Gofer. What a
   compromised Sentry reaches with the root descriptor is in
   docs/ARCHITECTURE.md ("Stat without the Gofer"). */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

/* The capabilities that can change the answer of a walk, a stat, a
   readlink or an access check. */
#define FILE_CAPS                                                                                  \
  ((1ull << CAP_DAC_OVERRIDE) | (1ull << CAP_DAC_READ_SEARCH) | (1ull << CAP_FOWNER)               \
   | (1ull << CAP_SYS_ADMIN))

void
sb_direct_start (struct sentry *s)
{
  struct sb_gofer_req req = { .op = SB_GOFER_WALK, .flags = O_DIRECTORY };
  struct sb_gofer_answer *ans = sb_lane_answer ();
  struct statx stx;
  int ret;

  s->direct_root = -1;
  if (s->cfg.no_direct)
    return;
  ret = sb_gofer_call (s, &req, "/", NULL, NULL, 0, ans);
  if (ret < 0 || ans->result < 0 || ans->fd < 0)
    {
      if (ans->fd >= 0)
        close (ans->fd);
      ans->fd = -1;
      return; /* every call goes to the Gofer, as before */
    }
  if (statx (ans->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) < 0
      || !(stx.stx_mask & STATX_MNT_ID) || !S_ISDIR (stx.stx_mode))
    {
      close (ans->fd);
      ans->fd = -1;
      return;
    }
  s->direct_root = ans->fd;
  s->direct_mnt = stx.stx_mnt_id;
  ans->fd = -1;
}

/* The kernel's name of fd, read in the Sentry's procfs as the Gofer reads
   it in its own. */
static int
canonical_name (struct sentry *s, int fd, char *out, size_t len)
{
  char link[32];
  ssize_t n;

  snprintf (link, sizeof (link), "self/fd/%d", fd);
  n = readlinkat (s->procfd, link, out, len - 1);
  if (n <= 0 || (size_t) n >= len - 1)
    return -1;
  out[n] = '\0';
  return out[0] == '/' ? 0 : -1;
}

void
sb_direct_confirm (struct sentry *s)
{
  char name[64];

  /* The kernel names a file of the Gofer's namespace from that namespace's
     root: only if the donated root reads as "/" here are the names read
     here the Gofer's canonical names. Otherwise no call is answered here. */
  if (s->direct_root >= 0 && (canonical_name (s, s->direct_root, name, sizeof (name)) < 0
                              || strcmp (name, "/") != 0))
    {
      close (s->direct_root);
      s->direct_root = -1;
    }
}

/* Every group of a is one a permission check of b's finds: b's fs gid
   (which the check tries first) or a supplementary group of b's. So a
   root caller whose groups are only 0 counts as the Sentry, which has
   none. access() checks with the real gid in the fs gid's place:
   same_file_creds requires both of the caller's equal to the Sentry's. */
static bool
groups_within (const struct sb_cred *a, const struct sb_cred *b)
{
  uint32_t i, j;

  for (i = 0; i < a->ngroups && i < SB_CRED_MAX_GROUPS; i++)
    {
      if (a->groups[i] == b->fsgid)
        continue;
      for (j = 0; j < b->ngroups && j < SB_CRED_MAX_GROUPS; j++)
        if (a->groups[i] == b->groups[j])
          break;
      if (j == b->ngroups || j == SB_CRED_MAX_GROUPS)
        return false;
    }
  return true;
}

/* The caller would be served by the Gofer with the credentials this thread
   has now (the Sentry's own between calls). */
static bool
same_file_creds (struct sb_call *c)
{
  const struct sb_cred *me = &c->s->self_cred;
  const struct sb_task_status *st;
  const struct sb_cred *it;

  if (sb_caller_status (c, &st) < 0)
    return false;
  it = &st->cred;
  return it->fsuid == me->fsuid && it->fsgid == me->fsgid && it->uid == me->uid && it->gid == me->gid
         && (it->cap_eff & FILE_CAPS) == (me->cap_eff & FILE_CAPS) && groups_within (it, me)
         && groups_within (me, it);
}

/* fd (on the root's mount) answers ENOENT by a rule on its name. Returns
   1 if hidden, 0 if not, -1 if its name cannot be read (the Gofer decides). */
static int
hidden_by_name (struct sentry *s, int fd)
{
  char name[PATH_BUF + 16];

  if (s->nhidden_forms == 0)
    return 0;
  if (canonical_name (s, fd, name, sizeof (name)) < 0)
    return -1;
  return sb_path_under_any (name, (const char *const *) s->hidden_forms, s->nhidden_forms) ? 1 : 0;
}

/* Resolves path as the Gofer does (O_PATH plus typeflags: O_NOFOLLOW,
   O_DIRECTORY), but only on the root's own mount, and vets the result: its
   statx (mask) in *stx. Returns the fd, -errno as the final answer, or
   SB_DIRECT_NO. */
static int
direct_resolve (struct sb_call *c, const char *path, int typeflags, unsigned mask, struct statx *stx)
{
  struct sentry *s = c->s;
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | (typeflags & (O_NOFOLLOW | O_DIRECTORY)),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd, e, h;

  if (s->direct_root < 0 || path[0] != '/' || strlen (path) >= PATH_BUF || (mask & STATX_MNT_ID_UNIQUE)
      || !same_file_creds (c))
    return SB_DIRECT_NO;
  /* RESOLVE_NO_XDEV: a walk that would enter another mount (a mask, a
     read-only bind, a volume, /proc, /dev, /sys) fails with EXDEV and goes
     to the Gofer; so every answer here, a failure included, comes from the
     root's own filesystem, where the kernel answers alike whoever walks
     with the same credentials (procfs lookups also weigh the walker's
     process: the Sentry is not the Gofer there). */
  fd = (int) syscall (SYS_openat2, s->direct_root, path, &how, sizeof (how));
  if (fd < 0)
    {
      e = errno;
      if (e == ENOENT)
        {
          /* The Gofer looks for a symlink into /proc/self only on a walk
             that met a symlink. */
          how.resolve |= RESOLVE_NO_SYMLINKS;
          fd = (int) syscall (SYS_openat2, s->direct_root, path, &how, sizeof (how));
          if (fd >= 0)
            close (fd);
          return fd < 0 && errno == ENOENT ? -ENOENT : SB_DIRECT_NO;
        }
      /* ENOTDIR met at a hidden file is the Gofer's ENOENT. */
      if (e == ENOTDIR && s->nhidden_forms > 0)
        return SB_DIRECT_NO;
      return e == ENOTDIR || e == EACCES || e == ELOOP || e == ENAMETOOLONG ? -e : SB_DIRECT_NO;
    }
  if (statx (fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, mask | STATX_BASIC_STATS, stx) < 0
      || !(stx->stx_mask & STATX_MNT_ID) || stx->stx_mnt_id != s->direct_mnt)
    {
      close (fd);
      return SB_DIRECT_NO;
    }
  h = hidden_by_name (s, fd);
  if (h != 0)
    {
      close (fd);
      return h > 0 ? -ENOENT : SB_DIRECT_NO;
    }
  return fd;
}

/* ret is the call's answer unless it is SB_DIRECT_NO: --strace says which. */
static long
answered (struct sb_call *c, long ret)
{
  if (ret != SB_DIRECT_NO)
    c->direct = true;
  return ret;
}

int
sb_direct_stat (struct sb_call *c, const char *path, bool nofollow, unsigned mask, struct statx *stx)
{
  int fd;

  /* The mask the Gofer asks for when the app names none. */
  if (mask == 0)
    mask = STATX_BASIC_STATS | STATX_BTIME;
  fd = direct_resolve (c, path, nofollow ? O_NOFOLLOW : 0, mask, stx);
  if (fd < 0)
    return (int) answered (c, fd);
  close (fd);
  return (int) answered (c, 0);
}

int
sb_direct_access (struct sb_call *c, const char *path, int mode)
{
  char name[PATH_BUF + 16];
  struct statx stx;
  int fd, ret;

  fd = direct_resolve (c, path, 0, 0, &stx);
  if (fd < 0)
    return (int) answered (c, fd);
  /* As the Gofer: the real ids, which are this thread's (same_file_creds). */
  ret = syscall (SYS_faccessat2, fd, "", mode, AT_EMPTY_PATH) < 0 ? -errno : 0;
  if (ret == 0 && (mode & W_OK) && c->s->nread_only_forms > 0)
    {
      if (canonical_name (c->s, fd, name, sizeof (name)) < 0)
        ret = SB_DIRECT_NO;
      else if (sb_path_under_any (name, (const char *const *) c->s->read_only_forms,
                                  c->s->nread_only_forms))
        ret = -EROFS;
    }
  close (fd);
  return (int) answered (c, ret);
}

/* The Gofer reads a link as (its parent, its name), the parent vetted;
   here the link itself is opened O_NOFOLLOW and vetted, and read through
   that descriptor. A last component of "." or ".." (EINVAL from the
   Gofer) is left to it. */
ssize_t
sb_direct_readlink (struct sb_call *c, const char *path, char *buf, size_t len)
{
  const char *last = strrchr (path, '/');
  struct statx stx;
  ssize_t n;
  int fd;

  if (last == NULL || strcmp (last, "/") == 0 || strcmp (last, "/.") == 0 || strcmp (last, "/..") == 0)
    return SB_DIRECT_NO;
  fd = direct_resolve (c, path, O_NOFOLLOW, 0, &stx);
  if (fd < 0)
    return answered (c, fd);
  n = S_ISLNK (stx.stx_mode) ? readlinkat (fd, "", buf, len) : -1;
  if (n < 0)
    n = S_ISLNK (stx.stx_mode) ? -errno : -EINVAL;
  close (fd);
  return answered (c, n);
}

/* The flags of an open answered here: read-only, nothing created,
   truncated or emulated (O_PATH), no status flag the Gofer would have to
   set after the open beyond O_NONBLOCK and O_NOATIME. */
#define DIRECT_OPEN_FLAGS                                                                          \
  (O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | KERNEL_O_LARGEFILE | O_NOATIME)
/* The kernel's O_LARGEFILE on x86-64 (glibc's is 0 there; musl passes this). */
#define KERNEL_O_LARGEFILE 0100000

/* A read-only open, made as the Gofer's gofer_op_open and open_answer make
   it: the O_PATH look (with the app's O_NOFOLLOW and O_DIRECTORY) vetted as
   above, then the inode the checks saw reopened through its descriptor in
   the Sentry's procfs, with the thread's credentials, which are the
   caller's (same_file_creds): the kernel checks the right to read it, and
   O_NOATIME's owner, as it does for the Gofer acting as the caller. Only a
   regular file or a directory is opened here: a FIFO would make the Sentry
   its peer, a device has effects of its own, a symlink (O_NOFOLLOW) is the
   Gofer's ELOOP. A directory is opened with the app's flags; a regular file
   with O_NONBLOCK, so that a lease the app holds answers EWOULDBLOCK (its
   break started) instead of stalling this thread, and the app's status
   flags are put back after. The descriptor is on the root's own mount, so
   the listing filter (sys_dir.c) names it as one the Gofer opened. */
int
sb_direct_open (struct sb_call *c, const char *path, int flags, int *pathfd)
{
  struct statx stx;
  char via[32];
  int pfd, fd, e;
  bool dir;

  *pathfd = -1;
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & ~(O_ACCMODE | DIRECT_OPEN_FLAGS)))
    return SB_DIRECT_NO;
  pfd = direct_resolve (c, path, flags & (O_NOFOLLOW | O_DIRECTORY), 0, &stx);
  if (pfd < 0)
    return (int) answered (c, pfd);
  dir = S_ISDIR (stx.stx_mode);
  if (!dir && !S_ISREG (stx.stx_mode))
    {
      close (pfd);
      return SB_DIRECT_NO;
    }
  snprintf (via, sizeof (via), "self/fd/%d", pfd);
  flags &= ~O_NOFOLLOW; /* the descriptor's magic link is followed */
  fd = openat (c->s->procfd, via, dir ? flags | O_CLOEXEC : flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  e = errno;
  if (fd < 0 && e == EWOULDBLOCK && !dir && !(flags & O_NONBLOCK))
    {
      /* A lease the app holds: the open has started its break; a worker
         waits for it, reopening pfd as the caller. */
      *pathfd = pfd;
      answered (c, 0);
      return SB_DIRECT_LATER;
    }
  close (pfd);
  if (fd < 0)
    return (int) answered (c, -e);
  if (!dir && !(flags & O_NONBLOCK) && fcntl (fd, F_SETFL, flags & SB_SETFL_FLAGS) < 0)
    {
      e = errno;
      close (fd);
      return (int) answered (c, -e);
    }
  return (int) answered (c, fd);
}
