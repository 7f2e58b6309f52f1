/* Unit tests for common/util.c's helpers about other processes:
   sb_proc_stat, a process's parent and start time from /proc/<pid>/stat,
   which sandboxd uses to tell a live monitor from a process that reused its
   pid (daemon/api_oci.c); the command's name may hold spaces and
   parentheses; a process gone is ESRCH. sb_wait_exit, the wait for a
   hook's or a monitor's end (runtime/, the sandbox's init): woken by the
   end, a timeout, a process that is not our child; sb_wait_child, which
   kills and reaps a hook that outlives its timeout. */
#include "util.h"
#include "check_run.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

START_TEST (reads_own_parent_and_start)
{
  pid_t parent = 0, again = 0;
  unsigned long long start = 0, same = 0;

  ck_assert_int_eq (sb_proc_stat (0, &parent, &start), 0);
  ck_assert_int_eq (parent, getppid ());
  ck_assert_uint_gt (start, 0);
  ck_assert_int_eq (sb_proc_stat (getpid (), &again, &same), 0);
  ck_assert_int_eq (again, parent);
  ck_assert_uint_eq (same, start);
}
END_TEST

/* A child named ") 1 2 (x": the fields after the last parenthesis. */
START_TEST (a_name_with_parentheses)
{
  int ready[2];
  char c;
  pid_t child, parent = 0;
  unsigned long long start = 0, ours = 0;

  ck_assert_int_eq (pipe (ready), 0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      prctl (PR_SET_NAME, ") 1 2 (x", 0, 0, 0);
      if (write (ready[1], "r", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  ck_assert_int_eq (read (ready[0], &c, 1), 1);
  ck_assert_int_eq (sb_proc_stat (child, &parent, &start), 0);
  ck_assert_int_eq (sb_proc_stat (0, NULL, &ours), 0);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  ck_assert_int_eq (parent, getpid ());
  ck_assert_uint_ge (start, ours);
}
END_TEST

START_TEST (a_process_gone_is_esrch)
{
  pid_t child = fork ();

  ck_assert_int_ge (child, 0);
  if (child == 0)
    _exit (0);
  waitpid (child, NULL, 0);
  ck_assert_int_eq (sb_proc_stat (child, NULL, NULL), -ESRCH);
}
END_TEST

/* The two questions asked of a pid before trusting it: still the process
   that started then, still the child of that parent. A pid with no
   process is neither. */
START_TEST (started_at_and_child_of)
{
  unsigned long long start = 0;
  pid_t gone = fork ();

  ck_assert_int_ge (gone, 0);
  if (gone == 0)
    _exit (0);
  waitpid (gone, NULL, 0);
  ck_assert_int_eq (sb_proc_stat (0, NULL, &start), 0);
  ck_assert (sb_proc_started_at (getpid (), start));
  ck_assert (!sb_proc_started_at (getpid (), start + 1));
  ck_assert (!sb_proc_started_at (gone, start));
  ck_assert (sb_proc_child_of (getpid (), getppid ()));
  ck_assert (!sb_proc_child_of (getpid (), getpid ()));
  ck_assert (!sb_proc_child_of (gone, getpid ()));
}
END_TEST

static double
ms_since (const struct timespec *t0)
{
  struct timespec t;

  clock_gettime (CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A child that ends after 30 ms: the wait returns then, long before its
   timeout, and the exit status is still there for waitpid. */
START_TEST (wait_exit_woken_by_the_end)
{
  struct timespec t0, nap = { 0, 30 * 1000 * 1000 };
  pid_t child;
  int status = 0;
  double ms;

  clock_gettime (CLOCK_MONOTONIC, &t0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      nanosleep (&nap, NULL);
      _exit (7);
    }
  ck_assert_int_eq (sb_wait_exit (child, 20000), 0);
  ms = ms_since (&t0);
  ck_assert_int_eq (waitpid (child, &status, WNOHANG), child);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 7);
  ck_assert_msg (ms >= 25 && ms < 10000, "waited %.1f ms", ms);
}
END_TEST

/* A child that lives on: -ETIMEDOUT after the timeout, not before; the
   child is untouched. A wait for ever (-1) returns once it is killed. */
START_TEST (wait_exit_times_out)
{
  struct timespec t0;
  pid_t child = fork ();
  int status = 0;
  double ms;

  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  ck_assert_int_eq (sb_wait_exit (child, 150), -ETIMEDOUT);
  ms = ms_since (&t0);
  ck_assert_msg (ms >= 149, "timed out after %.1f ms", ms);
  ck_assert_int_eq (waitpid (child, &status, WNOHANG), 0);
  kill (child, SIGKILL);
  ck_assert_int_eq (sb_wait_exit (child, -1), 0);
  ck_assert_int_eq (waitpid (child, &status, 0), child);
  ck_assert (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
}
END_TEST

/* Not our child (a grandchild, as the runtime's delete waits for a
   monitor it did not start), and a pid with no process: both end. */
START_TEST (wait_exit_of_another_process)
{
  int p[2];
  pid_t child, grandchild = 0;

  ck_assert_int_eq (pipe (p), 0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      pid_t g = fork ();
      if (g == 0)
        {
          struct timespec nap = { 0, 50 * 1000 * 1000 };
          nanosleep (&nap, NULL);
          _exit (0);
        }
      if (write (p[1], &g, sizeof (g)) != sizeof (g))
        _exit (1);
      waitpid (g, NULL, 0);
      _exit (0);
    }
  ck_assert_int_eq (read (p[0], &grandchild, sizeof (grandchild)), (ssize_t) sizeof (grandchild));
  ck_assert_int_eq (waitpid (grandchild, NULL, WNOHANG), -1);
  ck_assert_int_eq (sb_wait_exit (grandchild, 20000), 0);
  ck_assert_int_eq (sb_wait_exit (child, 20000), 0);
  waitpid (child, NULL, 0);
  ck_assert_int_eq (sb_wait_exit (child, 1000), 0);
}
END_TEST

/* A child that exits with code at once, or (code < 0) waits for ever. */
static pid_t
child_exiting (int code)
{
  pid_t child = fork ();

  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      while (code < 0)
        pause ();
      _exit (code);
    }
  return child;
}

/* sb_wait_child, the hooks' wait: a child's status within its timeout or
   without one; one that outlives it is killed and reaped (no zombie
   left). */
START_TEST (wait_child_reaps_or_kills)
{
  int status = 0;
  pid_t child;

  ck_assert_int_eq (sb_wait_child (child_exiting (5), 20, &status), 0);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 5);
  ck_assert_int_eq (sb_wait_child (child_exiting (6), 0, &status), 0);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 6);
  child = child_exiting (-1);
  ck_assert_int_eq (sb_wait_child (child, 1, &status), -ETIMEDOUT);
  ck_assert (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  ck_assert_int_eq (waitpid (child, NULL, WNOHANG), -1);
  ck_assert_int_eq (errno, ECHILD);
}
END_TEST

SB_CHECK_MAIN ("util", "processes", reads_own_parent_and_start, a_name_with_parentheses, a_process_gone_is_esrch,
               started_at_and_child_of, wait_exit_woken_by_the_end, wait_exit_times_out, wait_exit_of_another_process, wait_child_reaps_or_kills)
