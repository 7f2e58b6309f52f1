/* The Sentry's own seccomp filter: what serving the app needs, nothing to
   load programs, mount, trace or change namespaces. */
#include "launch.h"

#include <errno.h>
#include <sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>

static const char *const allowed[] = {
  /* the loop, the listener and the Gofer */
  "read", "write", "close", "close_range", "poll", "ppoll", "recvmsg", "sendmsg",
  "signalfd4", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "wait4", "waitid", "kill",
  "tkill", "tgkill", "fcntl", "dup", "dup3",
  /* the app's processes: memory, descriptors, /proc entries */
  "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "openat",
  "readlinkat", "newfstatat", "fstat", "statx", "getdents64", "lseek", "pread64",
  /* stat, access, readlink and read-only opens in the container root the
     Gofer walked (directfs.c) */
  "openat2", "faccessat2",
  "fchmod", "fchmodat" /* procfs links to its copies of the app's O_PATH fds */, "fchownat", "utimensat", "inotify_add_watch", "fstatfs",
  /* an xattr call on the app's /proc/self/fd/N, through the Sentry's own
     procfs link to its copy of N (sys_attr.c): its root holds nothing else */
  "getxattr", "setxattr", "listxattr", "removexattr",
  /* acting as the caller, one thread at a time (common/creds.c) */
  "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid", "capget", "capset",
  "getresuid", "getresgid", "getgroups",
  /* work done for the app: sockets, synthetic files */
  "socket", "bind", "umask", "connect", "sendto", "getsockopt", "memfd_create", "ftruncate",
  "sysinfo", "uname", "gettimeofday", "time",
  /* reading the host clock's discipline for the app's adjtimex (sys_time.c):
     the Sentry holds no CAP_SYS_TIME over the host's user namespace, so its
     adjtimex can change nothing */
  "adjtimex",
  /* a Unix bind in the caller's root and cwd, on a thread of its own
     (unix_bind.c; unshare only with CLONE_FS, below) */
  "chroot", "fchdir",
  /* threads and memory */
  "clone", "clone3", "set_robust_list", "rseq", "futex", "mmap", "munmap", "mprotect",
  "mremap", "madvise", "brk", "exit", "exit_group", "sched_yield", "getpid", "gettid",
  "clock_gettime", "clock_nanosleep", "nanosleep", "getrandom", "prlimit64", "restart_syscall",
  NULL
};

int
sb_sentry_apply_filter (sb_error_t *err)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM));
  int i, ret = 0;

  if (ctx == NULL)
    return sb_error (err, ENOMEM, "seccomp_init");
  for (i = 0; allowed[i] && ret == 0; i++)
    {
      int nr = seccomp_syscall_resolve_name (allowed[i]);
      if (nr != __NR_SCMP_ERROR)
        ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
    }
  /* ioctl: the listener's requests, and the three a new terminal of the
     sandbox's devpts needs for an exec session (unlock it, learn its
     number, give it its first size); no other terminal or device request. */
  {
    static const unsigned long notif[] = { SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND,
                                           SECCOMP_IOCTL_NOTIF_ID_VALID, SECCOMP_IOCTL_NOTIF_ADDFD,
                                           TIOCSPTLCK, TIOCGPTN, TIOCSWINSZ };
    for (i = 0; i < (int) (sizeof (notif) / sizeof (notif[0])) && ret == 0; i++)
      ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (ioctl), 1,
                              SCMP_A1 (SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t) notif[i]));
  }
  if (ret == 0)
    ret = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (unshare), 1, SCMP_A0 (SCMP_CMP_EQ, CLONE_FS));
  /* Loading programs or reaching other namespaces is never the Sentry's job. */
  if (ret == 0)
    ret = seccomp_rule_add (ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS (execve), 0);
  if (ret == 0)
    ret = seccomp_rule_add (ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS (ptrace), 0);
  if (ret == 0)
    ret = seccomp_load (ctx);
  seccomp_release (ctx);
  return ret < 0 ? sb_error (err, -ret, "load the Sentry's seccomp filter") : 0;
}
