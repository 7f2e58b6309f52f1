/* probe_surface: the known triggers of host kernel bugs that the default
   profile must refuse (docs/SURFACE.md, "Known kernel bug triggers"), each
   attempted the way an exploit starts, stopped before anything harmful:

   - Dirty Pipe: splice of a read-only file's page into a pipe (and tee,
     vmsplice); nothing is ever written into the pipe after the splice;
   - mq_notify with a netlink socket, and the message-queue calls;
   - TIOCSETD (a line discipline) and TIOCSTI on a pty; TIOCSPGRP on the
     pty master (on the slave it must work: job control needs it);
   - MAP_GROWSDOWN and PROT_GROWSDOWN (StackRot);
   - SCM_RIGHTS of a Unix socket (the garbage-collector races); of a pipe
     it must work;
   - SCTP, DCCP, UDP-Lite and MPTCP sockets;
   - futex LOCK_PI, MADV_MERGEABLE, O_NOTIFICATION_PIPE, waitid with a
     kernel address, SysV msgget, io_setup.

   A refusal counts only with the errno the sandbox answers (a native run
   gets other results); test-probes.sh also checks each refusal was
   audited, which tells the sandbox's EFAULT for waitid from the kernel's. */
#include "probe.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/netlink.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>

#ifndef O_NOTIFICATION_PIPE
#define O_NOTIFICATION_PIPE O_EXCL
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOCK_DCCP
#define SOCK_DCCP 6
#endif

/* The call failed with one of the errnos the sandbox answers. */
static void
expect_errno (const char *what, long rc, int err, int want1, int want2)
{
  if (rc == -1 && (err == want1 || err == want2))
    probe_refused (what, true, err);
  else if (rc == -1)
    probe_report (false, what, "errno %s: not the sandbox's refusal", probe_errname (err));
  else
    probe_report (false, what, "succeeded, returned %ld", rc);
}

static void
probe_splice (void)
{
  int p[2], fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
  loff_t off = 0;
  char byte = 'x';
  struct iovec iov = { &byte, 1 };

  if (fd < 0 || pipe (p) < 0)
    {
      probe_setup ("open /etc/passwd and a pipe", errno);
      return;
    }
  errno = 0;
  long rc = splice (fd, &off, p[1], NULL, 1, 0);
  expect_errno ("splice(read-only file -> pipe) [Dirty Pipe]", rc, errno, ENOSYS, ENOSYS);
  errno = 0;
  rc = tee (p[0], p[1], 1, SPLICE_F_NONBLOCK);
  expect_errno ("tee(pipe -> pipe)", rc, errno, ENOSYS, ENOSYS);
  errno = 0;
  rc = vmsplice (p[1], &iov, 1, 0);
  expect_errno ("vmsplice(memory -> pipe)", rc, errno, ENOSYS, ENOSYS);
  close (fd);
  close (p[0]);
  close (p[1]);
}

static void
probe_mqueue (void)
{
  int nl = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  static char cookie[32];
  struct sigevent sev;

  memset (&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD;
  sev.sigev_signo = nl;
  sev.sigev_value.sival_ptr = cookie;
  errno = 0;
  long rc = syscall (SYS_mq_notify, 0, &sev);
  expect_errno ("mq_notify(SIGEV_THREAD with a netlink socket)", rc, errno, ENOSYS, ENOSYS);
  errno = 0;
  rc = syscall (SYS_mq_open, "sbprobe-mq", O_RDWR | O_CREAT, 0600, NULL);
  expect_errno ("mq_open(sbprobe-mq)", rc, errno, ENOSYS, ENOSYS);
  if (rc >= 0)
    {
      close ((int) rc);
      mq_unlink ("/sbprobe-mq");
    }
  errno = 0;
  rc = syscall (SYS_msgget, 0 /* IPC_PRIVATE */, 0600);
  expect_errno ("msgget(IPC_PRIVATE) [heap spray]", rc, errno, ENOSYS, ENOSYS);
  if (nl >= 0)
    close (nl);
}

static void
probe_tty (void)
{
  int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), slave, ldisc = 13 /* N_HDLC */;
  struct winsize ws;
  pid_t pgrp = getpgrp ();

  if (master < 0 || grantpt (master) < 0 || unlockpt (master) < 0)
    {
      probe_setup ("open /dev/ptmx", errno);
      return;
    }
  slave = open (ptsname (master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    {
      probe_setup ("open the pty slave", errno);
      close (master);
      return;
    }
  if (ioctl (slave, TIOCGWINSZ, &ws) == 0)
    probe_ok ("TIOCGWINSZ on the pty slave works");
  else
    probe_setup ("TIOCGWINSZ on the pty slave", errno);
  /* Job control on the slave must work: a new session takes the pty as
     its controlling terminal and makes itself the foreground group. */
  pid_t kid = fork ();
  if (kid == 0)
    {
      int ok = setsid () >= 0 && ioctl (slave, TIOCSCTTY, 0) == 0 && tcsetpgrp (slave, getpid ()) == 0
               && tcgetpgrp (slave) == getpid ();
      _exit (ok ? 0 : 1);
    }
  int st = 0;
  if (kid > 0 && waitpid (kid, &st, 0) == kid && WIFEXITED (st) && WEXITSTATUS (st) == 0)
    probe_ok ("TIOCSCTTY and TIOCSPGRP on the pty slave work (job control)");
  else
    probe_setup ("job control on the pty slave failed", 0);
  errno = 0;
  long rc = ioctl (slave, TIOCSETD, &ldisc);
  expect_errno ("ioctl(pty, TIOCSETD, N_HDLC) [line discipline]", rc, errno, ENOTTY, ENOTTY);
  errno = 0;
  rc = ioctl (master, TIOCSETD, &ldisc);
  expect_errno ("ioctl(ptmx, TIOCSETD, N_HDLC)", rc, errno, ENOTTY, ENOTTY);
  errno = 0;
  rc = ioctl (master, TIOCSPGRP, &pgrp);
  expect_errno ("ioctl(ptmx, TIOCSPGRP) [CVE-2020-29661]", rc, errno, ENOTTY, ENOTTY);
  errno = 0;
  rc = ioctl (slave, TIOCSTI, "x");
  expect_errno ("ioctl(pty, TIOCSTI)", rc, errno, ENOTTY, ENOTTY);
  close (slave);
  close (master);
}

static void
probe_growsdown (void)
{
  errno = 0;
  void *m = mmap (NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
  expect_errno ("mmap(MAP_GROWSDOWN) [StackRot]", m == MAP_FAILED ? -1 : 0, errno, EPERM, EPERM);
  if (m != MAP_FAILED)
    munmap (m, 65536);
  m = mmap (NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    {
      probe_setup ("mmap", errno);
      return;
    }
  errno = 0;
  long rc = mprotect (m, 4096, PROT_READ | PROT_GROWSDOWN);
  expect_errno ("mprotect(PROT_GROWSDOWN)", rc, errno, EPERM, EPERM);
  errno = 0;
  rc = madvise (m, 65536, MADV_MERGEABLE);
  expect_errno ("madvise(MADV_MERGEABLE) [KSM]", rc, errno, EINVAL, EINVAL);
  munmap (m, 65536);
}

/* Sends fd over a Unix socket pair with SCM_RIGHTS. */
static long
send_fd (int sock, int fd)
{
  char data = 'x', buf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { &data, 1 };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
  struct cmsghdr *cm = CMSG_FIRSTHDR (&mh);

  memset (buf, 0, sizeof buf);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cm), &fd, sizeof (int));
  return sendmsg (sock, &mh, MSG_DONTWAIT);
}

static void
probe_scm_rights (void)
{
  int sv[2], other[2], p[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0
      || socketpair (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, other) < 0 || pipe (p) < 0)
    {
      probe_setup ("socketpair and pipe", errno);
      return;
    }
  if (send_fd (sv[0], p[0]) == 1)
    probe_ok ("SCM_RIGHTS of a pipe works");
  else
    probe_setup ("SCM_RIGHTS of a pipe", errno);
  errno = 0;
  long rc = send_fd (sv[0], other[0]);
  expect_errno ("sendmsg(SCM_RIGHTS of a Unix socket) [GC race]", rc, errno, EPERM, EPERM);
  errno = 0;
  rc = send_fd (sv[0], sv[1]);
  expect_errno ("sendmsg(SCM_RIGHTS of the peer socket itself)", rc, errno, EPERM, EPERM);
  close (sv[0]);
  close (sv[1]);
  close (other[0]);
  close (other[1]);
  close (p[0]);
  close (p[1]);
}

static void
try_socket (const char *what, int domain, int type, int proto)
{
  errno = 0;
  long rc = socket (domain, type | SOCK_CLOEXEC, proto);
  expect_errno (what, rc, errno, EPROTONOSUPPORT, ESOCKTNOSUPPORT);
  if (rc >= 0)
    close ((int) rc);
}

static void
probe_sockets (void)
{
  try_socket ("socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)", AF_INET, SOCK_STREAM, IPPROTO_SCTP);
  try_socket ("socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP)", AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
  try_socket ("socket(AF_INET6, SOCK_DCCP, IPPROTO_DCCP)", AF_INET6, SOCK_DCCP, IPPROTO_DCCP);
  try_socket ("socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE)", AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
  try_socket ("socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)", AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
  try_socket ("socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
}

static void
probe_misc (void)
{
  static uint32_t word;
  int p[2];

  errno = 0;
  long rc = syscall (SYS_futex, &word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
  expect_errno ("futex(FUTEX_LOCK_PI)", rc, errno, ENOSYS, ENOSYS);
  if (rc == 0)
    syscall (SYS_futex, &word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0);
  errno = 0;
  rc = syscall (SYS_pipe2, p, O_NOTIFICATION_PIPE);
  expect_errno ("pipe2(O_NOTIFICATION_PIPE) [watch queue]", rc, errno, EINVAL, EINVAL);
  if (rc == 0)
    {
      close (p[0]);
      close (p[1]);
    }
  errno = 0;
  /* A kernel address that no mapping can have: WNOHANG and no children, so
     a kernel that looked would answer ECHILD or EFAULT. */
  rc = syscall (SYS_waitid, P_ALL, 0, (void *) 0xffff888000000000ull, WEXITED | WNOHANG, NULL);
  expect_errno ("waitid(infop = kernel address) [CVE-2017-5123]", rc, errno, EFAULT, EFAULT);
  errno = 0;
  unsigned long ctx = 0;
  rc = syscall (SYS_io_setup, 1, &ctx);
  expect_errno ("io_setup(1) [old AIO]", rc, errno, ENOSYS, ENOSYS);
  if (rc == 0)
    syscall (SYS_io_destroy, ctx);
}

int
main (void)
{
  probe_init ();
  probe_splice ();
  probe_mqueue ();
  probe_tty ();
  probe_growsdown ();
  probe_scm_rights ();
  probe_sockets ();
  probe_misc ();
  return probe_status ();
}
