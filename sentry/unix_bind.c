/* bind of a Unix socket to a path, made where the app would make it.

   The kernel records a socket's address as the bind gave it, and answers
   it to getsockname, getpeername, accept and recvfrom, which run on the
   host. Bound through /proc/self/fd/N/NAME of the directory the Gofer
   resolved, every socket would be named that way. So, once the Gofer has
   checked the path (the tenant's rules and the errors a program expects),
   the bind is made with the app's own address by a short-lived thread of
   the Sentry whose root and working directory are the caller's (its own
   fs_struct, from unshare(CLONE_FS)), as the caller, with the caller's
   umask.

   The kernel resolves that path again, and another thread of the app may
   have swapped a component since the Gofer's check. That is safe because
   of where it resolves it: the caller's root in the app's mount namespace,
   which holds only the container root with every hidden path covered by
   an empty read-only mount and every read-only path by a read-only bind
   (protect.c), the same argument as for chdir and O_PATH opens; a magic
   link there names the app's processes, never the Sentry (not in its pid
   namespace). test-rules races the path onto a read-only directory. */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct unix_bind_job
{
  struct sb_call *c;
  int sockfd;
  int rootfd;
  int cwdfd;
  mode_t umask;
  const struct sockaddr_un *sun;
  socklen_t len;
  int result;
};

static void *
unix_bind_thread (void *arg)
{
  struct unix_bind_job *j = arg;

  /* This thread's root and cwd only; it ends with the bind. */
  if (unshare (CLONE_FS) < 0 || fchdir (j->rootfd) < 0 || chroot (".") < 0 || fchdir (j->cwdfd) < 0)
    {
      j->result = -errno;
      return NULL;
    }
  umask (j->umask);
  j->result = sb_act_as_caller (j->c);
  if (j->result < 0)
    return NULL;
  j->result = bind (j->sockfd, (const struct sockaddr *) j->sun, j->len) < 0 ? -errno : 0;
  sb_act_as_self (j->c);
  return NULL;
}

/* sentry_root: the path is the Sentry's own link to the directory the Gofer
   resolved (/proc/self/fd/N/NAME), resolved from the Sentry's root, with
   the caller's ids and umask still. */
int
sb_unix_bind_as_app (struct sb_call *c, int sockfd, const struct sockaddr_un *sun, socklen_t len,
                     bool sentry_root)
{
  cleanup_close int rootfd = -1, cwdfd = -1;
  struct unix_bind_job j = { .c = c, .sockfd = sockfd, .sun = sun, .len = len };
  const struct sb_task_status *st;
  char link[64];
  pthread_t t;
  int ret;

  /* The caller's status is read here, on the main thread: the bind thread
     finds it cached. */
  if ((ret = sb_caller_status (c, &st)) < 0)
    return ret;
  j.umask = sb_caller_umask (c);
  if (sentry_root)
    {
      rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
      cwdfd = rootfd < 0 ? -1 : fcntl (rootfd, F_DUPFD_CLOEXEC, 0);
    }
  else
    {
      snprintf (link, sizeof (link), "%d/root", c->tid);
      rootfd = openat (c->s->procfd, link, O_PATH | O_DIRECTORY | O_CLOEXEC);
      snprintf (link, sizeof (link), "%d/cwd", c->tid);
      cwdfd = openat (c->s->procfd, link, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  if (rootfd < 0 || cwdfd < 0)
    return -ESRCH;
  j.rootfd = rootfd;
  j.cwdfd = cwdfd;
  if ((ret = pthread_create (&t, NULL, unix_bind_thread, &j)) != 0)
    return -ret;
  pthread_join (t, NULL);
  return j.result;
}
