/* The image store's safety rules, each with a crafted tarball: names that
   leave the layer, symbolic links written through, hard links out of the
   layer, device nodes, set-id bits, extended attributes, names that are
   not valid, tar bombs, truncated and garbage input. A refused tarball
   must leave nothing: no temporary directory, no layer, no record, and
   nothing outside the store. Runs as root. */
#include "image_tars.h"
#include "image_internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define END { NULL, 0, 0, 0, 0, NULL, 0, NULL }

/* Imports the entries (a rootfs tarball), which must be refused with a
   message containing `why` and leave nothing. */
static void
refused (const struct tar_entry *e, int filter, int status, const char *why)
{
  struct store st;
  struct blob tb = tar_build (e, filter);
  char outside[192];

  store_open (&st);
  snprintf (outside, sizeof (outside), "%s/outside", st.top);
  ck_assert_int_eq (mkdir (outside, 0755), 0);
  store_import_fails (&st, &tb, status, why, 0);
  blob_free (&tb);
  store_close (&st);
}

/* Imports the entries, which must be accepted; the record in *rec. */
static void
accepted (struct store *st, const struct tar_entry *e, json_t **rec)
{
  struct blob tb = tar_build (e, ARCHIVE_FILTER_NONE);
  sb_error_t err = NULL;

  store_open (st);
  ck_assert_msg (store_import (st, &tb, "acme", "ok", rec, &err) == 0, "%s", err ? err->msg : "");
  blob_free (&tb);
}

static json_int_t
refused_count (json_t *rec, const char *what)
{
  return json_integer_value (json_object_get (json_object_get (rec, "refused"), what));
}

START_TEST (test_dotdot)
{
  const struct tar_entry up[] = { { "a", 'd', 0755, 0, 0, NULL, 0, NULL },
                                  { "a/../../../../escape", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  const struct tar_entry bare[] = { { "../outside/escape", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  const struct tar_entry link[] = { { "ok", 'f', 0644, 0, 0, "x", 0, NULL },
                                    { "l", 'l', 0777, 0, 0, "ok", 0, NULL },
                                    { "../l2", 'l', 0777, 0, 0, "ok", 0, NULL }, END };

  refused (up, ARCHIVE_FILTER_NONE, 0, "a `..` component");
  refused (bare, ARCHIVE_FILTER_GZIP, 0, "a `..` component");
  refused (link, ARCHIVE_FILTER_NONE, 0, "a `..` component");
}
END_TEST

START_TEST (test_absolute)
{
  const struct tar_entry abs[] = { { "/etc/sb-image-test", 'f', 0644, 0, 0, "x", 0, NULL }, END };

  refused (abs, ARCHIVE_FILTER_NONE, 0, "an absolute name");
  ck_assert_int_eq (access ("/etc/sb-image-test", F_OK), -1);
}
END_TEST

/* A symbolic link, then an entry below it: never written through. */
START_TEST (test_symlink_write_through)
{
  const struct tar_entry abs[] = { { "link", 'l', 0777, 0, 0, "/tmp", 0, NULL },
                                   { "link/sb-image-test", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  const struct tar_entry rel[] = { { "d/up", 'l', 0777, 0, 0, "../../../../../../..", 0, NULL },
                                   { "d/up/tmp/sb-image-test", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  const struct tar_entry deep[] = { { "a/b", 'd', 0755, 0, 0, NULL, 0, NULL },
                                    { "a/b/c", 'l', 0777, 0, 0, "/tmp", 0, NULL },
                                    { "a/b/c/sb-image-test/e", 'd', 0755, 0, 0, NULL, 0, NULL }, END };
  const struct tar_entry opq[] = { { "w", 'l', 0777, 0, 0, "/tmp", 0, NULL },
                                   { "w/.wh..wh..opq", 'f', 0644, 0, 0, NULL, 0, NULL }, END };

  refused (abs, ARCHIVE_FILTER_NONE, 0, "a symbolic link is on its way");
  ck_assert_int_eq (access ("/tmp/sb-image-test", F_OK), -1);
  refused (rel, ARCHIVE_FILTER_NONE, 0, "a symbolic link is on its way");
  ck_assert_int_eq (access ("/tmp/sb-image-test", F_OK), -1);
  refused (deep, ARCHIVE_FILTER_NONE, 0, "a symbolic link is on its way");
  ck_assert_int_eq (access ("/tmp/sb-image-test", F_OK), -1);
  refused (opq, ARCHIVE_FILTER_NONE, 0, "a symbolic link is on its way");
}
END_TEST

/* An entry replacing a symbolic link replaces the link: nothing is written
   where it pointed. */
START_TEST (test_symlink_replaced)
{
  char victim[] = "/tmp/sbimg-victim.XXXXXX", path[512], buf[16] = "";
  struct tar_entry e[] = { { "f", 'l', 0777, 0, 0, victim, 0, NULL },
                           { "f", 'f', 0644, 0, 0, "layer", 0, NULL }, END };
  struct store st;
  json_t *rec;
  int fd = mkstemp (victim);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (write (fd, "host", 4), 4);
  close (fd);
  accepted (&st, e, &rec);
  store_layer_path (&st, "acme", "ok", 0, "f", path, sizeof (path));
  fd = open (path, O_RDONLY | O_NOFOLLOW);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (read (fd, buf, sizeof (buf)), 5);
  ck_assert_str_eq (buf, "layer");
  close (fd);
  fd = open (victim, O_RDONLY);
  ck_assert_int_eq (read (fd, buf, sizeof (buf)), 4);
  close (fd);
  ck_assert (memcmp (buf, "host", 4) == 0);
  unlink (victim);
  json_decref (rec);
  store_close (&st);
}
END_TEST

START_TEST (test_hardlink_outside)
{
  const struct tar_entry up[] = { { "h", 'h', 0644, 0, 0, "../../../../etc/passwd", 0, NULL }, END };
  const struct tar_entry abs[] = { { "h", 'h', 0644, 0, 0, "/etc/passwd", 0, NULL }, END };
  const struct tar_entry missing[] = { { "h", 'h', 0644, 0, 0, "etc/passwd", 0, NULL }, END };
  const struct tar_entry via[] = { { "etc", 'l', 0777, 0, 0, "/etc", 0, NULL },
                                   { "h", 'h', 0644, 0, 0, "etc/passwd", 0, NULL }, END };
  const struct tar_entry dir[] = { { "d", 'd', 0755, 0, 0, NULL, 0, NULL },
                                   { "h", 'h', 0644, 0, 0, "d", 0, NULL }, END };
  struct stat before, after;

  ck_assert_int_eq (stat ("/etc/passwd", &before), 0);
  refused (up, ARCHIVE_FILTER_NONE, 0, "a `..` component");
  refused (abs, ARCHIVE_FILTER_NONE, 0, "an absolute name");
  refused (missing, ARCHIVE_FILTER_NONE, 0, "not in the layer");
  refused (via, ARCHIVE_FILTER_NONE, 0, "a symbolic link is on its way");
  refused (dir, ARCHIVE_FILTER_NONE, 0, "something other than a file");
  ck_assert_int_eq (stat ("/etc/passwd", &after), 0);
  ck_assert_uint_eq (before.st_nlink, after.st_nlink);
}
END_TEST

START_TEST (test_devices)
{
  const struct tar_entry e[] = { { "dev/null", 'c', 0666, 0, 0, NULL, 0, NULL },
                                 { "dev/sda", 'b', 0660, 0, 6, NULL, 0, NULL },
                                 { "dev/ok", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  struct store st;
  char path[512];
  json_t *rec;

  accepted (&st, e, &rec);
  ck_assert_int_eq (refused_count (rec, "devices"), 2);
  store_layer_path (&st, "acme", "ok", 0, "dev/null", path, sizeof (path));
  ck_assert_int_eq (access (path, F_OK), -1);
  store_layer_path (&st, "acme", "ok", 0, "dev/sda", path, sizeof (path));
  ck_assert_int_eq (access (path, F_OK), -1);
  store_layer_path (&st, "acme", "ok", 0, "dev/ok", path, sizeof (path));
  ck_assert_int_eq (access (path, F_OK), 0);
  json_decref (rec);
  store_close (&st);
}
END_TEST

START_TEST (test_setid)
{
  const struct tar_entry e[] = { { "bin/su", 'f', 04755, 0, 0, "x", 0, NULL },
                                 { "bin/wall", 'f', 02755, 0, 5, "x", 0, NULL },
                                 { "bin/both", 'f', 06711, 0, 0, "x", 0, NULL },
                                 { "var/mail", 'd', 02775, 0, 8, NULL, 0, NULL },
                                 { "odd", 'd', 04755, 0, 0, NULL, 0, NULL },
                                 { "tmp", 'd', 01777, 0, 0, NULL, 0, NULL }, END };
  static const struct { const char *path; unsigned mode; } want[] = {
    { "bin/su", 0755 }, { "bin/wall", 0755 }, { "bin/both", 0711 }, { "var/mail", 02775 },
    { "odd", 0755 }, { "tmp", 01777 },
  };
  struct store st;
  char path[512];
  struct stat sb;
  json_t *rec;

  accepted (&st, e, &rec);
  ck_assert_int_eq (refused_count (rec, "setid"), 4);
  for (size_t i = 0; i < sizeof (want) / sizeof (want[0]); i++)
    {
      store_layer_path (&st, "acme", "ok", 0, want[i].path, path, sizeof (path));
      ck_assert_int_eq (lstat (path, &sb), 0);
      ck_assert_msg ((sb.st_mode & 07777) == want[i].mode, "%s: mode %o", want[i].path, sb.st_mode & 07777);
    }
  json_decref (rec);
  store_close (&st);
}
END_TEST

START_TEST (test_xattrs)
{
  const struct tar_entry e[] = { { "cap", 'f', 0755, 0, 0, "x", 0, "security.capability=\x01\x00\x00\x02" },
                                 { "note", 'f', 0644, 0, 0, "x", 0, "user.note=hi" },
                                 { "opq", 'd', 0755, 0, 0, NULL, 0, "trusted.overlay.opaque=y" },
                                 { "uopq", 'd', 0755, 0, 0, NULL, 0, "user.overlay.opaque=y" }, END };
  struct store st;
  char path[512], v[16];
  json_t *rec;

  accepted (&st, e, &rec);
  ck_assert_int_eq (refused_count (rec, "capabilities"), 1);
  ck_assert_int_eq (refused_count (rec, "xattrs"), 2);
  store_layer_path (&st, "acme", "ok", 0, "cap", path, sizeof (path));
  ck_assert_int_eq (getxattr (path, "security.capability", v, sizeof (v)), -1);
  store_layer_path (&st, "acme", "ok", 0, "note", path, sizeof (path));
  ck_assert_int_eq (getxattr (path, "user.note", v, sizeof (v)), 2);
  store_layer_path (&st, "acme", "ok", 0, "opq", path, sizeof (path));
  ck_assert_int_eq (getxattr (path, "trusted.overlay.opaque", v, sizeof (v)), -1);
  store_layer_path (&st, "acme", "ok", 0, "uopq", path, sizeof (path));
  ck_assert_int_eq (getxattr (path, "user.overlay.opaque", v, sizeof (v)), -1);
  json_decref (rec);
  store_close (&st);
}
END_TEST

START_TEST (test_invalid_names)
{
  char longname[400], deep[5000];
  struct tar_entry comp[] = { { longname, 'f', 0644, 0, 0, "x", 0, NULL }, END };
  struct tar_entry whole[] = { { deep, 'f', 0644, 0, 0, "x", 0, NULL }, END };
  const struct tar_entry wh[] = { { "d/.wh...", 'f', 0644, 0, 0, NULL, 0, NULL }, END };
  const struct tar_entry wh2[] = { { "d/.wh.", 'f', 0644, 0, 0, NULL, 0, NULL }, END };
  const struct tar_entry notdir[] = { { "a", 'f', 0644, 0, 0, "x", 0, NULL },
                                      { "a/b", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  const struct tar_entry rootfile[] = { { ".", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  size_t i;

  memset (longname, 'n', sizeof (longname));
  longname[300] = '\0';
  for (i = 0; i + 2 < sizeof (deep) - 1; i += 2)
    memcpy (deep + i, "d/", 2);
  deep[i] = 'f';
  deep[i + 1] = '\0';
  refused (comp, ARCHIVE_FILTER_NONE, 0, "a component longer than 255 bytes");
  refused (whole, ARCHIVE_FILTER_NONE, 0, "a name longer than 4095 bytes");
  refused (wh, ARCHIVE_FILTER_NONE, 0, "a whiteout of no valid name");
  refused (wh2, ARCHIVE_FILTER_NONE, 0, "a whiteout of no valid name");
  refused (notdir, ARCHIVE_FILTER_NONE, 0, "is not one");
  refused (rootfile, ARCHIVE_FILTER_NONE, 0, "the layer's root is not a directory");
}
END_TEST

/* aufs's bookkeeping in old docker layers is left out. */
START_TEST (test_aufs_metadata)
{
  const struct tar_entry e[] = { { ".wh..wh.plnk", 'd', 0700, 0, 0, NULL, 0, NULL },
                                 { ".wh..wh.plnk/12.34", 'f', 0644, 0, 0, "x", 0, NULL },
                                 { "kept", 'f', 0644, 0, 0, "x", 0, NULL }, END };
  struct store st;
  char path[512];
  json_t *rec;

  accepted (&st, e, &rec);
  store_layer_path (&st, "acme", "ok", 0, ".wh..wh.plnk", path, sizeof (path));
  ck_assert_int_eq (access (path, F_OK), -1);
  ck_assert_int_eq (refused_count (rec, "other"), 2);
  json_decref (rec);
  store_close (&st);
}
END_TEST

START_TEST (test_bomb_bytes)
{
  const struct tar_entry e[] = { { "zeros", 'f', 0644, 0, 0, NULL, 8u << 20, NULL }, END };
  struct blob tb = tar_build (e, ARCHIVE_FILTER_GZIP);
  struct store st;

  /* 8 MiB of zeros in about 8 KiB: over a limit of 1 MiB uncompressed. */
  ck_assert_uint_lt (tb.size, 64 * 1024);
  store_open (&st);
  sb_images_set_limits (st.s, 1u << 20, 0);
  store_import_fails (&st, &tb, EFBIG, "the import's limit", 0);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

START_TEST (test_bomb_entries)
{
  struct tar_entry e[202];
  char names[200][16];
  struct blob tb;
  struct store st;

  for (int i = 0; i < 200; i++)
    {
      snprintf (names[i], sizeof (names[i]), "f%d", i);
      e[i] = (struct tar_entry) { names[i], 'f', 0644, 0, 0, "x", 0, NULL };
    }
  e[200] = (struct tar_entry) END;
  tb = tar_build (e, ARCHIVE_FILTER_NONE);
  store_open (&st);
  sb_images_set_limits (st.s, 0, 100);
  store_import_fails (&st, &tb, EFBIG, "more than 100 entries", 0);
  blob_free (&tb);
  store_close (&st);
}
END_TEST

/* Cut short at several places, plain and compressed; then bytes that are
   no tarball at all. */
START_TEST (test_truncated_and_garbage)
{
  const struct tar_entry e[] = { { "a", 'f', 0644, 0, 0, NULL, 100000, NULL },
                                 { "b", 'f', 0644, 0, 0, "tail", 0, NULL }, END };
  static const int filters[] = { ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ };
  static const unsigned char garbage[] = "this is not a tarball, not even a compressed one\n";
  struct store st;

  store_open (&st);
  for (size_t f = 0; f < sizeof (filters) / sizeof (filters[0]); f++)
    {
      struct blob tb = tar_build (e, filters[f]);
      size_t full = tb.size;
      for (int cut = 1; cut < 4; cut++)
        {
          tb.size = full * (size_t) cut / 4;
          store_import_fails (&st, &tb, 0, "the tarball", 0);
        }
      blob_free (&tb);
    }
  {
    struct blob g = { (unsigned char *) garbage, sizeof (garbage) - 1 }, empty = { (unsigned char *) garbage, 0 };
    store_import_fails (&st, &g, 0, "the tarball", 0);
    store_import_fails (&st, &empty, 0, "the tarball", 0);
  }
  ck_assert_int_eq (store_count (&st, "images"), 0);
  store_close (&st);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("images-safety");
  TCase *tc = tcase_create ("rules");

  tcase_add_test (tc, test_dotdot);
  tcase_add_test (tc, test_absolute);
  tcase_add_test (tc, test_symlink_write_through);
  tcase_add_test (tc, test_symlink_replaced);
  tcase_add_test (tc, test_hardlink_outside);
  tcase_add_test (tc, test_devices);
  tcase_add_test (tc, test_setid);
  tcase_add_test (tc, test_xattrs);
  tcase_add_test (tc, test_invalid_names);
  tcase_add_test (tc, test_aufs_metadata);
  tcase_add_test (tc, test_bomb_bytes);
  tcase_add_test (tc, test_bomb_entries);
  tcase_add_test (tc, test_truncated_and_garbage);
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  return run_image_suite (s);
}
