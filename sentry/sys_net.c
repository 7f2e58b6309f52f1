/* Sockets and addresses. The Sentry lives in the sandbox's network
   namespace: it makes the sockets the filter does not let the app make
   itself (route netlink; TCP, UDP and Unix sockets are made on the host,
   filter_args.c) and installs them, and it performs bind, connect and
   addressed sends on the app's own socket (taken with pidfd_getfd) using
   an address it copied once. A Unix socket path is
   resolved by the Gofer inside the root and reached through the Sentry's
   own /proc/self/fd, never through a path of the app's choosing. */
#include "sentry.h"
#include "audit.h"
#include "cleanup.h"
#include "memory.h"
#include "net_rules.h"
#include "syscall_table.h"
#include "sys_file.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define SEND_MAX (256 * 1024) /* bytes one mediated send on a stream carries */
/* A datagram or a seqpacket record is sent whole or not at all, as the
   kernel does: up to this size it is copied whole (no socket buffer the app
   can set holds more: SO_SNDBUF is capped by wmem_max), above it the
   answer is the kernel's for a datagram too large, EMSGSIZE. */
#define RECORD_MAX (64 * 1024 * 1024)
#define IOV_MAX_APP 1024
#define CONTROL_MAX 4096

long
sys_socket (struct sb_call *c)
{
  int domain = (int) c->args[0], type = (int) c->args[1], proto = (int) c->args[2];
  long ret;
  int fd;

  if ((ret = sb_net_socket_allowed (c, domain, type, proto)) < 0)
    return ret;
  /* Made as the caller: the socket's owner (which decides whom SO_REUSEPORT
     lets share a port, and the uid a peer sees) is the caller's. */
  fd = sb_act_as_caller (c);
  if (fd < 0)
    return fd;
  fd = socket (domain, type | SOCK_CLOEXEC, proto);
  fd = fd < 0 ? -errno : fd;
  sb_act_as_self (c);
  if (fd < 0)
    return fd;
  ret = sb_inject_fd (c, fd, (type & SOCK_CLOEXEC) != 0);
  close (fd);
  return ret;
}

/* The filter lets socketpair(AF_UNIX) run on the host; the others come
   here. The kernel makes the pair's first socket before it finds that the
   family has no pairs, so what socket() would refuse is refused the same
   way, and the rest answers EOPNOTSUPP (internet and netlink sockets). */
long
sys_socketpair (struct sb_call *c)
{
  int domain = (int) c->args[0], type = (int) c->args[1], proto = (int) c->args[2];
  long ret;

  if ((ret = sb_net_socket_args (domain, type)) < 0)
    return ret;
  if (domain != AF_INET && domain != AF_INET6 && domain != AF_NETLINK)
    return sb_deny (c, EAFNOSUPPORT, "deny-socketpair-family");
  if ((ret = sb_net_socket_allowed (c, domain, type, proto)) < 0)
    return ret;
  return -EOPNOTSUPP;
}

/* An integer SOL_SOCKET option (SO_TYPE, SO_DOMAIN, SO_PROTOCOL) of the
   Sentry's copy of an app socket, or -errno. */
static int
socket_int (int fd, int option)
{
  int v;
  socklen_t l = sizeof (v);

  if (getsockopt (fd, SOL_SOCKET, option, &v, &l) < 0)
    return -errno;
  return v;
}

/* A socket option the filter's allowlist refused (filter_args.c). What the
   kernel answers before it looks at the option is answered the same way:
   EBADF, ENOTSOCK, and EOPNOTSUPP for a level the socket's protocols do not
   have where the kernel says so (500, or UDP's, on a TCP socket's
   getsockopt); the rest is refused with ENOPROTOOPT, what a kernel without
   the option says, and audited. */
long
sys_sockopt_refused (struct sb_call *c)
{
  cleanup_close int fd = sb_get_app_fd (c, (int) c->args[0]);
  int level = (int) c->args[1], domain, proto;
  bool known;

  if (fd < 0)
    return fd;
  if ((domain = socket_int (fd, SO_DOMAIN)) < 0)
    return domain == -ENOTSOCK ? -ENOTSOCK : -EBADF;
  if ((proto = socket_int (fd, SO_PROTOCOL)) < 0)
    return proto;
  /* Where a level no protocol of the socket has ends: IPv4's getsockopt
     says EOPNOTSUPP (its setsockopt and IPv6's say ENOPROTOOPT), a Unix
     socket has SOL_SOCKET alone (EOPNOTSUPP). */
  if (domain == AF_INET && c->nr == SYS_getsockopt)
    known = level == SOL_SOCKET || level == IPPROTO_IP || level == proto;
  else if (domain == AF_UNIX)
    known = level == SOL_SOCKET;
  else
    known = true;
  if (!known)
    return -EOPNOTSUPP;
  return sb_deny (c, ENOPROTOOPT, "deny-arguments");
}


/* How many bytes of a send of total bytes the Sentry copies: a stream takes
   a part (the kernel may send less than asked), a record all or nothing. */
static long
send_size (int fd, size_t total)
{
  int type = socket_int (fd, SO_TYPE);

  if (type < 0)
    return type;
  if (type == SOCK_STREAM)
    return total > SEND_MAX ? SEND_MAX : (long) total;
  return total > RECORD_MAX ? -EMSGSIZE : (long) total;
}

/* Copies a sockaddr of the app. Returns its length or -errno. */
static int
read_sockaddr (struct sb_call *c, uint64_t addr, uint64_t len, struct sockaddr_storage *ss)
{
  int ret;

  if (len < sizeof (sa_family_t) || len > sizeof (*ss))
    return -EINVAL;
  memset (ss, 0, sizeof (*ss));
  ret = sb_mem_read (c->tid, addr, ss, len);
  if (ret < 0)
    return ret;
  if (!sb_call_valid (c))
    return -ECANCELED;
  return (int) len;
}

/* Whether path is "/" or ends in "." or ".." (trailing slashes aside). */
static bool
last_is_dot (const char *path)
{
  size_t n = strlen (path), start;

  while (n > 1 && path[n - 1] == '/')
    n--;
  if (n == 1 && path[0] == '/')
    return true;
  for (start = n; start > 0 && path[start - 1] != '/'; start--)
    ;
  return (n - start == 1 && path[start] == '.') || (n - start == 2 && path[start] == '.' && path[start + 1] == '.');
}

/* Turns a Unix path address into one the Sentry can use: for connect and
   send, /proc/self/fd/N of an O_PATH fd of the socket inode (the Gofer
   followed any symlink inside the root); for bind, /proc/self/fd/N/NAME in
   the parent directory the Gofer resolved. *holdfd keeps N open. led_to
   (SB_GOFER_PATH_MAX bytes, or NULL): where a path through the caller's
   /proc/self or /dev/fd links leads, absolute; "" for any other path. */
static int
unix_path_address (struct sb_call *c, struct sockaddr_un *sun, socklen_t *len, bool for_bind,
                   int *holdfd, char *led_to)
{
  const struct sb_gofer_answer *ans = sb_gofer_answer ();
  char raw[sizeof (sun->sun_path) + 1], abs[SB_GOFER_PATH_MAX];
  size_t n = *len - offsetof (struct sockaddr_un, sun_path);
  int ret;

  memcpy (raw, sun->sun_path, n);
  raw[n] = '\0';
  ret = sb_absolute_path (c, AT_FDCWD, raw, abs, sizeof (abs));
  if (ret < 0)
    return ret;
  /* /proc/self/cwd/..., /dev/fd/N/...: where the caller's links lead. */
  if (led_to)
    snprintf (led_to, SB_GOFER_PATH_MAX, "%s", abs);
  if ((ret = sb_path_redirected (c, abs, sizeof (abs))) < 0)
    return ret;
  if (led_to)
    {
      if (strcmp (led_to, abs) == 0)
        led_to[0] = '\0';
      else
        snprintf (led_to, SB_GOFER_PATH_MAX, "%s", abs);
    }
  ret = sb_gofer (c, for_bind ? SB_GOFER_OPEN_PARENT : SB_GOFER_WALK, abs, NULL, 0, 0, 0, NULL, 0);
  /* A bind to "/", "." or "..": the name exists (the kernel's EEXIST,
     which bind answers as EADDRINUSE), where the Gofer finds no parent. */
  if (ret == -EINVAL && for_bind && last_is_dot (abs))
    return -EADDRINUSE;
  if (ret < 0)
    return ret;
  if (ans->fd < 0)
    return -EIO;
  *holdfd = ans->fd;
  memset (sun->sun_path, 0, sizeof (sun->sun_path));
  if (for_bind)
    n = snprintf (sun->sun_path, sizeof (sun->sun_path), "/proc/self/fd/%d/%.*s", ans->fd,
                  (int) ans->data_len, ans->data);
  else
    n = snprintf (sun->sun_path, sizeof (sun->sun_path), "/proc/self/fd/%d", ans->fd);
  if (n >= sizeof (sun->sun_path))
    return -ENAMETOOLONG;
  *len = offsetof (struct sockaddr_un, sun_path) + n + 1;
  return 0;
}

/* Makes the address usable by the Sentry and applies the tenant's rules
   (net_rules.c: judged by the socket, rewritten to what was judged).
   led_to: unix_path_address's. */
static int
prepare_address (struct sb_call *c, struct sockaddr_storage *ss, socklen_t *len, bool for_bind,
                 int *holdfd, char *led_to)
{
  int ret;

  *holdfd = -1;
  if (led_to)
    led_to[0] = '\0';
  if ((ret = sb_net_judge_address (c, ss, len, for_bind)) < 0)
    return ret;
  if (*len > 0 && ss->ss_family == AF_UNIX && *len > offsetof (struct sockaddr_un, sun_path)
      && ((struct sockaddr_un *) ss)->sun_path[0] != '\0')
    return unix_path_address (c, (struct sockaddr_un *) ss, len, for_bind, holdfd, led_to);
  return 0;
}

static bool
socket_blocks (int fd, int flags)
{
  int fl = fcntl (fd, F_GETFL);
  return fl >= 0 && !(fl & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
}

struct connect_job
{
  int fd;
  int holdfd;
  socklen_t len;
  struct sockaddr_storage ss;
};

static long
connect_run (struct sb_call *c, void *arg)
{
  struct connect_job *j = arg;
  int ret = sb_act_as_caller (c);

  if (ret == 0)
    {
      ret = connect (j->fd, (struct sockaddr *) &j->ss, j->len) < 0 ? -errno : 0;
      sb_act_as_self (c);
    }
  close (j->fd);
  if (j->holdfd >= 0)
    close (j->holdfd);
  return ret;
}

long
sys_bind (struct sb_call *c)
{
  struct sockaddr_storage ss, asked;
  struct sockaddr_un *named = (struct sockaddr_un *) &asked;
  char led_to[SB_GOFER_PATH_MAX];
  cleanup_close int fd = -1;
  cleanup_close int hold = -1;
  socklen_t len, asked_len;
  size_t n;
  int ret;

  ret = read_sockaddr (c, c->args[1], c->args[2], &ss);
  if (ret < 0)
    return ret;
  len = (socklen_t) ret;
  fd = sb_get_app_fd (c, (int) c->args[0]);
  if (fd < 0)
    return fd;
  asked = ss;
  asked_len = len;
  ret = prepare_address (c, &ss, &len, true, &hold, led_to);
  if (ret < 0)
    return ret;
  /* A Unix path the Gofer has checked: bound under the app's own name
     (unix_bind.c), so that every call that shows the address shows it;
     one through the caller's /proc/self or /dev/fd links under the name
     they lead to (the bind thread is not the caller, so its /proc/self is
     not the caller's), or, when that name is too long for an address (the
     reason programs bind through /proc/self/fd/N/NAME), through the
     Sentry's own link to the directory. */
  if (hold >= 0 && led_to[0])
    {
      n = strlen (led_to);
      if (n >= sizeof (named->sun_path))
        return sb_unix_bind_as_app (c, fd, (const struct sockaddr_un *) &ss, len, true);
      memset (named->sun_path, 0, sizeof (named->sun_path));
      memcpy (named->sun_path, led_to, n);
      asked_len = offsetof (struct sockaddr_un, sun_path) + n + 1;
    }
  if (hold >= 0)
    return sb_unix_bind_as_app (c, fd, named, asked_len, false);
  ret = sb_act_as_caller (c);
  if (ret < 0)
    return ret;
  ret = bind (fd, (struct sockaddr *) &ss, len) < 0 ? -errno : 0;
  sb_act_as_self (c);
  return ret;
}

/* A connect in network mode none of a Unix, TCP or UDP socket, once the
   address passed the checks, is made by the kernel for the app itself
   (CONTINUE), as Linux makes it: the listener's peer credentials
   (SO_PEERCRED, which postgres, D-Bus and systemd read) are then the
   caller's pid and ids, and a blocking connect waits in the app's own
   thread (before, a worker of the Sentry made it and handed the answer
   back: 162 us a connect to the loopback, against 29 natively). The
   kernel reads the address again, so what confines a thread that swaps it
   after the check is what confines chdir and O_PATH opens
   (ARCHITECTURE.md): a path resolves in the app's mount namespace, where
   every hidden path is an empty read-only mount; an abstract name is one
   of the sandbox's own network namespace, and an internet address reaches
   that namespace's loopback or nothing (it has no other interface): what
   mode none allows anyway. The same holds for a descriptor swapped for
   another socket. In host mode (and a joined namespace, which only a
   host-mode policy allows) the abstract names and the network are the
   host's: the Sentry connects, with the address it judged. */
static bool
own_connect (struct sb_call *c, int fd)
{
  int domain;

  if (c->s->policy->network != SB_NET_NONE || c->s->cfg.network_host)
    return false;
  domain = socket_int (fd, SO_DOMAIN);
  return domain == AF_UNIX || domain == AF_INET || domain == AF_INET6;
}

long
sys_connect (struct sb_call *c)
{
  struct connect_job job;
  int ret;

  ret = read_sockaddr (c, c->args[1], c->args[2], &job.ss);
  if (ret < 0)
    return ret;
  job.len = (socklen_t) ret;
  job.fd = sb_get_app_fd (c, (int) c->args[0]);
  if (job.fd < 0)
    return job.fd;
  ret = prepare_address (c, &job.ss, &job.len, false, &job.holdfd, NULL);
  if (ret < 0)
    {
      close (job.fd);
      return ret;
    }
  if (own_connect (c, job.fd))
    {
      /* Checked (the Gofer found a Unix path, the rules let the address
         through): the app's own connect, so the peer's SO_PEERCRED names
         its pid, not the Sentry's. */
      close (job.fd);
      if (job.holdfd >= 0)
        close (job.holdfd);
      return SB_RET_CONTINUE;
    }
  /* A blocking connect waits for the peer: off the main loop. */
  if (socket_blocks (job.fd, 0))
    {
      ret = sb_run_blocking (c, connect_run, &job, sizeof (job));
      if (ret != SB_RET_DONE)
        {
          close (job.fd);
          if (job.holdfd >= 0)
            close (job.holdfd);
        }
      return ret;
    }
  return connect_run (c, &job);
}

/* An addressed send: a copied message, sent by the Sentry on the app's socket. */
struct send_job
{
  int fd;
  int holdfd;
  int flags;
  bool blocking;
  struct msghdr msg;
  struct iovec iov;
  struct sockaddr_storage ss;
  int passed[64]; /* descriptors taken from the app for SCM_RIGHTS */
  int npassed;
  char control[CONTROL_MAX];
  char data[];
};

static void
send_job_free (struct send_job *j)
{
  int i;

  close (j->fd);
  if (j->holdfd >= 0)
    close (j->holdfd);
  for (i = 0; i < j->npassed; i++)
    close (j->passed[i]);
  free (j);
}

/* One send, as the caller: descriptors in flight are charged to its user,
   and a peer's credentials name it. */
static long
send_as_caller (struct sb_call *c, struct send_job *j, int flags)
{
  ssize_t n;
  int ret = sb_act_as_caller (c);

  if (ret < 0)
    return ret;
  n = sendmsg (j->fd, &j->msg, j->flags | MSG_NOSIGNAL | flags);
  ret = n < 0 ? -errno : 0;
  sb_act_as_self (c);
  return n < 0 ? ret : n;
}

static long
send_run (struct sb_call *c, void *arg)
{
  struct send_job *j = *(struct send_job **) arg;
  long ret;

  ret = send_as_caller (c, j, j->blocking ? 0 : MSG_DONTWAIT);
  if (ret == -EPIPE && !(j->flags & MSG_NOSIGNAL))
    syscall (SYS_tkill, c->tid, SIGPIPE); /* what the kernel would have sent */
  send_job_free (j);
  return ret;
}

/* Sends now if that cannot block; otherwise on a worker thread. */
static long
send_dispatch (struct sb_call *c, struct send_job *j)
{
  ssize_t n;

  if (!j->blocking)
    return send_run (c, &j);
  n = send_as_caller (c, j, MSG_DONTWAIT);
  if (n >= 0 || (n != -EAGAIN && n != -EWOULDBLOCK))
    {
      long ret = n;
      if (ret == -EPIPE && !(j->flags & MSG_NOSIGNAL))
        syscall (SYS_tkill, c->tid, SIGPIPE);
      send_job_free (j);
      return ret;
    }
  {
    long ret = sb_run_blocking (c, send_run, &j, sizeof (j));
    if (ret != SB_RET_DONE)
      send_job_free (j);
    return ret;
  }
}

static struct send_job *
send_job_new (size_t datalen)
{
  struct send_job *j = calloc (1, sizeof (*j) + datalen);
  if (j)
    {
      j->fd = -1;
      j->holdfd = -1;
    }
  return j;
}

static int
job_address (struct sb_call *c, struct send_job *j, uint64_t addr, uint64_t alen)
{
  socklen_t len;
  int ret;

  if (addr == 0)
    return 0;
  ret = read_sockaddr (c, addr, alen, &j->ss);
  if (ret < 0)
    return ret;
  len = (socklen_t) ret;
  ret = prepare_address (c, &j->ss, &len, false, &j->holdfd, NULL);
  if (ret < 0)
    return ret;
  j->msg.msg_name = &j->ss;
  j->msg.msg_namelen = len;
  return 0;
}

long
sys_sendto (struct sb_call *c)
{
  int fd = sb_get_app_fd (c, (int) c->args[0]);
  long len = fd < 0 ? fd : send_size (fd, c->args[2]);
  struct send_job *j;
  int ret;

  if (len < 0)
    {
      if (fd >= 0)
        close (fd);
      return len;
    }
  j = send_job_new ((size_t) len);
  if (j == NULL)
    {
      close (fd);
      return -ENOMEM;
    }
  j->fd = fd;
  j->flags = (int) c->args[3];
  ret = sb_mem_read (c->tid, c->args[1], j->data, (size_t) len);
  if (ret == 0)
    ret = job_address (c, j, c->args[4], c->args[5]);
  if (ret < 0)
    {
      send_job_free (j);
      return ret;
    }
  j->iov.iov_base = j->data;
  j->iov.iov_len = len;
  j->msg.msg_iov = &j->iov;
  j->msg.msg_iovlen = 1;
  j->blocking = socket_blocks (j->fd, j->flags);
  return send_dispatch (c, j);
}

/* SCM_CREDENTIALS on a Unix socket. The kernel lets a sender name only
   its own pid (without CAP_SYS_ADMIN over the owner of its pid namespace,
   which for the sandbox's is the host's user namespace: the app never has
   it), and its own uid and gid (real, effective or saved) unless it holds
   CAP_SETUID or CAP_SETGID. The Sentry sends with the caller's ids and
   capabilities (send_as_caller), so the kernel judges uid and gid as it
   would the caller's; the pid it would judge is the Sentry's. So the pid is
   checked here against the caller's own, as the app's pid namespace
   numbers it, and then replaced by the Sentry's, which the kernel accepts
   and the receiver sees as 0: the sender is outside its pid namespace. A
   malformed message, or ids the user namespace does not map, are left to
   the kernel (EINVAL), which checks them before the pid. */
static int
credentials_as_sender (struct sb_call *c, struct cmsghdr *cm)
{
  const struct sb_task_status *st;
  struct ucred uc;
  int ret;

  if (cm->cmsg_len != CMSG_LEN (sizeof (uc)))
    return -EINVAL;
  memcpy (&uc, CMSG_DATA (cm), sizeof (uc));
  if ((ret = sb_caller_status (c, &st)) < 0)
    return ret;
  if (uc.uid < c->s->cfg.idmap.count && uc.gid < c->s->cfg.idmap.count && uc.pid != st->nspid)
    return -EPERM;
  uc.pid = getpid ();
  memcpy (CMSG_DATA (cm), &uc, sizeof (uc));
  return 0;
}

/* SCM_RIGHTS carries the app's fd numbers: replace them with the Sentry's
   copies of the same files, refusing Unix sockets and io_urings.
   SCM_CREDENTIALS on a Unix socket is checked as the kernel checks the
   caller's (credentials_as_sender). Other control messages pass only if
   net_rules.c allows them (packet-info messages choose the source and the
   interface). */
static int
translate_control (struct sb_call *c, struct send_job *j, int sock, size_t clen)
{
  struct msghdr m = { .msg_control = j->control, .msg_controllen = clen };
  struct cmsghdr *cm;
  int ret;

  for (cm = CMSG_FIRSTHDR (&m); cm; cm = CMSG_NXTHDR (&m, cm))
    {
      int *fds = (int *) CMSG_DATA (cm);
      size_t i, n;

      if (cm->cmsg_len < CMSG_LEN (0) || (char *) cm + cm->cmsg_len > j->control + clen)
        return -EINVAL;
      n = (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS && socket_int (sock, SO_DOMAIN) == AF_UNIX)
        {
          if ((ret = credentials_as_sender (c, cm)) < 0)
            return ret;
          continue;
        }
      if (!(cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS))
        {
          if ((ret = sb_net_check_cmsg (c, cm->cmsg_level, cm->cmsg_type)) < 0)
            return ret;
          continue;
        }
      for (i = 0; i < n; i++)
        {
          int fd;
          if (j->npassed >= (int) (sizeof (j->passed) / sizeof (j->passed[0])))
            return -ETOOMANYREFS;
          fd = sb_get_app_fd (c, fds[i]);
          if (fd < 0)
            return -EBADF;
          j->passed[j->npassed++] = fd;
          if ((ret = sb_net_check_passed_fd (c, fd)) < 0)
            return ret;
          fds[i] = fd;
        }
    }
  j->msg.msg_control = j->control;
  j->msg.msg_controllen = clen;
  return 0;
}

/* Builds a send job from a struct msghdr in the app's memory. */
static int
msghdr_job (struct sb_call *c, int fd, uint64_t addr, int flags, struct send_job **out)
{
  struct msghdr mh;
  struct iovec iov[IOV_MAX_APP];
  struct send_job *j;
  size_t total = 0, i, at = 0;
  int ret;

  ret = sb_mem_read (c->tid, addr, &mh, sizeof (mh));
  if (ret < 0)
    return ret;
  if (mh.msg_iovlen > IOV_MAX_APP)
    return -EMSGSIZE;
  if (mh.msg_controllen > CONTROL_MAX)
    return -ENOBUFS;
  ret = sb_mem_read (c->tid, (uint64_t) (uintptr_t) mh.msg_iov, iov, mh.msg_iovlen * sizeof (iov[0]));
  if (ret < 0 && mh.msg_iovlen > 0)
    return ret;
  for (i = 0; i < mh.msg_iovlen; i++)
    {
      if (iov[i].iov_len > RECORD_MAX)
        total = RECORD_MAX + 1ul;
      else
        total += iov[i].iov_len;
    }
  long want = send_size (fd, total);
  if (want < 0)
    return (int) want;
  total = (size_t) want;
  j = send_job_new (total);
  if (j == NULL)
    return -ENOMEM;
  for (i = 0; i < mh.msg_iovlen && at < total; i++)
    {
      size_t n = iov[i].iov_len > total - at ? total - at : iov[i].iov_len;
      ret = sb_mem_read (c->tid, (uint64_t) (uintptr_t) iov[i].iov_base, j->data + at, n);
      if (ret < 0)
        goto fail;
      at += n;
    }
  j->iov.iov_base = j->data;
  j->iov.iov_len = total;
  j->msg.msg_iov = &j->iov;
  j->msg.msg_iovlen = 1;
  j->flags = flags;
  if (mh.msg_controllen > 0)
    {
      ret = sb_mem_read (c->tid, (uint64_t) (uintptr_t) mh.msg_control, j->control, mh.msg_controllen);
      if (ret < 0)
        goto fail;
    }
  if (!sb_call_valid (c))
    {
      ret = -ECANCELED;
      goto fail;
    }
  if (mh.msg_controllen > 0 && (ret = translate_control (c, j, fd, mh.msg_controllen)) < 0)
    goto fail;
  if (mh.msg_name && mh.msg_namelen > 0
      && (ret = job_address (c, j, (uint64_t) (uintptr_t) mh.msg_name, mh.msg_namelen)) < 0)
    goto fail;
  *out = j;
  return 0;
fail:
  send_job_free (j);
  return ret;
}

long
sys_sendmsg (struct sb_call *c)
{
  struct send_job *j = NULL;
  int fd = sb_get_app_fd (c, (int) c->args[0]);
  int ret = fd < 0 ? fd : msghdr_job (c, fd, c->args[1], (int) c->args[2], &j);

  if (ret < 0)
    {
      if (fd >= 0)
        close (fd);
      return ret;
    }
  j->fd = fd;
  j->blocking = socket_blocks (j->fd, j->flags);
  return send_dispatch (c, j);
}

/* Each message is sent like sendmsg, without blocking; the count sent is the
   answer (as the kernel does when a later message would block). */
long
sys_sendmmsg (struct sb_call *c)
{
  unsigned vlen = (unsigned) c->args[2], i;
  int flags = (int) c->args[3];
  long sent = 0;

  if (vlen > IOV_MAX_APP)
    vlen = IOV_MAX_APP;
  for (i = 0; i < vlen; i++)
    {
      uint64_t at = c->args[1] + i * sizeof (struct mmsghdr);
      struct send_job *j = NULL;
      unsigned int msg_len;
      int fd = sb_get_app_fd (c, (int) c->args[0]);
      long ret = fd < 0 ? fd : msghdr_job (c, fd, at, flags, &j);

      if (ret == 0)
        {
          j->fd = fd;
          j->blocking = false;
          ret = send_run (c, &j);
        }
      else if (fd >= 0)
        close (fd);
      if (ret < 0)
        return sent > 0 ? sent : ret;
      msg_len = (unsigned int) ret;
      ret = sb_mem_write (c->tid, at + offsetof (struct mmsghdr, msg_len), &msg_len, sizeof (msg_len));
      if (ret < 0)
        return sent > 0 ? sent : ret;
      sent++;
    }
  return sent;
}
