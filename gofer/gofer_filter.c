/* The Gofer's own seccomp filter: file calls relative to descriptors, its
   sockets to the Sentry, memory and exit, for all its threads at once. No
   network, no exec, no mounts, no new threads. */
#include "gofer.h"

#include <errno.h>
#include <malloc.h>
#include <seccomp.h>
#include <sys/prctl.h>

static const char *const allowed[] = {
  "read", "write", "close", "close_range", "recvmsg", "sendmsg", "fcntl",
  "openat2", "openat", "fstat", "newfstatat", "statx", "fstatfs", "mkdirat", "mknodat",
  "unlinkat", "renameat", "renameat2", "linkat", "symlinkat", "readlinkat", "fchmodat",
  "fchownat", "utimensat", "ftruncate", "faccessat2", "fchdir",
  "getxattr", "lgetxattr", "setxattr", "lsetxattr", "listxattr", "llistxattr",
  "removexattr", "lremovexattr",
  "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "futex",
  "rt_sigreturn", "rt_sigprocmask", "clock_gettime", "getpid", "gettid",
  "restart_syscall", "exit", "exit_group", "sched_yield",
  /* acting as the caller (common/creds.c) */
  "setgroups", "setfsuid", "setfsgid", "capget", "capset",
  NULL
};

/* Called out so an attempt is fatal rather than an error the Gofer might retry. */
static const char *const fatal[] = {
  "socket", "socketpair", "connect", "bind", "execve", "execveat", "ptrace",
  "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_by_handle_at",
  "process_vm_readv", "process_vm_writev", "move_mount", "open_tree", "fsopen",
  NULL
};

int
gofer_apply_filter (sb_error_t *err)
{
  scmp_filter_ctx ctx;
  int i, ret;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return sb_error (err, errno, "set no_new_privs");
  ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM));
  if (ctx == NULL)
    return sb_error (err, ENOMEM, "seccomp_init");
  /* For every thread of the Gofer (the channel threads exist by now, and
     wait for it): no thread ever serves unfiltered, and none needs clone. */
  if ((ret = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
    goto fail;
  for (i = 0; allowed[i]; i++)
    {
      int nr = seccomp_syscall_resolve_name (allowed[i]);
      if (nr == __NR_SCMP_ERROR)
        continue;
      if ((ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0)) < 0)
        goto fail;
    }
  for (i = 0; fatal[i]; i++)
    {
      int nr = seccomp_syscall_resolve_name (fatal[i]);
      if (nr == __NR_SCMP_ERROR)
        continue;
      if ((ret = seccomp_rule_add (ctx, SCMP_ACT_KILL_PROCESS, nr, 0)) < 0)
        goto fail;
    }
  if ((ret = seccomp_load (ctx)) < 0)
    goto fail;
  seccomp_release (ctx);
  /* What building the filter left free on the heap would stay resident for
     the sandbox's life (issue 13, density). */
  malloc_trim (0);
  return 0;
fail:
  seccomp_release (ctx);
  return sb_error (err, -ret, "build the Gofer's seccomp filter");
}
