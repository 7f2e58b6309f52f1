/* The image store: importing the three formats (plain and compressed),
   whiteouts, shared layers, names, visibility, inspect, remove. The safety
   rules have their own suite, test_images_safety.c. Runs as root (owners
   of extracted files). */
#include "image_tars.h"
#include "image_internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const struct tar_entry base_entries[] = {
  { "./", 'd', 0755, 0, 0, NULL, 0, NULL },
  { "./bin/", 'd', 0755, 0, 0, NULL, 0, NULL },
  { "./bin/tool", 'f', 0755, 0, 0, "#!/bin/sh\necho tool\n", 0, NULL },
  { "./bin/sh", 'l', 0777, 0, 0, "tool", 0, NULL },
  { "./etc/", 'd', 0755, 0, 0, NULL, 0, NULL },
  { "./etc/owned", 'f', 0640, 1000, 1001, "mine\n", 0, NULL },
  { "./etc/same", 'h', 0, 0, 0, "./etc/owned", 0, NULL },
  { "./etc/doomed", 'f', 0644, 0, 0, "bye\n", 0, NULL },
  { "./data/old", 'f', 0644, 0, 0, "old\n", 0, NULL },
  { "./run/fifo", 'p', 0600, 7, 7, NULL, 0, NULL },
  { NULL, 0, 0, 0, 0, NULL, 0, NULL },
};

static const struct tar_entry top_entries[] = {
  { "etc/.wh.doomed", 'f', 0644, 0, 0, NULL, 0, NULL },
  { "data/.wh..wh..opq", 'f', 0644, 0, 0, NULL, 0, NULL },
  { "data/new", 'f', 0644, 0, 0, "new\n", 0, NULL },
  { "etc/added", 'f', 0600, 2000, 2000, "added\n", 0, NULL },
  { NULL, 0, 0, 0, 0, NULL, 0, NULL },
};

static const char *
jstr (json_t *j, const char *key)
{
  return json_string_value (json_object_get (j, key));
}

static json_t *
import_ok (struct store *st, const struct blob *b, const char *owner, const char *name)
{
  sb_error_t err = NULL;
  json_t *rec = NULL;

  ck_assert_msg (store_import (st, b, owner, name, &rec, &err) == 0, "import %s: %s", name,
                 err ? err->msg : "");
  ck_assert_ptr_nonnull (rec);
  return rec;
}

static void
layer_stat (struct store *st, const char *owner, const char *name, int k, const char *rel, struct stat *sb)
{
  char path[512];

  store_layer_path (st, owner, name, k, rel, path, sizeof (path));
  ck_assert_msg (lstat (path, sb) == 0, "lstat %s", path);
}

static const char *
layer_digest (json_t *rec, int k)
{
  return jstr (json_array_get (json_object_get (rec, "layers"), (size_t) k), "digest") + 7;
}

/* --- a rootfs tarball ---------------------------------------------------------- */

START_TEST (test_rootfs_plain)
{
  struct store st;
  struct blob tar = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  char hex[SB_DIGEST_HEX_LEN + 1];
  struct stat a, b;
  json_t *rec;
  char path[512], link[64] = "";

  store_open (&st);
  snprintf (hex, sizeof (hex), "%s", blob_sha256 (&tar));
  rec = import_ok (&st, &tar, "", "base");
  ck_assert_str_eq (jstr (rec, "format"), "rootfs");
  ck_assert_str_eq (jstr (rec, "owner"), "");
  ck_assert_str_eq (jstr (rec, "id") + 7, hex);
  ck_assert_int_eq (json_array_size (json_object_get (rec, "layers")), 1);
  ck_assert_str_eq (layer_digest (rec, 0), hex);
  /* Owners, modes, links and FIFOs as in the tarball. */
  layer_stat (&st, "", "base", 0, "etc/owned", &a);
  ck_assert_uint_eq (a.st_uid, 1000);
  ck_assert_uint_eq (a.st_gid, 1001);
  ck_assert_uint_eq (a.st_mode & 07777, 0640);
  ck_assert_int_eq (a.st_mtime, 1700000000);
  layer_stat (&st, "", "base", 0, "etc/same", &b);
  ck_assert_uint_eq (a.st_ino, b.st_ino);
  ck_assert_uint_eq (b.st_nlink, 2);
  layer_stat (&st, "", "base", 0, "run/fifo", &a);
  ck_assert (S_ISFIFO (a.st_mode));
  ck_assert_uint_eq (a.st_uid, 7);
  store_layer_path (&st, "", "base", 0, "bin/sh", path, sizeof (path));
  ck_assert_int_eq (readlink (path, link, sizeof (link) - 1), 4);
  ck_assert_str_eq (link, "tool");
  /* 20 + 5 + 4 + 4 bytes of data. */
  ck_assert_int_eq (json_integer_value (json_object_get (rec, "size")), 33);
  store_assert_clean (&st, 1);
  json_decref (rec);
  blob_free (&tar);
  store_close (&st);
}
END_TEST

static const int filters[] = { ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_ZSTD,
                               ARCHIVE_FILTER_BZIP2 };

START_TEST (test_rootfs_compressed)
{
  struct store st;
  struct blob plain = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  struct blob packed = tar_build (base_entries, filters[_i]);
  json_t *rec;

  store_open (&st);
  ck_assert (packed.size != plain.size);
  rec = import_ok (&st, &packed, "acme", "packed");
  /* The layer's name is the digest of the uncompressed tar (its diff_id). */
  ck_assert_str_eq (layer_digest (rec, 0), blob_sha256 (&plain));
  json_decref (rec);
  blob_free (&plain);
  blob_free (&packed);
  store_close (&st);
}
END_TEST

/* --- docker save ------------------------------------------------------------------ */

/* A docker save tarball of the two layers (uncompressed, as docker writes them). */
static struct blob
docker_tarball (const struct blob *l1, const struct blob *l2, const char *diff_override)
{
  char d1[65], d2[65], cfgname[80], n1[80], n2[80], config[1024], manifest[512];
  struct blob cfg, man, out;

  snprintf (d1, sizeof (d1), "%s", blob_sha256 (l1));
  snprintf (d2, sizeof (d2), "%s", blob_sha256 (l2));
  snprintf (config, sizeof (config),
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
            "\"config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"tool\"],\"Entrypoint\":[\"/bin/tool\"],"
            "\"Env\":[\"PATH=/bin\",\"A=b\"],\"WorkingDir\":\"/data\",\"User\":\"1000:1001\","
            "\"Labels\":{\"x\":\"y\"}},"
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\",\"sha256:%s\"]}}",
            d1, diff_override ? diff_override : d2);
  cfg = blob_of_string (config);
  snprintf (cfgname, sizeof (cfgname), "%s.json", blob_sha256 (&cfg));
  snprintf (n1, sizeof (n1), "%s/layer.tar", d1);
  snprintf (n2, sizeof (n2), "%s/layer.tar", d2);
  snprintf (manifest, sizeof (manifest),
            "[{\"Config\":\"%s\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"%s\",\"%s\"]}]", cfgname, n1, n2);
  man = blob_of_string (manifest);
  {
    const struct tar_entry members[] = {
      { d1, 'd', 0755, 0, 0, NULL, 0, NULL },
      { n1, 'f', 0644, 0, 0, (const char *) l1->data, l1->size, NULL },
      { d2, 'd', 0755, 0, 0, NULL, 0, NULL },
      { n2, 'f', 0644, 0, 0, (const char *) l2->data, l2->size, NULL },
      { cfgname, 'f', 0644, 0, 0, (const char *) cfg.data, cfg.size, NULL },
      { "manifest.json", 'f', 0644, 0, 0, (const char *) man.data, man.size, NULL },
      { NULL, 0, 0, 0, 0, NULL, 0, NULL },
    };
    out = tar_build (members, ARCHIVE_FILTER_NONE);
  }
  blob_free (&cfg);
  blob_free (&man);
  return out;
}

static void
check_two_layers (struct store *st, const char *owner, const char *name)
{
  struct stat sb;
  char path[512], value[8] = "";

  layer_stat (st, owner, name, 1, "etc/doomed", &sb);
  ck_assert (S_ISCHR (sb.st_mode));
  ck_assert_uint_eq (sb.st_rdev, makedev (0, 0));
  store_layer_path (st, owner, name, 1, "data", path, sizeof (path));
  ck_assert_int_eq (getxattr (path, "trusted.overlay.opaque", value, sizeof (value)), 1);
  ck_assert_str_eq (value, "y");
  store_layer_path (st, owner, name, 1, "data/.wh..wh..opq", path, sizeof (path));
  ck_assert_int_eq (access (path, F_OK), -1);
  layer_stat (st, owner, name, 1, "etc/added", &sb);
  ck_assert_uint_eq (sb.st_uid, 2000);
  ck_assert_uint_eq (sb.st_mode & 07777, 0600);
}

START_TEST (test_docker_save)
{
  struct store st;
  struct blob l1 = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  struct blob l2 = tar_build (top_entries, ARCHIVE_FILTER_NONE);
  struct blob tb = docker_tarball (&l1, &l2, NULL);
  json_t *rec, *cfg;

  store_open (&st);
  rec = import_ok (&st, &tb, "acme", "library/app:1");
  ck_assert_str_eq (jstr (rec, "format"), "docker");
  ck_assert_str_eq (jstr (rec, "name"), "library/app:1");
  ck_assert_int_eq (json_array_size (json_object_get (rec, "layers")), 2);
  ck_assert_str_eq (layer_digest (rec, 0), blob_sha256 (&l1));
  ck_assert_str_eq (layer_digest (rec, 1), blob_sha256 (&l2));
  ck_assert_int_eq (json_integer_value (json_object_get (json_array_get (json_object_get (rec, "layers"), 1),
                                                         "whiteouts")), 2);
  ck_assert_str_eq (jstr (rec, "image_created"), "2024-01-02T03:04:05Z");
  cfg = json_object_get (rec, "config");
  ck_assert_str_eq (json_string_value (json_array_get (json_object_get (cfg, "Cmd"), 2)), "tool");
  ck_assert_str_eq (json_string_value (json_array_get (json_object_get (cfg, "Entrypoint"), 0)), "/bin/tool");
  ck_assert_str_eq (json_string_value (json_array_get (json_object_get (cfg, "Env"), 1)), "A=b");
  ck_assert_str_eq (jstr (cfg, "WorkingDir"), "/data");
  ck_assert_str_eq (jstr (cfg, "User"), "1000:1001");
  ck_assert_ptr_null (json_object_get (cfg, "Labels"));
  check_two_layers (&st, "acme", "library/app:1");
  store_assert_clean (&st, 2);
  json_decref (rec);
  blob_free (&l1);
  blob_free (&l2);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

START_TEST (test_docker_diff_id_mismatch)
{
  struct store st;
  struct blob l1 = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  struct blob l2 = tar_build (top_entries, ARCHIVE_FILTER_NONE);
  struct blob tb = docker_tarball (&l1, &l2, "0000000000000000000000000000000000000000000000000000000000000000");

  store_open (&st);
  store_import_fails (&st, &tb, 0, "is not what the image config says", 0);
  ck_assert_int_eq (sb_images_inspect (st.s, "acme", "refused", &(json_t *) { NULL }, NULL), -ENOENT);
  blob_free (&l1);
  blob_free (&l2);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

/* docker save writes a layer met twice once, and links the second name to it. */
START_TEST (test_docker_linked_layer)
{
  struct store st;
  struct blob l1 = tar_build (base_entries, ARCHIVE_FILTER_NONE), cfg, man, tb;
  char d1[65], config[512], manifest[512], cfgname[80];
  json_t *rec;

  snprintf (d1, sizeof (d1), "%s", blob_sha256 (&l1));
  snprintf (config, sizeof (config), "{\"rootfs\":{\"diff_ids\":[\"sha256:%s\",\"sha256:%s\"]}}", d1, d1);
  cfg = blob_of_string (config);
  snprintf (cfgname, sizeof (cfgname), "%s.json", blob_sha256 (&cfg));
  snprintf (manifest, sizeof (manifest), "[{\"Config\":\"%s\",\"Layers\":[\"a/layer.tar\",\"b/layer.tar\"]}]",
            cfgname);
  man = blob_of_string (manifest);
  {
    const struct tar_entry members[] = {
      { "a/layer.tar", 'f', 0644, 0, 0, (const char *) l1.data, l1.size, NULL },
      { "b/layer.tar", 'l', 0777, 0, 0, "../a/layer.tar", 0, NULL },
      { cfgname, 'f', 0644, 0, 0, (const char *) cfg.data, cfg.size, NULL },
      { "manifest.json", 'f', 0644, 0, 0, (const char *) man.data, man.size, NULL },
      { NULL, 0, 0, 0, 0, NULL, 0, NULL },
    };
    tb = tar_build (members, ARCHIVE_FILTER_GZIP);
  }
  store_open (&st);
  rec = import_ok (&st, &tb, "", "twice");
  ck_assert_str_eq (layer_digest (rec, 0), d1);
  ck_assert_str_eq (layer_digest (rec, 1), d1);
  store_assert_clean (&st, 1);
  json_decref (rec);
  blob_free (&l1);
  blob_free (&cfg);
  blob_free (&man);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

/* --- OCI image layout ------------------------------------------------------------- */

struct oci
{
  struct blob blobs[8];
  char names[8][90];
  int n;
};

static const char *
oci_add (struct oci *o, struct blob b)
{
  snprintf (o->names[o->n], sizeof (o->names[o->n]), "blobs/sha256/%s", blob_sha256 (&b));
  o->blobs[o->n] = b;
  return o->names[o->n++] + 13;
}

/* An OCI layout of the two layers (gzip and zstd). With `platforms`, the
   index names a nested index with an arm64 image, an attestation and
   ours. With `tamper`, the manifest blob does not match its digest. */
static struct blob
oci_tarball (bool platforms, bool tamper)
{
  struct blob p1 = tar_build (base_entries, ARCHIVE_FILTER_NONE), p2 = tar_build (top_entries, ARCHIVE_FILTER_NONE);
  char buf[2048], d1[65], d2[65], c1[65], c2[65], cfg[65], man[65], index[1024];
  struct oci o = { .n = 0 };
  struct tar_entry members[12] = { { 0 } };
  struct blob out;
  int i;

  snprintf (d1, sizeof (d1), "%s", blob_sha256 (&p1));
  snprintf (d2, sizeof (d2), "%s", blob_sha256 (&p2));
  snprintf (c1, sizeof (c1), "%s", oci_add (&o, tar_build (base_entries, ARCHIVE_FILTER_GZIP)));
  snprintf (c2, sizeof (c2), "%s", oci_add (&o, tar_build (top_entries, ARCHIVE_FILTER_ZSTD)));
  snprintf (buf, sizeof (buf),
            "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/tool\"]},"
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\",\"sha256:%s\"]}}", d1, d2);
  snprintf (cfg, sizeof (cfg), "%s", oci_add (&o, blob_of_string (buf)));
  snprintf (buf, sizeof (buf),
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:%s\"},"
            "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:%s\"},"
            "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"sha256:%s\"}]}",
            cfg, c1, c2);
  snprintf (man, sizeof (man), "%s", oci_add (&o, blob_of_string (buf)));
  if (tamper)
    o.blobs[o.n - 1].data[o.blobs[o.n - 1].size - 1] = ' ';
  snprintf (index, sizeof (index),
            "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            "\"digest\":\"sha256:%s\"}]}", man);
  if (platforms)
    {
      char nested[65];
      snprintf (buf, sizeof (buf),
                "{\"schemaVersion\":2,\"manifests\":["
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%064d\","
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\","
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%064d\","
                "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
                "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}]}", 1, man, 2);
      snprintf (nested, sizeof (nested), "%s", oci_add (&o, blob_of_string (buf)));
      snprintf (index, sizeof (index),
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                "\"digest\":\"sha256:%s\"}]}", nested);
    }
  for (i = 0; i < o.n; i++)
    members[i] = (struct tar_entry) { o.names[i], 'f', 0644, 0, 0, (const char *) o.blobs[i].data,
                                      o.blobs[i].size, NULL };
  members[i++] = (struct tar_entry) { "oci-layout", 'f', 0644, 0, 0, "{\"imageLayoutVersion\":\"1.0.0\"}", 0, NULL };
  members[i++] = (struct tar_entry) { "index.json", 'f', 0644, 0, 0, index, 0, NULL };
  out = tar_build (members, ARCHIVE_FILTER_NONE);
  for (i = 0; i < o.n; i++)
    blob_free (&o.blobs[i]);
  blob_free (&p1);
  blob_free (&p2);
  return out;
}

START_TEST (test_oci_layout)
{
  struct store st;
  struct blob tb = oci_tarball (false, false);
  struct blob l1 = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  struct blob l2 = tar_build (top_entries, ARCHIVE_FILTER_NONE);
  struct blob dk = docker_tarball (&l1, &l2, NULL);
  json_t *rec, *rec2;

  store_open (&st);
  rec = import_ok (&st, &tb, "", "oci");
  ck_assert_str_eq (jstr (rec, "format"), "oci");
  ck_assert_str_eq (layer_digest (rec, 0), blob_sha256 (&l1));
  ck_assert_str_eq (layer_digest (rec, 1), blob_sha256 (&l2));
  ck_assert_str_eq (json_string_value (json_array_get (json_object_get (json_object_get (rec, "config"), "Cmd"), 0)),
                    "/bin/tool");
  check_two_layers (&st, "", "oci");
  /* The same layers, from a docker save tarball: stored once. */
  rec2 = import_ok (&st, &dk, "acme", "docker");
  ck_assert_str_eq (layer_digest (rec2, 1), layer_digest (rec, 1));
  store_assert_clean (&st, 2);
  json_decref (rec);
  json_decref (rec2);
  blob_free (&tb);
  blob_free (&l1);
  blob_free (&l2);
  blob_free (&dk);
  store_close (&st);
}
END_TEST

START_TEST (test_oci_platforms)
{
  struct store st;
  struct blob tb = oci_tarball (true, false);
  json_t *rec;

  store_open (&st);
  rec = import_ok (&st, &tb, "", "multi");
  ck_assert_str_eq (jstr (rec, "format"), "oci");
  ck_assert_int_eq (json_array_size (json_object_get (rec, "layers")), 2);
  json_decref (rec);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

START_TEST (test_oci_tampered)
{
  struct store st;
  struct blob tb = oci_tarball (false, true);

  store_open (&st);
  store_import_fails (&st, &tb, 0, "does not match its digest", 0);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

/* --- the store ------------------------------------------------------------------- */

START_TEST (test_names)
{
  static const char *const good[] = { "a", "busybox", "library/python:3.11", "r.io/x/y-z_w:1.0", "0" };
  static const char *const bad[] = { "", "A", "-a", ".a", "a/", "a//b", "a/.b", "a/../b", "a b",
                                     "a%b", "/a", "a/-b" };
  char longest[SB_IMAGE_NAME_MAX + 2];

  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    ck_assert_msg (sb_image_name_valid (good[i]), "refused %s", good[i]);
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    ck_assert_msg (!sb_image_name_valid (bad[i]), "accepted %s", bad[i]);
  memset (longest, 'a', sizeof (longest));
  longest[SB_IMAGE_NAME_MAX] = '\0';
  ck_assert (sb_image_name_valid (longest));
  longest[SB_IMAGE_NAME_MAX] = 'a';
  longest[SB_IMAGE_NAME_MAX + 1] = '\0';
  ck_assert (!sb_image_name_valid (longest));
  ck_assert (sb_image_owner_valid (""));
  ck_assert (sb_image_owner_valid ("acme-2"));
  ck_assert (!sb_image_owner_valid ("_provider"));
  ck_assert (!sb_image_owner_valid ("-a"));
  ck_assert (!sb_image_owner_valid ("a/b"));
  ck_assert (!sb_image_owner_valid (NULL));
}
END_TEST

static void
list_names (struct sb_images *s, const char *owner, char *out, size_t len)
{
  sb_error_t err = NULL;
  json_t *list;
  size_t i, o = 0;

  ck_assert_msg (sb_images_list (s, owner, &list, &err) == 0, "list: %s", err ? err->msg : "");
  out[0] = '\0';
  for (i = 0; i < json_array_size (list); i++)
    o += (size_t) snprintf (out + o, len - o, "%s%s/%s", i ? " " : "",
                            jstr (json_array_get (list, i), "owner"), jstr (json_array_get (list, i), "name"));
  json_decref (list);
}

START_TEST (test_visibility)
{
  struct store st;
  struct blob tar = tar_build (base_entries, ARCHIVE_FILTER_GZIP);
  sb_error_t err = NULL;
  char names[512];
  json_t *rec;

  store_open (&st);
  json_decref (import_ok (&st, &tar, "", "base"));
  json_decref (import_ok (&st, &tar, "acme", "mine"));
  json_decref (import_ok (&st, &tar, "zeta", "theirs"));
  /* One layer for the three. */
  store_assert_clean (&st, 1);
  list_names (st.s, "acme", names, sizeof (names));
  ck_assert_str_eq (names, "/host /base acme/mine");
  list_names (st.s, "", names, sizeof (names));
  ck_assert_str_eq (names, "/host /base");
  list_names (st.s, NULL, names, sizeof (names));
  ck_assert_str_eq (names, "/host /base acme/mine zeta/theirs");
  /* acme sees the provider's base, not zeta's image. */
  ck_assert_int_eq (sb_images_inspect (st.s, "acme", "base", &rec, &err), 0);
  ck_assert_str_eq (jstr (rec, "owner"), "");
  json_decref (rec);
  ck_assert_int_eq (sb_images_inspect (st.s, "acme", "theirs", &rec, &err), -ENOENT);
  sb_error_free (&err);
  /* Its own image of the same name comes first. */
  json_decref (import_ok (&st, &tar, "acme", "base"));
  ck_assert_int_eq (sb_images_inspect (st.s, "acme", "base", &rec, &err), 0);
  ck_assert_str_eq (jstr (rec, "owner"), "acme");
  json_decref (rec);
  ck_assert_int_eq (sb_images_inspect (st.s, "acme", "host", &rec, &err), 0);
  ck_assert (json_is_true (json_object_get (rec, "builtin")));
  json_decref (rec);
  blob_free (&tar);
  store_close (&st);
}
END_TEST

START_TEST (test_import_refusals)
{
  struct store st;
  struct blob tar = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  sb_error_t err = NULL;

  store_open (&st);
  json_decref (import_ok (&st, &tar, "acme", "app"));
  ck_assert_int_eq (store_import (&st, &tar, "acme", "app", NULL, &err), -EEXIST);
  sb_error_free (&err);
  ck_assert_int_eq (store_import (&st, &tar, "acme", "host", NULL, &err), -EPERM);
  sb_error_free (&err);
  ck_assert_int_eq (store_import (&st, &tar, "Acme", "app2", NULL, &err), -EINVAL);
  sb_error_free (&err);
  ck_assert_int_eq (store_import (&st, &tar, "acme", "../x", NULL, &err), -EINVAL);
  sb_error_free (&err);
  store_assert_clean (&st, 1);
  blob_free (&tar);
  store_close (&st);
}
END_TEST

static bool
busy (const char *owner, const char *name, void *arg)
{
  (void) owner;
  return strcmp (name, arg) == 0;
}

START_TEST (test_remove)
{
  struct store st;
  struct blob l1 = tar_build (base_entries, ARCHIVE_FILTER_NONE);
  struct blob l2 = tar_build (top_entries, ARCHIVE_FILTER_NONE);
  struct blob dk = docker_tarball (&l1, &l2, NULL);
  sb_error_t err = NULL;
  char **paths;
  int n;

  store_open (&st);
  json_decref (import_ok (&st, &l1, "", "base"));
  json_decref (import_ok (&st, &dk, "acme", "app"));
  store_assert_clean (&st, 2);
  ck_assert_int_eq (sb_images_remove (st.s, "acme", "app", busy, "app", &err), -EBUSY);
  ck_assert_msg (strstr (err->msg, "in use") != NULL, "%s", err->msg);
  sb_error_free (&err);
  ck_assert_int_eq (sb_images_layers (st.s, "acme", "app", &paths, &n, &err), 0);
  ck_assert_int_eq (n, 2);
  sb_images_free_layers (paths);
  ck_assert_int_eq (sb_images_remove (st.s, "acme", "base", NULL, NULL, &err), -ENOENT);
  sb_error_free (&err);
  ck_assert_int_eq (sb_images_remove (st.s, "acme", "host", NULL, NULL, &err), -EPERM);
  sb_error_free (&err);
  /* The image goes, and its top layer; the bottom one is base's too. */
  ck_assert_int_eq (sb_images_remove (st.s, "acme", "app", busy, "other", &err), 0);
  ck_assert_int_eq (sb_images_layers (st.s, "acme", "app", &paths, &n, &err), -ENOENT);
  sb_error_free (&err);
  store_assert_clean (&st, 1);
  ck_assert_int_eq (sb_images_remove (st.s, "", "base", NULL, NULL, &err), 0);
  store_assert_clean (&st, 0);
  ck_assert_int_eq (sb_images_layers (st.s, "acme", "host", &paths, &n, &err), 0);
  ck_assert_int_eq (n, 0);
  ck_assert_ptr_null (paths[0]);
  sb_images_free_layers (paths);
  blob_free (&l1);
  blob_free (&l2);
  blob_free (&dk);
  store_close (&st);
}
END_TEST

/* A tarball that arrives through a pipe (the daemon's uploads) is kept in
   an unnamed file while it is read twice. */
START_TEST (test_pipe_input)
{
  struct store st;
  struct blob tar = tar_build (base_entries, ARCHIVE_FILTER_XZ);
  sb_error_t err = NULL;
  int p[2], status;
  json_t *rec = NULL;
  pid_t pid;

  store_open (&st);
  ck_assert_int_eq (pipe (p), 0);
  pid = fork ();
  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      close (p[0]);
      _exit (write (p[1], tar.data, tar.size) == (ssize_t) tar.size ? 0 : 1);
    }
  close (p[1]);
  ck_assert_msg (sb_images_import (st.s, p[0], "acme", "piped", &rec, &err) == 0, "%s",
                 err ? err->msg : "");
  close (p[0]);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_str_eq (jstr (rec, "format"), "rootfs");
  store_assert_clean (&st, 1);
  json_decref (rec);
  blob_free (&tar);
  store_close (&st);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("images");
  TCase *formats = tcase_create ("formats"), *store = tcase_create ("store");

  tcase_add_test (formats, test_rootfs_plain);
  tcase_add_loop_test (formats, test_rootfs_compressed, 0, (int) (sizeof (filters) / sizeof (filters[0])));
  tcase_add_test (formats, test_docker_save);
  tcase_add_test (formats, test_docker_diff_id_mismatch);
  tcase_add_test (formats, test_docker_linked_layer);
  tcase_add_test (formats, test_oci_layout);
  tcase_add_test (formats, test_oci_platforms);
  tcase_add_test (formats, test_oci_tampered);
  tcase_add_test (store, test_names);
  tcase_add_test (store, test_visibility);
  tcase_add_test (store, test_import_refusals);
  tcase_add_test (store, test_remove);
  tcase_add_test (store, test_pipe_input);
  suite_add_tcase (s, formats);
  suite_add_tcase (s, store);
  return run_image_suite (s);
}
