/* Tenants: one policy file each in the tenants directory (NAME.conf, over
   the base file). Loaded at start; SIGHUP (or POST /v1/tenants/reload)
   reads them again: a file that does not load is reported with its
   FILE:LINE and its tenant keeps the last good policy; running containers
   keep the policy they started with (their snapshot). A tenant gets its
   host id range from its policy, or a block of the pool (libsandbox/idrange). */
#include "sandboxd.h"
#include "cleanup.h"
#include "idrange.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sbd_tenant *
sbd_tenant_by_name (struct sbd *d, const char *name)
{
  for (int i = 0; i < d->ntenants; i++)
    if (d->tenants[i].policy && strcmp (d->tenants[i].name, name) == 0)
      return &d->tenants[i];
  return NULL;
}

struct sbd_tenant *
sbd_tenant_by_subject (struct sbd *d, const char *normalized)
{
  char theirs[1024];

  for (int i = 0; i < d->ntenants; i++)
    {
      if (!d->tenants[i].policy || !d->tenants[i].present || !d->tenants[i].policy->certificate_subject[0])
        continue;
      sbd_subject_normalize (d->tenants[i].policy->certificate_subject, theirs, sizeof (theirs));
      if (strcmp (theirs, normalized) == 0)
        return &d->tenants[i];
    }
  return NULL;
}

static struct sbd_tenant *
slot_for_file (struct sbd *d, const char *file)
{
  for (int i = 0; i < d->ntenants; i++)
    if (strcmp (d->tenants[i].file, file) == 0)
      return &d->tenants[i];
  d->tenants = realloc (d->tenants, (size_t) (d->ntenants + 1) * sizeof (*d->tenants));
  memset (&d->tenants[d->ntenants], 0, sizeof (d->tenants[0]));
  snprintf (d->tenants[d->ntenants].file, sizeof (d->tenants[0].file), "%s", file);
  return &d->tenants[d->ntenants++];
}

/* Loads one file into its slot; on error the slot keeps its last policy. */
static bool
load_one (struct sbd *d, struct sbd_tenant *t)
{
  cleanup_error sb_error_t err = NULL;
  struct sb_policy *p = NULL;
  const char *base = access (d->cfg.policy_base, F_OK) == 0 ? d->cfg.policy_base : NULL;
  struct sb_idmap ids;
  char state[4200];

  free (t->error);
  t->error = NULL;
  /* Kept for the daemon's life: pages of its own, only the used ones touched. */
  if (sb_policy_load_new (&p, base, t->file, &err) < 0)
    goto fail;
  /* Another tenant of the same name, or whose range overlaps. */
  for (int i = 0; i < d->ntenants; i++)
    {
      struct sbd_tenant *o = &d->tenants[i];
      if (o == t || o->policy == NULL || !o->present)
        continue;
      if (strcmp (o->name, p->tenant) == 0)
        {
          sb_error (&err, 0, "%s: tenant %s is also defined in %s", t->file, p->tenant, o->file);
          goto fail;
        }
      if (p->certificate_subject[0] && o->policy->certificate_subject[0])
        {
          /* One subject, two tenants: whose would a certificate be? */
          char mine[1024], theirs[1024];
          sbd_subject_normalize (p->certificate_subject, mine, sizeof (mine));
          sbd_subject_normalize (o->policy->certificate_subject, theirs, sizeof (theirs));
          if (strcmp (mine, theirs) == 0)
            {
              sb_error (&err, 0, "%s: certificate-subject \"%s\" is also tenant %s's (%s)", t->file,
                        p->certificate_subject, o->name, o->file);
              goto fail;
            }
        }
      if (p->id_lo && o->policy->id_lo && p->id_lo <= o->policy->id_hi && o->policy->id_lo <= p->id_hi)
        {
          sb_error (&err, 0, "%s: id-range overlaps the id-range of tenant %s (%s)", t->file, o->name, o->file);
          goto fail;
        }
    }
  snprintf (state, sizeof (state), "%s/id-ranges", d->cfg.state_dir);
  if (sb_idrange_for (p, state, &ids, &err) < 0)
    goto fail;
  sb_policy_free (t->policy);
  t->policy = p;
  t->ids = ids;
  snprintf (t->name, sizeof (t->name), "%s", p->tenant);
  return true;
fail:
  sb_policy_free (p);
  t->error = strdup (err ? err->msg : "cannot load");
  fprintf (stderr, "sandboxd: tenant policy %s\n", t->error);
  return false;
}

static int
scan (struct sbd *d, bool reload)
{
  struct dirent **names = NULL;
  int n, failures = 0;

  for (int i = 0; i < d->ntenants; i++)
    d->tenants[i].present = false;
  n = scandir (d->cfg.tenants_dir, &names, NULL, alphasort);
  for (int i = 0; i < n; i++)
    {
      size_t len = strlen (names[i]->d_name);
      char file[4096];
      if (names[i]->d_name[0] != '.' && len > 5 && strcmp (names[i]->d_name + len - 5, ".conf") == 0)
        {
          struct sbd_tenant *t;
          snprintf (file, sizeof (file), "%s/%s", d->cfg.tenants_dir, names[i]->d_name);
          t = slot_for_file (d, file);
          t->present = true;
          if (!load_one (d, t))
            failures++;
        }
      free (names[i]);
    }
  free (names);
  if (reload)
    {
      d->metrics.reloads++;
      if (failures)
        d->metrics.reload_failures++;
    }
  return failures;
}

int
sbd_tenants_load (struct sbd *d, sb_error_t *err)
{
  if (access (d->cfg.tenants_dir, R_OK | X_OK) < 0)
    return sb_error (err, errno, "tenants-dir `%s`", d->cfg.tenants_dir);
  scan (d, false);
  return 0;
}

void
sbd_tenants_reload (struct sbd *d)
{
  int failures = scan (d, true);
  json_t *extra = json_pack ("{s:i}", "failures", failures);

  for (int i = 0; i < d->ntenants; i++)
    if (d->tenants[i].error)
      json_object_set_new (extra, d->tenants[i].file, json_string (d->tenants[i].error));
  sbd_audit_event ("", "tenants", failures ? "reload-failed" : "reload", extra);
}
