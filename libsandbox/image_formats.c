/* What an image tarball holds, read once before anything is extracted:
   - a `docker save` tarball: manifest.json at the top names the config
     (its sha256 is the image id) and the layers' members, bottom first;
     identical layers may be symbolic or hard links to one member;
   - an OCI image layout: oci-layout and index.json at the top; the index
     names a manifest (or an index, for several platforms: linux/amd64 is
     taken) by digest under blobs/; the manifest names the config and the
     layers. Every manifest, index and config is checked against its digest;
   - anything else is a rootfs tarball: one layer, the tarball itself.
   The config's rootfs.diff_ids, when given, are what each layer must hash to.
   Only small members near the top that may be metadata are kept in memory
   (1 MiB each, 16 MiB in all). */
#include "image_internal.h"
#include "cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_MAX (1u << 20)
#define KEEP_TOTAL (16u << 20)
#define MEMBER_DEPTH 3
#define LINK_HOPS 8
#define INDEX_DEPTH 4

struct member
{
  char *name;              /* clean */
  unsigned type;           /* AE_IFREG, AE_IFLNK...; 0 for a hard link */
  char *link;              /* a symbolic link's target as given, or a hard link's, clean */
  unsigned char *data;     /* kept content */
  size_t size;
};

struct scan
{
  struct member *m;
  size_t n, cap, kept;
};

static void
scan_free (struct scan *sc)
{
  for (size_t i = 0; i < sc->n; i++)
    {
      free (sc->m[i].name);
      free (sc->m[i].link);
      free (sc->m[i].data);
    }
  free (sc->m);
}

static size_t
depth_of (const char *name)
{
  size_t d = 1;

  for (; *name; name++)
    d += *name == '/';
  return d;
}

/* Metadata lives at the top (manifest.json, index.json, oci-layout, a
   docker config <hex>.json) or in blobs/<algorithm>/<digest>. */
static bool
may_be_metadata (const char *name)
{
  size_t n = strlen (name), d = depth_of (name);

  if (d == 1)
    return strcmp (name, "oci-layout") == 0 || (n > 5 && strcmp (name + n - 5, ".json") == 0);
  return d == 3 && strncmp (name, "blobs/", 6) == 0;
}

static int
keep_data (struct sb_tar *t, struct member *m, struct archive_entry *e, struct scan *sc,
           sb_error_t *err)
{
  la_int64_t size = archive_entry_size (e);
  la_ssize_t n;

  if (size <= 0 || size > KEEP_MAX || sc->kept + (size_t) size > KEEP_TOTAL)
    return 0;
  m->data = malloc ((size_t) size);
  if (m->data == NULL)
    return sb_error (err, ENOMEM, "allocate");
  n = archive_read_data (t->tar, m->data, (size_t) size);
  if (n < 0)
    return sb_tar_fail (t, err);
  m->size = (size_t) n;
  /* Layers are not JSON: drop them at once. */
  if (m->size == 0 || strchr (" \t\r\n{[", m->data[0]) == NULL)
    {
      free (m->data);
      m->data = NULL;
      m->size = 0;
      return 0;
    }
  sc->kept += m->size;
  return 0;
}

static int
scan_entry (struct sb_tar *t, struct archive_entry *e, struct scan *sc, sb_error_t *err)
{
  char name[4096];
  const char *hard = archive_entry_hardlink (e), *sym = archive_entry_symlink (e);
  struct member *m;

  /* A name that is not valid here only matters if it is a layer's: then
     the layer's own extraction refuses it. */
  if (sb_tar_clean_name (archive_entry_pathname (e), name, sizeof (name)) != NULL || name[0] == '\0'
      || depth_of (name) > MEMBER_DEPTH)
    return 0;
  if (sc->n == sc->cap)
    {
      size_t cap = sc->cap ? 2 * sc->cap : 64;
      struct member *p = realloc (sc->m, cap * sizeof (*p));
      if (p == NULL)
        return sb_error (err, ENOMEM, "allocate");
      sc->m = p;
      sc->cap = cap;
    }
  m = &sc->m[sc->n];
  memset (m, 0, sizeof (*m));
  m->name = strdup (name);
  if (m->name == NULL)
    return sb_error (err, ENOMEM, "allocate");
  sc->n++;
  m->type = hard ? 0 : archive_entry_filetype (e);
  if (hard)
    {
      if (sb_tar_clean_name (hard, name, sizeof (name)) != NULL)
        return 0;
      m->link = strdup (name);
    }
  else if (m->type == AE_IFLNK && sym)
    m->link = strdup (sym);
  if ((hard || (m->type == AE_IFLNK && sym)) && m->link == NULL)
    return sb_error (err, ENOMEM, "allocate");
  if (m->type == AE_IFREG && may_be_metadata (m->name))
    return keep_data (t, m, e, sc, err);
  return 0;
}

static struct member *
find_member (struct scan *sc, const char *name)
{
  /* The last one wins, as in an extraction. */
  for (size_t i = sc->n; i-- > 0;)
    if (strcmp (sc->m[i].name, name) == 0)
      return &sc->m[i];
  return NULL;
}

/* dir (of a member) joined with a symbolic link's target, `..` resolved
   within the tarball. False if it leaves it. */
static bool
join_link (const char *member, const char *target, char *out, size_t len)
{
  char buf[4096], *p, *comp;
  const char *slash = strrchr (member, '/');
  size_t o = 0;

  if (target[0] == '/')
    snprintf (buf, sizeof (buf), "%s", target);
  else if (snprintf (buf, sizeof (buf), "%.*s/%s", slash ? (int) (slash - member) : 0, member, target)
           >= (int) sizeof (buf))
    return false;
  out[0] = '\0';
  for (p = buf; (comp = strsep (&p, "/")) != NULL;)
    {
      if (comp[0] == '\0' || strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          char *last;
          if (o == 0)
            return false;
          last = strrchr (out, '/');
          o = last ? (size_t) (last - out) : 0;
          out[o] = '\0';
          continue;
        }
      if (o + strlen (comp) + 2 > len)
        return false;
      o += (size_t) sprintf (out + o, "%s%s", o ? "/" : "", comp);
    }
  return true;
}

/* The regular member a name leads to, through links. */
static struct member *
resolve_member (struct scan *sc, const char *name, const char *what, sb_error_t *err)
{
  char cur[4096], next[4096];
  int hops;

  snprintf (cur, sizeof (cur), "%s", name);
  for (hops = 0; hops <= LINK_HOPS; hops++)
    {
      struct member *m = find_member (sc, cur);

      if (m == NULL)
        {
          sb_error (err, 0, "%s `%s` is not in the tarball", what, name);
          return NULL;
        }
      if (m->type == AE_IFREG)
        return m;
      if (m->link == NULL || (m->type == AE_IFLNK ? !join_link (cur, m->link, next, sizeof (next))
                                                  : snprintf (next, sizeof (next), "%s", m->link) < 0))
        break;
      snprintf (cur, sizeof (cur), "%s", next);
    }
  sb_error (err, 0, "%s `%s` is not a file of the tarball", what, name);
  return NULL;
}

static json_t *
parse_json (const struct member *m, const char *what, sb_error_t *err)
{
  json_error_t jerr;
  json_t *j;

  if (m->data == NULL)
    {
      sb_error (err, 0, "%s `%s` is not JSON of at most %u bytes", what, m->name, KEEP_MAX);
      return NULL;
    }
  j = json_loadb ((const char *) m->data, m->size, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL)
    sb_error (err, 0, "%s `%s`: line %d: %s", what, m->name, jerr.line, jerr.text);
  else if (!json_is_object (j) && !json_is_array (j))
    {
      json_decref (j);
      j = NULL;
      sb_error (err, 0, "%s `%s` is not a JSON object", what, m->name);
    }
  return j;
}

/* A blob of an OCI layout, checked against its digest. */
static json_t *
load_blob (struct scan *sc, const char *digest, const char *what, char hex[SB_DIGEST_HEX_LEN + 1],
           const struct member **out, sb_error_t *err)
{
  char name[128], got[SB_DIGEST_HEX_LEN + 1];
  const struct member *m;

  if (!sb_digest_parse (digest, hex))
    {
      sb_error (err, 0, "%s: digest `%s` is not sha256:<64 hex digits>", what, digest ? digest : "");
      return NULL;
    }
  snprintf (name, sizeof (name), "blobs/sha256/%s", hex);
  m = resolve_member (sc, name, what, err);
  if (m == NULL)
    return NULL;
  if (m->data == NULL)
    {
      sb_error (err, 0, "%s `%s` is not JSON of at most %u bytes", what, name, KEEP_MAX);
      return NULL;
    }
  sb_sha256_hex (m->data, m->size, got);
  if (strcmp (got, hex) != 0)
    {
      sb_error (err, 0, "%s `%s` does not match its digest", what, name);
      return NULL;
    }
  if (out)
    *out = m;
  return parse_json (m, what, err);
}

/* diff_ids of the config: one per layer, or none. */
static int
take_diff_ids (struct sb_image_plan *plan, json_t *config, sb_error_t *err)
{
  json_t *ids = json_object_get (json_object_get (config, "rootfs"), "diff_ids");

  if (ids == NULL)
    return 0;
  if (!json_is_array (ids) || json_array_size (ids) != (size_t) plan->nlayers)
    return sb_error (err, 0, "the image config lists %zu diff_ids for %d layers",
                     json_array_size (ids), plan->nlayers);
  for (int i = 0; i < plan->nlayers; i++)
    if (!sb_digest_parse (json_string_value (json_array_get (ids, (size_t) i)), plan->layers[i].diff_id))
      return sb_error (err, 0, "the image config's diff_id %d is not sha256:<64 hex digits>", i);
  return 0;
}

/* What the plan takes from an image config, once its layers are known:
   the diff_ids; Cmd, Entrypoint, Env (arrays of strings), WorkingDir, User
   (strings), values of another type left out; `created`. */
static int
take_config (struct sb_image_plan *plan, json_t *config, sb_error_t *err)
{
  static const char *const arrays[] = { "Cmd", "Entrypoint", "Env" };
  static const char *const strings[] = { "WorkingDir", "User" };
  json_t *run = json_object_get (config, "config"), *v;
  size_t i, k;

  if (take_diff_ids (plan, config, err) < 0)
    return -1;
  plan->config = json_object ();
  if (plan->config == NULL)
    return sb_error (err, ENOMEM, "allocate");
  if (json_is_string (json_object_get (config, "created")))
    plan->created = json_incref (json_object_get (config, "created"));
  if (!json_is_object (run))
    return 0;
  for (i = 0; i < sizeof (arrays) / sizeof (arrays[0]); i++)
    {
      bool ok = json_is_array (v = json_object_get (run, arrays[i]));
      for (k = 0; ok && k < json_array_size (v); k++)
        ok = json_is_string (json_array_get (v, k));
      if (ok)
        json_object_set (plan->config, arrays[i], v);
    }
  for (i = 0; i < sizeof (strings) / sizeof (strings[0]); i++)
    if (json_is_string (v = json_object_get (run, strings[i])))
      json_object_set (plan->config, strings[i], v);
  return 0;
}

/* The next layer, held in the member `name` (or one it links to). */
static int
add_layer (struct scan *sc, struct sb_image_plan *plan, const char *name, sb_error_t *err)
{
  struct member *m;
  char what[64];

  snprintf (what, sizeof (what), "layer %d", plan->nlayers);
  if (plan->nlayers == SB_MAX_LAYERS)
    return sb_error (err, 0, "the image has more than %d layers", SB_MAX_LAYERS);
  if ((m = resolve_member (sc, name, what, err)) == NULL)
    return -1;
  plan->layers[plan->nlayers].member = strdup (m->name);
  if (plan->layers[plan->nlayers].member == NULL)
    return sb_error (err, ENOMEM, "allocate");
  plan->nlayers++;
  return 0;
}

static int
plan_docker (struct scan *sc, struct member *manifest, struct sb_image_plan *plan, sb_error_t *err)
{
  json_t *list = parse_json (manifest, "the manifest", err), *item, *layers, *config = NULL;
  const char *config_name;
  struct member *cm;
  char hex[SB_DIGEST_HEX_LEN + 1];
  int ret = -1;

  if (list == NULL)
    return -1;
  if (!json_is_array (list) || json_array_size (list) != 1)
    {
      sb_error (err, 0, "manifest.json must list exactly one image (it lists %zu): save one "
                "image per tarball", json_is_array (list) ? json_array_size (list) : 0);
      goto out;
    }
  item = json_array_get (list, 0);
  config_name = json_string_value (json_object_get (item, "Config"));
  layers = json_object_get (item, "Layers");
  if (config_name == NULL || !json_is_array (layers))
    {
      sb_error (err, 0, "manifest.json: the image has no Config or no Layers");
      goto out;
    }
  {
    char clean[4096];
    if (sb_tar_clean_name (config_name, clean, sizeof (clean)) != NULL
        || (cm = resolve_member (sc, clean, "the image config", err)) == NULL
        || (config = parse_json (cm, "the image config", err)) == NULL)
      {
        if (err && *err == NULL)
          sb_error (err, 0, "manifest.json: Config `%s` is not a valid name", config_name);
        goto out;
      }
  }
  sb_sha256_hex (cm->data, cm->size, hex);
  snprintf (plan->id, sizeof (plan->id), "sha256:%s", hex);
  for (size_t i = 0; i < json_array_size (layers); i++)
    {
      const char *name = json_string_value (json_array_get (layers, i));
      char clean[4096];

      if (name == NULL || sb_tar_clean_name (name, clean, sizeof (clean)) != NULL)
        {
          sb_error (err, 0, "manifest.json: layer %zu is not a valid name", i);
          goto out;
        }
      if (add_layer (sc, plan, clean, err) < 0)
        goto out;
    }
  ret = take_config (plan, config, err);
out:
  json_decref (list);
  json_decref (config);
  return ret;
}

static bool
media_is_index (const char *t)
{
  return t && (strcmp (t, "application/vnd.oci.image.index.v1+json") == 0
               || strcmp (t, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* The one manifest of an index for this host (linux/amd64); attestations
   and other platforms are left out. */
static json_t *
pick_manifest (struct scan *sc, json_t *index, int depth, sb_error_t *err)
{
  json_t *list = json_object_get (index, "manifests"), *chosen = NULL;
  int candidates = 0, exact = 0;
  char hex[SB_DIGEST_HEX_LEN + 1];

  if (depth > INDEX_DEPTH)
    {
      sb_error (err, 0, "index.json: indexes nest more than %d deep", INDEX_DEPTH);
      return NULL;
    }
  for (size_t i = 0; i < json_array_size (list); i++)
    {
      json_t *m = json_array_get (list, i), *plat = json_object_get (m, "platform");
      const char *os = json_string_value (json_object_get (plat, "os"));
      const char *arch = json_string_value (json_object_get (plat, "architecture"));
      const char *ref = json_string_value (json_object_get (json_object_get (m, "annotations"),
                                                            "vnd.docker.reference.type"));
      bool match = os && arch && strcmp (os, "linux") == 0 && strcmp (arch, "amd64") == 0;

      if ((ref && strcmp (ref, "attestation-manifest") == 0) || (plat && !match))
        continue;
      candidates++;
      if (match && exact++ == 0)
        chosen = m;
      else if (exact == 0)
        chosen = m;
    }
  if (candidates == 0 || (candidates > 1 && exact != 1))
    {
      sb_error (err, 0, "the image index holds %d images for this host: import one at a time",
                candidates);
      return NULL;
    }
  {
    const char *digest = json_string_value (json_object_get (chosen, "digest"));
    bool nested = media_is_index (json_string_value (json_object_get (chosen, "mediaType")));
    json_t *next = load_blob (sc, digest, nested ? "an image index" : "the image manifest", hex,
                              NULL, err);
    json_t *found;

    if (next == NULL || !nested)
      return next;
    found = pick_manifest (sc, next, depth + 1, err);
    json_decref (next);
    return found;
  }
}

static int
plan_oci (struct scan *sc, struct member *index_m, struct sb_image_plan *plan, sb_error_t *err)
{
  json_t *index = parse_json (index_m, "index.json", err), *manifest = NULL, *config = NULL, *layers;
  const struct member *cm;
  char hex[SB_DIGEST_HEX_LEN + 1];
  int ret = -1;

  if (index == NULL || (manifest = pick_manifest (sc, index, 0, err)) == NULL)
    goto out;
  config = load_blob (sc, json_string_value (json_object_get (json_object_get (manifest, "config"),
                                                              "digest")),
                      "the image config", hex, &cm, err);
  if (config == NULL)
    goto out;
  snprintf (plan->id, sizeof (plan->id), "sha256:%s", hex);
  layers = json_object_get (manifest, "layers");
  if (!json_is_array (layers))
    {
      sb_error (err, 0, "the image manifest has no layers");
      goto out;
    }
  for (size_t i = 0; i < json_array_size (layers); i++)
    {
      const char *digest = json_string_value (json_object_get (json_array_get (layers, i), "digest"));
      char name[128];

      if (!sb_digest_parse (digest, hex))
        {
          sb_error (err, 0, "layer %zu: digest `%s` is not sha256:<64 hex digits>", i, digest ? digest : "");
          goto out;
        }
      snprintf (name, sizeof (name), "blobs/sha256/%s", hex);
      if (add_layer (sc, plan, name, err) < 0)
        goto out;
    }
  ret = take_config (plan, config, err);
out:
  json_decref (index);
  json_decref (manifest);
  json_decref (config);
  return ret;
}

static int
plan_from_scan (struct scan *sc, struct sb_image_plan *plan, sb_error_t *err)
{
  struct member *manifest = find_member (sc, "manifest.json");
  struct member *layout = find_member (sc, "oci-layout"), *index = find_member (sc, "index.json");
  int ret;

  if (manifest && manifest->type == AE_IFREG)
    {
      plan->format = SB_IMAGE_DOCKER;
      ret = plan_docker (sc, manifest, plan, err);
    }
  else if (layout && index && layout->type == AE_IFREG && index->type == AE_IFREG)
    {
      json_t *l = parse_json (layout, "oci-layout", err);
      if (l == NULL)
        return -1;
      ret = json_is_string (json_object_get (l, "imageLayoutVersion"))
              ? 0 : sb_error (err, 0, "oci-layout has no imageLayoutVersion");
      json_decref (l);
      plan->format = SB_IMAGE_OCI;
      if (ret == 0)
        ret = plan_oci (sc, index, plan, err);
    }
  else
    {
      /* The tarball is the one layer; it is its own id. */
      plan->format = SB_IMAGE_ROOTFS;
      plan->nlayers = 1;
      memcpy (plan->layers[0].diff_id, plan->outer_digest, sizeof (plan->layers[0].diff_id));
      snprintf (plan->id, sizeof (plan->id), "sha256:%s", plan->outer_digest);
      plan->config = json_object ();
      return plan->config ? 0 : sb_error (err, ENOMEM, "allocate");
    }
  if (ret == 0 && plan->nlayers == 0)
    ret = sb_error (err, 0, "the image has no layers");
  return ret;
}

int
sb_image_plan_read (int fd, off_t off, uint64_t max_bytes, uint64_t max_entries,
                    struct sb_image_plan *plan, sb_error_t *err)
{
  struct sb_tar_budget b = { .max_bytes = max_bytes, .max_entries = max_entries };
  struct scan sc = { 0 };
  struct archive_entry *e;
  struct sb_tar t;
  int r, ret = -1;

  memset (plan, 0, sizeof (*plan));
  if (sb_tar_open_file (&t, fd, off, &b, "the tarball", err) < 0)
    goto out;
  while ((r = sb_tar_next (&t, &e, err)) > 0)
    if (scan_entry (&t, e, &sc, err) < 0)
      goto out;
  if (r < 0 || sb_tar_digest (&t, plan->outer_digest, err) < 0)
    goto out;
  ret = plan_from_scan (&sc, plan, err);
out:
  sb_tar_close (&t);
  scan_free (&sc);
  return ret;
}

void
sb_image_plan_free (struct sb_image_plan *plan)
{
  for (int i = 0; i < plan->nlayers; i++)
    free (plan->layers[i].member);
  json_decref (plan->config);
  json_decref (plan->created);
  plan->nlayers = 0;
  plan->config = plan->created = NULL;
}

const char *
sb_image_format_name (enum sb_image_format f)
{
  switch (f)
    {
    case SB_IMAGE_DOCKER: return "docker";
    case SB_IMAGE_OCI: return "oci";
    default: return "rootfs";
    }
}
