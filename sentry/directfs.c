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
   - the serving thread walks with the file credentials the Gofer would
     take for the caller (fs ids, groups, and of the capabilities a
     permission check reads, the caller's; access() without AT_EACCESS:
     the real ids, as gofer_client.c gives them): the kernel then checks
     search and access permissions exactly as in the Gofer acting as the
     caller. The thread keeps them from one such call to the next, as the
     Gofer does (a switch costs six system calls, about the Gofer's hop),
     and goes back to the Sentry's own before anything else: every other
     call (sentry_dispatch), a path whose pre-steps read another process's
     descriptors in procfs (sys_path.c), and every call passed on to the
     Gofer. Only fs ids, groups and those four capabilities change: the
     real ids and CAP_SYS_PTRACE, which the reads of the caller's memory
     and procfs entries weigh, stay the Sentry's, and what is taken is
     never more than the Sentry's own;
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

void
sb_direct_confirm (struct sentry *s)
{
  char name[64];

  /* The kernel names a file of the Gofer's namespace from that namespace's
     root: only if the donated root reads as "/" here are the names read
     here the Gofer's canonical names. Otherwise no call is answered here. */
  if (s->direct_root >= 0 && (sb_fd_name (s, s->direct_root, name, sizeof (name)) < 0
                              || strcmp (name, "/") != 0))
    {
      close (s->direct_root);
      s->direct_root = -1;
    }
}

/* Every group of a is one a permission check of b's finds: b's fs gid
   (which the check tries first) or a supplementary group of b's. So a
   root caller whose groups are only 0 counts as the Sentry, which has
   none. */
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

/* The file credentials this serving thread has taken for a caller, while
   they are not the Sentry's own (see the top of this file). */
static __thread bool fs_taken;
static __thread struct sb_cred fs_taken_cred;

void
sb_direct_release (struct sentry *s)
{
  if (!fs_taken)
    return;
  fs_taken = false;
  /* On failure sb_cred_assume ends the Sentry: a thread must not go on
     with a caller's half-applied identity. */
  sb_cred_assume (&s->self_cred, &s->self_cred, true);
}

void
sb_direct_settle (struct sb_call *c)
{
  if (!fs_taken)
    return;
  switch (c->nr)
    {
    case SYS_stat:
    case SYS_lstat:
    case SYS_newfstatat:
    case SYS_statx:
    case SYS_access:
    case SYS_faccessat:
    case SYS_faccessat2:
    case SYS_readlink:
    case SYS_readlinkat:
    case SYS_open:
    case SYS_openat:
    case SYS_openat2:
    case SYS_creat: return;
    default: sb_direct_release (c->s);
    }
}

/* The serving thread's own credentials were changed by someone else
   (caller.c's sb_act_as_self puts back all of them). */
void
sb_direct_forget (void)
{
  fs_taken = false;
}

/* The credentials the Gofer would act with for this caller (real: access()
   without AT_EACCESS, checked with the real ids), as the Sentry's own with
   only what a walk, a stat, an access check or a read-only open weighs
   changed. Returns false if the Sentry cannot act so (more groups than
   carried, a file capability the Sentry has not). */
static bool
file_creds_for (const struct sb_cred *me, const struct sb_task_status *st, bool real, struct sb_cred *want)
{
  const struct sb_cred *it = &st->cred;
  uint64_t caps;

  if (it->ngroups > SB_CRED_MAX_GROUPS)
    return false;
  caps = (real ? sb_access_caps (st) : it->cap_eff) & FILE_CAPS;
  if (caps & ~me->cap_eff)
    return false;
  *want = *me;
  want->fsuid = real ? it->uid : it->fsuid;
  want->fsgid = real ? it->gid : it->fsgid;
  want->cap_eff = (me->cap_eff & ~FILE_CAPS) | caps;
  want->ngroups = it->ngroups;
  memcpy (want->groups, it->groups, it->ngroups * sizeof (it->groups[0]));
  return true;
}

/* Makes this thread walk as the Gofer would for the caller: nothing to do
   when the caller's file credentials are the Sentry's own, or those taken
   for the last call. Returns false if the caller must go to the Gofer. */
static bool
take_file_creds (struct sb_call *c, bool real)
{
  const struct sb_cred *me = &c->s->self_cred;
  const struct sb_task_status *st;
  struct sb_cred want;

  if (sb_caller_status (c, &st) < 0 || !file_creds_for (me, st, real, &want))
    return false;
  if (want.fsuid == me->fsuid && want.fsgid == me->fsgid && want.cap_eff == me->cap_eff
      && groups_within (&want, me) && groups_within (me, &want))
    {
      sb_direct_release (c->s);
      return true;
    }
  if (fs_taken && sb_cred_equal (&want, &fs_taken_cred))
    return true;
  if (sb_cred_assume (&want, me, true) < 0)
    {
      fs_taken = false; /* put back to the Sentry's own */
      return false;
    }
  fs_taken = true;
  fs_taken_cred = want;
  return true;
}

/* fd (on the root's mount) has a name that is or lies under one of the
   n forms of a rule (hidden: ENOENT; read-only). Returns 1 if so, 0 if
   not, -1 if its name cannot be read (the Gofer decides). */
static int
named_by (struct sentry *s, int fd, char **forms, int n)
{
  char name[PATH_BUF + 16];

  if (n == 0)
    return 0;
  if (sb_fd_name (s, fd, name, sizeof (name)) < 0)
    return -1;
  return sb_path_under_any (name, (const char *const *) forms, n) ? 1 : 0;
}

/* Resolves path as the Gofer does (O_PATH plus typeflags: O_NOFOLLOW,
   O_DIRECTORY), but only on the root's own mount, and vets the result: its
   statx (mask) in *stx. Returns the fd, -errno as the final answer, or
   SB_DIRECT_NO. */
static int
direct_resolve (struct sb_call *c, const char *path, int typeflags, unsigned mask, struct statx *stx,
                bool real)
{
  struct sentry *s = c->s;
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | (typeflags & (O_NOFOLLOW | O_DIRECTORY)),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd, e, h;

  if (s->direct_root < 0 || path[0] != '/' || strlen (path) >= PATH_BUF || (mask & STATX_MNT_ID_UNIQUE)
      || !take_file_creds (c, real))
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
  h = named_by (s, fd, s->hidden_forms, s->nhidden_forms);
  if (h != 0)
    {
      close (fd);
      return h > 0 ? -ENOENT : SB_DIRECT_NO;
    }
  return fd;
}

/* ret is the call's answer unless it is SB_DIRECT_NO: --strace says which.
   A call passed on to the Gofer is served with the Sentry's own
   credentials. */
static long
answered (struct sb_call *c, long ret)
{
  if (ret != SB_DIRECT_NO)
    c->direct = true;
  else
    sb_direct_release (c->s);
  return ret;
}

int
sb_direct_stat (struct sb_call *c, const char *path, bool nofollow, unsigned mask, struct statx *stx)
{
  int fd;

  /* The mask the Gofer asks for when the app names none. */
  if (mask == 0)
    mask = STATX_BASIC_STATS | STATX_BTIME;
  fd = direct_resolve (c, path, nofollow ? O_NOFOLLOW : 0, mask, stx, false);
  if (fd < 0)
    return (int) answered (c, fd);
  close (fd);
  return (int) answered (c, 0);
}

int
sb_direct_access (struct sb_call *c, const char *path, int mode, bool eaccess)
{
  struct statx stx;
  int fd, ret;

  fd = direct_resolve (c, path, 0, 0, &stx, !eaccess);
  if (fd < 0)
    return (int) answered (c, fd);
  /* As the Gofer: with the credentials taken, which are the real ids where
     the call checks with those. */
  ret = syscall (SYS_faccessat2, fd, "", mode, AT_EMPTY_PATH | AT_EACCESS) < 0 ? -errno : 0;
  if (ret == 0 && (mode & W_OK))
    {
      int ro = named_by (c->s, fd, c->s->read_only_forms, c->s->nread_only_forms);
      ret = ro < 0 ? SB_DIRECT_NO : ro > 0 ? -EROFS : 0;
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
    return answered (c, SB_DIRECT_NO);
  fd = direct_resolve (c, path, O_NOFOLLOW, 0, &stx, false);
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
   the Sentry's procfs, with the file credentials taken for the caller
   (take_file_creds): the kernel checks the right to read it, and
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
    return (int) answered (c, SB_DIRECT_NO);
  pfd = direct_resolve (c, path, flags & (O_NOFOLLOW | O_DIRECTORY), 0, &stx, false);
  if (pfd < 0)
    return (int) answered (c, pfd);
  dir = S_ISDIR (stx.stx_mode);
  if ((!dir && !S_ISREG (stx.stx_mode))
      || named_by (c->s, pfd, c->s->read_only_forms, c->s->nread_only_forms) != 0)
    {
      /* A file of a read-only name comes from the Gofer's read-only copy
         of the root (gofer_open.c), not from this writable mount. */
      close (pfd);
      return (int) answered (c, SB_DIRECT_NO);
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
