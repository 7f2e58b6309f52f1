/* The sandbox library: starts one sandbox and tears it down. Used by
   `sandbox-runtime do`, by sandboxd's per-container monitor and by the OCI
   runtime, so that there is one way a sandbox is made.

   sb_sandbox_start() opens the host directories safely (common/hostpath.h),
   makes the sandbox's cgroup with its limits, its stdio (pipes, or a
   control socket on which the Sentry hands back the master of the
   sandbox's own terminal), its audit pipe and its lifeline, and starts the
   Sentry in new pid, mount, ipc, uts (and net) namespaces. The caller then
   relays (runtime/relay.c does for `do`) and waits for the Sentry, and
   calls sb_sandbox_cleanup() once it is gone. */
#ifndef SB_SANDBOX_H
#define SB_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>
#include "cgroup.h"
#include "creds.h"
#include "error.h"
#include "policy/policy.h"

struct sb_sandbox_spec
{
  const char *id;                  /* unique: names the cgroup and the audit lines */
  const struct sb_policy *policy;  /* the effective policy: limits, volumes */
  const char *policy_file;         /* the same policy, for the Sentry (NULL: the defaults) */
  const char *policy_base;         /* its base file, or NULL */
  const char *rootfs;              /* NULL: the host root */
  const char *const *layers;       /* an image's layer directories, bottom first,
                                      NULL-terminated (NULL or empty: none); not
                                      with rootfs */
  const char *upper;                /* with layers: a writable layer of the engine's to stack
                                      them under (idmapped), instead of one in memory */
  const char *work;                 /* its overlayfs workdir, a directory beside it */
  const char *hostname;
  const char *release;
  bool network_host;
  bool ipc_inherit;                /* the sandbox's ipc namespace is ours, which the
                                      caller made or joined and checked is not the
                                      host's (an OCI monitor: a pod's); otherwise a
                                      new one */
  bool join_pid_ns;                /* the pid namespace of a pod (an OCI monitor joining another
                                      container's, which it opened and checked): */
  int pod_sentry_pid_ns;           /* that container's Sentry's, where ours is made */
  int pod_app_pid_ns;              /* and its app's, where our init is made */
  int pod_app_time_ns;             /* and the time namespace of that app, which ours joins */
  bool strace;                     /* the Sentry prints every mediated call on our stderr */
  bool tty;                        /* the app gets a terminal of the sandbox's own */
  const char *cwd;                 /* NULL: "/" */
  bool cwd_optional;               /* fall back to "/" when cwd is not in the image */
  char *const *argv;
  char *const *envp;               /* the command's environment; NULL: ours */
  struct sb_cgroup_limits limits;
  struct sb_idmap ids;             /* the tenant's host ids (sb_idrange_for) */
  struct
  {
    bool set;
    uint32_t uid, gid;             /* container ids */
    int ngroups;
    uint32_t groups[64];
  } user;                          /* who the command runs as; unset: root */
  /* An OCI container's own settings (sandbox-runtime): they only narrow. */
  bool read_only_root;
  bool rootfs_writable;            /* rootfs written in place, idmapped (an OCI bundle's own) */
  const char *const *tmpfs;        /* "PATH:SIZE:MODE:FLAGS", NULL-terminated (NULL: none) */
  uint64_t caps;                   /* the app's capabilities within Docker's; 0: Docker's */
  uint64_t caps_inheritable;       /* of those, its inheritable set (0: none) */
  uint64_t caps_ambient;           /* and its ambient set, within the inheritable one (0: none) */
  const char *const *rlimits;      /* "RESOURCE:SOFT:HARD", NULL-terminated (NULL: none) */
  int oom_score_adj;               /* the app's, -999 to 1000 (the OCI config's process.oomScoreAdj,
                                      below 0 as the tenant's policy allows) */
  uint64_t shm_size;               /* bytes of the sandbox's /dev/shm; 0: 64 MiB */
  const char *shm_source;          /* or an engine's tmpfs as its /dev/shm (a pod's); NULL: its own */
  const char *shm_id;              /* the identity ("DEV:INO") sandboxd admitted for shm_source */
  const char *own_mounts;          /* the sandbox's own mounts in the config's order
                                      ("proc,dev,dev/pts,dev/shm,dev/mqueue,sys"); NULL: all, ours */
  bool cgroup_ready;               /* sb->cg was made by the caller (sb_cgroup_create with id):
                                      an OCI monitor lives in it from create on */
  bool hold;                       /* built, but the command waits for {"op":"start"} on
                                      the control channel (an OCI create) */
};

struct sb_sandbox
{
  pid_t sentry;
  pid_t watcher;                   /* removes the cgroup if we are killed */
  struct sb_cgroup cg;
  int app_in, app_out, app_err;    /* our ends of the app's stdio (without a terminal) */
  int ctl;                         /* the Sentry's control channel (sentry/control.c) */
  int audit;                       /* the Sentry's audit lines */
  int lifeline;                    /* close it, and the sandbox ends */
};

/* The request itself is wrong (a refused --rootfs, layer or volume): a usage
   error for the caller to report as such. */
#define SB_SANDBOX_EREQUEST (-2)

/* Starts the sandbox. Returns 0, SB_SANDBOX_EREQUEST or -1, with err set. */
int sb_sandbox_start (const struct sb_sandbox_spec *spec, struct sb_sandbox *sb, sb_error_t *err);

/* SIGKILL to the sandbox (its Sentry, pid 1 of it), paused or not. */
void sb_sandbox_kill (struct sb_sandbox *sb);

/* After the Sentry has been reaped: removes the cgroup, ends the watcher,
   closes what is still open. Safe to call twice. */
void sb_sandbox_cleanup (struct sb_sandbox *sb);

/* Where cgroups are: $SANDBOX_CGROUP_ROOT lets a test point at a cgroup2
   mount of its own (to test v2 on a v1 host). */
const char *sb_cgroup_root (void);

#endif
