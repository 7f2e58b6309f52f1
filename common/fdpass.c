#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

int
sb_send_msg (int sock, const void *buf, size_t len, const int *fds, int nfds)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * SB_FDPASS_MAX)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  if (nfds < 0 || nfds > SB_FDPASS_MAX)
    return -EINVAL;
  if (nfds > 0)
    {
      struct cmsghdr *cmsg;

      memset (&control, 0, sizeof (control));
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * nfds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * nfds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * nfds);
    }
  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  if ((size_t) n != len)
    return -EMSGSIZE;
  return 0;
}

static ssize_t recv_msg_flags (int sock, void *buf, size_t len, int *fds, int *nfds, int flags);

ssize_t
sb_recv_msg (int sock, void *buf, size_t len, int *fds, int *nfds)
{
  return recv_msg_flags (sock, buf, len, fds, nfds, 0);
}

ssize_t
sb_recv_msg_try (int sock, void *buf, size_t len, int *fds, int *nfds, long spin_ns)
{
  struct timespec start, now;
  int capacity = nfds ? *nfds : 0;
  ssize_t n;

  /* No poll at all (a sandbox with a CPU limit): not even one try and a
     yield, two system calls per message for nothing. */
  if (spin_ns <= 0)
    return -EAGAIN;

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;)
    {
      if (nfds)
        *nfds = capacity;
      n = recv_msg_flags (sock, buf, len, fds, nfds, MSG_DONTWAIT);
      if (n != -EAGAIN)
        return n;
      /* If the peer shares this CPU, spinning would only keep it from
         answering: let it run. */
      sched_yield ();
      clock_gettime (CLOCK_MONOTONIC, &now);
      if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) > spin_ns)
        break;
    }
  if (nfds)
    *nfds = capacity;
  return -EAGAIN;
}

ssize_t
sb_recv_msg_spin (int sock, void *buf, size_t len, int *fds, int *nfds, long spin_ns)
{
  int capacity = nfds ? *nfds : 0;
  ssize_t n = sb_recv_msg_try (sock, buf, len, fds, nfds, spin_ns);

  if (n != -EAGAIN)
    return n;
  if (nfds)
    *nfds = capacity;
  return recv_msg_flags (sock, buf, len, fds, nfds, 0);
}

static ssize_t
recv_msg_flags (int sock, void *buf, size_t len, int *fds, int *nfds, int flags)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int) * SB_FDPASS_MAX)];
    struct cmsghdr align;
  } control;
  struct iovec iov = { .iov_base = buf, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof (control.buf) };
  struct cmsghdr *cmsg;
  int capacity = nfds ? *nfds : 0, got = 0;
  ssize_t n;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC | flags);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;

  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
    {
      int count, i, *data;

      if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
        continue;
      count = (cmsg->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      data = (int *) CMSG_DATA (cmsg);
      for (i = 0; i < count; i++)
        {
          if (got < capacity && fds)
            fds[got++] = data[i];
          else
            close (data[i]);
        }
    }
  if (nfds)
    *nfds = got;
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    {
      int i;
      for (i = 0; i < got; i++)
        close (fds[i]);
      if (nfds)
        *nfds = 0;
      return -EMSGSIZE;
    }
  return n;
}
