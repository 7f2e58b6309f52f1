/* Every x86-64 system call number has exactly one class. The app's seccomp
   filter is compiled from this table (sentry/filter.c) and the Sentry's
   dispatcher (sentry/dispatch.c) looks calls up in it. */
#ifndef SB_SYSCALL_TABLE_H
#define SB_SYSCALL_TABLE_H

#include <stdbool.h>

/* One past the highest number the table describes; numbers at or above it,
   and numbers whose entry has no name, are unknown and therefore denied. */
#define SB_SYSCALL_NR_MAX 512

enum sb_sys_class
{
  SB_SYS_UNKNOWN = 0,  /* no such call: denied (ENOSYS), audited */
  SB_SYS_HOST,         /* the host kernel runs it as is */
  SB_SYS_HOST_CHECKED, /* host, but only with the argument checks of filter.c;
                          a call failing the checks reaches the Sentry, which denies it */
  SB_SYS_SENTRY,       /* user notification, implemented in the Sentry */
  SB_SYS_DENIED,       /* answered with deny_errno, audited */
};

/* Argument kinds, for --strace decoding. */
enum sb_arg_kind
{
  SB_ARG_NONE = 0,
  SB_ARG_INT,      /* signed decimal */
  SB_ARG_UINT,     /* unsigned decimal */
  SB_ARG_HEX,      /* flags, masks, pointers printed as hex */
  SB_ARG_PTR,      /* a pointer */
  SB_ARG_FD,       /* a file descriptor; AT_FDCWD printed by name */
  SB_ARG_PATH,     /* NUL-terminated path in the app's memory */
  SB_ARG_STR,      /* other NUL-terminated string (xattr name, ...) */
  SB_ARG_OPENFLAGS,
  SB_ARG_MODE,     /* octal */
  SB_ARG_SOCKADDR, /* pointer to a sockaddr; the next argument is its length */
  SB_ARG_ARGV,     /* NULL-terminated array of strings */
};

struct sb_syscall
{
  const char *name;          /* NULL: no call has this number */
  enum sb_sys_class cls;
  int deny_errno;            /* errno for SB_SYS_DENIED (and checks that fail) */
  unsigned char nargs;
  unsigned char arg[6];      /* enum sb_arg_kind */
};

extern const struct sb_syscall sb_syscall_table[SB_SYSCALL_NR_MAX];

/* The entry of nr, or NULL when nr is out of range or unnamed. */
const struct sb_syscall *sb_syscall_lookup (long nr);
/* The class of nr: SB_SYS_UNKNOWN when the table has no entry. */
enum sb_sys_class sb_syscall_class (long nr);
/* The number of a named call, or -1. */
long sb_syscall_by_name (const char *name);
const char *sb_syscall_class_name (enum sb_sys_class cls);

#endif
