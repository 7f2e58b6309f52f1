/* /proc/<pid>/mountinfo and /proc/<pid>/mounts as the app sees its mounts,
   without host facts: the kernel prints the overlay's stage directories
   (lowerdir=/tmp/lower0...), a bind mount's path in its host filesystem
   (a volume's source, the stage's masks) and tmpfs and devpts ids in the
   host's user namespace; and the masks of hidden and masked paths, which
   name what the app is told does not exist. The Sentry answers an open of
   these files with a rewritten copy in a sealed memfd (synthetic.c);
   nothing in a sandbox can mount, so a snapshot stays true. */
#include "sentry.h"
#include "cleanup.h"
#include "mounts.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* uid=N, gid=N of a superblock's options are printed as host ids (the
   kernel shows them in its initial user namespace): the container's id,
   left out for 0 as the kernel leaves out root's; an id outside the
   tenant's range says nothing the app could use and is left out too. */
static bool
container_id (const struct sentry *s, const char *v, unsigned long *out)
{
  char *end;
  unsigned long n = strtoul (v, &end, 10);

  if (end == v || *end != '\0' || n < s->cfg.idmap.host || n - s->cfg.idmap.host >= s->cfg.idmap.count)
    return false;
  *out = n - s->cfg.idmap.host;
  return *out != 0;
}

/* The options of one line (comma-separated) without the overlay's stage
   paths (lowerdir, upperdir, workdir, datadir: /tmp/lower0...) and with
   ids as the container sees them. */
static void
write_clean_options (const struct sentry *s, char *opts, FILE *f)
{
  bool first = true;
  char *tok, *save = NULL;
  unsigned long id;

  for (tok = strtok_r (opts, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      if (strncmp (tok, "lowerdir=", 9) == 0 || strncmp (tok, "upperdir=", 9) == 0
          || strncmp (tok, "workdir=", 8) == 0 || strncmp (tok, "datadir=", 8) == 0)
        continue;
      if (strncmp (tok, "uid=", 4) == 0 || strncmp (tok, "gid=", 4) == 0)
        {
          if (container_id (s, tok + 4, &id))
            fprintf (f, "%s%.4s%lu", first ? "" : ",", tok, id);
          else
            continue;
        }
      else
        fprintf (f, "%s%s", first ? "" : ",", tok);
      first = false;
    }
}

/* Filesystems whose mount root names a place of their own (a /proc or
   /sys subtree), not of a host disk or the Sentry's stage. */
static bool
root_is_own (const char *fstype)
{
  return strcmp (fstype, "proc") == 0 || strcmp (fstype, "sysfs") == 0
         || strcmp (fstype, "cgroup") == 0 || strcmp (fstype, "cgroup2") == 0
         || strcmp (fstype, "devpts") == 0 || strcmp (fstype, "mqueue") == 0;
}

/* A mount point (as the kernel escapes it) that names nothing for the
   app: a tenant's hidden path, or a /proc or /sys entry the sandbox masks,
   or one below either. Their masks are mounts, but a path the app is told
   does not exist must not show in its mount table either (ls and stat say
   ENOENT; lsof and findmnt stat every mount point, and the name itself
   would tell what the tenant's policy hides). */
static bool
mount_point_hidden (const struct sentry *s, const char *escaped)
{
  char point[4096], *slash;

  sb_mount_point_unescape (escaped, point, sizeof (point));
  if (s->nhidden_forms > 0 && sb_path_under_any (point, (const char *const *) s->hidden_forms, s->nhidden_forms))
    return true;
  /* The path and each of its ancestors, against the masks. */
  while (point[0] == '/' && point[1] != '\0')
    {
      if (sb_path_masked (point))
        return true;
      slash = strrchr (point, '/');
      if (slash == point)
        break;
      *slash = '\0';
    }
  return false;
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS" */
static void
write_mountinfo_line (const struct sentry *s, char *line, FILE *f)
{
  char *field[64], *save = NULL, *tok;
  int n = 0, dash = -1, i;

  for (tok = strtok_r (line, " ", &save); tok && n < 64; tok = strtok_r (NULL, " ", &save))
    {
      if (strcmp (tok, "-") == 0 && dash < 0)
        dash = n;
      field[n++] = tok;
    }
  if (dash < 6 || n < dash + 4)
    return; /* not a line the kernel writes: left out */
  if (mount_point_hidden (s, field[4]))
    return;
  for (i = 0; i < dash; i++)
    fprintf (f, "%s%s", i ? " " : "", i == 3 && !root_is_own (field[dash + 1]) ? "/" : field[i]);
  fprintf (f, " - %s %s ", field[dash + 1], field[dash + 2]);
  write_clean_options (s, field[dash + 3], f);
  fputc ('\n', f);
}

/* "SOURCE MOUNTPOINT FSTYPE OPTS DUMP PASS" */
static void
write_mounts_line (const struct sentry *s, char *line, FILE *f)
{
  char *field[6], *save = NULL, *tok;
  int n = 0;

  for (tok = strtok_r (line, " ", &save); tok && n < 6; tok = strtok_r (NULL, " ", &save))
    field[n++] = tok;
  if (n != 6 || mount_point_hidden (s, field[1]))
    return;
  fprintf (f, "%s %s %s ", field[0], field[1], field[2]);
  write_clean_options (s, field[3], f);
  fprintf (f, " %s %s\n", field[4], field[5]);
}

int
sb_synthetic_mounts (struct sentry *s, int srcfd)
{
  char link[64], name[PATH_MAX], buf[8192], *nl, *line;
  cleanup_free char *in = NULL, *text = NULL;
  size_t inlen = 0, len = 0;
  const char *base, *parent;
  struct statfs sfs;
  struct stat st;
  bool info;
  ssize_t n;
  FILE *f;

  if (fstatfs (srcfd, &sfs) < 0 || sfs.f_type != 0x9fa0 /* PROC_SUPER_MAGIC */
      || fstat (srcfd, &st) < 0 || !S_ISREG (st.st_mode))
    return -ENOENT;
  snprintf (link, sizeof (link), "self/fd/%d", srcfd);
  n = readlinkat (s->procfd, link, name, sizeof (name) - 1);
  if (n <= 0)
    return -ENOENT;
  name[n] = '\0';
  base = strrchr (name, '/');
  if (base == NULL || base == name)
    return -ENOENT;
  info = strcmp (base + 1, "mountinfo") == 0;
  if (!info && strcmp (base + 1, "mounts") != 0)
    return -ENOENT;
  for (parent = base - 1; parent > name && parent[-1] != '/'; parent--)
    if (!isdigit ((unsigned char) *parent))
      return -ENOENT;
  if (!isdigit ((unsigned char) *parent))
    return -ENOENT;
  f = open_memstream (&in, &inlen);
  if (f == NULL)
    return -ENOMEM;
  while ((n = read (srcfd, buf, sizeof (buf))) > 0)
    fwrite (buf, 1, (size_t) n, f);
  fclose (f);
  if (n < 0 || in == NULL)
    return -EIO;
  f = open_memstream (&text, &len);
  if (f == NULL)
    return -ENOMEM;
  for (line = in; *line; line = nl + 1)
    {
      nl = strchr (line, '\n');
      if (nl == NULL)
        break;
      *nl = '\0';
      if (info)
        write_mountinfo_line (s, line, f);
      else
        write_mounts_line (s, line, f);
    }
  fclose (f);
  return sb_synthetic_text (text ? text : "", len);
}
