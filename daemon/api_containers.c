/* The container verbs: create, list, inspect, start, stop, kill, wait,
   delete, stats, resize. A tenant sees and touches only its own containers:
   another tenant's answers 404, as one that does not exist would, and the
   attempt is audited. An administrator sees all. */
#include "sandboxd.h"
#include "cgroup.h"
#include "cleanup.h"
#include "images.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbd_container *
sbd_request_container (struct sbd_request *r)
{
  enum sbd_miss miss;
  struct sbd_container *c;
  const char *ref = r->nparts >= 3 ? r->parts[2] : "";

  c = sbd_container_find (sbd, r->admin ? NULL : r->tenant->name, ref, &miss);
  if (c != NULL)
    return c;
  if (miss == SBD_MISS_AMBIGUOUS)
    sbd_reply_error (r, 409, "ambiguous", "%s is ambiguous: it names several containers (use a longer id prefix, or the whole id)", ref);
  else
    {
      if (miss == SBD_MISS_ELSEWHERE)
        sbd_audit (r, ref, "denied-other-tenant");
      sbd_reply_error (r, 404, "not_found", "no such container: %s", ref);
    }
  return NULL;
}

/* ---- create: the request checked against the tenant's policy ------------------- */

bool
sbd_valid_name (const char *n)
{
  size_t len = strlen (n);

  if (len == 0 || len > 128)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      char c = n[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || (i > 0 && (c == '_' || c == '.' || c == '-'));
      if (!ok)
        return false;
    }
  return true;
}

bool
sbd_string_array (json_t *a, bool nonempty)
{
  size_t i;
  json_t *v;

  if (!json_is_array (a) || (nonempty && json_array_size (a) == 0) || json_array_size (a) > 4096)
    return false;
  json_array_foreach (a, i, v)
    if (!json_is_string (v))
      return false;
  return true;
}

bool
sbd_name_free (struct sbd_request *r, const char *tenant, const char *name)
{
  for (struct sbd_container *o = sbd->containers; o; o = o->next)
    if (strcmp (o->tenant, tenant) == 0 && strcmp (o->name, name) == 0)
      {
        sbd_reply_error (r, 409, "conflict", "the name %s is in use", name);
        return false;
      }
  return true;
}

const char *
sbd_create_hostname (struct sbd_request *r, const struct sbd_tenant *t, const struct sb_policy *p, const char *asked)
{
  const char *hostname = asked ? asked : p->hostname[0] ? p->hostname : "sandbox";

  if (!sb_policy_hostname_allowed (p, hostname))
    {
      sbd_reply_error (r, 403, "policy", "hostname: %s does not match tenant %s's hostname-pattern %s", hostname,
                       t->name, p->hostname_pattern);
      return NULL;
    }
  return hostname;
}

static bool
path_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  return strcmp (dir, "/") == 0 || (strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

bool
sbd_clean_absolute (const char *p)
{
  return p && p[0] == '/' && strstr (p, "/../") == NULL && strstr (p, "/./") == NULL
         && strlen (p) < 4000 && (strlen (p) < 3 || strcmp (p + strlen (p) - 3, "/..") != 0);
}

/* A cpuset as the kernel lists it: "0-3,6". */
static bool
cpuset_ok (json_t *v)
{
  const char *s = json_string_value (v);
  return s && s[0] && strlen (s) < 128 && strspn (s, "0123456789,-") == strlen (s);
}

/* Block I/O throttles: they only slow the sandbox's own I/O, so any
   device and any rate. */
static bool
check_blkio (struct sbd_request *r, json_t *io, json_t *out)
{
  json_t *e, *copy = json_array ();
  size_t k;

  if (!json_is_array (io) || json_array_size (io) > SB_CGROUP_MAX_IO)
    {
      json_decref (copy);
      return sbd_reply_error (r, 400, "bad_request", "limits.blkio_throttle: at most %d throttles",
                              SB_CGROUP_MAX_IO), false;
    }
  json_array_foreach (io, k, e)
    {
      const char *kind = json_string_value (json_object_get (e, "kind"));
      json_t *maj = json_object_get (e, "major"), *min = json_object_get (e, "minor"), *rate = json_object_get (e, "rate");
      if (!sb_cgroup_io_kind_ok (kind)
          || !json_is_integer (maj) || json_integer_value (maj) < 0 || json_integer_value (maj) > 4095
          || !json_is_integer (min) || json_integer_value (min) < 0 || json_integer_value (min) > 1048575
          || !json_is_integer (rate) || json_integer_value (rate) < 0)
        {
          json_decref (copy);
          return sbd_reply_error (r, 400, "bad_request", "limits.blkio_throttle[%zu]: {\"kind\": rbps, wbps, riops "
                                  "or wiops, \"major\", \"minor\", \"rate\": per second, 0 for none}", k), false;
        }
      json_array_append_new (copy, json_pack ("{s:s, s:O, s:O, s:O}", "kind", kind, "major", maj, "minor", min,
                                              "rate", rate));
    }
  json_object_set_new (out, "blkio_throttle", copy);
  return true;
}

/* The limits an OCI config may add (issue 10): the CPU quota and period as
   given, CPU weight, a soft memory limit, swappiness, cpusets and swap, each
   one only narrower than what the policy gives a sandbox. */
static bool
check_more_limits (struct sbd_request *r, const struct sb_policy *p, json_t *in, json_t *out)
{
  json_t *shares = json_object_get (in, "cpu_shares"), *low = json_object_get (in, "memory_reservation"),
         *swappiness = json_object_get (in, "swappiness"), *swap = json_object_get (in, "swap_at_most"),
         *quota = json_object_get (in, "cpu_quota"), *period = json_object_get (in, "cpu_period"),
         *io = json_object_get (in, "blkio_throttle");
  json_int_t mem = json_integer_value (json_object_get (out, "memory")), swap_bytes = p->swap_bytes;

  if (shares && !json_is_null (shares))
    {
      /* A sandbox's weight is the default 1024; more takes CPU from the
         other tenants', so only as much more as the policy's cpus. */
      json_int_t n = json_integer_value (shares),
                 most = p->cpu_millis ? (json_int_t) p->cpu_millis * 1024 / 1000 : 262144;
      if (most < 1024)
        most = 1024;
      if (!json_is_integer (shares) || n < 2 || n > 262144)
        return sbd_reply_error (r, 400, "bad_request", "limits.cpu_shares: 2..262144"), false;
      if (n > most)
        return sbd_reply_error (r, 403, "policy", "limits.cpu_shares: %lld is more than tenant %s's policy allows "
                                "(%lld, 1024 per CPU of cpus)", (long long) n, p->tenant, (long long) most), false;
      json_object_set_new (out, "cpu_shares", json_integer (n));
    }
  if (quota && !json_is_null (quota))
    {
      /* The quota and period exactly as given (cpus, their ratio rounded,
         is what the rest reads): the ratio at most the policy's cpus. */
      json_int_t q = json_integer_value (quota), per = period ? json_integer_value (period) : 100000;
      if (!json_is_integer (quota) || q < 1000 || q > 1000000LL * 1024 || (period && !json_is_integer (period))
          || per < 1000 || per > 1000000)
        return sbd_reply_error (r, 400, "bad_request", "limits.cpu_quota, cpu_period: microseconds, a quota of at least "
                                "1000 and a period of 1000 to 1000000"), false;
      if (p->cpu_millis && q * 1000 > (json_int_t) p->cpu_millis * per)
        return sbd_reply_error (r, 403, "policy", "limits.cpu_quota: %lld per %lld us is more than tenant %s's policy "
                                "allows (cpus = %u.%03u)", (long long) q, (long long) per, p->tenant,
                                p->cpu_millis / 1000, p->cpu_millis % 1000), false;
      json_object_set_new (out, "cpu_quota", json_integer (q));
      json_object_set_new (out, "cpu_period", json_integer (per));
      if (!json_object_get (in, "cpus"))
        json_object_set_new (out, "cpu_millis", json_integer ((q * 1000 + per - 1) / per));
    }
  if (low && !json_is_null (low))
    {
      json_int_t n = json_integer_value (low);
      if (!json_is_integer (low) || n < 1)
        return sbd_reply_error (r, 400, "bad_request", "limits.memory_reservation: a size in bytes"), false;
      if (mem > 0 && n > mem)
        return sbd_reply_error (r, 403, "policy", "limits.memory_reservation: %lld bytes is more than the "
                                "container's memory limit (%lld)", (long long) n, (long long) mem), false;
      json_object_set_new (out, "memory_reservation", json_integer (n));
    }
  if (swappiness && !json_is_null (swappiness))
    {
      if (!json_is_integer (swappiness) || json_integer_value (swappiness) < 0 || json_integer_value (swappiness) > 100)
        return sbd_reply_error (r, 400, "bad_request", "limits.swappiness: 0..100"), false;
      json_object_set_new (out, "swappiness", json_integer (json_integer_value (swappiness)));
    }
  for (int k = 0; k < 2; k++)
    {
      const char *key = k ? "cpuset_mems" : "cpuset_cpus";
      json_t *v = json_object_get (in, key);
      if (v == NULL || json_is_null (v))
        continue;
      if (!cpuset_ok (v))
        return sbd_reply_error (r, 400, "bad_request", "limits.%s: a list such as 0-3,6", key), false;
      json_object_set_new (out, key, json_string (json_string_value (v)));
    }
  if (io && !json_is_null (io) && !check_blkio (r, io, out))
    return false;
  /* Swap is what an engine asks for by default (Docker: as much again as
     the memory), so it is taken as a most: the policy's swap bounds it. */
  if (swap && !json_is_null (swap))
    {
      json_int_t n = json_integer_value (swap);
      if (!json_is_integer (swap) || n < -1)
        return sbd_reply_error (r, 400, "bad_request", "limits.swap_at_most: bytes, or -1 for unlimited"), false;
      if (n >= 0 && (swap_bytes < 0 || n < swap_bytes))
        swap_bytes = n;
    }
  json_object_set_new (out, "swap", json_integer (swap_bytes));
  return true;
}

void
sbd_spec_more_limits (json_t *spec_limits, json_t *limits)
{
  static const char *const keys[] = { "cpu_quota", "cpu_period", "cpu_shares", "memory_reservation", "swappiness",
                                      "cpuset_cpus", "cpuset_mems", "blkio_throttle", NULL };

  for (int k = 0; keys[k]; k++)
    if (json_object_get (limits, keys[k]))
      json_object_set (spec_limits, keys[k], json_object_get (limits, keys[k]));
}

/* limits: only narrower than the policy's. Fills cfg->limits. */
bool
sbd_check_limits (struct sbd_request *r, const struct sb_policy *p, json_t *in, json_t *out)
{
  json_t *mem = json_object_get (in, "memory"), *cpus = json_object_get (in, "cpus"),
         *pids = json_object_get (in, "pids");
  uint64_t bytes = 0;
  uint32_t millis = 0;
  json_int_t npids = 0;

  if (mem && !json_is_null (mem))
    {
      if (json_is_integer (mem) && json_integer_value (mem) > 0)
        bytes = (uint64_t) json_integer_value (mem);
      else if (!json_is_string (mem) || sb_parse_size (json_string_value (mem), &bytes) < 0 || bytes == 0)
        {
          sbd_reply_error (r, 400, "bad_request", "limits.memory: a size in bytes or as 512M");
          return false;
        }
      if (p->memory_bytes && bytes > p->memory_bytes)
        {
          sbd_reply_error (r, 403, "policy", "limits.memory: %llu bytes is more than tenant %s's policy allows (memory = %llu)",
                           (unsigned long long) bytes, p->tenant, (unsigned long long) p->memory_bytes);
          return false;
        }
      json_object_set_new (out, "memory", json_integer ((json_int_t) bytes));
    }
  if (cpus && !json_is_null (cpus))
    {
      char buf[32];
      if (json_is_number (cpus))
        snprintf (buf, sizeof (buf), "%g", json_number_value (cpus));
      else if (json_is_string (cpus))
        snprintf (buf, sizeof (buf), "%s", json_string_value (cpus));
      else
        buf[0] = '\0';
      if (sb_parse_cpus (buf, &millis) < 0)
        {
          sbd_reply_error (r, 400, "bad_request", "limits.cpus: a number of CPUs such as 0.5");
          return false;
        }
      if (p->cpu_millis && millis > p->cpu_millis)
        {
          sbd_reply_error (r, 403, "policy", "limits.cpus: %s is more than tenant %s's policy allows (cpus = %u.%03u)",
                           buf, p->tenant, p->cpu_millis / 1000, p->cpu_millis % 1000);
          return false;
        }
      json_object_set_new (out, "cpu_millis", json_integer (millis));
    }
  if (pids && !json_is_null (pids))
    {
      npids = json_integer_value (pids);
      if (!json_is_integer (pids) || npids < 1 || npids > 4194304)
        {
          sbd_reply_error (r, 400, "bad_request", "limits.pids: 1..4194304");
          return false;
        }
      if (p->pids && (uint32_t) npids > p->pids)
        {
          sbd_reply_error (r, 403, "policy", "limits.pids: %lld is more than tenant %s's policy allows (pids = %u)",
                           (long long) npids, p->tenant, p->pids);
          return false;
        }
      json_object_set_new (out, "pids", json_integer (npids));
    }
  /* The rest from the policy as it is now: a container keeps the limits it
     was created with, whatever later reloads say. */
  if (!json_object_get (out, "memory") && p->memory_bytes)
    json_object_set_new (out, "memory", json_integer ((json_int_t) p->memory_bytes));
  if (!json_object_get (out, "cpu_millis") && p->cpu_millis)
    json_object_set_new (out, "cpu_millis", json_integer (p->cpu_millis));
  if (!json_object_get (out, "pids") && p->pids)
    json_object_set_new (out, "pids", json_integer (p->pids));
  return check_more_limits (r, p, in, out);
}

bool
sbd_check_volumes (struct sbd_request *r, const struct sb_policy *p, json_t *in, json_t *out)
{
  size_t i;
  json_t *v;

  if (in == NULL)
    return true;
  if (!json_is_array (in) || json_array_size (in) + (size_t) p->nvolumes > SB_POLICY_MAX_VOLUMES)
    {
      sbd_reply_error (r, 400, "bad_request", "volumes: a list of at most %d {source, target, read_only}",
                       SB_POLICY_MAX_VOLUMES - p->nvolumes);
      return false;
    }
  json_array_foreach (in, i, v)
    {
      const char *src = json_string_value (json_object_get (v, "source"));
      const char *dst = json_string_value (json_object_get (v, "target"));

      if (!sbd_clean_absolute (src) || !sbd_clean_absolute (dst) || strcmp (dst, "/") == 0 || strcmp (dst, "/dev") == 0
          || path_under (dst, "/proc") || path_under (dst, "/sys"))
        {
          sbd_reply_error (r, 400, "bad_request", "volumes[%zu]: absolute source and target (not /, /dev, nor under /proc, /sys)", i);
          return false;
        }
      if (!sb_policy_in_volume_roots (p, src))
        {
          sbd_reply_error (r, 403, "policy", "volumes[%zu]: `%s` is outside tenant %s's volume-roots", i, src, p->tenant);
          return false;
        }
      json_array_append_new (out, json_pack ("{s:s, s:s, s:b}", "source", src, "target", dst, "read_only",
                                             json_is_true (json_object_get (v, "read_only"))));
    }
  return true;
}

/* A container id: 0..65535. */
static bool
valid_id (json_t *v)
{
  return json_is_integer (v) && json_integer_value (v) >= 0 && json_integer_value (v) <= 65535;
}

/* "UID[:GID]" or {"uid","gid","groups"}. */
json_t *
sbd_parse_user (json_t *u)
{
  if (json_is_string (u))
    {
      unsigned long uid, gid;
      char *end;
      const char *s = json_string_value (u);
      uid = strtoul (s, &end, 10);
      if (end == s || uid > 65535)
        return NULL;
      gid = uid;
      if (*end == ':')
        {
          const char *g = end + 1;
          gid = strtoul (g, &end, 10);
          if (end == g || gid > 65535)
            return NULL;
        }
      if (*end)
        return NULL;
      return json_pack ("{s:I, s:I, s:[]}", "uid", (json_int_t) uid, "gid", (json_int_t) gid, "groups");
    }
  if (json_is_object (u))
    {
      json_t *uid = json_object_get (u, "uid"), *gid = json_object_get (u, "gid"), *groups = json_object_get (u, "groups"), *g;
      size_t i;

      if (!valid_id (uid) || (gid && !valid_id (gid)) || (groups && (!json_is_array (groups) || json_array_size (groups) > 64)))
        return NULL;
      json_array_foreach (groups, i, g)
        if (!valid_id (g))
          return NULL;
      return json_pack ("{s:O, s:O, s:o}", "uid", uid, "gid", gid ? gid : uid, "groups",
                        groups ? json_deep_copy (groups) : json_array ());
    }
  return NULL;
}

static bool
valid_restart (const char *s)
{
  if (strcmp (s, "no") == 0 || strcmp (s, "always") == 0 || strcmp (s, "unless-stopped") == 0
      || strcmp (s, "on-failure") == 0)
    return true;
  if (strncmp (s, "on-failure:", 11) == 0)
    {
      char *end;
      long n = strtol (s + 11, &end, 10);
      return *end == '\0' && n >= 1 && n <= 1000;
    }
  return false;
}

static int
tenant_live_containers (const char *tenant)
{
  int n = 0;
  for (struct sbd_container *c = sbd->containers; c; c = c->next)
    if (strcmp (c->tenant, tenant) == 0 && c->state != SBD_EXITED)
      n++;
  return n;
}

static void
create (struct sbd_request *r)
{
  struct sbd_tenant *t = r->tenant;
  json_t *b = r->body, *cfg, *v, *icfg = NULL;
  const char *image, *name, *hostname, *restart;
  struct sbd_container *c;
  cleanup_error sb_error_t err = NULL;
  const struct sb_policy *p;
  size_t i;

  if (r->admin)
    {
      const char *tn = json_string_value (json_object_get (b, "tenant"));
      t = tn ? sbd_tenant_by_name (sbd, tn) : NULL;
      if (t && !t->present)
        t = NULL; /* its file was removed: it gets no new containers */
      if (t == NULL)
        {
          sbd_reply_error (r, 400, "bad_request", "an administrator names the tenant: \"tenant\": NAME (%s)",
                           tn ? "no such tenant" : "missing");
          return;
        }
    }
  p = t->policy;
  cfg = json_object ();
  image = json_string_value (json_object_get (b, "image"));
  if (image == NULL)
    image = "host";
  if (p->nimages > 0)
    {
      bool ok = false;
      for (int k = 0; k < p->nimages && !ok; k++)
        ok = fnmatch (p->images[k], image, 0) == 0;
      if (!ok)
        {
          sbd_audit (r, image, "denied-image");
          sbd_reply_error (r, 403, "policy", "images: tenant %s may not run image %s", t->name, image);
          goto out;
        }
    }
  {
    /* The image as the tenant sees it (its own, else the provider's), and
       its layers, fixed now: a later import under the name changes nothing
       for this container, and the image cannot be removed under it. */
    json_t *rec = NULL, *paths;
    char **layers = NULL;
    int nlayers = 0;
    if (sb_images_inspect (sbd->images, t->name, image, &rec, &err) < 0
        || sb_images_layers (sbd->images, t->name, image, &layers, &nlayers, &err) < 0)
      {
        json_decref (rec);
        if (err->status == ENOENT)
          {
            if (sbd_image_elsewhere (image, t->name))
              sbd_audit (r, image, "denied-other-tenant");
            sbd_reply_error (r, 404, "not_found", "no such image: %s", image);
          }
        else
          sbd_reply_error (r, 500, "internal", "image %s: %s", image, err->msg);
        goto out;
      }
    json_object_set_new (cfg, "image_owner", json_string (json_string_value (json_object_get (rec, "owner")) ?: ""));
    json_object_set_new (cfg, "image_id", json_string (json_string_value (json_object_get (rec, "id")) ?: ""));
    /* Its defaults (a docker or OCI config): Entrypoint, Cmd, Env, WorkingDir, User. */
    icfg = json_incref (json_object_get (rec, "config"));
    json_decref (rec);
    paths = json_array ();
    for (int k = 0; k < nlayers; k++)
      json_array_append_new (paths, json_string (layers[k]));
    sb_images_free_layers (layers);
    if (nlayers > 0)
      json_object_set_new (cfg, "layers", paths);
    else
      json_decref (paths);
  }
  json_object_set_new (cfg, "image", json_string (image));
  v = json_object_get (b, "cmd");
  if (v && !sbd_string_array (v, true))
    {
      sbd_reply_error (r, 400, "bad_request", "cmd: a non-empty list of strings");
      goto out;
    }
  {
    /* As docker run: the image's Entrypoint, then the command given or the
       image's Cmd. */
    json_t *argv = json_array (), *ep = json_object_get (icfg, "Entrypoint"), *dc = json_object_get (icfg, "Cmd");
    if (sbd_string_array (ep, true))
      json_array_extend (argv, ep);
    if (v)
      json_array_extend (argv, v);
    else if (sbd_string_array (dc, true))
      json_array_extend (argv, dc);
    if (json_array_size (argv) == 0)
      {
        json_decref (argv);
        sbd_reply_error (r, 400, "bad_request", "cmd: a non-empty list of strings (image %s names no command)", image);
        goto out;
      }
    json_object_set_new (cfg, "cmd", argv);
  }
  v = json_object_get (b, "env");
  if (v && !sbd_string_array (v, false))
    {
      sbd_reply_error (r, 400, "bad_request", "env: a list of \"NAME=VALUE\" strings");
      goto out;
    }
  name = json_string_value (json_object_get (b, "name"));
  if (name)
    {
      if (!sbd_valid_name (name))
        {
          sbd_reply_error (r, 400, "bad_request", "name: letters, digits, '_', '.', '-', at most 128");
          goto out;
        }
      if (!sbd_name_free (r, t->name, name))
        goto out;
      json_object_set_new (cfg, "name", json_string (name));
    }
  hostname = sbd_create_hostname (r, t, p, json_string_value (json_object_get (b, "hostname")));
  if (hostname == NULL)
    goto out;
  json_object_set_new (cfg, "hostname", json_string (hostname));
  {
    json_t *env = json_array ();
    json_array_append_new (env, json_string ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    json_array_append_new (env, json_pack ("s++", "HOSTNAME=", hostname, ""));
    if (sbd_string_array (json_object_get (icfg, "Env"), false))
      json_array_extend (env, json_object_get (icfg, "Env"));
    if (v)
      json_array_extend (env, v);
    json_object_set_new (cfg, "env", env);
  }
  v = json_object_get (b, "cwd");
  if (v && !sbd_clean_absolute (json_string_value (v)))
    {
      sbd_reply_error (r, 400, "bad_request", "cwd: an absolute path");
      goto out;
    }
  if (v == NULL && sbd_clean_absolute (json_string_value (json_object_get (icfg, "WorkingDir"))))
    v = json_object_get (icfg, "WorkingDir");
  json_object_set_new (cfg, "cwd", json_string (v ? json_string_value (v) : "/"));
  v = json_object_get (b, "user");
  if (v == NULL && json_string_length (json_object_get (icfg, "User")) > 0)
    v = json_object_get (icfg, "User"); /* numeric only: names are the image's /etc/passwd's, not read here */
  if (v != NULL)
    {
      json_t *u = sbd_parse_user (v);
      if (u == NULL)
        {
          if (v == json_object_get (icfg, "User"))
            sbd_reply_error (r, 400, "bad_request",
                             "user: image %s runs as `%s`, which is not UID[:GID]: give \"user\" in the request",
                             image, json_string_value (v));
          else
            sbd_reply_error (r, 400, "bad_request", "user: \"UID[:GID]\" (container ids, below 65536)");
          goto out;
        }
      json_object_set_new (cfg, "user", u);
    }
  json_object_set_new (cfg, "limits", json_object ());
  if (!sbd_check_limits (r, p, json_object_get (b, "limits"), json_object_get (cfg, "limits")))
    goto out;
  json_object_set_new (cfg, "volumes", json_array ());
  if (!sbd_check_volumes (r, p, json_object_get (b, "volumes"), json_object_get (cfg, "volumes")))
    goto out;
  restart = json_string_value (json_object_get (b, "restart"));
  if (restart && !valid_restart (restart))
    {
      sbd_reply_error (r, 400, "bad_request", "restart: no, always, unless-stopped, on-failure[:N]");
      goto out;
    }
  json_object_set_new (cfg, "restart", json_string (restart ? restart : "no"));
  if (json_is_true (json_object_get (b, "auto_remove")))
    {
      if (restart && strcmp (restart, "no") != 0)
        {
          sbd_reply_error (r, 400, "bad_request", "auto_remove and restart %s cannot go together", restart);
          goto out;
        }
      json_object_set_new (cfg, "auto_remove", json_true ());
    }
  json_object_set_new (cfg, "tty", json_boolean (json_is_true (json_object_get (b, "tty"))));
  json_object_set_new (cfg, "stdin", json_boolean (json_is_true (json_object_get (b, "stdin"))));
  v = json_object_get (b, "labels");
  if (v && !json_is_object (v))
    {
      sbd_reply_error (r, 400, "bad_request", "labels: an object of strings");
      goto out;
    }
  json_object_set_new (cfg, "labels", v ? json_deep_copy (v) : json_object ());
  (void) i;
  if (p->max_containers && tenant_live_containers (t->name) >= (int) p->max_containers)
    {
      sbd_audit (r, "containers", "denied-limit");
      sbd_reply_error (r, 429, "policy", "limits.containers: tenant %s may have %u containers at once", t->name,
                       p->max_containers);
      goto out;
    }
  c = sbd_container_create (sbd, t, cfg, &err);
  if (c == NULL)
    {
      if (sb_error_is_no_space (err))
        sbd_reply_error (r, 507, "no_space", "%s", err->msg);
      else
        sbd_reply_error (r, 500, "internal", "%s", err->msg);
      goto out;
    }
  sbd_event (c, "create");
  sbd_reply_json (r, 201, json_pack ("{s:s, s:s}", "id", c->id, "name", c->name));
out:
  json_decref (icfg);
  json_decref (cfg);
}

/* ---- the rest ---------------------------------------------------------------------- */

static void
list (struct sbd_request *r)
{
  bool all = sbd_query_bool (r, "all", false);
  const char *label = sbd_query (r, "label");
  const char *state = sbd_query (r, "state");
  const char *name = sbd_query (r, "name");
  json_t *a = json_array ();

  for (struct sbd_container *c = sbd->containers; c; c = c->next)
    {
      if (!r->admin && strcmp (c->tenant, r->tenant->name) != 0)
        continue;
      if (!all && c->state == SBD_EXITED && state == NULL)
        continue;
      if (state && strcmp (state, sbd_state_name (c->state)) != 0)
        continue;
      if (name && strstr (c->name, name) == NULL)
        continue;
      if (label)
        {
          const char *eq = strchr (label, '=');
          char key[256];
          const char *val;
          snprintf (key, sizeof (key), "%.*s", eq ? (int) (eq - label) : (int) strlen (label), label);
          val = json_string_value (json_object_get (json_object_get (c->config, "labels"), key));
          if (val == NULL || (eq && strcmp (val, eq + 1) != 0))
            continue;
        }
      json_array_append_new (a, sbd_container_json (c, false));
    }
  sbd_reply_json (r, 200, a);
}

static void
inspect (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);

  if (c)
    sbd_reply_json (r, 200, sbd_container_json (c, true));
}

static void
start (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  struct sbd_tenant *t;
  cleanup_error sb_error_t err = NULL;

  if (c == NULL)
    return;
  if (c->state == SBD_RUNNING || c->state == SBD_STARTING)
    {
      sbd_reply_error (r, 409, "conflict", "container %s is already running", c->name);
      return;
    }
  t = sbd_tenant_by_name (sbd, c->tenant);
  if (t && t->policy->max_containers && sbd_tenant_running (sbd, c->tenant) >= (int) t->policy->max_containers)
    {
      sbd_reply_error (r, 429, "policy", "limits.containers: tenant %s may run %u containers at once", c->tenant,
                       t->policy->max_containers);
      return;
    }
  c->restart_count = 0;
  if (sbd_container_start (sbd, c, &err) < 0)
    {
      if (sb_error_is_no_space (err))
        sbd_reply_error (r, 507, "no_space", "%s", err->msg);
      else
        sbd_reply_error (r, 500, "start_failed", "%s", err->msg);
      return;
    }
  /* Answered when the monitor says the sandbox is up (or why not). */
  sbd_add_waiter (c, r, true);
}

static int
signal_number (const char *s)
{
  static const struct { const char *name; int sig; } names[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
    { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "WINCH", SIGWINCH },
    { "ALRM", SIGALRM }, { "PIPE", SIGPIPE },
  };
  char *end;
  long n;

  if (s == NULL)
    return SIGKILL;
  n = strtol (s, &end, 10);
  if (*s && *end == '\0')
    return n > 0 && n < NSIG ? (int) n : -1;
  if (strncmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strcmp (names[i].name, s) == 0)
      return names[i].sig;
  return -1;
}

static void
kill_ (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  int sig = signal_number (sbd_query (r, "signal"));
  cleanup_error sb_error_t err = NULL;

  if (c == NULL)
    return;
  if (sig < 0)
    {
      sbd_reply_error (r, 400, "bad_request", "signal: a number or a name such as SIGTERM");
      return;
    }
  if (sig == SIGKILL || sig == SIGTERM)
    c->stop_requested = true;
  if (sbd_container_signal (c, sig, &err) < 0)
    {
      sbd_reply_error (r, 409, "conflict", "%s", err->msg);
      return;
    }
  sbd_reply_empty (r, 204);
}

static void
stop (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  const char *t = sbd_query (r, "timeout");
  int timeout = t ? atoi (t) : 10;

  if (c == NULL)
    return;
  if (timeout < 0 || timeout > 3600)
    {
      sbd_reply_error (r, 400, "bad_request", "timeout: 0..3600 seconds");
      return;
    }
  if (c->state != SBD_RUNNING && c->state != SBD_STARTING)
    {
      sbd_reply_empty (r, 304);
      return;
    }
  sbd_container_stop (c, timeout);
  /* Answered when it has stopped. */
  sbd_add_waiter (c, r, false);
}

static void
wait_ (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);

  if (c == NULL)
    return;
  if (c->state == SBD_EXITED || c->state == SBD_CREATED)
    {
      sbd_reply_json (r, 200, json_pack ("{s:i, s:b}", "exit_code", c->exit_code, "oom_killed", c->oom_killed));
      return;
    }
  sbd_add_waiter (c, r, false);
}

static void
delete (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  bool force = sbd_query_bool (r, "force", false);
  cleanup_error sb_error_t err = NULL;

  if (c == NULL)
    return;
  if (c->state == SBD_RUNNING || c->state == SBD_STARTING)
    {
      if (!force)
        {
          sbd_reply_error (r, 409, "conflict", "container %s is running: stop it first, or delete with force=1", c->name);
          return;
        }
      /* Answered once the record is gone (remove_after_exit), as docker
         rm -f returns: a restart of sandboxd in between would otherwise
         find an exited container its client was told is deleted. */
      c->remove_on_exit = true;
      c->stop_requested = true;
      sbd_container_signal (c, SIGKILL, NULL);
      sbd_add_remove_waiter (c, r);
      return;
    }
  if (sbd_container_remove (sbd, c, &err) < 0)
    {
      sbd_reply_error (r, 500, "internal", "%s", err->msg);
      return;
    }
  sbd_reply_empty (r, 204);
}

/* ---- stats ---------------------------------------------------------------------------- */

struct stats_job
{
  struct sbd_deferred *answer;
  json_t *usage;
};

static uint64_t
read_number (const char *path, const char *key)
{
  char buf[8192], *p;
  if (sb_read_file_at (AT_FDCWD, path, buf, sizeof (buf)) < 0)
    return 0;
  if (key == NULL)
    return strtoull (buf, NULL, 10);
  p = strstr (buf, key);
  return p ? strtoull (p + strlen (key), NULL, 10) : 0;
}

/* What the cgroup says: memory, CPU, processes. */
static json_t *
cgroup_usage (struct sbd_container *c)
{
  const char *root = sb_cgroup_root ();
  char path[4200], rel[1300] = "";
  uint64_t mem, cpu, pids;

  /* sandbox/ID, or the path an OCI config's cgroupsPath gave. */
  sb_cgroup_relative (sbd_container_cgroup (c), rel, sizeof (rel), NULL);
  snprintf (path, sizeof (path), "%s/memory/%s/memory.usage_in_bytes", root, rel);
  if (access (path, F_OK) == 0)
    {
      mem = read_number (path, NULL);
      snprintf (path, sizeof (path), "%s/cpuacct/%s/cpuacct.usage", root, rel);
      cpu = read_number (path, NULL) / 1000;
      snprintf (path, sizeof (path), "%s/pids/%s/app/pids.current", root, rel);
      pids = read_number (path, NULL);
    }
  else
    {
      snprintf (path, sizeof (path), "%s/%s/memory.current", root, rel);
      mem = read_number (path, NULL);
      snprintf (path, sizeof (path), "%s/%s/cpu.stat", root, rel);
      cpu = read_number (path, "usage_usec ");
      snprintf (path, sizeof (path), "%s/%s/app/pids.current", root, rel);
      pids = read_number (path, NULL);
    }
  return json_pack ("{s:I, s:I, s:I}", "memory_bytes", (json_int_t) mem, "cpu_usec", (json_int_t) cpu, "pids",
                    (json_int_t) pids);
}

static void
stats_answer (json_t *answer, void *arg)
{
  struct stats_job *j = arg;

  json_object_set_new (j->usage, "syscalls",
                       json_pack ("{s:I, s:I}", "mediated", json_integer_value (json_object_get (answer, "mediated")),
                                  "denied", json_integer_value (json_object_get (answer, "denied"))));
  if (answer && json_object_get (answer, "by_syscall"))
    json_object_set (json_object_get (j->usage, "syscalls"), "by_syscall", json_object_get (answer, "by_syscall"));
  sbd_deferred_reply (j->answer, 200, j->usage);
  free (j);
}

static void
stats (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  struct stats_job *j;

  if (c == NULL)
    return;
  if (c->state != SBD_RUNNING)
    {
      sbd_reply_json (r, 200, json_pack ("{s:s, s:I, s:I, s:I, s:{s:I, s:I}}", "state", sbd_state_name (c->state),
                                         "memory_bytes", (json_int_t) 0, "cpu_usec", (json_int_t) 0, "pids",
                                         (json_int_t) 0, "syscalls", "mediated", (json_int_t) 0, "denied",
                                         (json_int_t) 0));
      return;
    }
  j = calloc (1, sizeof (*j));
  if (j == NULL || (j->answer = sbd_defer (r)) == NULL)
    {
      free (j);
      sbd_reply_error (r, 500, "internal", "out of memory");
      return;
    }
  j->usage = cgroup_usage (c);
  json_object_set_new (j->usage, "state", json_string ("running"));
  json_object_set_new (j->usage, "memory_limit",
                       json_integer (json_integer_value (json_object_get (json_object_get (c->config, "limits"), "memory"))));
  if (sbd_monitor_request (c, json_pack ("{s:s}", "op", "stats"), stats_answer, j) < 0)
    stats_answer (NULL, j);
}

static void
resize_done (json_t *answer, void *arg)
{
  (void) answer;
  (void) arg;
}

static void
resize (struct sbd_request *r)
{
  struct sbd_container *c = sbd_request_container (r);
  const char *h = sbd_query (r, "h"), *w = sbd_query (r, "w");

  if (c == NULL)
    return;
  if (h == NULL || w == NULL || atoi (h) < 1 || atoi (w) < 1)
    {
      sbd_reply_error (r, 400, "bad_request", "h and w: the terminal's rows and columns");
      return;
    }
  if (c->state != SBD_RUNNING
      || sbd_monitor_request (c, json_pack ("{s:s, s:i, s:i}", "op", "resize", "rows", atoi (h), "cols", atoi (w)),
                              resize_done, NULL) < 0)
    {
      sbd_reply_error (r, 409, "conflict", "container %s is not running", c->name);
      return;
    }
  sbd_reply_empty (r, 204);
}

const struct sbd_route sbd_container_routes[] = {
  { EVHTTP_REQ_POST, "/v1/containers", create, SBD_JSON_BODY, "container.create" },
  { EVHTTP_REQ_GET, "/v1/containers", list, 0, "container.list" },
  { EVHTTP_REQ_GET, "/v1/containers/:id", inspect, 0, "container.inspect" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/start", start, 0, "container.start" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/stop", stop, 0, "container.stop" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/kill", kill_, 0, "container.kill" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/wait", wait_, 0, "container.wait" },
  { EVHTTP_REQ_DELETE, "/v1/containers/:id", delete, 0, "container.delete" },
  { EVHTTP_REQ_GET, "/v1/containers/:id/stats", stats, 0, "container.stats" },
  { EVHTTP_REQ_POST, "/v1/containers/:id/resize", resize, 0, "container.resize" },
  { 0, NULL, NULL, 0, NULL },
};
