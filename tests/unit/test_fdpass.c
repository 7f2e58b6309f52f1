/* Unit tests for common/fdpass.c's receive with a poll first
   (sb_recv_msg_spin): without a poll it blocks at once, with one it still
   gets a message that comes late, and a descriptor arrives with it. */
#include "fdpass.h"
#include "check_run.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* In a child: a peer sends "late" (and a descriptor) after 50 ms while the
   child waits with sb_recv_msg_spin (spin_ns). With forbid_yield, the
   child's sched_yield kills it (SIGSYS). Returns the child's wait status. */
static int
receive_late (long spin_ns, bool forbid_yield)
{
  int sv[2], status = -1;
  pid_t peer, child;

  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  peer = fork ();
  ck_assert_int_ge (peer, 0);
  if (peer == 0)
    {
      int fd = open ("/dev/null", O_RDONLY);
      usleep (50000);
      _exit (sb_send_msg (sv[1], "late", 4, &fd, 1) == 0 ? 0 : 1);
    }
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      char buf[16];
      int fds[1], nfds = 1;
      ssize_t n;

      if (forbid_yield)
        {
          scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
          if (ctx == NULL || seccomp_rule_add (ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS (sched_yield), 0) < 0
              || seccomp_load (ctx) < 0)
            _exit (3);
        }
      n = sb_recv_msg_spin (sv[0], buf, sizeof (buf), fds, &nfds, spin_ns);
      _exit (n == 4 && memcmp (buf, "late", 4) == 0 && nfds == 1 && fcntl (fds[0], F_GETFD) == FD_CLOEXEC ? 0 : 2);
    }
  close (sv[0]);
  close (sv[1]);
  ck_assert_int_eq (waitpid (child, &status, 0), child);
  waitpid (peer, NULL, 0);
  return status;
}

START_TEST (no_spin_blocks_without_a_poll)
{
  /* A sandbox with a CPU limit polls not at all: no try, no yield. */
  int status = receive_late (0, true);

  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0,
                 "spin_ns 0 polled (status %#x; SIGSYS: it yielded)", status);
}
END_TEST

START_TEST (spin_gets_a_late_message)
{
  /* A 1 ms poll, the message after 50 ms: it still arrives, by the blocking receive. */
  int status = receive_late (1000000, false);

  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "status %#x", status);
}
END_TEST

SB_CHECK_MAIN ("fdpass", "recv_spin", no_spin_blocks_without_a_poll, spin_gets_a_late_message)
