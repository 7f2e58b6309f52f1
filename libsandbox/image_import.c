/* Importing a tarball into the image store.

   1. The tarball is read from the caller's file (a pipe or a socket is
      first copied to an unnamed file of the import's directory in tmp/).
   2. A first pass works out its format, layers and config
      (image_formats.c).
   3. A second pass extracts each layer into the import's directory
      (image_layer.c), hashing the uncompressed tar as it goes: the digest
      names the layer. A layer the store already holds (its config's
      diff_id names one) is only hashed, to check it is that layer. A rootfs
      tarball already stored is not read again.
   4. Under the store's lock, new layers are renamed into layers/ (one
      another import stored first is dropped), layers reused are checked to
      be still there, and the record is written (temporary file, fsync,
      rename).
   Whatever happens, the import's directory in tmp/ is removed: a refused
   tarball leaves no layer, no record and no temporary file. */
#include "images.h"
#include "image_internal.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_BUF (1u << 20)

struct layer_job
{
  char digest[SB_DIGEST_HEX_LEN + 1];
  bool done;
  bool reused;             /* the store had it */
  char dir[16];            /* extracted into the import's directory, under this name */
};

struct import
{
  struct sb_images *s;
  char tmpname[128];       /* the import's directory in tmp/ */
  int tmpfd;               /* it, locked for as long as the import runs */
  int src;                 /* the tarball */
  off_t off;
  int spool;               /* its copy, or -1 */
  struct sb_image_plan plan;
  struct layer_job jobs[SB_MAX_LAYERS];
  struct sb_tar_budget layers_budget;   /* shared by all the layers */
};

static bool
layer_stored (struct sb_images *s, const char *hex)
{
  char path[SB_DIGEST_HEX_LEN + 16];

  snprintf (path, sizeof (path), "%s/layer.json", hex);
  return faccessat (s->layers, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool
record_exists (struct sb_images *s, const char *owner, const char *name)
{
  char odir[80], file[300], path[400];

  sb_images_owner_dir (owner, odir, sizeof (odir));
  sb_images_record_name (name, file, sizeof (file));
  snprintf (path, sizeof (path), "%s/%s", odir, file);
  return faccessat (s->images, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
open_input (struct import *im, int fd, sb_error_t *err)
{
  cleanup_free char *buf = NULL;
  uint64_t total = 0;
  struct stat st;

  if (fstat (fd, &st) < 0)
    return sb_error (err, errno, "the tarball");
  if (S_ISREG (st.st_mode))
    {
      off_t off = lseek (fd, 0, SEEK_CUR);
      im->src = fd;
      im->off = off < 0 ? 0 : off;
      return 0;
    }
  im->spool = openat (im->tmpfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  buf = malloc (SPOOL_BUF);
  if (im->spool < 0 || buf == NULL)
    return sb_error (err, im->spool < 0 ? errno : ENOMEM, "keep a copy of the tarball");
  for (;;)
    {
      ssize_t n = read (fd, buf, SPOOL_BUF);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return sb_error (err, errno, "read the tarball");
      if (n == 0)
        break;
      total += (uint64_t) n;
      if (total > im->s->max_bytes)
        return sb_error (err, EFBIG, "the tarball is larger than %llu bytes (the import's limit)",
                         (unsigned long long) im->s->max_bytes);
      if (sb_write_all (im->spool, buf, (size_t) n) < 0)
        return sb_error (err, errno, "keep a copy of the tarball");
    }
  im->src = im->spool;
  im->off = 0;
  return 0;
}

static json_t *
layer_meta (const char *hex, const struct sb_layer_stats *st)
{
  char digest[8 + SB_DIGEST_HEX_LEN];

  snprintf (digest, sizeof (digest), "sha256:%s", hex);
  return json_pack ("{s:s, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}}", "digest", digest, "size",
                    (json_int_t) st->bytes, "entries", (json_int_t) st->entries, "whiteouts",
                    (json_int_t) st->whiteouts, "refused", "devices", (json_int_t) st->devices,
                    "setid", (json_int_t) st->setid, "capabilities", (json_int_t) st->capabilities,
                    "xattrs", (json_int_t) st->xattrs, "other", (json_int_t) st->other);
}

/* Extracts the layer t reads into the import's directory, as jobs[k]. */
static int
extract (struct import *im, struct sb_tar *t, int k, sb_error_t *err)
{
  struct layer_job *job = &im->jobs[k];
  cleanup_close int dirfd = -1;
  cleanup_close int rootfd = -1;
  struct sb_layer_stats st;
  json_t *meta;
  int ret;

  snprintf (job->dir, sizeof (job->dir), "L%d", k);
  if (mkdirat (im->tmpfd, job->dir, 0700) < 0
      || (dirfd = openat (im->tmpfd, job->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
      || mkdirat (dirfd, "root", 0755) < 0
      || (rootfd = openat (dirfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
      || fchmod (rootfd, 0755) < 0)
    return sb_error (err, errno, "make a directory for %s", t->what);
  if (sb_layer_extract (t, rootfd, im->s->max_bytes, &st, err) < 0
      || sb_tar_digest (t, job->digest, err) < 0)
    return -1;
  meta = layer_meta (job->digest, &st);
  if (meta == NULL)
    return sb_error (err, ENOMEM, "allocate");
  ret = sb_images_write_json (dirfd, "layer.json", meta, err);
  json_decref (meta);
  return ret;
}

static int
check_diff_id (struct import *im, int k, const char *what, sb_error_t *err)
{
  const char *want = im->plan.layers[k].diff_id;

  if (want[0] && strcmp (want, im->jobs[k].digest) != 0)
    return sb_error (err, 0, "%s: its content (sha256:%s) is not what the image config says "
                     "(sha256:%s)", what, im->jobs[k].digest, want);
  return 0;
}

/* One layer held in a member of the tarball, the outer archive's current entry. */
static int
take_member (struct import *im, struct archive *outer, int k, sb_error_t *err)
{
  const char *want = im->plan.layers[k].diff_id;
  struct sb_tar t;
  char what[200];
  int ret;

  snprintf (what, sizeof (what), "layer %d (`%.120s`)", k, im->plan.layers[k].member);
  if (want[0] && layer_stored (im->s, want))
    {
      ret = sb_tar_open_entry (&t, outer, false, &im->layers_budget, what, err);
      if (ret == 0)
        ret = sb_tar_digest (&t, im->jobs[k].digest, err);
      im->jobs[k].reused = true;
    }
  else
    {
      ret = sb_tar_open_entry (&t, outer, true, &im->layers_budget, what, err);
      if (ret == 0)
        ret = extract (im, &t, k, err);
    }
  sb_tar_close (&t);
  if (ret < 0 || check_diff_id (im, k, what, err) < 0)
    return -1;
  im->jobs[k].done = true;
  /* The same member again (an image may repeat a layer). */
  for (int j = k + 1; j < im->plan.nlayers; j++)
    if (strcmp (im->plan.layers[j].member, im->plan.layers[k].member) == 0)
      {
        im->jobs[j] = im->jobs[k];
        if (check_diff_id (im, j, what, err) < 0)
          return -1;
      }
  return 0;
}

static int
take_layers (struct import *im, sb_error_t *err)
{
  struct sb_tar_budget b = { .max_bytes = im->s->max_bytes, .max_entries = im->s->max_entries };
  struct archive_entry *e;
  struct sb_tar outer;
  int r, k, ret = -1;

  if (sb_tar_open_file (&outer, im->src, im->off, &b, "the tarball", err) < 0)
    goto out;
  while ((r = sb_tar_next (&outer, &e, err)) > 0)
    {
      char name[4096];

      if (sb_tar_clean_name (archive_entry_pathname (e), name, sizeof (name)) != NULL
          || archive_entry_filetype (e) != AE_IFREG || archive_entry_hardlink (e) != NULL)
        continue;
      for (k = 0; k < im->plan.nlayers; k++)
        if (!im->jobs[k].done && strcmp (im->plan.layers[k].member, name) == 0)
          {
            if (take_member (im, outer.tar, k, err) < 0)
              goto out;
            break;
          }
    }
  if (r < 0)
    goto out;
  for (k = 0; k < im->plan.nlayers; k++)
    if (!im->jobs[k].done)
      {
        sb_error (err, 0, "layer %d (`%s`) was not found on a second reading of the tarball", k,
                  im->plan.layers[k].member);
        goto out;
      }
  ret = 0;
out:
  sb_tar_close (&outer);
  return ret;
}

/* A rootfs tarball: the tarball is the layer. */
static int
take_rootfs (struct import *im, sb_error_t *err)
{
  struct sb_tar t;
  int ret;

  if (layer_stored (im->s, im->plan.outer_digest))
    {
      memcpy (im->jobs[0].digest, im->plan.outer_digest, sizeof (im->jobs[0].digest));
      im->jobs[0].reused = true;
      return 0;
    }
  ret = sb_tar_open_file (&t, im->src, im->off, &im->layers_budget, "the tarball", err);
  if (ret == 0)
    ret = extract (im, &t, 0, err);
  sb_tar_close (&t);
  if (ret == 0 && strcmp (im->jobs[0].digest, im->plan.outer_digest) != 0)
    ret = sb_error (err, 0, "the tarball changed while it was read");
  return ret;
}

static void
now_rfc3339 (char *out, size_t len)
{
  struct tm tm;
  time_t t = time (NULL);

  gmtime_r (&t, &tm);
  strftime (out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The record: the image's names, id and config, its layers bottom first
   (each layer's layer.json) and the sums of what was refused. */
static json_t *
make_record (struct import *im, const char *owner, const char *name, sb_error_t *err)
{
  static const char *const counts[] = { "devices", "setid", "capabilities", "xattrs", "other" };
  json_t *rec, *layers = json_array (), *refused = json_object ();
  json_int_t size = 0;
  char created[32];

  now_rfc3339 (created, sizeof (created));
  rec = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:O}", "name", name, "owner", owner, "id", im->plan.id,
                   "format", sb_image_format_name (im->plan.format), "created", created, "config",
                   im->plan.config);
  if (rec == NULL || layers == NULL || refused == NULL)
    goto fail;
  for (size_t i = 0; i < sizeof (counts) / sizeof (counts[0]); i++)
    json_object_set_new (refused, counts[i], json_integer (0));
  for (int k = 0; k < im->plan.nlayers; k++)
    {
      char path[SB_DIGEST_HEX_LEN + 16];
      json_t *meta;

      snprintf (path, sizeof (path), "%s/layer.json", im->jobs[k].digest);
      meta = sb_images_read_json (im->s->layers, path, err);
      if (meta == NULL)
        goto fail;
      json_array_append_new (layers, meta);
      size += json_integer_value (json_object_get (meta, "size"));
      for (size_t i = 0; i < sizeof (counts) / sizeof (counts[0]); i++)
        json_object_set_new (refused, counts[i],
                             json_integer (json_integer_value (json_object_get (refused, counts[i]))
                                           + json_integer_value (json_object_get (
                                               json_object_get (meta, "refused"), counts[i]))));
    }
  if (im->plan.created)
    json_object_set (rec, "image_created", im->plan.created);
  json_object_set_new (rec, "layers", layers);
  json_object_set_new (rec, "refused", refused);
  json_object_set_new (rec, "size", json_integer (size));
  return rec;
fail:
  json_decref (rec);
  json_decref (layers);
  json_decref (refused);
  if (err && *err == NULL)
    sb_error (err, ENOMEM, "allocate");
  return NULL;
}

static int
commit_layers (struct import *im, sb_error_t *err)
{
  for (int k = 0; k < im->plan.nlayers; k++)
    {
      struct layer_job *job = &im->jobs[k];

      if (layer_stored (im->s, job->digest))
        continue;
      if (job->reused)
        return sb_error (err, EAGAIN, "layer sha256:%s was removed during the import: import again",
                         job->digest);
      if (renameat (im->tmpfd, job->dir, im->s->layers, job->digest) < 0)
        return sb_error (err, errno, "store layer sha256:%s", job->digest);
    }
  fsync (im->s->layers);
  return 0;
}

static int
commit (struct import *im, const char *owner, const char *name, json_t **info, sb_error_t *err)
{
  cleanup_close int odirfd = -1;
  json_t *rec = NULL;
  char odir[80], file[300];
  int ret = -1;

  /* The layers' files reach the disk before a record names them. */
  if (syncfs (im->tmpfd) < 0)
    return sb_error (err, errno, "sync the new layers");
  if (sb_images_lock (im->s, err) < 0)
    return -1;
  if (record_exists (im->s, owner, name))
    {
      sb_error (err, EEXIST, "image `%s` exists: remove it first", name);
      goto out;
    }
  if (commit_layers (im, err) < 0 || (rec = make_record (im, owner, name, err)) == NULL)
    goto out;
  sb_images_owner_dir (owner, odir, sizeof (odir));
  sb_images_record_name (name, file, sizeof (file));
  if ((mkdirat (im->s->images, odir, 0700) < 0 && errno != EEXIST)
      || (odirfd = openat (im->s->images, odir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    {
      sb_error (err, errno, "the records of `%s`", odir);
      goto out;
    }
  if (sb_images_write_json (odirfd, file, rec, err) < 0)
    goto out;
  fsync (im->s->images);
  if (info)
    *info = json_incref (rec);
  ret = 0;
out:
  sb_images_unlock (im->s);
  json_decref (rec);
  return ret;
}

static int
run_import (struct import *im, int fd, const char *owner, const char *name, json_t **info,
            sb_error_t *err)
{
  if (open_input (im, fd, err) < 0
      || sb_image_plan_read (im->src, im->off, im->s->max_bytes, im->s->max_entries, &im->plan, err) < 0)
    return -1;
  im->layers_budget = (struct sb_tar_budget) { .max_bytes = im->s->max_bytes,
                                               .max_entries = im->s->max_entries };
  if ((im->plan.format == SB_IMAGE_ROOTFS ? take_rootfs (im, err) : take_layers (im, err)) < 0)
    return -1;
  return commit (im, owner, name, info, err);
}

int
sb_images_import (struct sb_images *s, int fd, const char *owner, const char *name, json_t **info,
                  sb_error_t *err)
{
  cleanup_free struct import *im = calloc (1, sizeof (*im));
  cleanup_error sb_error_t e = NULL;
  locale_t utf8 = (locale_t) 0, old = (locale_t) 0;
  int ret;

  if (info)
    *info = NULL;
  if (im == NULL)
    return sb_error (err, ENOMEM, "allocate");
  if (sb_images_check_names (owner, name, err) < 0)
    return -EINVAL;
  if (strcmp (name, SB_IMAGE_HOST) == 0)
    return sb_error (err, EPERM, "`%s` is the built-in image (the host root): choose another name", name);
  if (record_exists (s, owner, name))
    return sb_error (err, EEXIST, "image `%s` exists: remove it first", name);
  im->s = s;
  im->spool = -1;
  sb_images_temp_name ("import", im->tmpname, sizeof (im->tmpname));
  if (mkdirat (s->tmp, im->tmpname, 0700) < 0
      || (im->tmpfd = openat (s->tmp, im->tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
      || flock (im->tmpfd, LOCK_EX) < 0)
    {
      ret = sb_error (err, errno, "image store: make a temporary directory");
      unlinkat (s->tmp, im->tmpname, AT_REMOVEDIR);
      return ret;
    }
  /* Names in tarballs are bytes; libarchive converts pax's UTF-8 names to
     the locale's charset: this thread's is UTF-8 while it reads them. */
  utf8 = newlocale (LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
  if (utf8)
    old = uselocale (utf8);
  ret = run_import (im, fd, owner, name, info, &e);
  if (utf8)
    {
      uselocale (old);
      freelocale (utf8);
    }
  sb_image_plan_free (&im->plan);
  if (im->spool >= 0)
    close (im->spool);
  close (im->tmpfd);
  sb_remove_tree (s->tmp, im->tmpname);
  if (ret == 0)
    return 0;
  /* The kind of error, whatever step found it. */
  ret = e && e->status ? -e->status : -1;
  if (err)
    {
      sb_error_free (err);
      *err = steal_pointer (&e);
    }
  return ret;
}
