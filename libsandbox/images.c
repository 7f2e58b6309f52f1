/* The image store: opening it, names, records, list, inspect, remove and
   the layers of an image. Imports are in image_import.c. */
#include "images.h"
#include "image_internal.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#define PROVIDER_DIR "_provider"

bool
sb_image_name_valid (const char *name)
{
  size_t n = name ? strlen (name) : 0, i;

  if (n == 0 || n > SB_IMAGE_NAME_MAX || name[n - 1] == '/')
    return false;
  for (i = 0; i < n; i++)
    {
      char c = name[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      /* Each component starts with a letter or a digit. */
      if (i == 0 || name[i - 1] == '/')
        {
          if (!alnum)
            return false;
        }
      else if (!alnum && !strchr ("._/:-", c))
        return false;
    }
  return true;
}

bool
sb_image_owner_valid (const char *owner)
{
  size_t n = owner ? strlen (owner) : 0, i;

  if (owner == NULL || n > 63)
    return false;
  for (i = 0; i < n; i++)
    {
      char c = owner[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && c == '-')))
        return false;
    }
  return true;
}

void
sb_images_owner_dir (const char *owner, char *out, size_t len)
{
  snprintf (out, len, "%s", owner[0] ? owner : PROVIDER_DIR);
}

void
sb_images_record_name (const char *name, char *out, size_t len)
{
  size_t i;

  snprintf (out, len, "%s.json", name);
  for (i = 0; out[i]; i++)
    if (out[i] == '/')
      out[i] = '%';
}

void
sb_images_temp_name (const char *prefix, char *out, size_t len)
{
  static atomic_uint counter;

  snprintf (out, len, ".%s-%d-%u-%llx", prefix, getpid (), atomic_fetch_add (&counter, 1),
            (unsigned long long) sb_now_ns ());
}

int
sb_images_write_json (int dirfd, const char *name, json_t *j, sb_error_t *err)
{
  cleanup_free char *text = json_dumps (j, JSON_INDENT (2) | JSON_SORT_KEYS);
  char tmp[128];
  int fd, r;

  if (text == NULL)
    return sb_error (err, ENOMEM, "write `%s`", name);
  sb_images_temp_name ("tmp", tmp, sizeof (tmp));
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return sb_error (err, errno, "write `%s`", name);
  r = sb_write_all (fd, text, strlen (text));
  if (r == 0)
    r = sb_write_all (fd, "\n", 1);
  if (r == 0 && fsync (fd) < 0)
    r = -errno;
  close (fd);
  if (r == 0 && renameat (dirfd, tmp, dirfd, name) < 0)
    r = -errno;
  if (r < 0)
    {
      unlinkat (dirfd, tmp, 0);
      return sb_error (err, -r, "write `%s`", name);
    }
  fsync (dirfd);
  return 0;
}

json_t *
sb_images_read_json (int dirfd, const char *name, sb_error_t *err)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  json_error_t jerr;
  json_t *j;

  if (fd < 0)
    {
      sb_error (err, errno, "read `%s`", name);
      return NULL;
    }
  j = json_loadfd (fd, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL || !json_is_object (j))
    {
      json_decref (j);
      sb_error (err, EIO, "read `%s`: %s", name, j ? "not a JSON object" : jerr.text);
      return NULL;
    }
  return j;
}

int
sb_images_lock (struct sb_images *s, sb_error_t *err)
{
  while (flock (s->lockfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return sb_error (err, errno, "lock the image store");
  return 0;
}

void
sb_images_unlock (struct sb_images *s)
{
  flock (s->lockfd, LOCK_UN);
}

static int
open_subdir (int dirfd, const char *name, sb_error_t *err)
{
  int fd;

  if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", name);
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return sb_error (err, errno, "open `%s`", name);
  return fd;
}

/* Imports that crashed left their directory in tmp/: the ones whose lock
   nobody holds. */
static void
remove_stale (struct sb_images *s)
{
  cleanup_dir DIR *d = fdopendir (openat (s->tmp, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_close int fd = -1;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      fd = openat (s->tmp, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
        sb_remove_tree (s->tmp, de->d_name);
    }
}

static void
close_if_open (int fd)
{
  if (fd >= 0)
    close (fd);
}

void
sb_images_close (struct sb_images *s)
{
  if (s == NULL)
    return;
  close_if_open (s->dirfd);
  close_if_open (s->layers);
  close_if_open (s->images);
  close_if_open (s->tmp);
  close_if_open (s->lockfd);
  free (s->dir);
  free (s);
}

int
sb_images_open (struct sb_images **out, const char *dir, sb_error_t *err)
{
  struct sb_images *s;
  char buf[PATH_MAX], *p;

  *out = NULL;
  if (dir == NULL || dir[0] != '/' || strlen (dir) >= sizeof (buf))
    return sb_error (err, EINVAL, "image store `%s`: give an absolute path", dir ? dir : "");
  /* mkdir -p: the parents as usual, the store itself root's alone. */
  snprintf (buf, sizeof (buf), "%s", dir);
  for (p = buf + 1; (p = strchr (p, '/')) != NULL; p++)
    {
      *p = '\0';
      if (mkdir (buf, 0755) < 0 && errno != EEXIST)
        return sb_error (err, errno, "image store: mkdir `%s`", buf);
      *p = '/';
    }
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "image store: mkdir `%s`", dir);
  s = calloc (1, sizeof (*s));
  if (s == NULL)
    return sb_error (err, ENOMEM, "allocate");
  s->layers = s->images = s->tmp = s->lockfd = -1;
  s->max_bytes = SB_IMAGES_MAX_BYTES;
  s->max_entries = SB_IMAGES_MAX_ENTRIES;
  s->dir = realpath (dir, NULL);
  s->dirfd = s->dir ? open (s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
  if (s->dirfd < 0 || fchmod (s->dirfd, 0700) < 0)
    {
      sb_error (err, errno, "image store `%s`", dir);
      goto fail;
    }
  if ((s->layers = open_subdir (s->dirfd, "layers", err)) < 0
      || (s->images = open_subdir (s->dirfd, "images", err)) < 0
      || (s->tmp = open_subdir (s->dirfd, "tmp", err)) < 0)
    {
      sb_error_prefix (err, "image store `%s`", s->dir);
      goto fail;
    }
  s->lockfd = openat (s->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (s->lockfd < 0)
    {
      sb_error (err, errno, "image store `%s`: open its lock", s->dir);
      goto fail;
    }
  remove_stale (s);
  *out = s;
  return 0;

fail:
  sb_images_close (s);
  return -1;
}

void
sb_images_set_limits (struct sb_images *s, uint64_t max_bytes, uint64_t max_entries)
{
  if (max_bytes)
    s->max_bytes = max_bytes;
  if (max_entries)
    s->max_entries = max_entries;
}

static json_t *
host_record (void)
{
  return json_pack ("{s:s, s:s, s:s, s:b, s:[], s:I}", "name", SB_IMAGE_HOST, "owner", "", "id",
                    SB_IMAGE_HOST, "builtin", 1, "layers", "size", (json_int_t) 0);
}

int
sb_images_check_names (const char *owner, const char *name, sb_error_t *err)
{
  if (!sb_image_owner_valid (owner))
    return sb_error (err, EINVAL, "`%s` is not a tenant name", owner ? owner : "(null)");
  if (!sb_image_name_valid (name))
    return sb_error (err, EINVAL, "image name `%s`: use [a-z0-9][a-z0-9._/:-]*, at most %d "
                     "characters, each component starting with a letter or a digit",
                     name ? name : "", SB_IMAGE_NAME_MAX);
  return 0;
}

/* owner's own record of name, or NULL (ENOENT if there is none). */
static json_t *
read_record (struct sb_images *s, const char *owner, const char *name, sb_error_t *err)
{
  cleanup_close int dirfd = -1;
  char odir[80], file[300];

  sb_images_owner_dir (owner, odir, sizeof (odir));
  sb_images_record_name (name, file, sizeof (file));
  dirfd = openat (s->images, odir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0)
    {
      sb_error (err, errno, "image `%s`", name);
      return NULL;
    }
  return sb_images_read_json (dirfd, file, err);
}

/* The image `name` as owner sees it: its own, else the provider's. */
static int
lookup (struct sb_images *s, const char *owner, const char *name, json_t **out, sb_error_t *err)
{
  cleanup_error sb_error_t e = NULL;

  *out = NULL;
  if (sb_images_check_names (owner, name, err) < 0)
    return -EINVAL;
  if (strcmp (name, SB_IMAGE_HOST) == 0)
    {
      *out = host_record ();
      return *out ? 0 : sb_error (err, ENOMEM, "allocate");
    }
  *out = read_record (s, owner, name, &e);
  if (*out == NULL && owner[0] && e->status == ENOENT)
    *out = read_record (s, "", name, &e);
  if (*out != NULL)
    return 0;
  if (e->status == ENOENT)
    return sb_error (err, ENOENT, "no image `%s`", name);
  return sb_error (err, e->status, "%s", e->msg);
}

int
sb_images_inspect (struct sb_images *s, const char *owner, const char *name, json_t **out,
                   sb_error_t *err)
{
  return lookup (s, owner, name, out, err);
}

/* Calls fn for each record of the owners dir_filter accepts (NULL: all). */
static int
each_record (struct sb_images *s, bool (*want) (const char *owner, const char *filter),
             const char *filter, int (*fn) (json_t *record, void *arg), void *arg, sb_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (openat (s->images, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct dirent *de;

  if (d == NULL)
    return sb_error (err, errno, "read the image records");
  while ((de = readdir (d)) != NULL)
    {
      const char *owner = strcmp (de->d_name, PROVIDER_DIR) == 0 ? "" : de->d_name;
      cleanup_dir DIR *od = NULL;
      struct dirent *re;

      if (de->d_name[0] == '.' || (owner[0] && !sb_image_owner_valid (owner))
          || (want && !want (owner, filter)))
        continue;
      od = fdopendir (openat (s->images, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (od == NULL)
        return sb_error (err, errno, "read the image records of `%s`", de->d_name);
      while ((re = readdir (od)) != NULL)
        {
          json_t *r;
          int ret;

          if (re->d_name[0] == '.')
            continue;
          r = sb_images_read_json (dirfd (od), re->d_name, err);
          if (r == NULL)
            return sb_error_prefix (err, "image records of `%s`", de->d_name);
          ret = fn (r, arg);
          json_decref (r);
          if (ret < 0)
            return sb_error (err, -ret, "image records");
        }
    }
  return 0;
}

static bool
visible_to (const char *owner, const char *filter)
{
  return owner[0] == '\0' || strcmp (owner, filter) == 0;
}

static int
append_record (json_t *record, void *arg)
{
  return json_array_append (arg, record) == 0 ? 0 : -ENOMEM;
}

static int
by_owner_and_name (const void *a, const void *b)
{
  json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
  int c = strcmp (json_string_value (json_object_get (x, "owner")) ?: "",
                  json_string_value (json_object_get (y, "owner")) ?: "");

  return c ? c : strcmp (json_string_value (json_object_get (x, "name")) ?: "",
                         json_string_value (json_object_get (y, "name")) ?: "");
}

int
sb_images_list (struct sb_images *s, const char *owner, json_t **out, sb_error_t *err)
{
  json_t *all = json_array (), *sorted = json_array ();
  cleanup_free json_t **v = NULL;
  size_t i, n;

  *out = NULL;
  if (owner && !sb_image_owner_valid (owner))
    {
      json_decref (all);
      json_decref (sorted);
      return sb_error (err, EINVAL, "`%s` is not a tenant name", owner);
    }
  if (all == NULL || sorted == NULL
      || each_record (s, owner ? visible_to : NULL, owner, append_record, all, err) < 0)
    goto fail;
  n = json_array_size (all);
  v = calloc (n + 1, sizeof (*v));
  if (v == NULL)
    goto fail;
  for (i = 0; i < n; i++)
    v[i] = json_array_get (all, i);
  qsort (v, n, sizeof (*v), by_owner_and_name);
  json_array_append_new (sorted, host_record ());
  for (i = 0; i < n; i++)
    json_array_append (sorted, v[i]);
  json_decref (all);
  *out = sorted;
  return 0;
fail:
  json_decref (all);
  json_decref (sorted);
  return err && *err ? -1 : sb_error (err, ENOMEM, "allocate");
}

/* --- removing, and the layers nobody uses any more ----------------------- */

struct digests
{
  char (*hex)[SB_DIGEST_HEX_LEN + 1];
  size_t n, cap;
};

static int
collect_layers (json_t *record, void *arg)
{
  struct digests *d = arg;
  json_t *layers = json_object_get (record, "layers");

  for (size_t i = 0; i < json_array_size (layers); i++)
    {
      char hex[SB_DIGEST_HEX_LEN + 1];
      if (!sb_digest_parse (json_string_value (json_object_get (json_array_get (layers, i), "digest")), hex))
        return -EIO;
      if (d->n == d->cap)
        {
          size_t cap = d->cap ? 2 * d->cap : 64;
          void *p = realloc (d->hex, cap * sizeof (*d->hex));
          if (p == NULL)
            return -ENOMEM;
          d->hex = p;
          d->cap = cap;
        }
      memcpy (d->hex[d->n++], hex, sizeof (hex));
    }
  return 0;
}

static bool
is_digest (const char *name)
{
  char hex[SB_DIGEST_HEX_LEN + 1], full[8 + SB_DIGEST_HEX_LEN + 1];

  if (strlen (name) != SB_DIGEST_HEX_LEN)
    return false;
  memcpy (full, "sha256:", 7);
  memcpy (full + 7, name, SB_DIGEST_HEX_LEN + 1);
  return sb_digest_parse (full, hex);
}

/* Under the lock. A layer goes when no record names it; if a record
   cannot be read, none goes. */
static void
remove_unused_layers (struct sb_images *s)
{
  struct digests used = { 0 };
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (each_record (s, NULL, NULL, collect_layers, &used, NULL) < 0)
    goto out;
  d = fdopendir (openat (s->layers, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  while (d && (de = readdir (d)) != NULL)
    {
      bool in_use = false;
      char gone[128];

      if (!is_digest (de->d_name))
        continue;
      for (size_t i = 0; i < used.n && !in_use; i++)
        in_use = strcmp (used.hex[i], de->d_name) == 0;
      if (in_use)
        continue;
      /* Out of layers/ at once; then deleted. */
      sb_images_temp_name ("gone", gone, sizeof (gone));
      if (renameat (s->layers, de->d_name, s->tmp, gone) == 0)
        sb_remove_tree (s->tmp, gone);
    }
  fsync (s->layers);
out:
  free (used.hex);
}

int
sb_images_remove (struct sb_images *s, const char *owner, const char *name,
                  sb_image_in_use_fn in_use, void *arg, sb_error_t *err)
{
  cleanup_close int dirfd = -1;
  json_t *r;
  char odir[80], file[300];
  int ret = 0;

  if (sb_images_check_names (owner, name, err) < 0)
    return -EINVAL;
  if (strcmp (name, SB_IMAGE_HOST) == 0)
    return sb_error (err, EPERM, "`%s` is the built-in image: it cannot be removed", name);
  {
    cleanup_error sb_error_t e = NULL;
    r = read_record (s, owner, name, &e);
    if (r == NULL && e->status == ENOENT)
      return sb_error (err, ENOENT, "no image `%s`%s%s", name, owner[0] ? " of " : "", owner);
    if (r == NULL)
      return sb_error (err, e->status, "%s", e->msg);
  }
  json_decref (r);
  if (in_use && in_use (owner, name, arg))
    return sb_error (err, EBUSY, "image `%s` is in use by a container: remove it when none runs it",
                     name);
  sb_images_owner_dir (owner, odir, sizeof (odir));
  sb_images_record_name (name, file, sizeof (file));
  if (sb_images_lock (s, err) < 0)
    return -1;
  dirfd = openat (s->images, odir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0 || unlinkat (dirfd, file, 0) < 0)
    ret = sb_error (err, errno, "remove image `%s`", name);
  else
    {
      fsync (dirfd);
      remove_unused_layers (s);
    }
  sb_images_unlock (s);
  return ret;
}

int
sb_images_layers (struct sb_images *s, const char *owner, const char *name, char ***paths,
                  int *n, sb_error_t *err)
{
  json_t *r, *layers;
  char **v;
  size_t i, count;
  int ret;

  *paths = NULL;
  *n = 0;
  if ((ret = lookup (s, owner, name, &r, err)) < 0)
    return ret;
  layers = json_object_get (r, "layers");
  count = json_array_size (layers);
  v = calloc (count + 1, sizeof (char *));
  if (v == NULL)
    {
      json_decref (r);
      return sb_error (err, ENOMEM, "allocate");
    }
  for (i = 0; i < count; i++)
    {
      char hex[SB_DIGEST_HEX_LEN + 1];
      struct stat st;

      if (!sb_digest_parse (json_string_value (json_object_get (json_array_get (layers, i), "digest")), hex)
          || asprintf (&v[i], "%s/layers/%s/root", s->dir, hex) < 0)
        {
          v[i] = NULL;
          sb_error (err, EIO, "image `%s`: its record is damaged", name);
          goto fail;
        }
      if (stat (v[i], &st) < 0 || !S_ISDIR (st.st_mode))
        {
          sb_error (err, EIO, "image `%s`: layer %s is missing from the store", name, hex);
          goto fail;
        }
    }
  json_decref (r);
  *paths = v;
  *n = (int) count;
  return 0;
fail:
  json_decref (r);
  sb_images_free_layers (v);
  return -1;
}

void
sb_images_free_layers (char **paths)
{
  for (size_t i = 0; paths && paths[i]; i++)
    free (paths[i]);
  free (paths);
}
