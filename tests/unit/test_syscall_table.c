/* Unit tests for common/syscall_table.c: the table agrees with libseccomp's
   x86-64 names, has no gaps, and keeps the security classes of the design. */
#include "syscall_table.h"
#include "filter.h"
#include "filter_args.h"
#include "check_run.h"

#include <check.h>
#include <stdio.h>
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
  static const char *const sentry[] = { "openat", "execve", "uname", "connect", "bind" };
  static const char *const host[] = { "read", "write", "close" };
  static const char *const checked[] = { "futex", "ioctl", "mmap", "mprotect", "madvise", "socket",
                                         "setsockopt", "getsockopt", "pipe2", "waitid" };
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
  for (i = 0; i < ARRAY_LEN (checked); i++)
    ck_assert_msg (must_find (checked[i])->cls == SB_SYS_HOST_CHECKED, "%s is not HOST_CHECKED",
                   checked[i]);
  sc = must_find ("clone");
  ck_assert_int_eq (sc->cls, SB_SYS_HOST_CHECKED);
  ck_assert_int_eq (sc->deny_errno, EPERM);
  ck_assert_int_eq (must_find ("socketpair")->cls, SB_SYS_HOST_CHECKED);
  ck_assert_int_eq (must_find ("socketpair")->deny_errno, EAFNOSUPPORT);
  ck_assert_int_eq (must_find ("ioctl")->deny_errno, ENOTTY);
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

/* (6b) A refused call newer than the release the sandbox reports by
   default (6.1: every literal number above) answers ENOSYS, as that kernel
   would, so that programs take their fallback instead of failing on EPERM. */
START_TEST (test_newer_calls_enosys)
{
  size_t i;

  for (i = 0; i < N_LITERAL; i++)
    {
      const struct sb_syscall *sc = sb_syscall_lookup (literal_calls[i].nr);

      ck_assert_ptr_nonnull (sc);
      if (sc->cls == SB_SYS_DENIED)
        ck_assert_msg (sc->deny_errno == ENOSYS, "%s (newer than 6.1) is refused with %d, not ENOSYS", sc->name,
                       sc->deny_errno);
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


/* docs/SURFACE.md: the rows of one section ("## TITLE..." up to the next
   "## "), each "| `name` | ...". Returns the number of names. */
#define DOC_MAX 512
static int
doc_section (const char *title, char names[][64], int max)
{
  const char *top = getenv ("TESTS_SRCDIR");
  char path[4096], line[4096];
  bool in = false;
  int n = 0;
  FILE *f;

  snprintf (path, sizeof (path), "%s/docs/SURFACE.md", top && *top ? top : SB_TOP_SRCDIR);
  f = fopen (path, "r");
  ck_assert_msg (f != NULL, "cannot read %s", path);
  while (fgets (line, sizeof (line), f))
    {
      if (strncmp (line, "## ", 3) == 0)
        in = strncmp (line + 3, title, strlen (title)) == 0;
      else if (in && strncmp (line, "| `", 3) == 0 && n < max)
        {
          char *end = strchr (line + 3, '`');
          ck_assert_msg (end != NULL && end - (line + 3) < 64, "bad row: %s", line);
          memcpy (names[n], line + 3, (size_t) (end - (line + 3)));
          names[n][end - (line + 3)] = '\0';
          n++;
        }
    }
  fclose (f);
  ck_assert_msg (n > 0, "%s has no section \"## %s\"", path, title);
  return n;
}

static bool
in_names (char names[][64], int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (names[i], name) == 0)
      return true;
  return false;
}

/* (8) Every call that runs on the host under the default profile is
   justified in docs/SURFACE.md, every row there is such a call, and there
   are at most 150 of them. */
START_TEST (test_surface_documented)
{
  static char names[DOC_MAX][64];
  int n = doc_section ("Host calls", names, DOC_MAX), host = 0, i;
  long nr;

  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      const struct sb_syscall *sc = sb_syscall_lookup (nr);
      if (sc == NULL || (sc->cls != SB_SYS_HOST && sc->cls != SB_SYS_HOST_CHECKED))
        continue;
      host++;
      ck_assert_msg (in_names (names, n, sc->name), "%s runs on the host but docs/SURFACE.md does not justify it",
                     sc->name);
    }
  for (i = 0; i < n; i++)
    {
      const struct sb_syscall *sc = sb_syscall_lookup (sb_syscall_by_name (names[i]));
      ck_assert_msg (sc != NULL && (sc->cls == SB_SYS_HOST || sc->cls == SB_SYS_HOST_CHECKED),
                     "docs/SURFACE.md lists %s as a host call, the table does not", names[i]);
    }
  ck_assert_int_eq (n, host);
  ck_assert_msg (host <= 150, "%d host-class calls in the default profile (at most 150)", host);
}
END_TEST

/* (9) What compat adds is documented too, and never io_uring. */
START_TEST (test_compat_documented)
{
  static char names[DOC_MAX][64];
  int n = doc_section ("Added by compat", names, DOC_MAX), i;
  long nr;

  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    if (sb_syscall_lookup (nr) && sb_filter_compat_call ((int) nr))
      {
        ck_assert_msg (sb_syscall_class (nr) == SB_SYS_DENIED, "compat lists %s, which is not denied",
                       sb_syscall_lookup (nr)->name);
        ck_assert_msg (in_names (names, n, sb_syscall_lookup (nr)->name),
                       "compat adds %s but docs/SURFACE.md does not say why", sb_syscall_lookup (nr)->name);
      }
  for (i = 0; i < n; i++)
    ck_assert_msg (sb_filter_compat_call ((int) sb_syscall_by_name (names[i])),
                   "docs/SURFACE.md says compat adds %s; filter.c does not", names[i]);
  ck_assert (!sb_filter_compat_call ((int) sb_syscall_by_name ("io_uring_setup")));
  ck_assert (!sb_filter_compat_call ((int) sb_syscall_by_name ("io_uring_enter")));
  ck_assert (!sb_filter_compat_call ((int) sb_syscall_by_name ("io_uring_register")));
}
END_TEST

/* (10) No host-checked call is a hollow check: each has an allowlist. */
START_TEST (test_checked_have_lists)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_NOTIFY);
  long nr;

  ck_assert_ptr_nonnull (ctx);
  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    if (sb_syscall_class (nr) == SB_SYS_HOST_CHECKED)
      ck_assert_msg (sb_filter_add_checked (ctx, (int) nr) == 0, "%s has no argument list",
                     sb_syscall_lookup (nr)->name);
  seccomp_release (ctx);
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
  tcase_add_test (tc, test_newer_calls_enosys);
  tcase_add_test (tc, test_unique_names_and_sane_entries);
  tcase_add_test (tc, test_class_names);
  tcase_add_test (tc, test_surface_documented);
  tcase_add_test (tc, test_compat_documented);
  tcase_add_test (tc, test_checked_have_lists);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return sb_check_run (syscall_table_suite ());
}
