/* One cgroup per sandbox, on cgroup v1 (one directory per controller) or v2
   (one directory), split in two: the Sentry and the Gofer in one part, the
   app in the other:
     v1: <controller>/sandbox/<id>            Sentry, Gofer; memory and cpu limits
         <controller>/sandbox/<id>/app        the app; the pids limit
     v2: sandbox/<id>                         memory and cpu limits
         sandbox/<id>/supervisor              Sentry, Gofer
         sandbox/<id>/app                     the app; the pids limit
   Memory and CPU bind everything done for the sandbox, the helpers' work
   included; the pids limit binds the app alone, so a fork bomb never keeps
   the helpers from serving it or tearing it down. The whole sandbox may
   open only the devices it has: on v1 by the devices controller, on v2 by
   a BPF device program attached to sandbox/<id>.
   Created before the Sentry starts, removed after it ends. */
#ifndef SB_CGROUP_H
#define SB_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

#define SB_CGROUP_MAX_DIRS 8
#define SB_CGROUP_PATH_MAX 1024
#define SB_CGROUP_MAX_IO 16

/* A cgroup path a sandbox may be given: absolute, clean (no empty, `.`
   or `..` component), of letters, digits and ._:@- only. */
bool sb_cgroup_path_ok (const char *path);
/* Whether a cgroup path is sandboxd's own tree (/sandbox, where every
   sandbox placed by name is) or lies in it. */
bool sb_cgroup_in_sandbox_tree (const char *path);
/* A path a sandbox may be placed at by an OCI config: clean, and not in
   sandboxd's own tree (/sandbox, where every other sandbox is). */
bool sb_cgroup_path_foreign (const char *path);
/* Where sandbox `name` is below a hierarchy's root: sandbox/NAME, or the
   path itself (without its leading /) for a name that is one. */
int sb_cgroup_relative (const char *name, char *out, size_t len, sb_error_t *err);

struct bpf_insn;
/* v2's device rules: writes into prog (room for max instructions) the BPF
   program that allows only the sandbox's devices; returns its length, 0
   when max is too small. */
size_t sb_cgroup_devices_program (struct bpf_insn *prog, size_t max);
/* Loads that program and attaches it to the cgroup2 directory dir, beside
   any program of a parent (BPF_F_ALLOW_MULTI). */
int sb_cgroup_devices_attach (const char *dir, sb_error_t *err);

/* rbps, wbps, riops or wiops: a block I/O throttle sb_cgroup_limits.io
   may name. */
bool sb_cgroup_io_kind_ok (const char *kind);

struct sb_cgroup_limits
{
  uint64_t memory_bytes;  /* 0: none */
  int64_t swap_bytes;     /* -1: unlimited */
  uint32_t cpu_millis;    /* 0: none */
  uint32_t pids;          /* 0: none */
  uint32_t cpu_quota_us, cpu_period_us; /* exactly so (an OCI config's), over cpu_millis; 0: from cpu_millis */
  uint64_t cpu_shares;    /* 0: the default weight (1024; v2 cpu.weight from it) */
  uint64_t memory_low;    /* 0: none; a soft limit (v1 soft_limit_in_bytes, v2 memory.low) */
  bool swappiness_set;    /* v1 only */
  uint8_t swappiness;     /* 0..100 */
  char cpus[128], mems[128]; /* cpuset, as the kernel lists it ("0-1,3"); "": unchanged */
  int nio;                /* block I/O throttles of the whole sandbox, per device */
  struct
  {
    char kind[8];         /* rbps, wbps, riops, wiops */
    uint32_t major, minor;
    uint64_t rate;        /* per second; 0: none */
  } io[SB_CGROUP_MAX_IO];
};

struct sb_cgroup
{
  bool v2;
  bool by_path;                          /* placed by a cgroup path: its parents are not ours */
  int ndirs;
  char *dirs[SB_CGROUP_MAX_DIRS];       /* the sandbox's directory per hierarchy */
  char *controllers[SB_CGROUP_MAX_DIRS]; /* v1: the controller of each; v2: "" */
};

/* root: the cgroup mount ("/sys/fs/cgroup"); name: unique per sandbox,
   placed at sandbox/NAME in each hierarchy, or a cgroup path ("/a/b/c",
   sb_cgroup_path_ok) placed there: its parents are made if missing and
   never removed, and the leaf must not exist yet (an OCI config's
   cgroupsPath, when the runtime's configuration follows it). */
int sb_cgroup_create (struct sb_cgroup *cg, const char *root, const char *name, sb_error_t *err);
/* Places the calling process in the supervisor part (the Sentry's first
   process, before its exec; the OCI monitor), by its own move: "0" to the
   file sb_cgroup_self_file names. */
int sb_cgroup_enter (struct sb_cgroup *cg, sb_error_t *err);
/* The same into the app part (a createContainer hook: the container's
   limits bind it, and what it leaves running ends with the container). */
int sb_cgroup_enter_app (struct sb_cgroup *cg, sb_error_t *err);
/* The file of a cgroup directory through which the calling process moves
   itself with "0": v1's `tasks` when it has one thread, which avoids the
   kernel's global lock that a move by pid or of a whole process takes
   (cgroup.c); else cgroup.procs. */
const char *sb_cgroup_self_file (bool v2);
/* v2: the supervisor part's directory, for clone3's CLONE_INTO_CGROUP
   (sb_clone_into_cgroup), which places a child without that lock; -1 on v1. */
int sb_cgroup_clone_fd (struct sb_cgroup *cg);
/* The cgroup.procs files of the app part, for the Sentry to place the app's init. */
int sb_cgroup_app_procs (struct sb_cgroup *cg, int i, char *out, size_t len);
int sb_cgroup_set_limits (struct sb_cgroup *cg, const struct sb_cgroup_limits *l, sb_error_t *err);
/* The limits as sandboxd keeps them in a container's record (memory, swap,
   cpu_millis, cpu_quota, cpu_period, pids, cpu_shares, memory_reservation,
   swappiness, cpuset_cpus, cpuset_mems, blkio_throttle: [{"kind", "major",
   "minor", "rate"}]; a missing key: none). */
struct json_t;
void sb_cgroup_limits_from_json (const struct json_t *lim, struct sb_cgroup_limits *l);
/* How many times the kernel's OOM killer acted in the sandbox. */
long sb_cgroup_oom_kills (struct sb_cgroup *cg);
/* The cgroup of sandbox `name` that someone else made, as it is (no
   directory: ndirs 0); sb_cgroup_close forgets it. */
int sb_cgroup_open_named (struct sb_cgroup *cg, const char *root, const char *name, sb_error_t *err);
void sb_cgroup_close (struct sb_cgroup *cg);
/* New limits of a running sandbox: those set in l (0: unchanged). */
int sb_cgroup_update_limits (struct sb_cgroup *cg, const struct sb_cgroup_limits *l, sb_error_t *err);
/* The cgroup of sandbox `name` that someone else made (its owner is gone):
   kills what is left in it and removes it. 0 if there was none. */
int sb_cgroup_remove_named (const char *root, const char *name, sb_error_t *err);
/* Removes the sandboxes' shared parent directories if no sandbox is
   under them. */
void sb_cgroup_prune (const char *root);
/* Kills what is left in it, removes the directories. Safe to call twice. */
int sb_cgroup_destroy (struct sb_cgroup *cg, sb_error_t *err);
/* Kills the app part's processes and thaws a paused sandbox (cgroup v1's
   freezer, v2's cgroup.freeze), so that a SIGKILL sent to it ends it: a
   frozen process takes no signal, and the Sentry, pid 1 of the sandbox,
   cannot finish exiting while one of its namespace lives. */
void sb_cgroup_let_go (struct sb_cgroup *cg);

#endif
