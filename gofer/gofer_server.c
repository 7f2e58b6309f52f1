/* The Gofer's request loop and its one-time setup message. */
#include "gofer.h"
#include "cleanup.h"
#include "fdpass.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* Attaches the container's procfs (a detached mount made inside the app's pid
   namespace, with its masks) at /proc in the Gofer's root, records the
   inodes of the files the Sentry answers itself (held open, so their
   numbers stay) and the masks. */
int
gofer_attach_proc (struct gofer *g, int procmnt, sb_error_t *err)
{
  cleanup_close int fd = procmnt;
  struct stat st;
  int i;

  if (g->proc_attached)
    return sb_error (err, EEXIST, "procfs already attached");
  if (syscall (SYS_move_mount, fd, "", AT_FDCWD, "/proc", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return sb_error (err, errno, "attach the container procfs at /proc");
  if (stat ("/proc", &st) < 0)
    return sb_error (err, errno, "stat /proc");
  g->proc_dev = st.st_dev;
  for (i = 0; i < SB_SYNTHETIC_COUNT; i++)
    {
      char path[64];
      snprintf (path, sizeof (path), "/proc/%s", sb_synthetic_names[i]);
      g->synthetic_fd[i] = open (path, O_PATH | O_CLOEXEC);
      if (g->synthetic_fd[i] >= 0 && fstat (g->synthetic_fd[i], &st) == 0 && st.st_dev == g->proc_dev)
        g->synthetic_ino[i] = st.st_ino;
    }
  g->proc_attached = true;
  gofer_learn_masks (g);
  return 0;
}

int
gofer_hello (struct gofer *g, const int *fds, int nfds, sb_error_t *err)
{
  int ret;

  if (nfds != 2)
    return sb_error (err, EPROTO, "hello: expected the procfs and the user namespace");
  if (g->in_userns)
    {
      close (fds[0]);
      close (fds[1]);
      return sb_error (err, EEXIST, "hello: given twice");
    }
  ret = gofer_attach_proc (g, fds[0], err);
  if (ret == 0)
    ret = sb_userns_enter (fds[1], err);
  if (ret == 0)
    ret = sb_cred_fix_securebits (err);
  close (fds[1]);
  if (ret == 0)
    {
      g->in_userns = true;
      prctl (PR_SET_PDEATHSIG, SIGKILL); /* changing ids cleared it */
    }
  return ret;
}

/* The errno the app gets when its descriptor could not be handed over:
   too many descriptors in flight for the tenant's user (ETOOMANYREFS), no
   memory for the message. */
static int
handover_errno (int e)
{
  switch (e)
    {
    case ETOOMANYREFS:
    case EMFILE:
    case ENFILE:
      return EMFILE;
    case ENOMEM:
    case ENOBUFS:
      return ENOMEM;
    default:
      return 0;
    }
}

/* Sends the answer. A descriptor that cannot travel now fails this one
   request with an errno, never the Gofer: the app can fill the quota of
   descriptors in flight, or memory, at will. */
static int
send_reply (struct gofer *g, char *buf, uint32_t id, struct gofer_reply *r)
{
  struct sb_gofer_resp hdr = { .magic = SB_GOFER_MAGIC, .id = id, .result = r->result,
                               .kind = (uint32_t) r->kind, .data_len = (uint32_t) r->data_len };
  int ret, e;

  memcpy (buf, &hdr, sizeof (hdr));
  if (r->data_len)
    memcpy (buf + sizeof (hdr), r->data, r->data_len);
  ret = sb_send_msg (g->sock, buf, sizeof (hdr) + r->data_len, &r->fd, r->fd >= 0 ? 1 : 0);
  if (ret < 0 && r->fd >= 0 && (e = handover_errno (-ret)) != 0)
    {
      hdr.result = -e;
      hdr.kind = SB_GOFER_KIND_NONE;
      hdr.data_len = 0;
      ret = sb_send_msg (g->sock, &hdr, sizeof (hdr), NULL, 0);
    }
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
  return ret;
}

/* The caller's credentials for one request: only when they differ from
   those in force (switching costs several system calls). A failure to take
   them fails the request. */
static int
act_as (struct gofer *g, const struct sb_cred *c)
{
  int ret;

  if (sb_cred_equal (&g->current, c))
    return 0;
  ret = sb_cred_assume (c, &g->self, true);
  g->current = ret == 0 ? *c : g->self;
  return ret;
}

/* A channel's buffers: a request, a reply, and the reply's message. One
   mapping, touched only as far as messages reach. */
struct channel_buffers
{
  char req[SB_GOFER_MSG_MAX];
  struct gofer_reply reply;
  char resp[sizeof (struct sb_gofer_resp) + SB_GOFER_DATA_MAX];
};

int
gofer_serve (struct gofer *g, sb_error_t *err)
{
  struct channel_buffers *cb = mmap (NULL, sizeof (*cb), PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char *buf;
  struct gofer_reply *rp;

  if (cb == MAP_FAILED)
    return sb_error (err, errno, "map a channel's buffers");
  buf = cb->req;
  rp = &cb->reply;
#define reply (*rp)
  for (;;)
    {
      struct sb_gofer_msg msg;
      int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i, ret;
      ssize_t n;

      /* Calls come in bursts (a program start opens dozens of files): poll
         a little for the next before sleeping, unless a CPU limit says no. */
      n = sb_recv_msg_spin (g->sock, buf, sizeof (cb->req), fds, &nfds, g->spin_ns);
      if (n == 0)
        return 0; /* the Sentry is gone: so is the sandbox */
      if (n < 0)
        return sb_error (err, (int) -n, "receive a request");
      ret = sb_gofer_req_parse (buf, n, &msg);
      if (ret < 0)
        {
          /* A malformed request means a broken or hostile peer: stop serving. */
          for (i = 0; i < nfds; i++)
            close (fds[i]);
          return sb_error (err, -ret, "malformed request from the Sentry");
        }
      /* Every operation takes no descriptor (HELLO came first, and once). */
      for (i = 0; i < nfds; i++)
        close (fds[i]);
      if (msg.hdr.op == SB_GOFER_HELLO)
        {
          reply.result = -EEXIST;
          reply.kind = SB_GOFER_KIND_NONE;
          reply.fd = -1;
          reply.data_len = 0;
        }
      else if ((ret = act_as (g, &msg.hdr.cred)) < 0)
        {
          reply.result = ret;
          reply.kind = SB_GOFER_KIND_NONE;
          reply.fd = -1;
          reply.data_len = 0;
        }
      else
        {
          g->redirect[0] = '\0';
          gofer_handle (g, &msg, &reply);
          if (reply.result == -ENOENT && g->redirect[0] && reply.kind == SB_GOFER_KIND_NONE
              && reply.fd < 0 && reply.data_len == 0 && msg.path2 == NULL)
            {
              reply.kind = SB_GOFER_KIND_REDIRECT;
              reply.data_len = strlen (g->redirect) + 1;
              memcpy (reply.data, g->redirect, reply.data_len);
            }
        }
      ret = send_reply (g, cb->resp, msg.hdr.id, &reply);
      if (ret < 0)
        return sb_error (err, -ret, "send a reply");
    }
#undef reply
}

/* ---- more channels ------------------------------------------------------------

   The Sentry serves the app's calls on several threads, each with its own
   channel; the hello brings the Gofer's ends of the channels other than
   the first. Each is served by a thread of its own with its own copy of
   the Gofer's state (its socket, the credentials in force, the redirect
   of the request at hand); the rules, the root and the procfs are shared
   and read-only by then. The threads are made before the seccomp filter
   is loaded (which then covers them too, SECCOMP_FILTER_FLAG_TSYNC), so
   the filter needs no clone, and they wait until it is in force. Each
   acts as its callers with per-thread raw system calls (common/creds.c):
   glibc's setfsuid family would change every thread of the process. */

struct channel
{
  struct gofer g;
  pthread_t thread;
};

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int gate_arrived;

static void *
channel_thread (void *p)
{
  struct channel *ch = p;
  sb_error_t err = NULL;

  pthread_mutex_lock (&gate_lock);
  gate_arrived++;
  pthread_cond_broadcast (&gate_cond);
  while (!gate_open)
    pthread_cond_wait (&gate_cond, &gate_lock);
  pthread_mutex_unlock (&gate_lock);
  if (gofer_serve (&ch->g, &err) < 0)
    {
      /* A broken channel is a broken Sentry: the whole Gofer stops. */
      sb_error_print ("sandbox-gofer", &err);
      _exit (1);
    }
  close (ch->g.sock);
  return NULL;
}

int
gofer_start_channels (const struct gofer *g, const int *socks, int n, sb_error_t *err)
{
  pthread_attr_t attr;
  int i, ret = 0;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, 256 * 1024); /* touched only as deep as a request goes */
  for (i = 0; i < n; i++)
    {
      struct channel *ch = malloc (sizeof (*ch));

      if (ch == NULL)
        {
          ret = ENOMEM;
          break;
        }
      ch->g = *g;
      ch->g.sock = socks[i];
      ret = pthread_create (&ch->thread, &attr, channel_thread, ch);
      if (ret != 0)
        {
          free (ch);
          break;
        }
      pthread_detach (ch->thread);
    }
  pthread_attr_destroy (&attr);
  if (ret)
    return sb_error (err, ret, "start the thread of channel %d", i + 1);
  /* Each thread has finished glibc's start-up (rseq, robust list: calls
     the filter does not allow) before the filter comes. */
  pthread_mutex_lock (&gate_lock);
  while (gate_arrived < n)
    pthread_cond_wait (&gate_cond, &gate_lock);
  pthread_mutex_unlock (&gate_lock);
  return 0;
}

void
gofer_open_channels (void)
{
  pthread_mutex_lock (&gate_lock);
  gate_open = true;
  pthread_cond_broadcast (&gate_cond);
  pthread_mutex_unlock (&gate_lock);
}
