/* Unit tests for sb_cgroup_enter (libsandbox/cgroup.c): the calling
   process enters the sandbox's cgroup in every hierarchy. On cgroup v1 a
   single-threaded caller moves through `tasks` (its one thread, without
   the kernel's global lock); a caller with threads must still move whole,
   or its other threads would stay behind. Needs root and the host's
   cgroups (/sys/fs/cgroup), as CI has; each test runs in its own process
   (Check's fork mode) and leaves the cgroup before removing it. */
#include "cgroup.h"
#include "check_run.h"
#include "util.h"

#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Every line of a /proc/.../cgroup file of the hierarchies cg uses names
   a path ending in want. */
static bool
in_cgroup (const char *procfile, struct sb_cgroup *cg, const char *want)
{
  char text[8192], *save = NULL;
  ssize_t n = sb_read_file_at (AT_FDCWD, procfile, text, sizeof (text));
  int seen = 0;

  if (n <= 0)
    return false;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      bool ours = false;
      size_t lw = strlen (want), lp;

      if (c2 == NULL)
        continue;
      *c2 = '\0';
      for (int i = 0; i < cg->ndirs; i++)
        ours |= cg->v2 ? c1[1] == '\0' : strcmp (c1 + 1, cg->controllers[i]) == 0;
      if (!ours)
        continue;
      seen++;
      lp = strlen (c2 + 1);
      if (lp < lw || strcmp (c2 + 1 + lp - lw, want) != 0)
        return false;
    }
  return seen == cg->ndirs || (cg->v2 && seen == 1);
}

/* Back to each hierarchy's root, so that the cgroup can go. */
static void
leave (struct sb_cgroup *cg)
{
  for (int i = 0; i < cg->ndirs; i++)
    {
      char root[8400], *end;
      snprintf (root, sizeof (root), "%s", cg->dirs[i]);
      for (int k = 0; k < 2 && (end = strrchr (root, '/')) != NULL; k++)
        *end = '\0';
      strcat (root, "/cgroup.procs");
      sb_write_file (root, "0", NULL);
    }
}

static void
make (struct sb_cgroup *cg, char *name, size_t len)
{
  sb_error_t err = NULL;

  snprintf (name, len, "unit-enter-%d", (int) getpid ());
  memset (cg, 0, sizeof (*cg));
  ck_assert_msg (sb_cgroup_create (cg, "/sys/fs/cgroup", name, &err) == 0, "create: %s",
                 err ? err->msg : "?");
}

START_TEST (one_thread_moves_in_every_hierarchy)
{
  struct sb_cgroup cg;
  sb_error_t err = NULL;
  char name[64], want[128];

  make (&cg, name, sizeof (name));
  snprintf (want, sizeof (want), "/%s%s", name, cg.v2 ? "/supervisor" : "");
  bool before = in_cgroup ("/proc/self/cgroup", &cg, want);
  int entered = sb_cgroup_enter (&cg, &err);
  bool after = in_cgroup ("/proc/self/cgroup", &cg, want);
  /* Out and removed before any verdict: a failure leaves nothing. */
  leave (&cg);
  ck_assert (sb_cgroup_destroy (&cg, NULL) == 0);
  ck_assert (!before);
  ck_assert_msg (entered == 0, "enter: %s", err ? err->msg : "?");
  ck_assert_msg (after, "not in %s", want);
}
END_TEST

static int gate[2];

static void *
waiter (void *arg)
{
  char c;
  *(pid_t *) arg = (pid_t) syscall (SYS_gettid);
  return read (gate[0], &c, 1) < 0 ? NULL : arg;
}

START_TEST (a_process_with_threads_moves_whole)
{
  struct sb_cgroup cg;
  sb_error_t err = NULL;
  char name[64], want[128], file[64];
  volatile pid_t tid = 0;
  pthread_t t;

  make (&cg, name, sizeof (name));
  snprintf (want, sizeof (want), "/%s%s", name, cg.v2 ? "/supervisor" : "");
  ck_assert (pipe (gate) == 0);
  ck_assert (pthread_create (&t, NULL, waiter, (void *) &tid) == 0);
  while (tid == 0)
    usleep (1000);
  int entered = sb_cgroup_enter (&cg, &err);
  bool caller = in_cgroup ("/proc/thread-self/cgroup", &cg, want), other;
  snprintf (file, sizeof (file), "/proc/self/task/%d/cgroup", (int) tid);
  other = in_cgroup (file, &cg, want);
  ck_assert (write (gate[1], "x", 1) == 1);
  pthread_join (t, NULL);
  leave (&cg);
  ck_assert (sb_cgroup_destroy (&cg, NULL) == 0);
  ck_assert_msg (entered == 0, "enter: %s", err ? err->msg : "?");
  ck_assert_msg (caller, "the caller is not in %s", want);
  /* With `tasks` alone the other thread would have stayed where it was. */
  ck_assert_msg (other, "the other thread is not in %s", want);
}
END_TEST

SB_CHECK_MAIN ("cgroup_enter", "enter", one_thread_moves_in_every_hierarchy, a_process_with_threads_moves_whole)
