/* sandbox-gofer ROOT: serves the Sentry on fd 3 (and on the channels its
   hello brings, a thread each). Started by sandbox-sentry
   inside the sandbox's namespaces; not meant to be run by hand. */
#include "gofer.h"
#include "capabilities.h"
#include "cleanup.h"
#include "fdpass.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GOFER_SOCK_FD 3

static int
enter_root (const char *root, sb_error_t *err)
{
  if (unshare (CLONE_NEWNS | CLONE_NEWNET) < 0)
    return sb_error (err, errno, "unshare mount and network namespaces");
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return sb_error (err, errno, "make mounts private");
  return sb_pivot_into (root, err);
}

/* The hello: the procfs, the user namespace, then the Gofer's ends of the
   Sentry's further channels (up to SB_FDPASS_MAX - 2). */
static int
await_hello (struct gofer *g, int *channels, int *nchannels, sb_error_t *err)
{
  char buf[SB_GOFER_MSG_MAX];
  struct sb_gofer_msg msg;
  struct sb_gofer_resp resp = { .magic = SB_GOFER_MAGIC };
  int fds[SB_FDPASS_MAX], nfds = SB_FDPASS_MAX, i, ret;
  ssize_t n;

  n = sb_recv_msg (g->sock, buf, sizeof (buf), fds, &nfds);
  if (n <= 0)
    return sb_error (err, n < 0 ? (int) -n : EPIPE, "receive the hello");
  if (sb_gofer_req_parse (buf, n, &msg) < 0 || msg.hdr.op != SB_GOFER_HELLO || nfds < 2)
    {
      for (i = 0; i < nfds; i++)
        close (fds[i]);
      return sb_error (err, EPROTO, "the first request must be a hello with the procfs "
                       "and the user namespace");
    }
  *nchannels = 0;
  for (i = 2; i < nfds; i++)
    {
      struct stat st;
      int type = 0;
      socklen_t len = sizeof (type);

      /* Only sockets of the Sentry's kind: a channel is nothing else. */
      if (fstat (fds[i], &st) < 0 || !S_ISSOCK (st.st_mode)
          || getsockopt (fds[i], SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET)
        {
          for (int j = 0; j < nfds; j++)
            close (fds[j]);
          return sb_error (err, EPROTO, "the hello's channel %d is not a seqpacket socket", i - 1);
        }
      channels[(*nchannels)++] = fds[i];
    }
  ret = gofer_hello (g, fds, 2, err);
  resp.id = msg.hdr.id;
  resp.result = ret;
  sb_send_msg (g->sock, &resp, sizeof (resp), NULL, 0);
  return ret;
}

int
main (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct gofer g = { .rootfd = -1, .ro_rootfd = -1, .selfprocfd = -1, .sock = GOFER_SOCK_FD, .spin_ns = 300000 };
  int k;
  /* Docker's set in the tenant's namespace: the most any caller can have;
     each request runs with the caller's own. */
  uint64_t caps = sb_caps_docker_default;
  int channels[SB_FDPASS_MAX], nchannels = 0;

  {
    int i = 1;

    /* A CPU limit: polling would spend the sandbox's own quota. */
    if (i < argc && strcmp (argv[i], "--no-spin") == 0)
      {
        g.spin_ns = 0;
        i++;
      }
    /* The tenant's rules, expanded by the Sentry (sentry/protect.c). */
    for (; i + 1 < argc && argv[i + 1][0] == '/'; i += 2)
      {
        if (strcmp (argv[i], "--hidden") == 0 && g.nhidden < SB_GOFER_MAX_RULES)
          g.hidden[g.nhidden++] = argv[i + 1];
        else if (strcmp (argv[i], "--read-only") == 0 && g.nread_only < SB_GOFER_MAX_RULES)
          g.read_only[g.nread_only++] = argv[i + 1];
        else
          break;
      }
    if (i != argc - 1 || argv[i][0] != '/')
      {
        fprintf (stderr, "usage: sandbox-gofer [--no-spin] [--hidden PATH | --read-only PATH]... ROOT "
                 "(started by sandbox-sentry)\n");
        return 2;
      }
    argv[1] = argv[i];
  }
  for (k = 0; k < SB_SYNTHETIC_COUNT; k++)
    g.synthetic_fd[k] = -1;
  if (fcntl (GOFER_SOCK_FD, F_GETFD) < 0)
    {
      fprintf (stderr, "sandbox-gofer: no socket on fd %d\n", GOFER_SOCK_FD);
      return 2;
    }
  if ((g.selfprocfd = sb_new_procfs (&err)) < 0 || enter_root (argv[1], &err) < 0)
    goto fail;
  g.rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (g.rootfd < 0)
    {
      sb_error (&err, errno, "open the root");
      goto fail;
    }
  /* Made while the Gofer may still mount (before the hello makes it the
     tenant's root): gofer_open.c hands out files read by a read-only name
     from this copy. */
  if (g.nread_only > 0
      && ((g.ro_rootfd = sb_mount_clone (g.rootfd, true, "the root", &err)) < 0
          || sb_mount_set (g.ro_rootfd, MOUNT_ATTR_RDONLY, -1, "the root's read-only copy", &err) < 0))
    goto fail;
  if (await_hello (&g, channels, &nchannels, &err) < 0)
    goto fail;
  /* The app's umask is applied by the Sentry before a mode reaches us. */
  umask (0);
  if (sb_caps_restrict (caps, &err) < 0 || sb_cred_self (&g.self, &err) < 0)
    goto fail;
  g.current = g.self;
  /* The channel threads start with these credentials and capabilities,
     and get the filter with the main thread (TSYNC); they serve only once
     it is in force. */
  if (gofer_start_channels (&g, channels, nchannels, &err) < 0 || gofer_apply_filter (&err) < 0)
    goto fail;
  gofer_open_channels ();
  if (gofer_serve (&g, &err) < 0)
    goto fail;
  return 0;
fail:
  sb_error_print ("sandbox-gofer", &err);
  return 1;
}
