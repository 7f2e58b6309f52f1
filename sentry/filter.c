/* Compiles sentry/syscall_table.c into the app's seccomp filter:
   host -> ALLOW; host-checked -> ALLOW for the safe argument values only;
   sentry, denied and every number the table does not know -> NOTIFY (the
   Sentry implements, or refuses and audits). Foreign architectures
   (int 0x80, i386) also notify, so they are refused and audited too.
   Argument checks compare the low 32 bits only where the kernel reads an
   int, so garbage in the high bits cannot slip past. */
#include "filter.h"
#include "policy/policy.h"
#include "syscall_table.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOW32 0xffffffffull

static int
allow (scmp_filter_ctx ctx, int nr)
{
  return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
}

static int
allow_eq32 (scmp_filter_ctx ctx, int nr, unsigned arg, uint32_t value)
{
  return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 1,
                           SCMP_CMP (arg, SCMP_CMP_MASKED_EQ, LOW32, (uint64_t) value));
}

/* ALLOW nr unless the low 32 bits of arg are one of the excluded values.
   libseccomp cannot AND two tests on one argument, so the complement is
   written as a union: "some bit that all excluded values share differs",
   plus the exact values that agree with them on all shared bits. */
static int
allow_except32 (scmp_filter_ctx ctx, int nr, unsigned arg, const uint32_t *excl, int n)
{
  uint32_t same = LOW32, free_mask, v;
  int b, i, ret;

  for (i = 1; i < n; i++)
    same &= ~(excl[0] ^ excl[i]);
  for (b = 0; b < 32; b++)
    {
      uint32_t bit = 1u << b;
      if (!(same & bit))
        continue;
      ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 1,
                              SCMP_CMP (arg, SCMP_CMP_MASKED_EQ, bit, (uint64_t) (~excl[0] & bit)));
      if (ret < 0)
        return ret;
    }
  free_mask = ~same;
  /* Enumerate the values that match every shared bit (2^popcount(free) of them). */
  v = 0;
  do
    {
      uint32_t candidate = (excl[0] & same) | v;
      bool excluded = false;
      for (i = 0; i < n; i++)
        excluded |= candidate == excl[i];
      if (!excluded && (ret = allow_eq32 (ctx, nr, arg, candidate)) < 0)
        return ret;
      v = (v - free_mask) & free_mask;
    }
  while (v != 0);
  return 0;
}

static int
add_checked (scmp_filter_ctx ctx, int nr)
{
  static const uint32_t tty_injection[] = { TIOCSTI, TIOCLINUX };
  static const uint32_t personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
  const uint64_t ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER
                            | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
  int i, ret;

  switch (nr)
    {
    case SYS_clone:
      return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0 (SCMP_CMP_MASKED_EQ, ns_flags, 0));
    case SYS_socketpair:
      return allow_eq32 (ctx, nr, 0, AF_UNIX);
    case SYS_ioctl:
      /* TIOCSTI/TIOCLINUX on an inherited terminal would type into the host's shell. */
      return allow_except32 (ctx, nr, 1, tty_injection, 2);
    case SYS_personality:
      for (i = 0; i < 5; i++)
        if ((ret = allow_eq32 (ctx, nr, 0, personalities[i])) < 0)
          return ret;
      return 0;
    default:
      /* mmap, mprotect, pkey_mprotect: every protection value is the app's own business. */
      return allow (ctx, nr);
    }
}

/* Sentry-class calls with an argument pattern that names nothing: they run
   on the host without a round trip. */
static int
add_fast_paths (scmp_filter_ctx ctx, const struct sb_filter_options *o)
{
  int ret;

  /* send on a connected socket: no address to check (strict sees every send). */
  if (o->profile != SB_PROFILE_STRICT && !o->deny[SYS_sendto]
      && (ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SYS_sendto, 1, SCMP_A4 (SCMP_CMP_EQ, 0))) < 0)
    return ret;
  /* futimens(fd, times): utimensat with a NULL path acts on the fd only. */
  if (!o->deny[SYS_utimensat]
      && (ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SYS_utimensat, 1, SCMP_A1 (SCMP_CMP_EQ, 0))) < 0)
    return ret;
  if (o->deny[SYS_clone3])
    return 0;
  /* clone3 passes its flags in memory the filter cannot read; ENOSYS is the
     documented answer that makes libc fall back to clone, whose flags it can
     check. Answered here, without a round trip per thread, and not audited:
     it is the expected path of every thread creation, not a refusal. */
  return seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), SYS_clone3, 0);
}

/* strict: the usual descriptor calls also reach the Sentry (which lets
   them continue: their safety does not depend on the app's memory), so a
   tenant's every file and socket operation is seen and can be audited. */
static const int strict_calls[] = {
  SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_preadv,
  SYS_pwritev, SYS_preadv2, SYS_pwritev2, SYS_lseek, SYS_fstat, SYS_fstatfs, SYS_fcntl,
  SYS_dup, SYS_dup2, SYS_dup3, SYS_getdents64, SYS_ftruncate, SYS_fallocate, SYS_fsync,
  SYS_fdatasync, SYS_sendfile, SYS_splice, SYS_copy_file_range, SYS_fchmod, SYS_fchown,
  SYS_fchdir, SYS_flock, SYS_accept, SYS_accept4, SYS_recvfrom, SYS_recvmsg, SYS_listen,
  SYS_shutdown, SYS_getsockopt, SYS_setsockopt, SYS_getsockname, SYS_getpeername, -1
};

/* compat: calls some programs need that the default profile denies. */
static const int compat_calls[] = {
  SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register, SYS_modify_ldt, -1
};

static bool
in_list (const int *list, int nr)
{
  for (; *list >= 0; list++)
    if (*list == nr)
      return true;
  return false;
}

bool
sb_filter_strict_call (int nr)
{
  return in_list (strict_calls, nr);
}

bool
sb_filter_compat_call (int nr)
{
  return in_list (compat_calls, nr);
}

static scmp_filter_ctx
build (const struct sb_filter_options *o, int *errp)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_NOTIFY);
  int nr, ret = 0;

  if (ctx == NULL)
    {
      *errp = ENOMEM;
      return NULL;
    }
  if ((ret = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY)) < 0
      || (ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0
      || (ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
    goto fail;
  for (nr = 0; nr < SB_SYSCALL_NR_MAX; nr++)
    {
      ret = 0; /* by default: the default action, notify */
      if (o->deny[nr])
        continue;
      switch (sb_syscall_class (nr))
        {
        case SB_SYS_HOST:
          if (!(o->profile == SB_PROFILE_STRICT && sb_filter_strict_call (nr)))
            ret = allow (ctx, nr);
          break;
        case SB_SYS_HOST_CHECKED:
          if (o->profile == SB_PROFILE_COMPAT && nr == SYS_personality)
            ret = allow (ctx, nr);
          else
            ret = add_checked (ctx, nr);
          break;
        case SB_SYS_DENIED:
          if (o->profile == SB_PROFILE_COMPAT && sb_filter_compat_call (nr))
            ret = allow (ctx, nr);
          break;
        default:
          break;
        }
      if (ret < 0)
        goto fail;
    }
  if ((ret = add_fast_paths (ctx, o)) < 0)
    goto fail;
  return ctx;
fail:
  seccomp_release (ctx);
  *errp = -ret;
  return NULL;
}

int
sb_app_filter_load (const struct sb_filter_options *o, sb_error_t *err)
{
  scmp_filter_ctx ctx;
  int e = 0, ret, fd;

  ctx = build (o, &e);
  if (ctx == NULL)
    return sb_error (err, e, "build the app's seccomp filter");
  ret = seccomp_load (ctx);
  if (ret < 0)
    {
      seccomp_release (ctx);
      return sb_error (err, -ret, "load the app's seccomp filter");
    }
  fd = seccomp_notify_fd (ctx);
  seccomp_release (ctx);
  if (fd < 0)
    return sb_error (err, -fd, "get the seccomp listener");
  return fd;
}
