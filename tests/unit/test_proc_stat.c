/* Unit tests for common/util.c's sb_proc_stat: a process's parent and
   start time from /proc/<pid>/stat, which sandboxd uses to tell a live
   monitor from a process that reused its pid (daemon/api_oci.c). The
   command's name may hold spaces and parentheses; a process gone is
   ESRCH. */
#include "util.h"
#include "check_run.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

SB_CHECK_MAIN ("util", "proc_stat", reads_own_parent_and_start, a_name_with_parentheses, a_process_gone_is_esrch)
