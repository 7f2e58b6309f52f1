/* Internals of the image store, shared by images.c (the store),
   image_formats.c (what a tarball holds), image_tar.c (reading tar streams)
   and image_layer.c (extracting one layer). Image tarballs are untrusted:
   they are read only here, through libarchive. */
#ifndef SB_IMAGE_INTERNAL_H
#define SB_IMAGE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "mounts.h"

#define SB_DIGEST_HEX_LEN 64

/* What one pass over a stream may read: bytes (uncompressed) and entries,
   counted in the counters a pass shares (all the layers of an import share
   theirs). */
struct sb_tar_budget
{
  uint64_t bytes, max_bytes;
  uint64_t entries, max_entries;
};

/* A tar archive read from a byte source that may be compressed: libarchive
   decompresses it (its "raw" format: gzip, bzip2, xz, lzma, zstd, all
   built in, never an external program), the bytes are hashed (sha256) and
   counted, and a second libarchive reader parses them as tar (only tar).
   So the digest is that of exactly the tar stream that was read: an OCI
   diff_id. */
struct sb_tar
{
  struct archive *raw;
  struct archive *tar;
  EVP_MD_CTX *md;
  struct sb_tar_budget *budget;
  bool over_limit;
  char what[160];          /* names the stream in messages */
  /* The source: a file read with pread from off, or the current entry of
     another archive. */
  int fd;
  off_t off;
  struct archive *outer;
  char *buf;
};

/* Opens a tar stream over fd from offset off. */
int sb_tar_open_file (struct sb_tar *t, int fd, off_t off, struct sb_tar_budget *b,
                      const char *what, sb_error_t *err);
/* Opens a stream over the data of outer's current entry: a tar stream, or
   without parse one that is only hashed (a layer already stored). */
int sb_tar_open_entry (struct sb_tar *t, struct archive *outer, bool parse, struct sb_tar_budget *b,
                       const char *what, sb_error_t *err);
/* The next entry: 1, 0 at the end, -1 on error (counted against the budget). */
int sb_tar_next (struct sb_tar *t, struct archive_entry **e, sb_error_t *err);
/* Fills err from the tar reader's last error, prefixed with the stream's name. */
int sb_tar_fail (struct sb_tar *t, sb_error_t *err);
/* Reads what is left of the stream (after the tar's end) and gives the
   digest of all of it, as lowercase hex. */
int sb_tar_digest (struct sb_tar *t, char hex[SB_DIGEST_HEX_LEN + 1], sb_error_t *err);
void sb_tar_close (struct sb_tar *t);

/* The clean relative form of a name in a tarball ("" for its root): no
   empty or "." components. NULL, or why the name is refused. */
const char *sb_tar_clean_name (const char *name, char *out, size_t len);

/* What a layer held, and what was refused or changed. */
struct sb_layer_stats
{
  uint64_t entries;
  uint64_t bytes;          /* of file data written */
  uint64_t whiteouts;      /* .wh.NAME and .wh..wh..opq turned into overlayfs ones */
  uint64_t devices;        /* device nodes: skipped */
  uint64_t setid;          /* setuid/setgid bits: stripped */
  uint64_t capabilities;   /* entries whose security.capability was dropped */
  uint64_t xattrs;         /* entries whose other attributes (but user.*) were dropped */
  uint64_t other;          /* entries of another type (sockets...): skipped */
};

/* Extracts the layer t reads into the empty directory rootfd (see
   image_layer.c for the rules). */
int sb_layer_extract (struct sb_tar *t, int rootfd, uint64_t max_file, struct sb_layer_stats *st,
                      sb_error_t *err);

/* What an import will store: its layers (bottom first) and its config. */
enum sb_image_format { SB_IMAGE_ROOTFS, SB_IMAGE_DOCKER, SB_IMAGE_OCI };

struct sb_image_layer_ref
{
  char *member;            /* the member of the tarball that holds the layer
                              (NULL: the tarball itself is the layer) */
  char diff_id[SB_DIGEST_HEX_LEN + 1];  /* what its config says it is; "" if unknown */
};

struct sb_image_plan
{
  enum sb_image_format format;
  char id[8 + SB_DIGEST_HEX_LEN];       /* "sha256:" and the config's digest */
  char outer_digest[SB_DIGEST_HEX_LEN + 1];  /* the uncompressed tarball's */
  json_t *config;          /* Cmd, Entrypoint, Env, WorkingDir, User when given */
  json_t *created;         /* the config's `created`, if any */
  int nlayers;
  struct sb_image_layer_ref layers[SB_MAX_LAYERS];
};

/* Reads the tarball once (from fd at off) and works out its format, its
   layers and its config. */
int sb_image_plan_read (int fd, off_t off, uint64_t max_bytes, uint64_t max_entries,
                        struct sb_image_plan *plan, sb_error_t *err);
void sb_image_plan_free (struct sb_image_plan *plan);
const char *sb_image_format_name (enum sb_image_format f);

/* The store (images.c): descriptors of its directories, read-only. */
struct sb_images
{
  char *dir;               /* absolute, without symbolic links */
  int dirfd, layers, images, tmp;
  int lockfd;              /* `lock`: held while layers are added or removed */
  uint64_t max_bytes, max_entries;
};

/* A valid owner and image name, or EINVAL with a message that says why. */
int sb_images_check_names (const char *owner, const char *name, sb_error_t *err);
/* Writes j as dirfd/name: a temporary file, fsync, rename, fsync of dirfd. */
int sb_images_write_json (int dirfd, const char *name, json_t *j, sb_error_t *err);
/* Reads dirfd/name, a JSON object; NULL with err filled (status ENOENT if
   there is none). */
json_t *sb_images_read_json (int dirfd, const char *name, sb_error_t *err);
/* A directory of images/ for owner, and the file name of an image's record. */
void sb_images_owner_dir (const char *owner, char *out, size_t len);
void sb_images_record_name (const char *name, char *out, size_t len);
/* A fresh name for something temporary. */
void sb_images_temp_name (const char *prefix, char *out, size_t len);
/* Takes and releases the store's lock. */
int sb_images_lock (struct sb_images *s, sb_error_t *err);
void sb_images_unlock (struct sb_images *s);

/* "sha256:<64 lowercase hex>" → hex, or false. */
bool sb_digest_parse (const char *s, char hex[SB_DIGEST_HEX_LEN + 1]);
/* The sha256 of a buffer, as hex. */
void sb_sha256_hex (const void *data, size_t len, char hex[SB_DIGEST_HEX_LEN + 1]);

#endif
