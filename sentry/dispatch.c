/* From a notification to an answer: the class decides, the handler acts. */
#include "sentry.h"
#include "sys_file.h"
#include "audit.h"
#include "syscall_table.h"

#include <errno.h>
#include <string.h>
#include <linux/audit.h>
#include <sys/syscall.h>

static const sb_handler_fn handlers[SB_SYSCALL_NR_MAX] = {
  [SYS_open] = sys_open,
  [SYS_openat] = sys_openat,
  [SYS_openat2] = sys_openat2,
  [SYS_creat] = sys_creat,
  [SYS_stat] = sys_stat,
  [SYS_lstat] = sys_lstat,
  [SYS_newfstatat] = sys_newfstatat,
  [SYS_statx] = sys_statx,
  [SYS_access] = sys_access,
  [SYS_faccessat] = sys_faccessat,
  [SYS_faccessat2] = sys_faccessat2,
  [SYS_readlink] = sys_readlink,
  [SYS_readlinkat] = sys_readlinkat,
  [SYS_mkdir] = sys_mkdir,
  [SYS_mkdirat] = sys_mkdirat,
  [SYS_mknod] = sys_mknod,
  [SYS_mknodat] = sys_mknodat,
  [SYS_rmdir] = sys_rmdir,
  [SYS_unlink] = sys_unlink,
  [SYS_unlinkat] = sys_unlinkat,
  [SYS_rename] = sys_rename,
  [SYS_renameat] = sys_renameat,
  [SYS_renameat2] = sys_renameat2,
  [SYS_link] = sys_link,
  [SYS_linkat] = sys_linkat,
  [SYS_symlink] = sys_symlink,
  [SYS_symlinkat] = sys_symlinkat,
  [SYS_chmod] = sys_chmod,
  [SYS_fchmodat] = sys_fchmodat,
  [452 /* fchmodat2 */] = sys_fchmodat2,
  [SYS_chown] = sys_chown,
  [SYS_lchown] = sys_lchown,
  [SYS_fchownat] = sys_fchownat,
  [SYS_utime] = sys_utime,
  [SYS_utimes] = sys_utimes,
  [SYS_futimesat] = sys_futimesat,
  [SYS_utimensat] = sys_utimensat,
  [SYS_truncate] = sys_truncate,
  [SYS_statfs] = sys_statfs,
  [SYS_ustat] = sys_ustat,
  [SYS_chdir] = sys_chdir,
  [SYS_getxattr] = sys_xattr,
  [SYS_lgetxattr] = sys_xattr,
  [SYS_setxattr] = sys_xattr,
  [SYS_lsetxattr] = sys_xattr,
  [SYS_listxattr] = sys_xattr,
  [SYS_llistxattr] = sys_xattr,
  [SYS_removexattr] = sys_xattr,
  [SYS_lremovexattr] = sys_xattr,
  [SYS_execve] = sys_execve,
  [SYS_execveat] = sys_execve,
  [SYS_inotify_add_watch] = sys_inotify_add_watch,
  /* Host class, served only when the tenant hides paths (sys_dir.c). */
  [SYS_getdents] = sys_getdents,
  [SYS_getdents64] = sys_getdents,
  [SYS_uname] = sys_uname,
  [SYS_sysinfo] = sys_sysinfo,
  [SYS_sysfs] = sys_sysfs,
  [SYS_socket] = sys_socket,
  [SYS_bind] = sys_bind,
  [SYS_connect] = sys_connect,
  [SYS_sendto] = sys_sendto,
  [SYS_sendmsg] = sys_sendmsg,
  [SYS_sendmmsg] = sys_sendmmsg,
  /* host-checked: the families other than AF_UNIX */
  [SYS_socketpair] = sys_socketpair,
  /* denied, but compat lets tracers attach to the sandbox's processes */
  [SYS_ptrace] = sys_ptrace,
  [SYS_time] = sys_time,
  [SYS_gettimeofday] = sys_gettimeofday,
  [SYS_settimeofday] = sys_settimeofday,
  [SYS_clock_settime] = sys_clock_settime,
  [SYS_adjtimex] = sys_adjtimex,
  [SYS_clock_adjtime] = sys_clock_adjtime,
  /* host-checked: the values the filter refused */
  [SYS_ioctl] = sys_ioctl,
  [SYS_getsockopt] = sys_sockopt_refused,
  [SYS_setsockopt] = sys_sockopt_refused,
  [SYS_lseek] = sys_lseek,
  /* The calls that change the caller's ids, groups or capabilities: seen so
     that the Sentry forgets what it kept of them (caller.c), then run by
     the kernel. setfsuid and setfsgid only under compat. */
  [SYS_setuid] = sb_caller_changes_creds,
  [SYS_setgid] = sb_caller_changes_creds,
  [SYS_setreuid] = sb_caller_changes_creds,
  [SYS_setregid] = sb_caller_changes_creds,
  [SYS_setresuid] = sb_caller_changes_creds,
  [SYS_setresgid] = sb_caller_changes_creds,
  [SYS_setfsuid] = sb_caller_changes_creds,
  [SYS_setfsgid] = sb_caller_changes_creds,
  [SYS_setgroups] = sb_caller_changes_creds,
  [SYS_capset] = sb_caller_changes_creds,
};

sb_handler_fn
sb_handler_for (int nr)
{
  if (nr < 0 || nr >= SB_SYSCALL_NR_MAX)
    return NULL;
  return handlers[nr];
}

long
sb_deny (struct sb_call *c, int err, const char *action)
{
  struct sentry *s = c->s;

  __atomic_add_fetch (&s->denied, 1, __ATOMIC_RELAXED);
  if (c->nr >= 0 && c->nr < SB_SYSCALL_NR_MAX && c->req->data.arch == AUDIT_ARCH_X86_64)
    __atomic_add_fetch (&s->denied_nr[c->nr], 1, __ATOMIC_RELAXED);
  const struct sb_syscall *e = c->req->data.arch == AUDIT_ARCH_X86_64 ? sb_syscall_lookup (c->nr) : NULL;

  if (s->policy->audit >= SB_AUDIT_DENIED)
    sb_audit_syscall (&s->audit, c->tid, e ? e->name : NULL,
                      c->nr, c->args, action, err);
  return -err;
}

void
sentry_dispatch (struct sb_call *c)
{
  __atomic_add_fetch (&c->s->mediated, 1, __ATOMIC_RELAXED);
  if (c->nr >= 0 && c->nr < SB_SYSCALL_NR_MAX && c->req->data.arch == AUDIT_ARCH_X86_64)
    __atomic_add_fetch (&c->s->mediated_nr[c->nr], 1, __ATOMIC_RELAXED);
  const struct sb_syscall *e = NULL;
  const char *how = "sentry";
  sb_handler_fn fn;
  long ret;

  sb_direct_settle (c);
  if (c->req->data.arch != AUDIT_ARCH_X86_64)
    {
      /* int 0x80 and other foreign entry points never reach the host kernel. */
      ret = sb_deny (c, ENOSYS, "deny-foreign-arch");
      how = "denied";
      goto answer;
    }
  e = sb_syscall_lookup (c->nr);
  if (e && c->s->filter.deny[c->nr] && !sb_sentry_serves (c->s, c->nr))
    {
      /* The tenant's extra denies, with the tenant's errno. */
      ret = sb_deny (c, c->s->policy->deny_errno, "deny-policy");
      how = "denied";
      goto answer;
    }
  switch (sb_syscall_class (c->nr))
    {
    case SB_SYS_UNKNOWN:
      ret = sb_deny (c, ENOSYS, "deny-unknown");
      how = "denied";
      break;
    case SB_SYS_DENIED:
      /* compat lets some denied calls run; those whose filter rules leave
         values to the Sentry (ptrace's attach) have a handler. */
      fn = sb_handler_for (c->nr);
      if (fn && c->s->filter.profile == SB_PROFILE_COMPAT && sb_filter_compat_call (c->nr))
        {
          ret = fn (c);
          how = ret == SB_RET_CONTINUE ? "host" : "denied";
          break;
        }
      ret = sb_deny (c, e->deny_errno, "deny");
      how = "denied";
      break;
    case SB_SYS_HOST_CHECKED:
      /* The filter lets the safe argument values run on the host; this one
         failed, and is refused unless a handler decides by more than the
         registers (ioctl, by the descriptor's type). */
      fn = sb_handler_for (c->nr);
      ret = fn ? fn (c) : sb_deny (c, e->deny_errno, "deny-arguments");
      /* (socket: a kind the filter leaves to the Sentry, made there) */
      how = ret == SB_RET_CONTINUE ? "host" : fn && ret >= 0 ? "sentry" : "denied";
      break;
    case SB_SYS_HOST:
      if (sb_sentry_serves (c->s, c->nr))
        {
          ret = sb_handler_for (c->nr) (c);
          break;
        }
      /* Host class, but the filter had no rule for it (a number newer than
         libseccomp): its safety does not depend on the app's memory. */
      ret = SB_RET_CONTINUE;
      how = "host";
      break;
    case SB_SYS_SENTRY:
    default:
      if (c->nr == SYS_execve || c->nr == SYS_execveat)
        sb_caller_execs (c); /* before the kernel may run it */
      fn = sb_handler_for (c->nr);
      if (fn == NULL)
        {
          ret = sb_deny (c, ENOSYS, "deny-unimplemented");
          how = "denied";
        }
      else
        ret = fn (c);
      break;
    }
answer:
  if (ret == -ECANCELED && !sb_call_valid (c))
    return; /* the caller is gone or was interrupted: nothing to answer */
  if (c->s->policy->audit == SB_AUDIT_ALL && strcmp (how, "denied") != 0)
    sb_audit_syscall (&c->s->audit, c->tid, e ? e->name : NULL,
                      c->nr, c->args, ret == SB_RET_CONTINUE ? "continue" : how,
                      ret < 0 && ret > -4096 ? (int) -ret : 0);
  if (!c->responded)
    sb_respond (c->s, c->req->id, ret);
  if (c->s->cfg.strace && ret != SB_RET_DONE)
    sb_strace_call (c, ret, c->direct ? "direct" : how);
}
