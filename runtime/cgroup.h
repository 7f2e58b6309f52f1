/* One cgroup per sandbox, on cgroup v1 (one directory per controller) or v2
   (one directory). Created before the Sentry starts, removed after it ends. */
#ifndef SB_CGROUP_H
#define SB_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"

#define SB_CGROUP_MAX_DIRS 8

struct sb_cgroup
{
  bool v2;
  int ndirs;
  char *dirs[SB_CGROUP_MAX_DIRS]; /* absolute paths we created */
  char *parents[SB_CGROUP_MAX_DIRS]; /* the "sandbox" parents, removed if empty */
};

/* root: the cgroup mount ("/sys/fs/cgroup"); name: unique per sandbox. */
int sb_cgroup_create (struct sb_cgroup *cg, const char *root, const char *name, sb_error_t *err);
int sb_cgroup_add_pid (struct sb_cgroup *cg, pid_t pid, sb_error_t *err);
/* Kills what is left in it, removes the directories. Safe to call twice. */
int sb_cgroup_destroy (struct sb_cgroup *cg, sb_error_t *err);

#endif
