/* Who is calling: the calling thread's ids, groups, capabilities and pid
   inside the sandbox, kept per thread and read again from its
   /proc/<tid>/status only when they may have changed; its umask, read
   fresh for the calls that create something; and acting as that thread
   for the work the Sentry does itself (sockets, reopening a descriptor,
   chmod of a descriptor).

   Why a kept entry is never another thread's, nor out of date:

   - Only a thread changes its own ids, groups and capabilities, and every
     call that does reaches the Sentry (the setuid family, setgroups,
     capset: sb_caller_changes_creds; execve: sb_caller_execs). The entry
     is dropped before that call is let through, so the thread's next call
     finds none. prctl cannot change them: PR_SET_SECUREBITS,
     PR_SET_KEEPCAPS and the ambient set only shape what a later setuid or
     execve does, and PR_CAPBSET_DROP narrows the bounding set, which no
     check of the caller's reads (the effective set does).
   - An entry is filled only from a notification the caller is still
     blocked in: the status text is read, then, under the entry's lock,
     SECCOMP_IOCTL_NOTIF_ID_VALID says the caller had not left that call,
     so it had not changed anything since; a change that follows drops the
     entry under the same lock. Workers (calls that may block) and a full
     pending-exec table only ever read fresh.
   - A thread that exits and a new one given the same number: the entry
     holds a pidfd of the thread it describes (PIDFD_THREAD), taken before
     the status read; polled with timeout 0 it is readable once that
     thread is gone, and the entry is refilled for the new one.
   - execve from a thread other than the leader: the execing thread takes
     the leader's number (and pid structure, so the leader's pidfd stays
     "alive"). Between the execve notification and the moment the thread
     switch is visible (the execer's own pidfd turns readable, or the
     execer calls again by its old number: the exec failed), the leader's
     number is never kept (exec_pending).
   - The umask is shared by every thread of a process (fs_struct), and
     umask() is not seen by the Sentry: it is never kept, but read fresh by
     the calls that need it (sb_caller_umask).

   Each entry has a lock of its own: callers of different threads never
   wait for each other. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

#define CRED_CACHE 256     /* entries, by tid; a collision replaces */
#define EXEC_PENDING 32    /* execs in flight from non-leader threads */

struct cred_entry
{
  pthread_mutex_t lock;
  pid_t tid;               /* 0: empty */
  int pidfd;               /* of the thread the entry describes; -1: none */
  int status_fd;           /* its /proc/<tid>/status; -1: not open */
  bool valid;              /* st holds its ids, groups, caps, pids (not its umask) */
  struct sb_task_status st;
};

static struct cred_entry cache[CRED_CACHE];
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* execve from a thread that is not its process's leader, until it shows. */
static struct
{
  pid_t tgid, execer;
  int pidfd;               /* the execer's */
  uint64_t id;             /* the execve's notification: later ones are after it */
} exec_pending[EXEC_PENDING];
static int nexec_pending;  /* atomic reads; changed under exec_lock */
static bool exec_overflow; /* the table was full once: keep nothing more */
static pthread_mutex_t exec_lock = PTHREAD_MUTEX_INITIALIZER;

static void
cache_init (void)
{
  for (int i = 0; i < CRED_CACHE; i++)
    {
      pthread_mutex_init (&cache[i].lock, NULL);
      cache[i].pidfd = cache[i].status_fd = -1;
    }
}

static struct cred_entry *
entry_of (pid_t tid)
{
  pthread_once (&cache_once, cache_init);
  return &cache[(unsigned) tid % CRED_CACHE];
}

static bool
pidfd_exited (int pidfd)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };

  /* readable: the thread is gone; an error: treat it as gone */
  return poll (&p, 1, 0) != 0;
}

/* The entry is made to describe tid's thread now (locked). */
static void
entry_reset (struct cred_entry *e, pid_t tid)
{
  if (e->pidfd >= 0)
    close (e->pidfd);
  if (e->status_fd >= 0)
    close (e->status_fd);
  e->tid = tid;
  e->valid = false;
  e->status_fd = -1;
  /* Linux 6.9+: a pidfd of the thread itself, whose poll tells when that
     thread (not its process) is gone. Without it: the leader's process
     pidfd, for pidfd_getfd only; nothing is kept (valid stays false). */
  e->pidfd = (int) syscall (SYS_pidfd_open, tid, PIDFD_THREAD);
}

static void
entry_claim (struct cred_entry *e, pid_t tid)
{
  if (e->tid != tid || e->pidfd < 0 || pidfd_exited (e->pidfd))
    entry_reset (e, tid);
}

/* Reads tid's status text (locked entry claimed for tid); -ESRCH once gone. */
static ssize_t
entry_read_status (struct sentry *s, struct cred_entry *e, pid_t tid, char *buf, size_t len)
{
  ssize_t n = -ESRCH;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      if (e->status_fd < 0 || attempt > 0)
        {
          char path[32];

          if (e->status_fd >= 0)
            close (e->status_fd);
          snprintf (path, sizeof (path), "%d/status", tid);
          e->status_fd = openat (s->procfd, path, O_RDONLY | O_CLOEXEC);
          if (e->status_fd < 0)
            return errno == ENOENT ? -ESRCH : -errno;
        }
      n = pread (e->status_fd, buf, len - 1, 0);
      if (n >= 0)
        break;
      n = -errno; /* ESRCH: the number is someone else's now */
    }
  if (n >= 0)
    buf[n] = '\0';
  return n;
}

/* Whether tid's entry may be kept now (exec_pending, under exec_lock). */
static bool
exec_allows_keeping (pid_t tid, uint64_t id)
{
  bool keep = true;

  if (__atomic_load_n (&nexec_pending, __ATOMIC_ACQUIRE) == 0
      && !__atomic_load_n (&exec_overflow, __ATOMIC_ACQUIRE))
    return true;
  pthread_mutex_lock (&exec_lock);
  for (int i = 0; i < EXEC_PENDING; i++)
    {
      if (exec_pending[i].execer == 0)
        continue;
      /* The execer's pidfd readable: its old number is gone (the switch
         to the leader's number is done, or it died). A later call of
         the execer by its old number with a live pidfd: its exec failed. */
      if (pidfd_exited (exec_pending[i].pidfd)
          || (exec_pending[i].execer == tid && id > exec_pending[i].id))
        {
          close (exec_pending[i].pidfd);
          exec_pending[i].execer = 0;
          __atomic_sub_fetch (&nexec_pending, 1, __ATOMIC_RELEASE);
          continue;
        }
      if (exec_pending[i].tgid == tid)
        keep = false;
    }
  if (__atomic_load_n (&exec_overflow, __ATOMIC_ACQUIRE))
    keep = false;
  pthread_mutex_unlock (&exec_lock);
  return keep;
}

/* Reads the caller's status; keeps its ids if it may. */
static int
fill (struct sb_call *c)
{
  struct cred_entry *e = entry_of (c->tid);
  char buf[4096];
  ssize_t n;
  int ret;

  pthread_mutex_lock (&e->lock);
  entry_claim (e, c->tid);
  n = entry_read_status (c->s, e, c->tid, buf, sizeof (buf));
  if (n < 0)
    {
      pthread_mutex_unlock (&e->lock);
      return (int) n;
    }
  ret = sb_parse_task_status (buf, &c->status);
  if (ret < 0)
    {
      pthread_mutex_unlock (&e->lock);
      return ret == -E2BIG ? -EOVERFLOW : -EIO;
    }
  /* Kept only if read while the caller was still in this call (so it
     changed nothing since), by a thread serving it now, never the state
     before an exec (the exec changes it), nor during an exec that may
     hand its number to another thread. */
  if (!c->on_worker && c->nr != SYS_execve && c->nr != SYS_execveat && e->pidfd >= 0
      && exec_allows_keeping (c->tid, c->req->id) && sb_call_valid (c))
    {
      e->st = c->status;
      e->valid = true;
    }
  pthread_mutex_unlock (&e->lock);
  c->have_status = true;
  c->umask_fresh = true;
  return 0;
}

/* A kept entry of the caller, if any is good. */
static bool
lookup (struct sb_call *c)
{
  struct cred_entry *e = entry_of (c->tid);
  bool hit = false;

  pthread_mutex_lock (&e->lock);
  if (e->valid && e->tid == c->tid)
    {
      if (pidfd_exited (e->pidfd))
        e->valid = false;
      else
        {
          c->status = e->st;
          hit = true;
        }
    }
  pthread_mutex_unlock (&e->lock);
  if (hit)
    c->have_status = true;
  return hit;
}

int
sb_caller_status (struct sb_call *c, const struct sb_task_status **out)
{
  int ret;

  if (!c->have_status && !lookup (c) && (ret = fill (c)) < 0)
    return ret;
  *out = &c->status;
  return 0;
}

mode_t
sb_caller_umask (struct sb_call *c)
{
  if (!c->umask_fresh)
    {
      c->have_status = false;
      if (fill (c) < 0)
        return 022;
    }
  return c->status.umask;
}

static void
forget (pid_t tid)
{
  struct cred_entry *e = entry_of (tid);

  pthread_mutex_lock (&e->lock);
  if (e->tid == tid)
    e->valid = false;
  pthread_mutex_unlock (&e->lock);
}

/* setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid,
   setfsgid, setgroups, capset: the caller's entry goes, then the kernel
   runs the call as the app asked. CONTINUE is safe here although
   setgroups and capset read their lists from the app's memory after this
   answer: the Sentry decides nothing from their arguments (the kernel's
   own checks bound them: the app's capabilities in its user namespace),
   and the entry is dropped whatever they hold. The caller's next call
   reads its status again. */
long
sb_caller_changes_creds (struct sb_call *c)
{
  forget (c->tid);
  return SB_RET_CONTINUE;
}

/* execve, execveat: before the kernel runs it (sys_execve answers CONTINUE
   or refuses). The exec recomputes the capabilities; from a thread other
   than the leader, the execer also takes the leader's number. */
void
sb_caller_execs (struct sb_call *c)
{
  const struct sb_task_status *st;
  pid_t tgid = 0;

  if (sb_caller_status (c, &st) == 0)
    tgid = st->tgid;
  if (tgid != c->tid)
    {
      int pidfd = (int) syscall (SYS_pidfd_open, c->tid, PIDFD_THREAD);
      bool added = false;

      pthread_mutex_lock (&exec_lock);
      for (int i = 0; i < EXEC_PENDING && pidfd >= 0 && tgid > 0; i++)
        if (exec_pending[i].execer == 0)
          {
            exec_pending[i].tgid = tgid;
            exec_pending[i].execer = c->tid;
            exec_pending[i].pidfd = pidfd;
            exec_pending[i].id = c->req->id;
            __atomic_add_fetch (&nexec_pending, 1, __ATOMIC_RELEASE);
            added = true;
            break;
          }
      if (!added)
        {
          /* Unknown process or no room: keep nothing from now on. */
          __atomic_store_n (&exec_overflow, true, __ATOMIC_RELEASE);
          if (pidfd >= 0)
            close (pidfd);
        }
      pthread_mutex_unlock (&exec_lock);
      if (tgid > 0)
        forget (tgid);
    }
  forget (c->tid);
}

int
sb_caller_getfd (struct sb_call *c, int appfd)
{
  struct cred_entry *e = entry_of (c->tid);
  const struct sb_task_status *st;
  int fd = -ESRCH;

  pthread_mutex_lock (&e->lock);
  /* No poll here: a pidfd of a thread that is gone answers ESRCH, and is
     replaced once. (After an exec from another thread, the leader's pidfd
     names the execer: the same process, the same descriptor table.) */
  if (e->tid != c->tid || e->pidfd < 0)
    entry_reset (e, c->tid);
  for (int attempt = 0; attempt < 2 && e->pidfd >= 0; attempt++)
    {
      if (attempt > 0)
        entry_reset (e, c->tid);
      if (e->pidfd < 0)
        break;
      fd = (int) syscall (SYS_pidfd_getfd, e->pidfd, appfd, 0);
      if (fd >= 0)
        break;
      fd = -errno;
      if (fd != -ESRCH)
        break;
    }
  if (e->pidfd >= 0)
    {
      pthread_mutex_unlock (&e->lock);
      return fd;
    }
  pthread_mutex_unlock (&e->lock);
  /* No thread pidfd (a kernel before 6.9): the process's, for this call. */
  if (sb_caller_status (c, &st) < 0)
    return -ESRCH;
  cleanup_close int pfd = (int) syscall (SYS_pidfd_open, st->tgid, 0);
  if (pfd < 0)
    return -errno;
  fd = (int) syscall (SYS_pidfd_getfd, pfd, appfd, 0);
  return fd < 0 ? -errno : fd;
}

int
sb_act_as_caller (struct sb_call *c)
{
  const struct sb_task_status *st;
  int ret = sb_caller_status (c, &st);

  if (ret < 0)
    return ret;
  sb_direct_forget (); /* every credential is set here, the fast path's too */
  return sb_cred_assume (&st->cred, &c->s->self_cred, false);
}

void
sb_act_as_self (struct sb_call *c)
{
  sb_direct_forget ();
  sb_cred_assume (&c->s->self_cred, &c->s->self_cred, false);
}
