#include "util.h"
#include "image_tars.h"
#include "image_internal.h"

#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static struct blob
read_back (int fd)
{
  struct blob b = { 0 };
  struct stat st;

  ck_assert_int_eq (fstat (fd, &st), 0);
  b.size = (size_t) st.st_size;
  b.data = malloc (b.size + 1);
  ck_assert_ptr_nonnull (b.data);
  ck_assert_int_eq (pread (fd, b.data, b.size, 0), (ssize_t) b.size);
  close (fd);
  return b;
}

static struct archive *
new_writer (int filter, int fd)
{
  struct archive *a = archive_write_new ();

  ck_assert_ptr_nonnull (a);
  ck_assert_int_eq (archive_write_set_format_pax (a), ARCHIVE_OK);
  ck_assert_int_eq (archive_write_add_filter (a, filter), ARCHIVE_OK);
  ck_assert_int_eq (archive_write_open_fd (a, fd), ARCHIVE_OK);
  return a;
}

static void
write_content (struct archive *a, const char *data, size_t size)
{
  static const char zeros[65536];

  if (data)
    {
      ck_assert_int_eq (archive_write_data (a, data, size), (la_ssize_t) size);
      return;
    }
  while (size > 0)
    {
      size_t n = size < sizeof (zeros) ? size : sizeof (zeros);
      ck_assert_int_eq (archive_write_data (a, zeros, n), (la_ssize_t) n);
      size -= n;
    }
}

struct blob
tar_build (const struct tar_entry *e, int filter)
{
  int fd = memfd_create ("tar", MFD_CLOEXEC);
  struct archive *a;

  ck_assert_int_ge (fd, 0);
  a = new_writer (filter, fd);
  for (; e->name; e++)
    {
      struct archive_entry *ae = archive_entry_new ();
      size_t size = e->type == 'f' ? (e->size ? e->size : (e->data ? strlen (e->data) : 0)) : 0;
      unsigned type = e->type == 'd' ? AE_IFDIR : e->type == 'l' ? AE_IFLNK : e->type == 'c' ? AE_IFCHR
                      : e->type == 'b' ? AE_IFBLK : e->type == 'p' ? AE_IFIFO : AE_IFREG;

      archive_entry_set_pathname (ae, e->name);
      archive_entry_set_filetype (ae, type);
      archive_entry_set_perm (ae, e->mode ? e->mode : (e->type == 'd' ? 0755 : 0644));
      archive_entry_set_uid (ae, e->uid);
      archive_entry_set_gid (ae, e->gid);
      archive_entry_set_mtime (ae, 1700000000, 0);
      archive_entry_set_size (ae, (la_int64_t) size);
      if (e->type == 'l')
        archive_entry_set_symlink (ae, e->data);
      if (e->type == 'h')
        archive_entry_set_hardlink (ae, e->data);
      if (e->type == 'c' || e->type == 'b')
        archive_entry_set_rdev (ae, makedev (1, 3));
      if (e->xattr)
        {
          const char *eq = strchr (e->xattr, '=');
          char name[128];
          snprintf (name, sizeof (name), "%.*s", (int) (eq - e->xattr), e->xattr);
          archive_entry_xattr_add_entry (ae, name, eq + 1, strlen (eq + 1));
        }
      ck_assert_int_eq (archive_write_header (a, ae), ARCHIVE_OK);
      if (size)
        write_content (a, e->data, size);
      archive_entry_free (ae);
    }
  ck_assert_int_eq (archive_write_close (a), ARCHIVE_OK);
  archive_write_free (a);
  return read_back (fd);
}

struct blob
blob_of_string (const char *s)
{
  struct blob b = { (unsigned char *) strdup (s), strlen (s) };

  ck_assert_ptr_nonnull (b.data);
  return b;
}

void
blob_free (struct blob *b)
{
  free (b->data);
  b->data = NULL;
  b->size = 0;
}

const char *
blob_sha256 (const struct blob *b)
{
  static char hex[SB_DIGEST_HEX_LEN + 1];

  sb_sha256_hex (b->data, b->size, hex);
  return hex;
}

int
blob_fd (const struct blob *b)
{
  int fd = memfd_create ("blob", MFD_CLOEXEC);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, b->data, b->size), (ssize_t) b->size);
  ck_assert_int_eq (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

static char suite_dir[64];

int
run_image_suite (Suite *s)
{
  SRunner *sr = srunner_create (s);
  int failed;

  snprintf (suite_dir, sizeof (suite_dir), "/tmp/sbimg-test.XXXXXX");
  if (mkdtemp (suite_dir) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  srunner_run_all (sr, CK_NORMAL);
  sb_remove_tree (AT_FDCWD, suite_dir);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? 0 : 1;
}

void
store_open (struct store *st)
{
  sb_error_t err = NULL;

  snprintf (st->top, sizeof (st->top), "%s/XXXXXX", suite_dir);
  ck_assert_ptr_nonnull (mkdtemp (st->top));
  snprintf (st->dir, sizeof (st->dir), "%s/store", st->top);
  ck_assert_msg (sb_images_open (&st->s, st->dir, &err) == 0, "open: %s", err ? err->msg : "");
}

void
store_close (struct store *st)
{
  sb_images_close (st->s);
  st->s = NULL;
  ck_assert_int_eq (sb_remove_tree (AT_FDCWD, st->top), 0);
}

int
store_import (struct store *st, const struct blob *b, const char *owner, const char *name, json_t **rec,
              sb_error_t *err)
{
  int fd = blob_fd (b), ret = sb_images_import (st->s, fd, owner, name, rec, err);

  close (fd);
  return ret;
}

void
store_import_fails (struct store *st, const struct blob *b, int status, const char *why, int layers)
{
  sb_error_t err = NULL;
  int images = store_count (st, "images");

  ck_assert_int_eq (store_import (st, b, "acme", "refused", NULL, &err), status ? -status : -1);
  ck_assert_ptr_nonnull (err);
  ck_assert_msg (strstr (err->msg, why) != NULL, "message `%s` lacks `%s`", err->msg, why);
  ck_assert_int_eq (err->status, status);
  sb_error_free (&err);
  store_assert_clean (st, layers);
  ck_assert_int_eq (store_count (st, "images"), images);
}

int
store_count (struct store *st, const char *sub)
{
  char path[320];
  DIR *d;
  struct dirent *de;
  int n = 0;

  snprintf (path, sizeof (path), "%s/%s", st->dir, sub);
  d = opendir (path);
  ck_assert_msg (d != NULL, "opendir %s", path);
  while ((de = readdir (d)) != NULL)
    n += strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0;
  closedir (d);
  return n;
}

void
store_assert_clean (struct store *st, int layers)
{
  char path[320];
  DIR *d;
  struct dirent *de;

  ck_assert_int_eq (store_count (st, "tmp"), 0);
  ck_assert_int_eq (store_count (st, "layers"), layers);
  /* Nothing escaped next to the store. */
  d = opendir (st->top);
  ck_assert_ptr_nonnull (d);
  while ((de = readdir (d)) != NULL)
    ck_assert_msg (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
                   || strcmp (de->d_name, "store") == 0 || strcmp (de->d_name, "outside") == 0,
                   "`%s` appeared next to the store", de->d_name);
  closedir (d);
  snprintf (path, sizeof (path), "%s/outside", st->top);
  if ((d = opendir (path)) != NULL)
    {
      while ((de = readdir (d)) != NULL)
        ck_assert_msg (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0,
                       "`outside/%s` was written", de->d_name);
      closedir (d);
    }
}

void
store_layer_path (struct store *st, const char *owner, const char *name, int k, const char *rel,
                  char *out, size_t len)
{
  sb_error_t err = NULL;
  char **paths;
  int n;

  ck_assert_msg (sb_images_layers (st->s, owner, name, &paths, &n, &err) == 0, "layers: %s",
                 err ? err->msg : "");
  ck_assert_int_gt (n, k);
  snprintf (out, len, "%s/%s", paths[k], rel);
  sb_images_free_layers (paths);
}
