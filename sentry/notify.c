/* The Sentry's loops. A few serving threads (one per lane, see
   serve_lane) receive user notifications from the one listener, lane 0's
   always and the others when it calls for help, dispatch and answer;
   calls that may block (connect, open of a FIFO, a full socket buffer) go
   on to a detached worker thread so the other tasks of the sandbox keep
   going. The main thread watches the rest: signals, the owner, the init,
   the Gofer and the listener's hang-up. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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

/* Interrupts a worker's blocking call (its caller is gone) or a serving
   thread's RECV (the app is gone); see "Blocking calls in flight". */
#define SB_WAKE_SIGNAL (SIGRTMIN + 3)
/* The kernel's "interrupted: restart the call if the handler allows"
   (not in the uapi headers). */
#define ERESTARTSYS 512

static void sb_serving_will_wait (struct sentry *s);

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

/* Installs fd in the caller and answers its call with the new number, in
   one step (ADDFD with SEND). That ioctl marks the call answered before it
   waits for the caller to take the descriptor; interrupted in that wait, it
   withdraws the descriptor but not the answer, and the caller's call then
   returns 0 (the kernel's reply fields are still empty): an open that
   "returns" the app's stdin. So the wait is never interrupted: a worker
   blocks the sweep's signal around it (a caller that dies or is signalled
   meanwhile ends the wait itself, with ESRCH), and a serving thread is
   sent that signal only once the app is gone. */
long
sb_inject_fd (struct sb_call *c, int fd, bool cloexec)
{
  struct seccomp_notif_addfd addfd = {
    .id = c->req->id,
    .flags = SECCOMP_ADDFD_FLAG_SEND,
    .srcfd = (uint32_t) fd,
    .newfd_flags = cloexec ? O_CLOEXEC : 0,
  };
  sigset_t wake, old;
  int ret;

  if (c->on_worker)
    {
      sigemptyset (&wake);
      sigaddset (&wake, SB_WAKE_SIGNAL);
      pthread_sigmask (SIG_BLOCK, &wake, &old);
    }
  else
    sb_serving_will_wait (c->s);
  ret = ioctl (c->s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
  ret = ret < 0 ? -errno : ret;
  if (c->on_worker)
    pthread_sigmask (SIG_SETMASK, &old, NULL);
  if (ret < 0)
    return ret;
  c->responded = true;
  return ret;
}

int
sb_get_app_fd (struct sb_call *c, int appfd)
{
  if (appfd < 0)
    return -EBADF;
  return sb_caller_getfd (c, appfd);
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
/* To the main thread (blocked, read from its signalfd): a serving thread
   failed; the first blocking call is in flight (sweep from now on). */
#define SB_LANE_FAIL_SIGNAL (SIGRTMIN + 4)
#define SB_SWEEP_SIGNAL (SIGRTMIN + 5)
static int blocking_in_flight;

struct blocking_job
{
  struct sb_call call;
  struct seccomp_notif req;
  pthread_t thread;
  bool started;      /* thread is set */
  bool gone;         /* the caller's notification is no longer valid */
  bool interrupted;  /* a signal the caller takes is pending: answer -ERESTARTSYS */
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

/* The caller waits for its answer killably only (filter.c's
   WAIT_KILLABLE_RECV), so a signal it would take does not end its wait as
   it ends the kernel's own blocking calls. The sweep does it for the
   calls that block here: a signal pending for the thread or its process,
   neither blocked nor ignored by it, interrupts the worker, and the call is
   answered -ERESTARTSYS, which the kernel turns into what a blocking call
   of its own gives: EINTR after a handler without SA_RESTART, else the
   call made again (also when no handler runs). */
static bool
signal_for (struct sentry *s, pid_t tid)
{
  char path[32], text[4096];

  snprintf (path, sizeof (path), "%d/status", (int) tid);
  if (sb_read_file_at (s->procfd, path, text, sizeof (text)) <= 0)
    return false;
  return ((sb_status_mask (text, "SigPnd") | sb_status_mask (text, "ShdPnd")) & ~sb_status_mask (text, "SigBlk")
          & ~sb_status_mask (text, "SigIgn"))
         != 0;
}

/* The app is being frozen (a pause): a task that waits killably is not
   frozen until its wait ends, so the blocking calls are interrupted as for
   a signal, and made again after the thaw. */
static bool
app_freezing (struct sentry *s)
{
  char state[16];
  ssize_t n;

  if (s->freeze_fd < 0 || (n = pread (s->freeze_fd, state, sizeof (state) - 1, 0)) <= 0)
    return false;
  state[n] = '\0';
  return strncmp (state, "FREEZING", 8) == 0 || strncmp (state, "FROZEN", 6) == 0 || state[0] == '1';
}

void
sb_blocking_sweep (struct sentry *s)
{
  bool freezing = app_freezing (s);
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
        {
          if (!freezing && !__atomic_load_n (&job->interrupted, __ATOMIC_ACQUIRE)
              && !signal_for (s, (pid_t) job->req.pid))
            continue;
          __atomic_store_n (&job->interrupted, true, __ATOMIC_RELEASE);
          pthread_kill (job->thread, SB_WAKE_SIGNAL);
          continue;
        }
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
  return __atomic_load_n (&job->gone, __ATOMIC_ACQUIRE) || __atomic_load_n (&job->interrupted, __ATOMIC_ACQUIRE);
}

static void *
blocking_thread (void *p)
{
  struct blocking_job *job = p;
  long ret;

  job->call.req = &job->req;
  job->call.args = (const uint64_t *) job->req.data.args;
  ret = job->fn (&job->call, job->arg);
  if (ret == -EINTR && __atomic_load_n (&job->interrupted, __ATOMIC_ACQUIRE))
    ret = -ERESTARTSYS;
  if (!job->call.responded)
    sb_respond (job->call.s, job->req.id, ret);
  if (job->call.s->cfg.strace)
    sb_strace_call (&job->call, ret, __atomic_load_n (&job->gone, __ATOMIC_ACQUIRE) ? "released" : "async");
  workers_remove (job);
  free (job);
  __atomic_sub_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
  return NULL;
}

/* Installed before any thread may be sent it (sentry_serve). */
static void
wake_handler_install (void)
{
  struct sigaction sa = { .sa_handler = wake_handler }; /* no SA_RESTART */

  sigemptyset (&sa.sa_mask);
  sigaction (SB_WAKE_SIGNAL, &sa, NULL);
}

long
sb_run_blocking (struct sb_call *c, long (*fn) (struct sb_call *c, void *arg), void *arg,
                 size_t argsize)
{
  struct blocking_job *job;
  pthread_attr_t attr;
  int ret;

  /* A thread starts with its creator's credentials: the Sentry's own, not
     file credentials a fast-path call took (directfs.c). */
  sb_direct_release (c->s);
  ret = __atomic_add_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
  if (ret > MAX_BLOCKING)
    {
      __atomic_sub_fetch (&blocking_in_flight, 1, __ATOMIC_RELAXED);
      return -EAGAIN;
    }
  if (ret == 1)
    kill (getpid (), SB_SWEEP_SIGNAL); /* the main thread may be in poll without a timeout */
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

/* The init's last words, relayed before its end is: what it wrote before
   it exited (why a startContainer hook failed, the ends of exec
   sessions) is still in its socket when its exit is reaped. */
static void
drain_init (struct sentry *s)
{
  struct pollfd p = { .fd = s->init_sock, .events = POLLIN };

  while (s->init_sock >= 0 && poll (&p, 1, 0) > 0 && (p.revents & POLLIN))
    {
      sb_control_from_init (s);
      p.fd = s->init_sock;
    }
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
          drain_init (s);
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

/* ---- serving threads --------------------------------------------------------

   How many: one per CPU the sandbox may use, at most 4 (sentry_main.c).
   More threads than CPUs only queue behind each other, and each app thread
   waits in one call at a time, so a sandbox's calls in parallel are
   bounded by its busy threads and its CPUs. Past 4, the Gofer's work per
   call and the kernel's locks of one listener (its notification list is
   one mutex) dominate. Each thread costs an idle sandbox its stack's
   touched pages and its lane's first page (measured in bench/README.md). */

#define SERVING_STACK (512 * 1024)

struct server
{
  struct sentry *s;
  struct sb_lane *lane;
  pthread_t thread;
  bool started;
};

static struct server servers[SB_LANES_MAX];
static bool serving_stop;
static int serving_error;

/* Only lane 0's thread waits in RECV between calls. The kernel wakes every
   thread waiting there for each notification (one wait queue, no exclusive
   wait), so with two waiting, each call cost a needless wake-up and put the
   loser back to sleep (bench/README.md: 1.7 context switches of the Sentry
   per stat with two serving threads, 1.0 with one). The other threads
   sleep on a condition until they are needed, and one is woken:
   - when lane 0, having taken a notification, sees another pending (a poll
     that does not wait);
   - when a serving thread is about to install a descriptor (ADDFD with
     SEND): the kernel answers the caller and then makes the serving thread
     wait until the caller has taken the descriptor, and waking that thread
     after is slow here (an open+close took 100 us with one thread in RECV,
     30 with a second one ready for the caller's next call).
   - when a serving thread has waited 200 us for the Gofer's answer and a
     notification comes before it (sb_serving_wait_readable).
   A helper takes notifications as long as any is pending, then sleeps
   again. */
static pthread_mutex_t help_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t help_cond = PTHREAD_COND_INITIALIZER;
static int helpers_idle, help_wanted;

static bool
notification_pending (struct sentry *s)
{
  struct pollfd p = { .fd = s->listener, .events = POLLIN };

  return poll (&p, 1, 0) > 0 && (p.revents & POLLIN);
}

static void
wake_helper (void)
{
  pthread_mutex_lock (&help_lock);
  if (helpers_idle > help_wanted)
    {
      help_wanted++;
      pthread_cond_signal (&help_cond);
    }
  pthread_mutex_unlock (&help_lock);
}

static void
call_for_help (struct sentry *s)
{
  if (__atomic_load_n (&helpers_idle, __ATOMIC_RELAXED) == 0 || !notification_pending (s))
    return;
  wake_helper ();
}

static __thread bool on_serving_thread;

void
sb_serving_wait_readable (struct sentry *s, int fd)
{
  struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = s->listener, .events = POLLIN } };

  if (!on_serving_thread || s->nlanes < 2 || __atomic_load_n (&helpers_idle, __ATOMIC_RELAXED) == 0)
    return;
  while (poll (p, 2, -1) < 0 && errno == EINTR)
    ;
  if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)) && (p[1].revents & POLLIN))
    wake_helper ();
}

/* The calling serving thread is about to wait on the app (ADDFD). */
static void
sb_serving_will_wait (struct sentry *s)
{
  if (on_serving_thread && s->nlanes > 1 && __atomic_load_n (&helpers_idle, __ATOMIC_RELAXED) > 0)
    wake_helper ();
}

/* A helper's wait for lane 0's call; false when the sandbox ends. */
static bool
wait_for_call (void)
{
  bool go;

  pthread_mutex_lock (&help_lock);
  helpers_idle++;
  while (help_wanted == 0 && !__atomic_load_n (&serving_stop, __ATOMIC_ACQUIRE))
    pthread_cond_wait (&help_cond, &help_lock);
  helpers_idle--;
  go = !__atomic_load_n (&serving_stop, __ATOMIC_ACQUIRE);
  if (go)
    help_wanted--;
  pthread_mutex_unlock (&help_lock);
  return go;
}

static void *
serve_lane (void *p)
{
  struct server *sv = p;
  struct sentry *s = sv->s;
  size_t size = s->notif_size > sizeof (struct seccomp_notif) ? s->notif_size : sizeof (struct seccomp_notif);
  char reqbuf[size] __attribute__ ((aligned (16)));
  struct seccomp_notif *req = (struct seccomp_notif *) reqbuf;
  bool leader = sv == &servers[0], awake = leader;

  sb_lane_enter (sv->lane);
  on_serving_thread = true;
  for (;;)
    {
      struct sb_call call = { .s = s, .req = req };

      if (!awake && !wait_for_call ())
        break;
      memset (req, 0, size);
      if (ioctl (s->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
        {
          if (__atomic_load_n (&serving_stop, __ATOMIC_ACQUIRE))
            break;
          if (errno == EINTR || errno == ENOENT)
            continue;
          /* The main thread ends the sandbox with this error. */
          __atomic_store_n (&serving_error, errno, __ATOMIC_RELEASE);
          kill (getpid (), SB_LANE_FAIL_SIGNAL);
          break;
        }
      if (leader && s->nlanes > 1)
        call_for_help (s);
      call.nr = req->data.nr;
      call.tid = (pid_t) req->pid;
      call.args = (const uint64_t *) req->data.args;
      sentry_dispatch (&call);
      if (!leader)
        awake = notification_pending (s);
    }
  return NULL;
}

static int
servers_start (struct sentry *s, sb_error_t *err)
{
  pthread_attr_t attr;
  int i, ret = 0;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, SERVING_STACK);
  for (i = 0; i < s->nlanes && ret == 0; i++)
    {
      servers[i].s = s;
      servers[i].lane = s->lanes[i];
      ret = pthread_create (&servers[i].thread, &attr, serve_lane, &servers[i]);
      servers[i].started = ret == 0;
    }
  pthread_attr_destroy (&attr);
  if (ret != 0 && i == 1)
    return sb_error (err, ret, "start the thread serving the app's calls");
  return 0; /* fewer threads than lanes: the others' channels stay idle */
}

/* The app is gone: the serving threads leave their RECV (interrupted). */
static void
servers_stop (struct sentry *s)
{
  __atomic_store_n (&serving_stop, true, __ATOMIC_RELEASE);
  pthread_mutex_lock (&help_lock);
  pthread_cond_broadcast (&help_cond);
  pthread_mutex_unlock (&help_lock);
  for (int i = 0; i < s->nlanes; i++)
    if (servers[i].started)
      pthread_kill (servers[i].thread, SB_WAKE_SIGNAL);
}

int
sentry_serve (struct sentry *s, sb_error_t *err)
{
  cleanup_close int sigfd = -1;
  sigset_t mask;
  int gofer_status = 0, code = -1;
  uint64_t last_sweep = 0;

  wake_handler_install ();
  sigemptyset (&mask);
  sigaddset (&mask, SB_LANE_FAIL_SIGNAL);
  sigaddset (&mask, SB_SWEEP_SIGNAL);
  sigprocmask (SIG_BLOCK, &mask, NULL); /* the threads inherit it: for the signalfd */
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGQUIT);
  sigaddset (&mask, SIGUSR1);
  sigaddset (&mask, SIGUSR2);
  sigaddset (&mask, SIGWINCH);
  sigaddset (&mask, SB_LANE_FAIL_SIGNAL);
  sigaddset (&mask, SB_SWEEP_SIGNAL);
  sigfd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0)
    return sb_error (err, errno, "signalfd");
  if (s->nlanes < 1)
    return sb_error (err, EINVAL, "no lane to the Gofer");
  if (servers_start (s, err) < 0)
    return -1;

  for (;;)
    {
      struct pollfd pfd[6] = {
        { .fd = s->listener, .events = 0 },  /* its hang-up; the threads receive */
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
              if ((int) si.ssi_signo == SB_LANE_FAIL_SIGNAL)
                {
                  servers_stop (s);
                  return sb_error (err, __atomic_load_n (&serving_error, __ATOMIC_ACQUIRE),
                                   "receive a notification");
                }
              if ((int) si.ssi_signo == SB_SWEEP_SIGNAL)
                continue; /* the poll below has its timeout again */
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
      if (pfd[0].revents & (POLLHUP | POLLERR))
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
  servers_stop (s);
  if (s->gofer_pid > 0)
    {
      kill (s->gofer_pid, SIGKILL);
      waitpid (s->gofer_pid, NULL, 0);
    }
  return code < 0 ? 125 : code;
}
