/* The Sentry's side of the Gofer protocol (docs/GOFER_PROTOCOL.md): one
   request, one answer, on the main thread. A failure of one exchange fails
   that one call; only a Gofer that is gone ends the sandbox (notify.c
   watches its socket). */
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the Gofer client (main thread only) ---------------------------------- */

/* One exchange: the request (with fds to send) and its answer. An answer
   whose descriptor could not be installed here (the Sentry's table full:
   the kernel drops it and flags the message) fails this call with EMFILE;
   an answer to an earlier request that was given up is skipped. */
static int
gofer_exchange (struct sentry *s, struct sb_gofer_req *hdr, const char *path, const char *path2,
                const void *data, size_t data_len, const int *sendfds, int nsend,
                struct sb_gofer_answer *ans)
{
  static char buf[SB_GOFER_MSG_MAX];
  struct sb_gofer_resp resp;
  int fds[SB_FDPASS_MAX], nfds, i, ret;
  ssize_t n;

  hdr->id = ++s->gofer_next_id;
  n = sb_gofer_req_build (buf, sizeof (buf), hdr, path, path2, data, data_len);
  if (n < 0)
    return (int) n;
  ret = sb_send_msg (s->gofer_sock, buf, n, sendfds, nsend);
  if (ret < 0)
    return ret == -ENOMEM || ret == -ENOBUFS ? -ENOMEM : -EIO;
  for (;;)
    {
      nfds = SB_FDPASS_MAX;
      n = sb_recv_msg_spin (s->gofer_sock, buf, sizeof (buf), fds, &nfds, s->cfg.no_spin ? 0 : 200000);
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

  return gofer_exchange (s, &hdr, path, path2, data, data_len, NULL, 0, ans);
}

int
sb_gofer_hello (struct sentry *s, const int *fds, int nfds, struct sb_gofer_answer *ans)
{
  struct sb_gofer_req hdr = { .op = SB_GOFER_HELLO };

  return gofer_exchange (s, &hdr, NULL, NULL, NULL, 0, fds, nfds, ans);
}

struct sb_gofer_answer sb_last_answer; /* main thread only */

const struct sb_gofer_answer *
sb_gofer_answer (void)
{
  return &sb_last_answer;
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
  int ret;

  ret = sb_gofer_request_cred (c, &req);
  if (ret < 0)
    return ret;
  ret = sb_gofer_call (c->s, &req, path, path2, data, data_len, &sb_last_answer);
  if (ret < 0)
    return ret;
  if (sb_last_answer.result < 0 && sb_last_answer.fd >= 0)
    {
      close (sb_last_answer.fd);
      sb_last_answer.fd = -1;
    }
  return sb_last_answer.result;
}
