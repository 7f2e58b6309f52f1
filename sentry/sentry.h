/* The Sentry: holds the seccomp listener of the app and implements the
   mediated system calls in user space (see docs/ARCHITECTURE.md). */
#ifndef SB_SENTRY_H
#define SB_SENTRY_H

#include <linux/seccomp.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <stdint.h>
#include <sys/types.h>
#include "audit.h"
#include "creds.h"
#include "error.h"
#include "filter.h"
#include "gofer_proto.h"
#include "mounts.h"
#include "policy/policy.h"

/* Who a process of the sandbox runs as (container ids); unset: the init's (root). */
#define SB_PROC_MAX_GROUPS 64
struct sb_proc_user
{
  bool set;
  uint32_t uid, gid;
  int ngroups;
  uint32_t groups[SB_PROC_MAX_GROUPS];
};

struct sb_rlimit
{
  int resource;
  uint64_t soft, hard;
};

struct sentry_config
{
  const char *rootfs;        /* the --rootfs the operator named (for messages), or NULL */
  int rootfs_fd;             /* a detached copy of its mount tree (sandbox-runtime made it); -1:
                                the host root */
  int volume_fd[SB_POLICY_MAX_VOLUMES];   /* the same of each volume's source, in policy order */
  int nvolume_fds;
  int layer_fd[SB_MAX_LAYERS];  /* the same of each layer of an image, bottom first (not with
                                  rootfs_fd) */
  int nlayer_fds;
  int upper_fd;              /* with layers: a detached copy of the mount of the directory
                                holding an engine's writable layer and its workdir; -1: the
                                writable layer is in memory */
  char upper_name[256];      /* the writable layer's name in it */
  char work_name[256];       /* its workdir's */
  struct sb_idmap idmap;     /* the tenant's host ids */
  int app_stdio[3];          /* the app's stdin, stdout, stderr (pipes); -1 with tty */
  bool tty;                  /* give the app a pty of the sandbox's devpts */
  int ctl_fd;                /* to the owner (sentry/control.c) */
  struct sb_proc_user user;  /* the command's ids inside */
  int lifeline_fd;           /* hangs up when sandbox-runtime is gone: the sandbox ends */
  bool no_spin;              /* a CPU limit: never poll while waiting */
  int serve_threads;         /* threads receiving notifications (notify.c); 0: the default */
  bool no_direct;            /* SANDBOX_SENTRY_DIRECTFS=0: every path call through the Gofer */
  const char *hostname;
  const char *release;       /* the kernel release uname reports */
  const char *container_id;
  bool network_host;
  bool strace;
  int audit_fd;              /* -1: no audit log */
  uint64_t memory_limit;     /* bytes reported as the sandbox's memory; 0: host's */
  uint64_t tmpfs_size;       /* size of the writable layer in host-root mode */
  uint64_t shm_size;         /* size of /dev/shm (64 MiB unless an OCI config gives one) */
  int shm_fd;                /* or a detached copy of a pod's shm tmpfs to be /dev/shm; -1: none */
  int join_pid_ns_fd;        /* a pod's app pid namespace (another container's, whose
                                Sentry's pid namespace ours is in): the init is made
                                there, not in a new one; -1: a new one, ours pid 1 */
  int join_time_ns_fd;       /* with it, that app's time namespace, which the init
                                joins instead of making its own */
  int cpus;                  /* processors reported; 0: host's */
  const char *policy_file;   /* the tenant's policy; NULL: built-in defaults */
  const char *policy_base;   /* the provider's base policy, or NULL */
  int ncgroup_procs;         /* cgroup.procs files that receive the app's init */
  const char *cgroup_procs[8];
  const char *cwd;           /* the command's working directory in the container */
  bool cwd_optional;         /* fall back to "/" when cwd does not exist there */
  char **argv;               /* the command */
  /* An OCI container's own settings (sentry/launch_oci.c): they only
     narrow what the sandbox gives. */
  bool read_only_root;       /* the root read-only (its submounts as they are) */
  bool rootfs_writable;      /* a --rootfs not the tenant's: written in place, idmapped (an OCI
                                bundle's own directory), not under an in-memory layer */
  int ntmpfs;
  const char *tmpfs[16];     /* "PATH:SIZE:MODE:FLAGS" (flags: nosuid nodev noexec as n, d, x) */
  uint64_t app_caps;         /* the app's capabilities, within Docker's; 0: Docker's */
  uint64_t app_caps_inheritable;  /* its inheritable set, within app_caps */
  uint64_t app_caps_ambient;      /* its ambient set, within the inheritable one */
  int nrlimits;
  struct sb_rlimit rlimits[16];
  int oom_score_adj;         /* the app's (-999 to 1000) */
  const char *own_mounts;    /* the sandbox's own mounts in an OCI config's order
                                ("proc,dev,dev/pts,..."), or NULL: ours */
  bool hold;                 /* the command waits for the owner's {"op":"start"} (an OCI
                                create builds the sandbox, its start runs the command) */
};

/* One thread serving notifications, with its own channel to the Gofer
   and its own buffers (notify.c, gofer_client.c). Mapped lazily: a page
   is only paid for once used. */
#define SB_LANES_MAX 8
#define SB_LANE_SCRATCH 65536
_Static_assert (SB_LANE_SCRATCH >= SB_GOFER_DATA_MAX, "a lane's scratch holds an xattr value");
struct sb_lane
{
  int index;
  int gofer_sock;
  uint32_t gofer_next_id;
  struct sb_gofer_answer *answer; /* the last answer of sb_gofer() on this lane */
  char *msg;                      /* SB_GOFER_MSG_MAX: a request or answer being built */
  char *scratch;                  /* SB_LANE_SCRATCH bytes for a handler (listings, xattrs) */
};

struct sentry
{
  struct sentry_config cfg;
  int listener;              /* seccomp user-notification fd */
  int gofer_sock;            /* lane 0's channel (the hello's) */
  int nlanes;
  struct sb_lane *lanes[SB_LANES_MAX];
  pid_t gofer_pid;
  pid_t init_pid;            /* the sandbox's pid 1, in the Sentry's pid namespace */
  pid_t init_inner_pid;      /* the init in the app's pid namespace: 1, or (a joined
                                one, cfg.join_pid_ns_fd) the number it got there */
  rlim_t caller_nofile;      /* the soft RLIMIT_NOFILE we were started with: the app's without an open-files rule */
  int procfd;                /* the Sentry's own procfs (its pid namespace) */
  int userns_fd;             /* the tenant's user namespace */
  int pty_slave;             /* with cfg.tty: the app's terminal, until the init has it */
  int ptsfd;                 /* the sandbox's devpts: terminals of exec sessions */
  int app_procfs;            /* the app's procfs (of its pid namespace), made by the
                                init before the root is built, until attached */
  int init_sock;             /* to the init: exec requests, their answers */
  uint64_t mediated;         /* notifications served (atomic) */
  uint64_t denied;           /* calls refused (atomic) */
  uint32_t mediated_nr[SB_SYSCALL_NR_MAX];   /* the same by call number (x86-64) */
  uint32_t denied_nr[SB_SYSCALL_NR_MAX];
  struct sb_cred self_cred;  /* the Sentry's own, to return to after acting as a caller */
  struct sb_audit audit;
  uint64_t start_ns;         /* monotonic start, for uptime */
  long long boot_offset_ns;  /* the app's time namespace's boot clock offset (synthetic.c) */
  bool boot_offset_known;
  uint32_t gofer_next_id;
  struct sb_policy *policy;  /* always set: the tenant's, or the defaults */
  struct sb_filter_options filter;
  /* The app part of each hierarchy: v1's `tasks` file, through which the
     init moves itself (sb_app_init); or, on v2, which has none, its
     cgroup.procs, for placing the init by pid where it could not be cloned
     into it (release_init). -1 for the one not used. */
  int cgroup_procs_fd[8];
  int cgroup_tasks_fd[8];
  /* v2: the app part's directory, for cloning the init into it
     (CLONE_INTO_CGROUP); -1: none. init_cloned_in: it was. */
  int cgroup_app_dirfd;
  bool init_cloned_in;
  /* The sandbox's memory cgroup limit file, read at each /proc/meminfo and
     sysinfo: an OCI `update` moves it. -1: none. */
  int memory_limit_fd;
  /* The app's freezer state (cgroup v1 freezer.state, v2 cgroup.freeze),
     read by the sweep of blocking calls (notify.c). -1: none. */
  int freeze_fd;
  size_t notif_size;
  /* The tenant's hidden and read-only paths, expanded (sentry/protect.c):
     as written, the entry with its parent resolved, where a symlink leads. */
  int nhidden_forms;
  char **hidden_forms;
  int nread_only_forms;
  char **read_only_forms;
  /* The root is an overlay whose writable layer is the stage tmpfs (the
     host root, an image): protect.c may put placeholders there. */
  bool root_in_memory;
  /* getdents goes through the Sentry, which drops hidden and masked names (sys_dir.c). */
  bool serve_listings;
  /* directfs.c: the container root the Gofer walked for the Sentry (O_PATH,
     -1: none) and its mount's id; stat, access and readlink resolve there. */
  int direct_root;
  uint64_t direct_mnt;
  char boot_id[40];          /* the sandbox's own /proc/sys/kernel/random/boot_id */
};

/* One mediated call in flight. */
struct sb_call
{
  struct sentry *s;
  struct seccomp_notif *req;
  int nr;
  pid_t tid;                 /* the caller, in the Sentry's pid namespace */
  const uint64_t *args;
  bool responded;            /* a handler answered itself (ADDFD SEND, worker) */
  bool on_worker;            /* runs on a blocking-call worker (notify.c) */
  bool have_status;          /* status below is filled (sb_caller_status) */
  bool umask_fresh;          /* status.umask was read for this call (sb_caller_umask) */
  bool direct;               /* answered without the Gofer (directfs.c; --strace says so) */
  struct sb_task_status status;
  char detail[256];          /* strace: decoded extras, e.g. the resolved path */
};

/* gofer client (gofer_client.c) */
struct sb_gofer_answer
{
  int result;
  int kind;
  int fd;
  size_t data_len;
  char data[SB_GOFER_DATA_MAX];
};

/* Special handler results; anything else >= 0 is the value, < 0 is -errno. */
#define SB_RET_CONTINUE ((long) 0x7fff0001)   /* let the kernel run it */
#define SB_RET_DONE ((long) 0x7fff0002)       /* already answered */

typedef long (*sb_handler_fn) (struct sb_call *c);

/* notify.c */
int sentry_serve (struct sentry *s, sb_error_t *err);
int sb_respond (struct sentry *s, uint64_t id, long ret);
/* Installs fd in the caller (ADDFD with SEND): answers the call with the new number. */
long sb_inject_fd (struct sb_call *c, int fd, bool cloexec);
bool sb_call_valid (struct sb_call *c);
/* A descriptor of the caller's fd table: pidfd_getfd through a cached pidfd. */
int sb_get_app_fd (struct sb_call *c, int appfd);
/* Runs fn(c copy) on a detached thread, for calls that may block. If the
   caller goes away meanwhile (its notification is no longer valid), or a
   signal it takes is pending (the call is then answered -ERESTARTSYS if fn
   returns -EINTR), the thread's blocking call is interrupted (EINTR) and
   sb_call_gone is true: the call is not to be waited for any longer. */
long sb_run_blocking (struct sb_call *c, long (*fn) (struct sb_call *c, void *arg), void *arg,
                      size_t argsize);
bool sb_call_gone (struct sb_call *c);
/* On a serving thread about to block until fd is readable: waits for it,
   and if a notification comes first, wakes another serving thread to take
   it (only lane 0's thread waits in RECV, notify.c). Elsewhere: nothing. */
void sb_serving_wait_readable (struct sentry *s, int fd);
int sb_blocking_in_flight (void);
/* Releases the workers whose callers are gone (the main loop, periodically). */
void sb_blocking_sweep (struct sentry *s);

/* directfs.c: sb_direct_start asks the Gofer for the container root once,
   after the hello; sb_direct_confirm, once the Sentry is in its own root,
   keeps it only if the names of files read there are the Gofer's. */
void sb_direct_start (struct sentry *s);
void sb_direct_confirm (struct sentry *s);

/* dispatch.c */
void sentry_dispatch (struct sb_call *c);
/* Refuses the call with err, writing an audit line (per the audit level). */
long sb_deny (struct sb_call *c, int err, const char *action);
sb_handler_fn sb_handler_for (int nr);

/* caller.c: the caller's ids, groups, capabilities and inner ids, kept per
   thread until they may have changed (status.umask is not: use
   sb_caller_umask); and acting as the caller on the calling thread for the
   work the Sentry does itself (undone with sb_act_as_self). */
int sb_caller_status (struct sb_call *c, const struct sb_task_status **out);
/* The caller's umask, read for this call (threads share it). */
mode_t sb_caller_umask (struct sb_call *c);
/* The setuid family, setgroups, capset: forgets the caller's ids; CONTINUE. */
long sb_caller_changes_creds (struct sb_call *c);
/* execve, execveat: forgets what the exec may change, before it runs. */
void sb_caller_execs (struct sb_call *c);
/* A descriptor of the caller's fd table (pidfd_getfd through its pidfd). */
int sb_caller_getfd (struct sb_call *c, int appfd);
int sb_act_as_caller (struct sb_call *c);
void sb_act_as_self (struct sb_call *c);

int sb_gofer_call (struct sentry *s, const struct sb_gofer_req *req, const char *path,
                   const char *path2, const void *data, size_t data_len,
                   struct sb_gofer_answer *ans);
/* The first message: the procfs tree and the user namespace, and the
   Gofer's ends of the channels of the other lanes (made here, one per
   serving thread: s->cfg.serve_threads). */
int sb_gofer_hello (struct sentry *s, const int *fds, int nfds, struct sb_gofer_answer *ans);
/* The calling thread serves lane l from now on (notify.c's serving threads;
   any other thread uses lane 0). */
void sb_lane_enter (struct sb_lane *l);
/* This thread's lane's last answer of sb_gofer(); its scratch buffer. */
struct sb_gofer_answer *sb_lane_answer (void);
char *sb_lane_scratch (void);

/* One Gofer round trip from a handler (main thread): the Gofer's result;
   the whole answer (data, fd) until the next call is at sb_gofer_answer(). */
int sb_gofer (struct sb_call *c, uint32_t op, const char *path, const char *path2, int flags,
              uint32_t mode, uint64_t arg, const void *data, size_t data_len);
const struct sb_gofer_answer *sb_gofer_answer (void);

/* Paths (sys_file.c): the app's path argument made absolute in the container. */
int sb_absolute_path (struct sb_call *c, int dirfd, const char *raw, char *out, size_t outlen);
int sb_app_path (struct sb_call *c, int dirfd, uint64_t addr, char *out, size_t outlen);
/* The caller's pid/tid as seen inside the sandbox. */
int sb_inner_ids (struct sb_call *c, pid_t *pid, pid_t *tid);

/* protect.c: the hidden and read-only paths in the root being built. */
int sb_protect_paths (struct sentry *s, int rootfd, sb_error_t *err);
/* sysfs.c: the app's /sys, an allow-list, at target. */
int sb_make_sysfs (const char *target, sb_error_t *err);
/* sys_dir.c: the filter sends getdents to the Sentry, which drops hidden
   and masked names (unless the tenant denies getdents). */
void sb_serve_listings (struct sentry *s);
/* A host-class number the Sentry serves for this sandbox anyway. */
bool sb_sentry_serves (const struct sentry *s, int nr);

/* synthetic.c */
int sb_synthetic_open (struct sentry *s, const char *name, sb_error_t *err);
/* A sealed memfd holding text, answered as a seq_file (lseek). */
int sb_synthetic_text (const char *text, size_t len);

/* proc_mounts.c: a copy of an open /proc/<pid>/mountinfo or mounts without
   host facts (the stage's paths, host ids); -ENOENT for any other file. */
int sb_synthetic_mounts (struct sentry *s, int srcfd);
void sb_fill_sysinfo (struct sentry *s, void *info);
int sb_count_sandbox_tasks (struct sentry *s, int *running);

/* control.c: the owner's requests (exec, stats), the init's answers. */
void sb_control_from_owner (struct sentry *s);
void sb_control_from_init (struct sentry *s);
/* Tells the owner how the command ended, before the Sentry's own teardown
   (which a slow host may stretch: the owner's stop timer must not turn
   the command's status into the Sentry's). */
void sb_control_ended (struct sentry *s, int code);
/* Tells the owner whether the sandbox was built (root, mounts, the Gofer,
   the app's init): {"op":"ready"}, or {"op":"failed","error":MSG} before
   the Sentry exits with 125. An OCI `start` waits for one of them, so the
   cause reaches its caller rather than the monitor's own log alone. */
void sb_control_ready (struct sentry *s);
void sb_control_failed (struct sentry *s, const char *msg);

/* strace.c */
void sb_strace_call (struct sb_call *c, long ret, const char *how);
/* s (n bytes) quoted and escaped as strace(1) does; "..." when cut. */
void sb_strace_quote (char *out, size_t len, const char *s, size_t n, bool cut);

/* handlers */
long sys_open (struct sb_call *c);
long sys_openat (struct sb_call *c);
long sys_openat2 (struct sb_call *c);
long sys_creat (struct sb_call *c);
long sys_stat (struct sb_call *c);
long sys_lstat (struct sb_call *c);
long sys_newfstatat (struct sb_call *c);
long sys_statx (struct sb_call *c);
long sys_access (struct sb_call *c);
long sys_faccessat (struct sb_call *c);
long sys_faccessat2 (struct sb_call *c);
long sys_readlink (struct sb_call *c);
long sys_readlinkat (struct sb_call *c);
long sys_mkdir (struct sb_call *c);
long sys_mkdirat (struct sb_call *c);
long sys_mknod (struct sb_call *c);
long sys_mknodat (struct sb_call *c);
long sys_rmdir (struct sb_call *c);
long sys_unlink (struct sb_call *c);
long sys_unlinkat (struct sb_call *c);
long sys_rename (struct sb_call *c);
long sys_renameat (struct sb_call *c);
long sys_renameat2 (struct sb_call *c);
long sys_link (struct sb_call *c);
long sys_linkat (struct sb_call *c);
long sys_symlink (struct sb_call *c);
long sys_symlinkat (struct sb_call *c);
long sys_chmod (struct sb_call *c);
long sys_fchmodat (struct sb_call *c);
long sys_fchmodat2 (struct sb_call *c);
long sys_chown (struct sb_call *c);
long sys_lchown (struct sb_call *c);
long sys_fchownat (struct sb_call *c);
long sys_utime (struct sb_call *c);
long sys_utimes (struct sb_call *c);
long sys_futimesat (struct sb_call *c);
long sys_utimensat (struct sb_call *c);
long sys_truncate (struct sb_call *c);
long sys_ustat (struct sb_call *c);
long sys_statfs (struct sb_call *c);
long sys_chdir (struct sb_call *c);
long sys_xattr (struct sb_call *c);
long sys_execve (struct sb_call *c);
long sys_inotify_add_watch (struct sb_call *c);
long sys_getdents (struct sb_call *c);
long sys_uname (struct sb_call *c);
long sys_sysinfo (struct sb_call *c);
long sys_socket (struct sb_call *c);
long sys_bind (struct sb_call *c);
long sys_connect (struct sb_call *c);
long sys_sendto (struct sb_call *c);
long sys_sendmsg (struct sb_call *c);
long sys_sendmmsg (struct sb_call *c);
long sys_socketpair (struct sb_call *c);
long sys_sysfs (struct sb_call *c);
long sys_sockopt_refused (struct sb_call *c);
/* unix_bind.c: a checked Unix path bound under the app's own name. */
struct sockaddr_un;
int sb_unix_bind_as_app (struct sb_call *c, int sockfd, const struct sockaddr_un *sun, socklen_t len,
                         bool sentry_root);
long sys_ptrace (struct sb_call *c);
long sys_time (struct sb_call *c);
long sys_gettimeofday (struct sb_call *c);
long sys_settimeofday (struct sb_call *c);
long sys_clock_settime (struct sb_call *c);
long sys_adjtimex (struct sb_call *c);
long sys_clock_adjtime (struct sb_call *c);
long sys_ioctl (struct sb_call *c);
long sys_lseek (struct sb_call *c); /* synthetic.c */

#endif
