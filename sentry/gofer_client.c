/* The Sentry's side of the Gofer protocol (docs/GOFER_PROTOCOL.md): one
   request, one answer, on the lane of the thread serving the call: each
   serving thread has a channel of its own to the Gofer (made at the hello),
   so they never wait for each other's answers. A failure of one exchange
   fails that one call; only a Gofer that is gone ends the sandbox
   (notify.c watches lane 0's socket). */
#include "sentry.h"
#include "sys_file.h"
#include "cleanup.h"
#include "fdpass.h"
#include "memory.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- lanes ------------------------------------------------------------------ */

static struct sb_lane *lane0;
static __thread struct sb_lane *this_lane;

void
sb_lane_enter (struct sb_lane *l)
{
  this_lane = l;
}

static struct sb_lane *
lane_current (void)
{
  return this_lane ? this_lane : lane0;
}

/* One mapping per lane: its state, answer, message and scratch buffers.
   Anonymous pages cost nothing until touched: an idle lane is a page. */
static struct sb_lane *
lane_new (int index, int sock)
{
  size_t size = sizeof (struct sb_lane) + sizeof (struct sb_gofer_answer) + SB_GOFER_MSG_MAX
                + SB_LANE_SCRATCH + 64;
  char *p = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct sb_lane *l;

  if (p == MAP_FAILED)
    return NULL;
  l = (struct sb_lane *) p;
  p += (sizeof (*l) + 15) & ~(size_t) 15;
  l->answer = (struct sb_gofer_answer *) p;
  p += (sizeof (struct sb_gofer_answer) + 15) & ~(size_t) 15;
  l->msg = p;
  p += (SB_GOFER_MSG_MAX + 15) & ~(size_t) 15;
  l->scratch = p;
  l->index = index;
  l->gofer_sock = sock;
  l->answer->fd = -1;
  return l;
}

struct sb_gofer_answer *
sb_lane_answer (void)
{
  return lane_current ()->answer;
}

char *
sb_lane_scratch (void)
{
  return lane_current ()->scratch;
}

/* ---- the Gofer client ------------------------------------------------------- */

/* One exchange: the request (with fds to send) and its answer. An answer
   whose descriptor could not be installed here (the Sentry's table full:
   the kernel drops it and flags the message) fails this call with EMFILE;
   an answer to an earlier request that was given up is skipped. */
static int
gofer_exchange (struct sentry *s, struct sb_lane *lane, struct sb_gofer_req *hdr, const char *path,
                const char *path2, const void *data, size_t data_len, const int *sendfds, int nsend,
                struct sb_gofer_answer *ans)
{
  char *buf = lane->msg;
  const size_t buflen = SB_GOFER_MSG_MAX;
  struct sb_gofer_resp resp;
  int fds[SB_FDPASS_MAX], nfds, i, ret;
  ssize_t n;

  hdr->id = ++lane->gofer_next_id;
  n = sb_gofer_req_build (buf, buflen, hdr, path, path2, data, data_len);
  if (n < 0)
    return (int) n;
  ret = sb_send_msg (lane->gofer_sock, buf, n, sendfds, nsend);
  if (ret < 0)
    return ret == -ENOMEM || ret == -ENOBUFS ? -ENOMEM : -EIO;
  for (;;)
    {
      nfds = SB_FDPASS_MAX;
      n = sb_recv_msg_try (lane->gofer_sock, buf, buflen, fds, &nfds, s->cfg.no_spin ? 0 : 200000);
      if (n == -EAGAIN)
        {
          /* A slow answer (a cold disk): the app's other calls meanwhile
             go to another serving thread. */
          sb_serving_wait_readable (s, lane->gofer_sock);
          nfds = SB_FDPASS_MAX;
          n = sb_recv_msg (lane->gofer_sock, buf, buflen, fds, &nfds);
        }
      if (n == -EMSGSIZE)
        return -EMFILE; /* the answer came, its descriptor did not */
      if (n == -ENOMEM || n == -ENOBUFS)
        return -ENOMEM;
      if (n <= 0 || sb_gofer_resp_check (buf, n) < 0)
        {
          for (i = 0; i < nfds; i++)
            close (fds[i]);
          return -EIO;
        }
      memcpy (&resp, buf, sizeof (resp));
      if (resp.id == hdr->id)
        break;
      for (i = 0; i < nfds; i++)
        close (fds[i]);
      if ((int32_t) (hdr->id - resp.id) < 0)
        return -EIO; /* an answer from the future: the peer is broken */
    }
  ans->result = resp.result;
  ans->kind = (int) resp.kind;
  ans->fd = nfds > 0 ? fds[0] : -1;
  for (i = 1; i < nfds; i++)
    close (fds[i]);
  ans->data_len = resp.data_len > sizeof (ans->data) ? sizeof (ans->data) : resp.data_len;
  memcpy (ans->data, buf + sizeof (resp), ans->data_len);
  return 0;
}

int
sb_gofer_call (struct sentry *s, const struct sb_gofer_req *req, const char *path,
               const char *path2, const void *data, size_t data_len,
               struct sb_gofer_answer *ans)
{
  struct sb_gofer_req hdr = *req;

  /* What the Sentry does around a Gofer call, it does as itself. */
  sb_direct_release (s);
  return gofer_exchange (s, lane_current (), &hdr, path, path2, data, data_len, NULL, 0, ans);
}

/* Lane 0 is the channel the Gofer was started with; each other lane gets a
   socketpair here, whose far end travels with the hello (the Gofer serves
   each on a thread of its own). */
int
sb_gofer_hello (struct sentry *s, const int *fds, int nfds, struct sb_gofer_answer *ans)
{
  struct sb_gofer_req hdr = { .op = SB_GOFER_HELLO };
  int send[SB_FDPASS_MAX], nsend = 0, far[SB_LANES_MAX], nfar = 0, want, i, ret;

  want = s->cfg.serve_threads;
  if (want < 1)
    want = 1;
  if (want > SB_LANES_MAX)
    want = SB_LANES_MAX;
  if (want - 1 > SB_FDPASS_MAX - nfds)
    want = SB_FDPASS_MAX - nfds + 1;
  for (i = 0; i < nfds; i++)
    send[nsend++] = fds[i];
  lane0 = s->lanes[0] = lane_new (0, s->gofer_sock);
  if (lane0 == NULL)
    return -ENOMEM;
  s->nlanes = 1;
  for (i = 1; i < want; i++)
    {
      int sv[2];

      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        break;
      s->lanes[i] = lane_new (i, sv[0]);
      if (s->lanes[i] == NULL)
        {
          close (sv[0]);
          close (sv[1]);
          break;
        }
      far[nfar++] = sv[1];
      send[nsend++] = sv[1];
      s->nlanes++;
    }
  ret = gofer_exchange (s, lane0, &hdr, NULL, NULL, NULL, 0, send, nsend, ans);
  for (i = 0; i < nfar; i++)
    close (far[i]);
  return ret;
}

const struct sb_gofer_answer *
sb_gofer_answer (void)
{
  return sb_lane_answer ();
}

/* The capabilities access() checks with (no AT_EACCESS), as the kernel
   gives them to a caller without SECURE_NO_SETUID_FIXUP (the app's
   securebits are none): none unless the real uid is root's, whose check
   has the whole permitted set, even where the effective set is lower. */
uint64_t
sb_access_caps (const struct sb_task_status *st)
{
  return st->cred.uid != 0 ? 0 : st->cap_prm;
}

/* Every Gofer request carries the caller's credentials: the Gofer opens,
   creates and changes files as the caller. */
int
sb_gofer_request_cred (struct sb_call *c, struct sb_gofer_req *req)
{
  const struct sb_task_status *st;
  int ret = sb_caller_status (c, &st);

  if (ret < 0)
    return ret;
  req->cred = st->cred;
  return 0;
}

/* One Gofer round trip; returns the Gofer's result (or -EIO if it is gone). */
int
sb_gofer (struct sb_call *c, uint32_t op, const char *path, const char *path2, int flags,
       uint32_t mode, uint64_t arg, const void *data, size_t data_len)
{
  struct sb_gofer_req req = { .op = op, .flags = flags, .mode = mode, .arg = arg };
  struct sb_gofer_answer *last = sb_lane_answer ();
  const struct sb_task_status *st;
  char redirected[PATH_BUF];
  int ret, hops;

  /* The caller's credentials (sb_gofer_request_cred), read once here: the
     access() case below needs more of its status. */
  ret = sb_caller_status (c, &st);
  if (ret < 0)
    return ret;
  req.cred = st->cred;
  /* access() checks as the caller's real ids would (the Gofer checks with
     the credentials it is given, AT_EACCESS): its real uid and gid in place
     of the fs ones, and the capabilities the kernel gives the check. */
  if (op == SB_GOFER_ACCESS && !(flags & AT_EACCESS))
    {
      req.cred.fsuid = req.cred.uid;
      req.cred.fsgid = req.cred.gid;
      req.cred.cap_eff = sb_access_caps (st);
    }
  /* A path through a symlink into /proc/self is asked again with the
     caller's ids in it (a few times: a link may lead to another). */
  for (hops = 0;; hops++)
    {
      ret = sb_gofer_call (c->s, &req, path, path2, data, data_len, last);
      if (ret < 0)
        return ret;
      if (last->result != -ENOENT || last->kind != SB_GOFER_KIND_REDIRECT
          || path2 != NULL || hops >= 8 || last->data_len == 0
          || last->data_len > sizeof (redirected))
        break;
      memcpy (redirected, last->data, last->data_len);
      redirected[last->data_len - 1] = '\0';
      if (sb_path_redirected (c, redirected, sizeof (redirected)) < 0)
        break;
      path = redirected;
    }
  if (last->result < 0 && last->fd >= 0)
    {
      close (last->fd);
      last->fd = -1;
    }
  return last->result;
}
