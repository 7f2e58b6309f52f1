/* Unit tests for the app's filter programs compiled when the Sentry is
   built (sentry/filter_gen.c writes sentry/filter_programs.c): every
   variant is there, each is byte for byte what libseccomp compiles from
   the table now, a set of options with anything more (a tenant's deny)
   gets none and is compiled at the start, and a program loads. */
#include "filter.h"
#include "policy/policy.h"
#include "check_run.h"

#include <check.h>
#include <errno.h>
#include <linux/filter.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct sb_filter_program sb_filter_programs[];

static const int profiles[] = { SB_PROFILE_DEFAULT, SB_PROFILE_STRICT, SB_PROFILE_COMPAT };
static struct sb_filter_options opts;

START_TEST (every_variant_is_compiled)
{
  for (size_t i = 0; i < 3; i++)
    for (int listings = 0; listings < 2; listings++)
      {
        const struct sb_filter_program *p;

        sb_filter_variant (profiles[i], listings, &opts);
        p = sb_filter_precompiled (&opts);
        ck_assert_msg (p != NULL, "profile %d listings %d: no program", profiles[i], listings);
        ck_assert_int_eq (p->profile, profiles[i]);
        ck_assert_int_eq (p->listings, listings);
        ck_assert_uint_gt (p->len, 100);
        ck_assert_uint_le (p->len, BPF_MAXINSNS);
      }
}
END_TEST

/* Not stale: the build's program is what the table compiles to now. */
START_TEST (programs_match_the_table)
{
  size_t n = 0;

  for (const struct sb_filter_program *p = sb_filter_programs; p->profile >= 0; p++, n++)
    {
      int fd = memfd_create ("test", MFD_CLOEXEC);
      struct sock_filter *now;
      off_t size;

      ck_assert_int_ge (fd, 0);
      sb_filter_variant (p->profile, p->listings, &opts);
      ck_assert_int_eq (sb_app_filter_export (&opts, fd), 0);
      size = lseek (fd, 0, SEEK_END);
      ck_assert_int_eq (size, (off_t) (p->len * sizeof (struct sock_filter)));
      now = mmap (NULL, (size_t) size, PROT_READ, MAP_PRIVATE, fd, 0);
      ck_assert (now != MAP_FAILED);
      ck_assert_msg (memcmp (now, p->code, (size_t) size) == 0, "profile %d listings %d differs from the table",
                     p->profile, p->listings);
      munmap (now, (size_t) size);
      close (fd);
    }
  ck_assert_uint_eq (n, 6);
}
END_TEST

/* Anything but a variant's exact options gets no program. */
START_TEST (other_options_get_none)
{
  sb_filter_variant (SB_PROFILE_DEFAULT, false, &opts);
  opts.deny[SYS_mkdir] = true;
  ck_assert_ptr_null (sb_filter_precompiled (&opts));
  sb_filter_variant (SB_PROFILE_DEFAULT, false, &opts);
  opts.deny[SYS_getdents64] = true;
  ck_assert_ptr_null (sb_filter_precompiled (&opts));
  sb_filter_variant (SB_PROFILE_COMPAT, true, &opts);
  opts.deny[SYS_ptrace] = true;
  ck_assert_ptr_null (sb_filter_precompiled (&opts));
  sb_filter_variant (SB_PROFILE_STRICT, true, &opts);
  opts.profile = 7;
  ck_assert_ptr_null (sb_filter_precompiled (&opts));
}
END_TEST

/* In a child: the filter loads and gives a listener, from the build's
   program and from one compiled for a tenant's deny. */
static int
load_in_child (const struct sb_filter_options *o)
{
  int p[2], fd = -1, status;
  pid_t child;

  ck_assert_int_eq (pipe (p), 0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      sb_error_t err = NULL;
      int l;

      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (2);
      l = sb_app_filter_load (o, &err);
      /* write and exit_group run on the host under every profile but strict's write. */
      if (write (p[1], &l, sizeof (l)) != sizeof (l))
        _exit (3);
      _exit (0);
    }
  close (p[1]);
  ck_assert_int_eq (read (p[0], &fd, sizeof (fd)), (ssize_t) sizeof (fd));
  close (p[0]);
  ck_assert_int_eq (waitpid (child, &status, 0), child);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return fd;
}

START_TEST (a_program_loads)
{
  sb_filter_variant (SB_PROFILE_DEFAULT, true, &opts);
  ck_assert_int_ge (load_in_child (&opts), 0);
  opts.deny[SYS_mkdir] = true;
  ck_assert_int_ge (load_in_child (&opts), 0);
}
END_TEST

SB_CHECK_MAIN ("filter", "programs", every_variant_is_compiled, programs_match_the_table, other_options_get_none,
               a_program_loads)
