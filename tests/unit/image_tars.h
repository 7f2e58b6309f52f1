/* Helpers of the image store's tests: tarballs made with libarchive's
   writer, and a store in a temporary directory. */
#ifndef SB_TEST_IMAGE_TARS_H
#define SB_TEST_IMAGE_TARS_H

#include <archive.h>
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "images.h"

struct tar_entry
{
  const char *name;
  char type;               /* 'f' file, 'd' directory, 'l' symlink, 'h' hard link,
                              'c' / 'b' device, 'p' FIFO */
  unsigned mode;           /* permission bits, with set-id bits */
  unsigned uid, gid;
  const char *data;        /* a file's content (may be binary, with size), a link's target */
  size_t size;             /* a file's size: data's length when 0; zeros when data is NULL */
  const char *xattr;       /* "name=value", or NULL */
};

struct blob
{
  unsigned char *data;
  size_t size;
};

/* A tar (pax) of the entries, up to one whose name is NULL, compressed
   with filter (ARCHIVE_FILTER_NONE, _GZIP, _XZ, _ZSTD, _BZIP2). */
struct blob tar_build (const struct tar_entry *e, int filter);
struct blob blob_of_string (const char *s);
void blob_free (struct blob *b);
/* "sha256 of the blob", as 64 hex digits (a static buffer: copy it). */
const char *blob_sha256 (const struct blob *b);
/* A memfd holding the blob, at offset 0. */
int blob_fd (const struct blob *b);

struct store
{
  char top[128];           /* a temporary directory: the store, and what must stay empty */
  char dir[160];           /* top/store */
  struct sb_images *s;
};
/* Runs the suite; every store is made in a temporary directory of the
   run, removed after it (with what a failed test left). 0 if all passed. */
int run_image_suite (Suite *s);
void store_open (struct store *st);
void store_close (struct store *st);
/* Imports b; the record in *rec when rec is not NULL. */
int store_import (struct store *st, const struct blob *b, const char *owner, const char *name,
                  json_t **rec, sb_error_t *err);
/* Imports b, which must fail with status and a message that contains
   why, and leave nothing (store_assert_clean with `layers` layers). */
void store_import_fails (struct store *st, const struct blob *b, int status, const char *why, int layers);
/* Entries in st->dir/sub (not . and ..). */
int store_count (struct store *st, const char *sub);
/* A refused import left nothing: tmp/ empty, `layers` layers, nothing
   beside the store in top. */
void store_assert_clean (struct store *st, int layers);
/* The path of a file in the store's layer number k of image owner/name. */
void store_layer_path (struct store *st, const char *owner, const char *name, int k, const char *rel,
                       char *out, size_t len);

#endif
