/* Unit tests for sentry/syscall_table.c: the table agrees with libseccomp's
   x86-64 names, has no gaps, and keeps the security classes of the design. */
#include "syscall_table.h"

#include <check.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

/* Calls libseccomp 2.5.4 may not know: checked against these literals
   (taken from the kernel's arch/x86/entry/syscalls/syscall_64.tbl). */
static const struct
{
  long nr;
  const char *name;
} literal_calls[] = {
  { 335, "uretprobe" },
  { 336, "uprobe" },
  { 451, "cachestat" },
  { 452, "fchmodat2" },
  { 453, "map_shadow_stack" },
  { 454, "futex_wake" },
  { 455, "futex_wait" },
  { 456, "futex_requeue" },
  { 457, "statmount" },
  { 458, "listmount" },
  { 459, "lsm_get_self_attr" },
  { 460, "lsm_set_self_attr" },
  { 461, "lsm_list_modules" },
  { 462, "mseal" },
  { 463, "setxattrat" },
  { 464, "getxattrat" },
  { 465, "listxattrat" },
  { 466, "removexattrat" },
  { 467, "open_tree_attr" },
  { 468, "file_getattr" },
  { 469, "file_setattr" },
};
#define N_LITERAL (sizeof (literal_calls) / sizeof (literal_calls[0]))

/* Every call that takes a path: all must be mediated by the Sentry. */
static const char *const path_calls[] = {
  "open", "openat", "openat2", "creat", "stat", "lstat", "newfstatat",
  "statx", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
  "mkdir", "mkdirat", "mknod", "mknodat", "rmdir", "unlink", "unlinkat",
  "rename", "renameat", "renameat2", "link", "linkat", "symlink",
  "symlinkat", "chmod", "fchmodat", "fchmodat2", "chown", "lchown",
  "fchownat", "utime", "utimes", "futimesat", "utimensat", "truncate",
  "statfs", "chdir", "getxattr", "lgetxattr", "setxattr", "lsetxattr",
  "listxattr", "llistxattr", "removexattr", "lremovexattr", "setxattrat",
  "getxattrat", "listxattrat", "removexattrat", "execve", "execveat",
  "inotify_add_watch",
};

static const char *const denied_eperm[] = {
  "ptrace", "bpf", "mount", "open_by_handle_at", "io_uring_setup",
  "userfaultfd", "perf_event_open", "kexec_load", "keyctl",
};

#define ARRAY_LEN(a) (sizeof (a) / sizeof ((a)[0]))

static const char *
literal_name (long nr)
{
  size_t i;

  for (i = 0; i < N_LITERAL; i++)
    if (literal_calls[i].nr == nr)
      return literal_calls[i].name;
  return NULL;
}

static const struct sb_syscall *
must_find (const char *name)
{
  long nr = sb_syscall_by_name (name);

  ck_assert_msg (nr >= 0, "%s is not in the table", name);
  ck_assert_ptr_nonnull (sb_syscall_lookup (nr));
  return sb_syscall_lookup (nr);
}

static bool
has_arg (const struct sb_syscall *sc, enum sb_arg_kind kind)
{
  int i;

  for (i = 0; i < sc->nargs && i < 6; i++)
    if (sc->arg[i] == kind)
      return true;
  return false;
}

/* (1) Every name resolves with libseccomp to its own number. */
START_TEST (test_names_match_libseccomp)
{
  long nr;

  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      const char *name = sb_syscall_table[nr].name;
      const char *lit = literal_name (nr);
      int resolved;

      if (name == NULL)
        continue;
      resolved = seccomp_syscall_resolve_name_arch (SCMP_ARCH_X86_64, name);
      if (lit != NULL)
        {
          ck_assert_msg (strcmp (name, lit) == 0, "%ld is %s, expected %s", nr, name, lit);
          /* A newer libseccomp may know it: then it must agree. */
          ck_assert_msg (resolved < 0 || resolved == nr, "libseccomp puts %s at %d, table at %ld",
                         name, resolved, nr);
        }
      else
        ck_assert_msg (resolved == nr, "libseccomp puts %s at %d, table at %ld", name, resolved, nr);
    }
}
END_TEST

/* (1b) The calls libseccomp may not know are all present, with those names. */
START_TEST (test_literal_numbers)
{
  size_t i;

  for (i = 0; i < N_LITERAL; i++)
    {
      const struct sb_syscall *sc = sb_syscall_lookup (literal_calls[i].nr);

      ck_assert_msg (sc != NULL, "%ld (%s) missing", literal_calls[i].nr, literal_calls[i].name);
      ck_assert_str_eq (sc->name, literal_calls[i].name);
      ck_assert_int_eq (sb_syscall_by_name (literal_calls[i].name), literal_calls[i].nr);
    }
}
END_TEST

/* (2) Every number libseccomp names has an entry of that name. */
START_TEST (test_no_gaps)
{
  long nr;

  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, (int) nr);

      if (name == NULL)
        continue;
      ck_assert_msg (sb_syscall_table[nr].name != NULL, "no entry for %ld (%s)", nr, name);
      ck_assert_msg (strcmp (sb_syscall_table[nr].name, name) == 0, "%ld is %s in the table, %s in libseccomp",
                     nr, sb_syscall_table[nr].name, name);
      free (name);
    }
  /* The range libseccomp must know completely. */
  for (nr = 0; nr <= 450; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, (int) nr);

      if (sb_syscall_table[nr].name != NULL && literal_name (nr) == NULL)
        ck_assert_msg (name != NULL, "libseccomp does not know %ld (%s)", nr, sb_syscall_table[nr].name);
      free (name);
    }
  /* The gap between rseq's neighbours and pidfd_send_signal stays empty. */
  for (nr = 337; nr < 424; nr++)
    ck_assert_msg (sb_syscall_lookup (nr) == NULL, "%ld should have no entry", nr);
}
END_TEST

/* (3) The classes of the design, on a sample. */
START_TEST (test_sample_classes)
{
  static const char *const sentry[] = { "openat", "execve", "uname", "socket", "connect" };
  static const char *const host[] = { "read", "write", "futex" };
  const struct sb_syscall *sc;
  size_t i;

  for (i = 0; i < ARRAY_LEN (denied_eperm); i++)
    {
      sc = must_find (denied_eperm[i]);
      ck_assert_msg (sc->cls == SB_SYS_DENIED, "%s is not denied", sc->name);
      ck_assert_int_eq (sc->deny_errno, EPERM);
    }
  sc = must_find ("clone3");
  ck_assert_int_eq (sc->cls, SB_SYS_DENIED);
  ck_assert_int_eq (sc->deny_errno, ENOSYS);
  for (i = 0; i < ARRAY_LEN (sentry); i++)
    ck_assert_msg (must_find (sentry[i])->cls == SB_SYS_SENTRY, "%s is not SENTRY", sentry[i]);
  for (i = 0; i < ARRAY_LEN (host); i++)
    ck_assert_msg (must_find (host[i])->cls == SB_SYS_HOST, "%s is not HOST", host[i]);
  sc = must_find ("clone");
  ck_assert_int_eq (sc->cls, SB_SYS_HOST_CHECKED);
  ck_assert_int_eq (sc->deny_errno, EPERM);
  ck_assert_int_eq (must_find ("socketpair")->cls, SB_SYS_HOST_CHECKED);
  ck_assert_int_eq (must_find ("socketpair")->deny_errno, EAFNOSUPPORT);
  ck_assert_int_eq (must_find ("ioctl")->deny_errno, EPERM);
  ck_assert_int_eq (must_find ("chroot")->cls, SB_SYS_DENIED);

  ck_assert_int_eq (sb_syscall_class (sb_syscall_by_name ("openat")), SB_SYS_SENTRY);
  ck_assert_int_eq (sb_syscall_class (sb_syscall_by_name ("read")), SB_SYS_HOST);
}
END_TEST

/* (4) Out-of-range and x32 numbers are unknown. */
START_TEST (test_lookup_out_of_range)
{
  static const long bad[] = { -1, SB_SYSCALL_NR_MAX, 0x40000000L | 1, 400 };
  size_t i;

  for (i = 0; i < ARRAY_LEN (bad); i++)
    {
      ck_assert_ptr_null (sb_syscall_lookup (bad[i]));
      ck_assert_int_eq (sb_syscall_class (bad[i]), SB_SYS_UNKNOWN);
    }
  ck_assert_int_eq (sb_syscall_by_name ("no_such_call"), -1);
  ck_assert_int_eq (sb_syscall_by_name (NULL), -1);
  ck_assert_int_eq (sb_syscall_by_name ("read"), 0);
}
END_TEST

/* (5) Every call that takes a path is SENTRY and says so in its arguments. */
START_TEST (test_path_calls_are_sentry)
{
  size_t i;

  for (i = 0; i < ARRAY_LEN (path_calls); i++)
    {
      const struct sb_syscall *sc = must_find (path_calls[i]);

      ck_assert_msg (sc->cls == SB_SYS_SENTRY, "%s is not SENTRY", sc->name);
      ck_assert_msg (has_arg (sc, SB_ARG_PATH), "%s has no SB_ARG_PATH", sc->name);
    }
}
END_TEST

/* (5b) Conversely, no path, argv or address reaches the host unmediated. */
START_TEST (test_no_path_on_host)
{
  long nr;

  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      const struct sb_syscall *sc = sb_syscall_lookup (nr);

      if (sc == NULL || sc->cls == SB_SYS_SENTRY || sc->cls == SB_SYS_DENIED)
        continue;
      ck_assert_msg (!has_arg (sc, SB_ARG_PATH), "%s takes a path but is not mediated", sc->name);
      ck_assert_msg (!has_arg (sc, SB_ARG_ARGV), "%s takes an argv but is not mediated", sc->name);
      ck_assert_msg (!has_arg (sc, SB_ARG_SOCKADDR), "%s takes an address but is not mediated", sc->name);
    }
  ck_assert (has_arg (must_find ("execve"), SB_ARG_ARGV));
  ck_assert (has_arg (must_find ("connect"), SB_ARG_SOCKADDR));
  ck_assert (has_arg (must_find ("bind"), SB_ARG_SOCKADDR));
  ck_assert (has_arg (must_find ("sendto"), SB_ARG_SOCKADDR));
}
END_TEST

/* (6) Denied and checked calls say which errno to answer. */
START_TEST (test_denied_have_errno)
{
  long nr;

  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      const struct sb_syscall *sc = sb_syscall_lookup (nr);

      if (sc == NULL)
        continue;
      if (sc->cls == SB_SYS_DENIED || sc->cls == SB_SYS_HOST_CHECKED)
        ck_assert_msg (sc->deny_errno > 0, "%s has no deny_errno", sc->name);
      else
        ck_assert_msg (sc->deny_errno == 0, "%s is not denied but has deny_errno", sc->name);
    }
}
END_TEST

/* (7) No name appears twice; classes and argument kinds are in range. */
START_TEST (test_unique_names_and_sane_entries)
{
  long a, b;

  for (a = 0; a < SB_SYSCALL_NR_MAX; a++)
    {
      const struct sb_syscall *sc = &sb_syscall_table[a];
      int i;

      if (sc->name == NULL)
        {
          ck_assert_msg (sc->cls == SB_SYS_UNKNOWN && sc->nargs == 0, "unnamed %ld is not zeroed", a);
          continue;
        }
      ck_assert_msg (sc->name[0] != '\0', "%ld has an empty name", a);
      for (b = a + 1; b < SB_SYSCALL_NR_MAX; b++)
        if (sb_syscall_table[b].name != NULL)
          ck_assert_msg (strcmp (sc->name, sb_syscall_table[b].name) != 0, "%s at %ld and %ld", sc->name,
                         a, b);
      ck_assert_msg (sc->cls > SB_SYS_UNKNOWN && sc->cls <= SB_SYS_DENIED, "%s has no class", sc->name);
      ck_assert_msg (sc->nargs <= 6, "%s has %u arguments", sc->name, sc->nargs);
      for (i = 0; i < 6; i++)
        {
          ck_assert_msg (sc->arg[i] <= SB_ARG_ARGV, "%s: bad kind for argument %d", sc->name, i);
          if (i < sc->nargs)
            ck_assert_msg (sc->arg[i] != SB_ARG_NONE, "%s: argument %d has no kind", sc->name, i);
          else
            ck_assert_msg (sc->arg[i] == SB_ARG_NONE, "%s: kind past nargs at %d", sc->name, i);
        }
      /* A sockaddr is followed by its length. */
      for (i = 0; i + 1 < sc->nargs; i++)
        if (sc->arg[i] == SB_ARG_SOCKADDR)
          ck_assert_msg (sc->arg[i + 1] == SB_ARG_UINT, "%s: sockaddr without length", sc->name);
      ck_assert_int_eq (sb_syscall_by_name (sc->name), a);
    }
}
END_TEST

START_TEST (test_class_names)
{
  static const enum sb_sys_class classes[] = {
    SB_SYS_UNKNOWN, SB_SYS_HOST, SB_SYS_HOST_CHECKED, SB_SYS_SENTRY, SB_SYS_DENIED,
  };
  size_t i, j;

  for (i = 0; i < ARRAY_LEN (classes); i++)
    {
      ck_assert_ptr_nonnull (sb_syscall_class_name (classes[i]));
      for (j = 0; j < i; j++)
        ck_assert_str_ne (sb_syscall_class_name (classes[i]), sb_syscall_class_name (classes[j]));
    }
  ck_assert_str_eq (sb_syscall_class_name (SB_SYS_SENTRY), "sentry");
  ck_assert_ptr_nonnull (sb_syscall_class_name ((enum sb_sys_class) 42));
}
END_TEST

static Suite *
syscall_table_suite (void)
{
  Suite *s = suite_create ("syscall_table");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_names_match_libseccomp);
  tcase_add_test (tc, test_literal_numbers);
  tcase_add_test (tc, test_no_gaps);
  tcase_add_test (tc, test_sample_classes);
  tcase_add_test (tc, test_lookup_out_of_range);
  tcase_add_test (tc, test_path_calls_are_sentry);
  tcase_add_test (tc, test_no_path_on_host);
  tcase_add_test (tc, test_denied_have_errno);
  tcase_add_test (tc, test_unique_names_and_sane_entries);
  tcase_add_test (tc, test_class_names);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  SRunner *sr = srunner_create (syscall_table_suite ());
  int failed;

  srunner_run_all (sr, CK_NORMAL);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
