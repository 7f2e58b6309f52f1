/* Building the sandbox: the container root, the Gofer, the app's init, and
   the Sentry's own confinement. Runs in sandbox-sentry before it serves. */
#ifndef SB_LAUNCH_H
#define SB_LAUNCH_H

#include "sentry.h"

/* Where the sandbox is assembled, inside the Sentry's private mount namespace. */
#define SB_STAGE_DIR "/tmp"
#define SB_ROOT_DIR SB_STAGE_DIR "/root"
/* An empty file of the stage: masks of single files are binds of it. */
#define SB_MASK_FILE SB_STAGE_DIR "/masked"

int sb_launch (struct sentry *s, sb_error_t *err);

/* app_init.c: runs in the child that becomes the sandbox's pid 1; never returns. */
struct sb_app_init_args
{
  int sync_sock;          /* to the Sentry */
  const char *cwd;
  bool cwd_optional;
  unsigned open_files;    /* RLIMIT_NOFILE of the app (0: caller_nofile) */
  rlim_t caller_nofile;   /* the soft limit the Sentry was started with */
  const struct sb_filter_options *filter;
  int userns_fd;          /* the tenant's user namespace, joined before the command starts */
  int stdio[3];           /* the app's stdin, stdout, stderr */
  bool tty;               /* stdio is a terminal: the command gets it as its controlling one */
  struct sb_proc_user user;   /* the command's ids */
  char **argv;
  uint64_t caps;              /* the app's capabilities (within Docker's); 0: Docker's */
  uint64_t caps_inheritable;  /* its inheritable and ambient sets (within caps) */
  uint64_t caps_ambient;
  int oom_score_adj;          /* the app's /proc/self/oom_score_adj, -999 to 1000 */
  int nrlimits;               /* rlimits that may only lower the inherited ones */
  const struct sb_rlimit *rlimits;
  int ncgroup_tasks;          /* v1 `tasks` files of the app's cgroup: the init moves itself */
  const int *cgroup_tasks;
  bool hold;                  /* an OCI create: the start brings the config's startContainer
                                 hooks, run before the command (sentry/control.c) */
  bool joined;                /* in a pod's pid namespace, not its pid 1: the subreaper
                                 of the command's orphans */
  int time_ns_fd;             /* then the pod's app time namespace, joined instead of a
                                 new one (sentry/timens.c); -1: a new one */
};
__attribute__ ((noreturn)) void sb_app_init (struct sb_app_init_args *a);
/* The Sentry's own argument strings (main's argv, contiguous in memory):
   the init, a fork of the Sentry, writes its title over them. */
void sb_app_init_title_area (char *start, size_t len);

/* launch_oci.c: an OCI container's tmpfs mounts and read-only root, in
   the container root being built (after the policy's mounts). */
int sb_launch_oci_mounts (struct sentry *s, sb_error_t *err);
/* launch_oci.c: the container root as an overlay of the lower layers
   (attached, idmapped, at LOWERDIR's paths: overlayfs's lowerdir= value)
   under an engine's own writable layer (cfg.upper_fd), idmapped too. */
int sb_launch_engine_overlay (struct sentry *s, const char *lowerdir, sb_error_t *err);
/* The calling thread's fs ids become ID (a host id), its capabilities
   unchanged, so that what it creates through an idmapped mount belongs to
   that id's mapping; returns what sb_launch_fs_ids_back takes. */
int sb_launch_fs_ids_as (uint32_t id);
void sb_launch_fs_ids_back (int saved);
/* mkdir -p of a container path inside the root being built (launch.c). */
int sb_launch_make_in_root (int rootfd, const char *path, bool as_file, uint32_t owner);
/* The config's rlimits, each only lowering what is in force. */
int sb_apply_rlimits (const struct sb_rlimit *r, int n, sb_error_t *err);
/* timens.c: in the init, before the command starts: a time namespace whose
   monotonic and boot clocks start with the sandbox (for its children). */
int sb_enter_sandbox_time (sb_error_t *err);

/* self_filter.c */
int sb_sentry_apply_filter (sb_error_t *err);

#endif
