#include "cgroup.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

/* v1 controllers the sandbox is placed in (those the host has mounted). */
static const char *const v1_controllers[] = { "memory", "pids", "cpu", "cpuacct", "freezer", NULL };

static int
add_dir (struct sb_cgroup *cg, const char *parent, const char *name, sb_error_t *err)
{
  char path[8192];

  if (cg->ndirs >= SB_CGROUP_MAX_DIRS)
    return sb_error (err, ENOSPC, "too many cgroup directories");
  if (mkdir (parent, 0755) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", parent);
  snprintf (path, sizeof (path), "%s/%s", parent, name);
  if (mkdir (path, 0755) < 0)
    return sb_error (err, errno, "mkdir `%s`", path);
  cg->dirs[cg->ndirs] = strdup (path);
  cg->parents[cg->ndirs] = strdup (parent);
  cg->ndirs++;
  return 0;
}

int
sb_cgroup_create (struct sb_cgroup *cg, const char *root, const char *name, sb_error_t *err)
{
  struct statfs sfs;
  char parent[4096];
  int i, j;

  memset (cg, 0, sizeof (*cg));
  if (statfs (root, &sfs) < 0)
    return sb_error (err, errno, "statfs `%s`", root);
  cg->v2 = sfs.f_type == CGROUP2_SUPER_MAGIC;
  if (cg->v2)
    {
      char ctl[8192];
      snprintf (parent, sizeof (parent), "%s/sandbox", root);
      snprintf (ctl, sizeof (ctl), "%s/cgroup.subtree_control", root);
      /* Controllers must be enabled down to the parent; failures to enable one
         (not available on this host) are not fatal for the placement itself. */
      sb_write_file (ctl, "+memory +pids +cpu", NULL);
      if (add_dir (cg, parent, name, err) < 0)
        return -1;
      snprintf (ctl, sizeof (ctl), "%s/cgroup.subtree_control", parent);
      sb_write_file (ctl, "+memory +pids +cpu", NULL);
      return 0;
    }
  {
    dev_t seen_dev[SB_CGROUP_MAX_DIRS];
    ino_t seen_ino[SB_CGROUP_MAX_DIRS];
    int nseen = 0;

    for (i = 0; v1_controllers[i]; i++)
      {
        struct stat st;
        char dir[1024];
        bool duplicate = false;

        snprintf (dir, sizeof (dir), "%s/%s", root, v1_controllers[i]);
        if (statfs (dir, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC || stat (dir, &st) < 0)
          continue;
        /* "cpu" and "cpuacct" are often one hierarchy under two names. */
        for (j = 0; j < nseen; j++)
          duplicate |= seen_dev[j] == st.st_dev && seen_ino[j] == st.st_ino;
        if (duplicate || nseen >= SB_CGROUP_MAX_DIRS)
          continue;
        seen_dev[nseen] = st.st_dev;
        seen_ino[nseen++] = st.st_ino;
        snprintf (parent, sizeof (parent), "%s/sandbox", dir);
        if (add_dir (cg, parent, name, err) < 0)
          {
            sb_cgroup_destroy (cg, NULL);
            return -1;
          }
      }
  }
  if (cg->ndirs == 0)
    return sb_error (err, ENOENT, "no cgroup controller mounted under `%s`", root);
  return 0;
}

int
sb_cgroup_add_pid (struct sb_cgroup *cg, pid_t pid, sb_error_t *err)
{
  char path[8192], value[32];
  int i;

  snprintf (value, sizeof (value), "%d", pid);
  for (i = 0; i < cg->ndirs; i++)
    {
      snprintf (path, sizeof (path), "%s/cgroup.procs", cg->dirs[i]);
      if (sb_write_file (path, value, err) < 0)
        return -1;
    }
  return 0;
}

static void
kill_members (const char *dir)
{
  char path[8192], line[64];
  cleanup_file FILE *f = NULL;

  snprintf (path, sizeof (path), "%s/cgroup.procs", dir);
  f = fopen (path, "re");
  if (f == NULL)
    return;
  /* Only processes of this sandbox's own cgroup: they are ours to end. */
  while (fgets (line, sizeof (line), f))
    {
      long pid;
      line[strcspn (line, "\n")] = '\0';
      if (sb_parse_long (line, 1, 1 << 30, &pid) == 0)
        kill ((pid_t) pid, SIGKILL);
    }
}

int
sb_cgroup_destroy (struct sb_cgroup *cg, sb_error_t *err)
{
  int i, ret = 0;

  for (i = 0; i < cg->ndirs; i++)
    {
      int tries;

      if (cg->dirs[i] == NULL)
        continue;
      for (tries = 0; tries < 200; tries++)
        {
          if (rmdir (cg->dirs[i]) == 0 || errno == ENOENT)
            break;
          if (errno != EBUSY)
            break;
          kill_members (cg->dirs[i]);
          {
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep (&ts, NULL);
          }
        }
      if (access (cg->dirs[i], F_OK) == 0)
        ret = sb_error (err, EBUSY, "remove cgroup `%s`", cg->dirs[i]);
      free (cg->dirs[i]);
      cg->dirs[i] = NULL;
      /* The shared parent goes too once no sandbox uses it. */
      rmdir (cg->parents[i]);
      free (cg->parents[i]);
      cg->parents[i] = NULL;
    }
  cg->ndirs = 0;
  return ret;
}
