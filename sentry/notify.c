/* The Sentry's loop: receive user notifications, dispatch, answer. Calls
   that may block (connect, open of a FIFO, a full socket buffer) run on a
   detached thread so the other tasks of the sandbox keep going. */
#include "sentry.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int
sb_respond (struct sentry *s, uint64_t id, long ret)
{
  struct seccomp_notif_resp resp = { .id = id };

  if (ret == SB_RET_DONE)
    return 0;
  if (ret == SB_RET_CONTINUE)
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else if (ret < 0)
    resp.error = (int32_t) ret;
  else
    resp.val = ret;
  if (ioctl (s->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
    return -errno; /* ENOENT: the caller was interrupted or died */
  return 0;
}

bool
sb_call_valid (struct sb_call *c)
{
  uint64_t id = c->req->id;
  return ioctl (c->s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

long
sb_inject_fd (struct sb_call *c, int fd, bool cloexec)
{
  struct seccomp_notif_addfd addfd = {
    .id = c->req->id,
    .flags = SECCOMP_ADDFD_FLAG_SEND,
    .srcfd = (uint32_t) fd,
    .newfd_flags = cloexec ? O_CLOEXEC : 0,
  };
  int ret = ioctl (c->s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);

  if (ret < 0)
    return -errno;
  c->responded = true;
  return ret;
}

/* pidfds of callers, keyed by tid. A stale entry (the task died, the number
   was reused) fails with ESRCH and is replaced, so a hit never names the
   wrong task. Used from the main thread only. */
#define PIDFD_CACHE 256
static struct
{
  pid_t tid;
  int pidfd;
} pidfd_cache[PIDFD_CACHE];
static pthread_mutex_t pidfd_lock = PTHREAD_MUTEX_INITIALIZER;

static int
pidfd_for (struct sb_call *c, pid_t tid, bool refresh)
{
  unsigned slot = (unsigned) tid % PIDFD_CACHE;
  int fd;

  if (!refresh && pidfd_cache[slot].tid == tid && pidfd_cache[slot].pidfd > 0)
    return pidfd_cache[slot].pidfd;
  /* A thread other than the leader: Linux 6.9+ opens it with PIDFD_THREAD
     (older kernels answer EINVAL or ENOENT for a non-leader); its fd table
     is the process's, so the leader's pidfd does as well. */
  fd = syscall (SYS_pidfd_open, tid, 0);
  if (fd < 0 && (errno == EINVAL || errno == ENOENT))
    fd = syscall (SYS_pidfd_open, tid, PIDFD_THREAD);
  if (fd < 0 && (errno == EINVAL || errno == ENOENT))
    {
      const struct sb_task_status *st;
      if (sb_caller_status (c, &st) == 0)
        fd = syscall (SYS_pidfd_open, st->tgid, 0);
    }
  if (fd < 0)
    return -errno;
  if (pidfd_cache[slot].pidfd > 0)
    close (pidfd_cache[slot].pidfd);
  pidfd_cache[slot].tid = tid;
  pidfd_cache[slot].pidfd = fd;
  return fd;
}

int
sb_get_app_fd (struct sb_call *c, int appfd)
{
  int pidfd, fd, attempt;

  if (appfd < 0)
    return -EBADF;
  pthread_mutex_lock (&pidfd_lock);
  for (attempt = 0; attempt < 2; attempt++)
    {
      pidfd = pidfd_for (c, c->tid, attempt > 0);
      if (pidfd < 0)
        {
          fd = pidfd;
          break;
        }
      fd = syscall (SYS_pidfd_getfd, pidfd, appfd, 0);
      if (fd >= 0)
        break;
      fd = -errno;
      if (fd != -ESRCH)
        break;
    }
  pthread_mutex_unlock (&pidfd_lock);
  return fd;
}

/* Blocking calls in flight. The Sentry is outside the app's pids limit, so
   it bounds its own threads: past the cap a blocking call answers EAGAIN.

   A worker must never outlive its call. A caller killed (or interrupted
   by a signal) while its open of a FIFO waits for a peer that never comes
   would otherwise leave the worker blocked for the sandbox's life, and
   MAX_BLOCKING such callers would leave every later blocking call EAGAIN.
   So the main loop sweeps the workers every SWEEP_MS: a worker whose
   notification is no longer valid is marked gone and interrupted with
   SB_WAKE_SIGNAL (its handler does nothing and is installed without
   SA_RESTART, so the blocking call returns EINTR), again at each sweep
   until it has finished, since the signal may land just before the worker
   enters the call. */
#define MAX_BLOCKING 256
#define SWEEP_MS 100
#define SB_WAKE_SIGNAL (SIGRTMIN + 3)
static int blocking_in_flight;

struct blocking_job
{
  struct sb_call call;
  struct seccomp_notif req;
  pthread_t thread;
  bool started;      /* thread is set */
  bool gone;         /* the caller's notification is no longer valid */
  long (*fn) (struct sb_call *c, void *arg);
  char arg[];
};

/* The workers in flight; the lock guards the table, not the jobs' work. */
static struct blocking_job *workers[MAX_BLOCKING];
static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;

static void
wake_handler (int sig)
{
  (void) sig;
}

static void
workers_add (struct blocking_job *job)
{
  int i;

  pthread_mutex_lock (&workers_lock);
  for (i = 0; i < MAX_BLOCKING; i++)
    if (workers[i] == NULL)
      {
        workers[i] = job;
        break;
      }
  pthread_mutex_unlock (&workers_lock);
}

static void
workers_remove (struct blocking_job *job)
{
  int i;

  pthread_mutex_lock (&workers_lock);
  for (i = 0; i < MAX_BLOCKING; i++)
    if (workers[i] == job)
      workers[i] = NULL;
  pthread_mutex_unlock (&workers_lock);
}

int
sb_blocking_in_flight (void)
{
  return __atomic_load_n (&blocking_in_flight, __ATOMIC_RELAXED);
}

void
sb_blocking_sweep (struct sentry *s)
{
  int i;

  pthread_mutex_lock (&workers_lock);
  for (i = 0; i < MAX_BLOCKING; i++)
    {
      struct blocking_job *job = workers[i];
      uint64_t id;

      if (job == NULL || !job->started)
        continue;
      id = job->req.id;
      if (!__atomic_load_n (&job->gone, __ATOMIC_ACQUIRE)
          && ioctl (s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
        continue;
      __atomic_store_n (&job->gone, true, __ATOMIC_RELEASE);
      pthread_kill (job->thread, SB_WAKE_SIGNAL);
    }
  pthread_mutex_unlock (&workers_lock);
}

bool
sb_call_gone (struct sb_call *c)
{
  struct blocking_job *job;

  if (!c->on_worker)
    return false;
  job = (struct blocking_job *) ((char *) c - offsetof (struct blocking_job, call));
  return __atomic_load_n (&job->gone, __ATOMIC_ACQUIRE);
}

static void *
blocking_thread (void *p)
{
  struct blocking_job *job = p;
  long ret;

  job->call.req = &job->req;
  job->call.args = (const uint64_t *) job->req.data.args;
  ret = job->fn (&job->call, job->arg);
  if (!job->call.responded)
    sb_respond (job->call.s, job->req.id, ret);
  if (job->call.s->cfg.strace)
    sb_strace_call (&job->call, ret, __atomic_load_n (&job->gone, __ATOMIC_ACQUIRE) ? "released" : "async");
  workers_remove (job);
  free (job);
  __atomic_sub_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
  return NULL;
}

long
sb_run_blocking (struct sb_call *c, long (*fn) (struct sb_call *c, void *arg), void *arg,
                 size_t argsize)
{
  static bool handler_set;
  struct blocking_job *job;
  pthread_attr_t attr;
  int ret;

  if (!handler_set)
    {
      struct sigaction sa = { .sa_handler = wake_handler }; /* no SA_RESTART */
      sigemptyset (&sa.sa_mask);
      sigaction (SB_WAKE_SIGNAL, &sa, NULL);
      handler_set = true;
    }
  if (__atomic_add_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED) > MAX_BLOCKING)
    {
      __atomic_sub_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
      return -EAGAIN;
    }
  job = calloc (1, sizeof (*job) + argsize);
  if (job == NULL)
    {
      __atomic_sub_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
      return -ENOMEM;
    }
  job->call = *c;
  job->call.on_worker = true;
  memcpy (&job->req, c->req, sizeof (job->req));
  job->fn = fn;
  memcpy (job->arg, arg, argsize);
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, 256 * 1024);
  /* In the table before it runs (it removes itself when done); the sweep
     skips it until its thread id is known. */
  workers_add (job);
  pthread_mutex_lock (&workers_lock);
  ret = pthread_create (&job->thread, &attr, blocking_thread, job);
  if (ret == 0)
    job->started = true;
  pthread_mutex_unlock (&workers_lock);
  pthread_attr_destroy (&attr);
  if (ret != 0)
    {
      workers_remove (job);
      free (job);
      __atomic_sub_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
      return -ret;
    }
  c->responded = true;
  return SB_RET_DONE;
}

static int
exit_code_of (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 125;
}

/* Reaps children; returns the app's exit code once its init is gone, else -1. */
static int
reap (struct sentry *s, int *gofer_status_out)
{
  int status, code = -1;
  pid_t pid;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    {
      if (pid == s->init_pid)
        {
          code = exit_code_of (status);
          s->init_pid = -1;
          sb_control_ended (s, code);
        }
      else if (pid == s->gofer_pid)
        {
          *gofer_status_out = status;
          s->gofer_pid = -1;
        }
    }
  return code;
}

int
sentry_serve (struct sentry *s, sb_error_t *err)
{
  cleanup_free struct seccomp_notif *req = NULL;
  cleanup_close int sigfd = -1;
  sigset_t mask;
  int gofer_status = 0, code = -1;
  uint64_t last_sweep = 0;

  req = calloc (1, s->notif_size > sizeof (*req) ? s->notif_size : sizeof (*req));
  if (req == NULL)
    return sb_error (err, ENOMEM, "allocate a notification");
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGQUIT);
  sigaddset (&mask, SIGUSR1);
  sigaddset (&mask, SIGUSR2);
  sigaddset (&mask, SIGWINCH);
  sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0)
    return sb_error (err, errno, "signalfd");

  for (;;)
    {
      struct pollfd pfd[6] = {
        { .fd = s->listener, .events = POLLIN },
        { .fd = sigfd, .events = POLLIN },
        { .fd = s->gofer_sock, .events = 0 },
        { .fd = s->cfg.lifeline_fd, .events = 0 },
        { .fd = s->cfg.ctl_fd, .events = POLLIN },
        { .fd = s->init_sock, .events = POLLIN },
      };

      int ready = poll (pfd, 6, sb_blocking_in_flight () > 0 ? SWEEP_MS : -1);

      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          return sb_error (err, errno, "poll");
        }
      if (sb_blocking_in_flight () > 0 && sb_now_ns () - last_sweep >= SWEEP_MS * 1000000ull)
        {
          sb_blocking_sweep (s);
          last_sweep = sb_now_ns ();
        }
      if (pfd[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sigfd, &si, sizeof (si)) == sizeof (si))
            {
              if (si.ssi_signo == SIGCHLD)
                {
                  int c = reap (s, &gofer_status);
                  if (c >= 0)
                    code = c;
                }
              else if (s->init_pid > 0)
                kill (s->init_pid, (int) si.ssi_signo);
            }
          if (code >= 0)
            break;
          if (s->gofer_pid < 0)
            {
              if (s->init_pid > 0)
                kill (s->init_pid, SIGKILL);
              if (WIFSIGNALED (gofer_status))
                return sb_error (err, 0, "lost the Gofer (killed by signal %d): stopping the sandbox",
                                 WTERMSIG (gofer_status));
              return sb_error (err, 0, "lost the Gofer (it exited with %d): stopping the sandbox",
                               WEXITSTATUS (gofer_status));
            }
        }
      if (pfd[4].revents)
        sb_control_from_owner (s);
      if (pfd[5].revents)
        sb_control_from_init (s);
      if (pfd[3].revents & (POLLHUP | POLLERR))
        {
          /* sandbox-runtime is gone (killed): nobody relays the app's stdio
             or waits for it any more. */
          if (s->init_pid > 0)
            kill (s->init_pid, SIGKILL);
          return sb_error (err, 0, "sandbox-runtime is gone: stopping the sandbox");
        }
      if (pfd[2].revents & (POLLHUP | POLLERR))
        {
          if (s->init_pid > 0)
            kill (s->init_pid, SIGKILL);
          return sb_error (err, 0, "lost the Gofer (its socket closed): stopping the sandbox");
        }
      if (pfd[0].revents & POLLIN)
        {
          struct sb_call call = { .s = s, .req = req };

          memset (req, 0, s->notif_size > sizeof (*req) ? s->notif_size : sizeof (*req));
          if (ioctl (s->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
            {
              if (errno == EINTR || errno == ENOENT)
                continue;
              return sb_error (err, errno, "receive a notification");
            }
          call.nr = req->data.nr;
          call.tid = (pid_t) req->pid;
          call.args = (const uint64_t *) req->data.args;
          sentry_dispatch (&call);
        }
      else if (pfd[0].revents & (POLLHUP | POLLERR))
        {
          /* No task holds the filter any more: wait for the init's status. */
          if (s->init_pid < 0)
            break;
          int status;
          if (waitpid (s->init_pid, &status, 0) == s->init_pid)
            {
              code = exit_code_of (status);
              s->init_pid = -1;
            }
          break;
        }
    }
  if (s->gofer_pid > 0)
    {
      kill (s->gofer_pid, SIGKILL);
      waitpid (s->gofer_pid, NULL, 0);
    }
  return code < 0 ? 125 : code;
}
