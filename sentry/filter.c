/* Compiles common/syscall_table.c into the app's seccomp filter:
   host -> ALLOW; host-checked -> ALLOW for the safe argument values only;
   sentry, denied and every number the table does not know -> NOTIFY (the
   Sentry implements, or refuses and audits). Foreign architectures
   (int 0x80, i386) also notify, so they are refused and audited too.
   The argument allowlists of host-checked calls are in filter_args.c;
   why each call and value is allowed is in docs/SURFACE.md. */
#include "filter.h"
#include "filter_args.h"
#include "policy/policy.h"
#include "syscall_table.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static int
allow (scmp_filter_ctx ctx, int nr)
{
  return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
}

/* Sentry-class calls with an argument pattern that names nothing: they run
   on the host without a round trip. */
static int
add_fast_paths (scmp_filter_ctx ctx, const struct sb_filter_options *o)
{
  int ret;

  /* send on a connected socket: no address to check (strict sees every
     send). Not with MSG_FASTOPEN, which turns a send into a connect. */
  if (o->profile != SB_PROFILE_STRICT && !o->deny[SYS_sendto]
      && (ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SYS_sendto, 2, SCMP_A4 (SCMP_CMP_EQ, 0),
                                  SCMP_A3 (SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, 0)))
         < 0)
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
  SYS_pwritev, SYS_lseek, SYS_fstat, SYS_fstatfs, SYS_fcntl,
  SYS_dup, SYS_dup2, SYS_dup3, SYS_getdents64, SYS_ftruncate, SYS_fallocate, SYS_fsync,
  SYS_fdatasync, SYS_sendfile, SYS_copy_file_range, SYS_fchmod, SYS_fchown,
  SYS_fchdir, SYS_flock, SYS_accept, SYS_accept4, SYS_recvfrom, SYS_recvmsg, SYS_listen,
  SYS_shutdown, SYS_getsockname, SYS_getpeername, -1
};

/* compat: calls some programs need that the default profile denies (see
   docs/SURFACE.md for who needs each). It is the only profile that widens
   the default, and never to io_uring: io_uring_setup, io_uring_enter and
   io_uring_register are denied and audited under every profile. */
static const int compat_calls[] = {
  SYS_modify_ldt,
  /* the old AIO interface (libaio: MariaDB's native AIO, some databases) */
  SYS_io_setup, SYS_io_destroy, SYS_io_getevents, SYS_io_submit, SYS_io_cancel, SYS_io_pgetevents,
  /* System V message queues and semaphores, POSIX message queues */
  SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl, SYS_semget, SYS_semop, SYS_semtimedop,
  SYS_semctl, SYS_mq_open, SYS_mq_unlink, SYS_mq_timedsend, SYS_mq_timedreceive, SYS_mq_notify,
  SYS_mq_getsetattr,
  /* NUMA placement, memory locking, memory protection keys */
  SYS_mbind, SYS_set_mempolicy, SYS_get_mempolicy, SYS_set_mempolicy_home_node, SYS_mlock,
  SYS_mlock2, SYS_munlock, SYS_mlockall, SYS_munlockall, SYS_pkey_alloc, SYS_pkey_free,
  SYS_pkey_mprotect,
  /* setting scheduling classes and priorities, I/O priorities */
  SYS_sched_setparam, SYS_sched_setscheduler, SYS_sched_setattr, SYS_ioprio_set, SYS_ioprio_get,
  /* older or rarer forms of allowed calls */
  SYS_setfsuid, SYS_setfsgid, SYS_inotify_init, SYS_eventfd, SYS_timer_getoverrun,
  SYS_timerfd_gettime,
  SYS_signalfd, SYS_tkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_recvmmsg,
  SYS_preadv2, SYS_pwritev2, SYS_epoll_pwait2, SYS_readahead, SYS_syncfs, SYS_fremovexattr,
  SYS_membarrier, SYS_futex_waitv,
  /* debuggers and tracers (strace, gdb) on the sandbox's own processes:
     requests of an existing trace run on the host (filter_args.c), attaching
     goes through the Sentry, which keeps the sandbox's init out of reach */
  SYS_ptrace,
  /* a program's own seccomp filters and Landlock rules */
  SYS_seccomp, SYS_landlock_create_ruleset, SYS_landlock_add_rule, SYS_landlock_restrict_self,
  -1
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
          if (o->profile == SB_PROFILE_STRICT && sb_filter_strict_call (nr))
            break; /* lseek: strict sees every call */
          if (o->profile == SB_PROFILE_COMPAT && nr == SYS_personality)
            ret = allow (ctx, nr);
          else
            ret = sb_filter_add_checked (ctx, nr);
          break;
        case SB_SYS_DENIED:
          /* pkey_mprotect keeps mprotect's check in compat too; ptrace runs
             its requests but attaching on the host. */
          /* setfsuid and setfsgid still reach the Sentry, which forgets
             the caller's ids it kept and lets them run (caller.c). */
          if (o->profile == SB_PROFILE_COMPAT && sb_filter_compat_call (nr)
              && nr != SYS_setfsuid && nr != SYS_setfsgid)
            ret = nr == SYS_pkey_mprotect || nr == SYS_ptrace ? sb_filter_add_checked (ctx, nr)
                                                              : allow (ctx, nr);
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
sb_app_filter_export (const struct sb_filter_options *o, int fd)
{
  int e = 0, ret;
  scmp_filter_ctx ctx = build (o, &e);

  if (ctx == NULL)
    return -e;
  ret = seccomp_export_bpf (ctx, fd);
  seccomp_release (ctx);
  return ret;
}

/* sentry/filter_programs.c, generated at build time; absent (NULL) where
   this library is linked without it (the generator, some unit tests). */
extern const struct sb_filter_program sb_filter_programs[] __attribute__ ((weak));

void
sb_filter_variant (int profile, bool listings, struct sb_filter_options *o)
{
  memset (o, 0, sizeof (*o));
  o->profile = profile;
  o->deny[SYS_getdents] = o->deny[SYS_getdents64] = listings;
}

const struct sb_filter_program *
sb_filter_precompiled (const struct sb_filter_options *o)
{
  struct sb_filter_options v;

  if (sb_filter_programs == NULL)
    return NULL;
  for (const struct sb_filter_program *p = sb_filter_programs; p->profile >= 0; p++)
    {
      sb_filter_variant (p->profile, p->listings, &v);
      if (p->code != NULL && p->len > 0 && v.profile == o->profile && memcmp (v.deny, o->deny, sizeof (v.deny)) == 0)
        return p;
    }
  return NULL;
}

/* Installs a program as seccomp_load would, with
   SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV besides the listener (Linux 5.19;
   libseccomp 2.5 has no attribute for it): once the Sentry has received a
   call, the caller waits for the answer killably only. Without it, a
   signal then (a timer, Go's preemption every 10 ms) withdrew a call the
   Sentry was doing, and with SA_RESTART the kernel ran it again: a mkdir
   met its own directory (EEXIST), an unlink its own removal (ENOENT).
   Returns the listener, -EINVAL where the kernel lacks the flag, or -errno. */
static int
load_program (const struct sock_filter *code, unsigned short len)
{
  struct sock_fprog prog = { .len = len, .filter = (struct sock_filter *) code };
  int fd = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                          SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);

  return fd < 0 ? -errno : fd;
}

/* The same for the program libseccomp compiled. */
static int
load_killable (scmp_filter_ctx ctx)
{
  void *code;
  off_t size;
  int mfd, ret;

  mfd = memfd_create ("sandbox-app-filter", MFD_CLOEXEC);
  if (mfd < 0)
    return -errno;
  ret = seccomp_export_bpf (ctx, mfd);
  size = ret < 0 ? -1 : lseek (mfd, 0, SEEK_END);
  if (ret < 0 || size <= 0 || size % sizeof (struct sock_filter) != 0
      || size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    {
      close (mfd);
      return ret < 0 ? ret : -EINVAL;
    }
  code = mmap (NULL, (size_t) size, PROT_READ, MAP_PRIVATE, mfd, 0);
  close (mfd);
  if (code == MAP_FAILED)
    return -errno;
  ret = load_program (code, (unsigned short) (size / sizeof (struct sock_filter)));
  munmap (code, (size_t) size);
  return ret;
}

int
sb_app_filter_load (const struct sb_filter_options *o, sb_error_t *err)
{
  const struct sb_filter_program *p = sb_filter_precompiled (o);
  scmp_filter_ctx ctx;
  int e = 0, ret, fd;

  if (p != NULL)
    {
      fd = load_program (p->code, p->len);
      if (fd >= 0)
        return fd;
      if (fd != -EINVAL)
        return sb_error (err, -fd, "load the app's seccomp filter");
      /* A kernel before 5.19 (no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV):
         compiled here and loaded without the flag, below. */
    }
  ctx = build (o, &e);
  if (ctx == NULL)
    return sb_error (err, e, "build the app's seccomp filter");
  fd = load_killable (ctx);
  if (fd >= 0 || fd != -EINVAL)
    {
      seccomp_release (ctx);
      return fd >= 0 ? fd : sb_error (err, -fd, "load the app's seccomp filter");
    }
  /* A kernel before 5.19: the listener without the flag. */
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
