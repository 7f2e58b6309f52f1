/* The Gofer's request loop and its one-time setup message. */
#include "gofer.h"
#include "cleanup.h"
#include "fdpass.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
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
send_reply (struct gofer *g, uint32_t id, struct gofer_reply *r)
{
  static char buf[sizeof (struct sb_gofer_resp) + SB_GOFER_DATA_MAX];
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

int
gofer_serve (struct gofer *g, sb_error_t *err)
{
  static char buf[SB_GOFER_MSG_MAX];
  static struct gofer_reply reply;

  for (;;)
    {
      struct sb_gofer_msg msg;
      int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i, ret;
      ssize_t n;

      /* Calls come in bursts (a program start opens dozens of files): poll
         a little for the next before sleeping, unless a CPU limit says no. */
      n = sb_recv_msg_spin (g->sock, buf, sizeof (buf), fds, &nfds, g->spin_ns);
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
        gofer_handle (g, &msg, &reply);
      ret = send_reply (g, msg.hdr.id, &reply);
      if (ret < 0)
        return sb_error (err, -ret, "send a reply");
    }
}
