/* Who is calling: the calling thread's ids, groups, capabilities, umask and
   pid inside the sandbox, read once per mediated call from its
   /proc/<tid>/status; and acting as that thread for the work the Sentry
   does itself (sockets, reopening a descriptor, chmod of a descriptor).

   The status descriptor of each recent caller stays open: reading it again
   is a third of the cost of opening it, and it can never describe another
   task (a descriptor of /proc/<tid> belongs to that task; once the task is
   gone it answers ESRCH, and the number is opened afresh for whoever has it
   now). */
#include "sentry.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STATUS_CACHE 256

static struct
{
  pid_t tid;
  int fd;
} status_cache[STATUS_CACHE];
static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;

static int
open_status (struct sentry *s, pid_t tid)
{
  char path[32];
  int fd;

  snprintf (path, sizeof (path), "%d/status", tid);
  fd = openat (s->procfd, path, O_RDONLY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/* Reads the caller's status text; -ESRCH once the caller is gone. */
static ssize_t
read_status (struct sentry *s, pid_t tid, char *buf, size_t len)
{
  unsigned slot = (unsigned) tid % STATUS_CACHE;
  ssize_t n = -ESRCH;
  int attempt;

  pthread_mutex_lock (&status_lock);
  for (attempt = 0; attempt < 2; attempt++)
    {
      if (status_cache[slot].tid != tid || status_cache[slot].fd <= 0 || attempt > 0)
        {
          int fd = open_status (s, tid);
          if (status_cache[slot].fd > 0)
            close (status_cache[slot].fd);
          status_cache[slot].tid = tid;
          status_cache[slot].fd = fd > 0 ? fd : 0;
          if (fd < 0)
            {
              n = fd == -ENOENT ? -ESRCH : fd;
              break;
            }
        }
      n = pread (status_cache[slot].fd, buf, len - 1, 0);
      if (n >= 0)
        break;
      n = -errno; /* ESRCH: this number is someone else's now */
    }
  pthread_mutex_unlock (&status_lock);
  if (n >= 0)
    buf[n] = '\0';
  return n;
}

int
sb_caller_status (struct sb_call *c, const struct sb_task_status **out)
{
  char buf[4096];
  ssize_t n;
  int ret;

  if (!c->have_status)
    {
      n = read_status (c->s, c->tid, buf, sizeof (buf));
      if (n < 0)
        return (int) n;
      ret = sb_parse_task_status (buf, &c->status);
      if (ret < 0)
        return ret == -E2BIG ? -EOVERFLOW : -EIO;
      c->have_status = true;
    }
  *out = &c->status;
  return 0;
}

int
sb_act_as_caller (struct sb_call *c)
{
  const struct sb_task_status *st;
  int ret = sb_caller_status (c, &st);

  if (ret < 0)
    return ret;
  return sb_cred_assume (&st->cred, &c->s->self_cred, false);
}

void
sb_act_as_self (struct sb_call *c)
{
  sb_cred_assume (&c->s->self_cred, &c->s->self_cred, false);
}
