#include "idrange.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RECORDS 16384

struct record
{
  char tenant[SB_POLICY_NAME_MAX];
  uint32_t lo, hi;
};

/* mkdir -p of the directory of path, private to root. */
static int
make_parent (const char *path, sb_error_t *err)
{
  char dir[PATH_MAX], *p;

  if (snprintf (dir, sizeof (dir), "%s", path) >= (int) sizeof (dir))
    return sb_error (err, ENAMETOOLONG, "`%s`", path);
  p = strrchr (dir, '/');
  if (p == NULL || p == dir)
    return 0;
  *p = '\0';
  for (p = dir + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (dir, 0755) < 0 && errno != EEXIST)
          return sb_error (err, errno, "mkdir `%s`", dir);
        *p = '/';
      }
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", dir);
  return 0;
}

static int
read_records (FILE *f, const char *path, struct record *r, size_t *n, sb_error_t *err)
{
  char line[256];
  unsigned lineno = 0;

  *n = 0;
  while (fgets (line, sizeof (line), f))
    {
      char name[SB_POLICY_NAME_MAX + 1];
      unsigned long lo, hi;

      lineno++;
      if (line[0] == '#' || line[0] == '\n')
        continue;
      if (sscanf (line, "%64s %lu %lu", name, &lo, &hi) != 3 || lo > hi || hi > UINT32_MAX
          || strlen (name) >= SB_POLICY_NAME_MAX)
        return sb_error (err, EINVAL, "%s:%u: not \"TENANT FIRST LAST\" (a damaged record of "
                         "id ranges: repair it by hand, never reuse a range)", path, lineno);
      if (*n == MAX_RECORDS)
        return sb_error (err, ENOSPC, "%s: too many records", path);
      snprintf (r[*n].tenant, sizeof (r[*n].tenant), "%s", name);
      r[*n].lo = (uint32_t) lo;
      r[*n].hi = (uint32_t) hi;
      (*n)++;
    }
  return 0;
}

static int
write_records (const char *path, const struct record *r, size_t n, sb_error_t *err)
{
  char tmp[PATH_MAX];
  cleanup_file FILE *f = NULL;
  size_t i;
  int fd;

  snprintf (tmp, sizeof (tmp), "%s.tmp", path);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || (f = fdopen (fd, "w")) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return sb_error (err, errno, "write `%s`", tmp);
    }
  fprintf (f, "# Host id ranges handed out from the id-pool: TENANT FIRST LAST.\n"
              "# Written by sandbox-runtime and sandboxd; a range is never reused.\n");
  for (i = 0; i < n; i++)
    fprintf (f, "%s %u %u\n", r[i].tenant, r[i].lo, r[i].hi);
  if (fflush (f) != 0 || fsync (fileno (f)) < 0)
    return sb_error (err, errno, "write `%s`", tmp);
  if (rename (tmp, path) < 0)
    return sb_error (err, errno, "rename `%s`", tmp);
  return 0;
}

int
sb_idrange_for (const struct sb_policy *p, const char *state_file, struct sb_idmap *out,
                sb_error_t *err)
{
  cleanup_free struct record *r = NULL;
  cleanup_close int lock = -1;
  cleanup_file FILE *f = NULL;
  const char *tenant = p->tenant[0] ? p->tenant : "-";
  char lockpath[PATH_MAX];
  uint64_t block;
  size_t n = 0, i;

  if (p->id_lo != 0)
    {
      out->host = p->id_lo;
      out->count = p->id_hi - p->id_lo + 1;
      return 0;
    }
  if (make_parent (state_file, err) < 0)
    return sb_error_prefix (err, "record the tenant's id range");
  snprintf (lockpath, sizeof (lockpath), "%s.lock", state_file);
  lock = open (lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0 || flock (lock, LOCK_EX) < 0)
    return sb_error (err, errno, "lock `%s`", lockpath);
  r = calloc (MAX_RECORDS, sizeof (*r));
  if (r == NULL)
    return sb_error (err, ENOMEM, "allocate");
  f = fopen (state_file, "re");
  if (f == NULL && errno != ENOENT)
    return sb_error (err, errno, "read `%s`", state_file);
  if (f && read_records (f, state_file, r, &n, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    if (strcmp (r[i].tenant, tenant) == 0)
      {
        out->host = r[i].lo;
        out->count = r[i].hi - r[i].lo + 1;
        return 0;
      }
  /* The lowest block of the pool that no record holds. */
  for (block = p->pool_lo; block + SB_ID_BLOCK - 1 <= p->pool_hi; block += SB_ID_BLOCK)
    {
      bool taken = false;
      for (i = 0; i < n && !taken; i++)
        taken = block <= r[i].hi && r[i].lo <= block + SB_ID_BLOCK - 1;
      if (!taken)
        break;
    }
  if (block + SB_ID_BLOCK - 1 > p->pool_hi)
    return sb_error (err, ENOSPC, "the id-pool %u-%u has no free block of %u ids left "
                     "(see %s)", p->pool_lo, p->pool_hi, SB_ID_BLOCK, state_file);
  if (n == MAX_RECORDS)
    return sb_error (err, ENOSPC, "%s: too many records", state_file);
  snprintf (r[n].tenant, sizeof (r[n].tenant), "%s", tenant);
  r[n].lo = (uint32_t) block;
  r[n].hi = (uint32_t) (block + SB_ID_BLOCK - 1);
  n++;
  if (write_records (state_file, r, n, err) < 0)
    return sb_error_prefix (err, "record the tenant's id range");
  out->host = (uint32_t) block;
  out->count = SB_ID_BLOCK;
  return 0;
}
