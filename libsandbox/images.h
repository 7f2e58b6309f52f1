/* The image store: images imported from tarballs, kept under sandboxd's
   state directory, run as read-only overlay layers (docs/ARCHITECTURE.md,
   "Images").

   Layout of a store (root's; every directory above the layers' roots 0700):
     layers/<hex>/root        one layer's files, as in its tarball (owners
                              unshifted); <hex> is the sha256 of the layer's
                              uncompressed tar (its OCI diff_id)
     layers/<hex>/layer.json  what was extracted and what was refused
     images/<owner>/<name>.json  an image: its layers, bottom first, and its
                              config (owner `_provider` for the provider's;
                              '/' in a name is stored as '%')
     tmp/                     imports under way, removed when they end
     lock                     taken while layers are added or removed

   An image belongs to a tenant, or to the provider (owner ""): a tenant
   sees its own and the provider's. `host` is built in: the host root, no
   layers.

   Errors: a function returns a negative value and fills *err. Its status
   says what kind: 0 the tarball was refused (the message names the entry
   and the rule), EFBIG over a limit, EINVAL a bad name or owner, ENOENT no
   such image, EEXIST the name is taken, EBUSY in use, EPERM the built-in
   image, EAGAIN a layer went away during the import (import again);
   anything else is the store's own I/O error. */
#ifndef SB_IMAGES_H
#define SB_IMAGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "error.h"

/* sandboxd's store. */
#define SB_IMAGES_DIR SB_LOCALSTATEDIR "/lib/sandboxd/images"
/* The built-in image: the host root, read-only. */
#define SB_IMAGE_HOST "host"
/* A name is [a-z0-9][a-z0-9._/:-]*, at most this long (its record's file
   name, NAME.json, must fit in 255 bytes), without an empty component or
   one that starts with '.'. */
#define SB_IMAGE_NAME_MAX 250

/* One import may read at most this much (the tarball uncompressed, and the
   sum of its layers uncompressed) and extract this many entries. */
#define SB_IMAGES_MAX_BYTES (4ull << 30)
#define SB_IMAGES_MAX_ENTRIES 500000ull

struct sb_images;

/* Opens (creating it if needed) the store in dir, an absolute path, and
   removes what crashed imports left in tmp/. */
int sb_images_open (struct sb_images **out, const char *dir, sb_error_t *err);
void sb_images_close (struct sb_images *s);
/* Changes the limits of later imports (0 keeps one). */
void sb_images_set_limits (struct sb_images *s, uint64_t max_bytes, uint64_t max_entries);

bool sb_image_name_valid (const char *name);
/* "" (the provider) or a tenant name: [a-z0-9][a-z0-9-]*, at most 63. */
bool sb_image_owner_valid (const char *owner);

/* Reads a tarball from fd (plain, gzip, bzip2, xz or zstd; from its current
   offset for a file, else to its end): a rootfs tar, a `docker save`
   tarball (manifest.json) or an OCI image layout (oci-layout, index.json).
   Stores its new layers and the image's record; *info (if not NULL) gets
   the record. A name already taken by owner is refused: remove it first. */
int sb_images_import (struct sb_images *s, int fd, const char *owner, const char *name,
                      json_t **info, sb_error_t *err);

/* The records of owner's images and the provider's (owner "": the
   provider's; NULL: everyone's), `host` first, then by owner and name. */
int sb_images_list (struct sb_images *s, const char *owner, json_t **out, sb_error_t *err);

/* The record of the image `name` as owner sees it: its own, else the
   provider's. */
int sb_images_inspect (struct sb_images *s, const char *owner, const char *name, json_t **out,
                       sb_error_t *err);

/* Removes owner's image `name` (never the provider's for a tenant), unless
   in_use(owner, name, arg) says a container runs it; then the layers no
   image uses any more. in_use may be NULL. */
typedef bool (*sb_image_in_use_fn) (const char *owner, const char *name, void *arg);
int sb_images_remove (struct sb_images *s, const char *owner, const char *name,
                      sb_image_in_use_fn in_use, void *arg, sb_error_t *err);

/* The layer directories of the image owner sees as `name`, bottom first,
   as a NULL-terminated array of absolute paths (*n of them; none for
   `host`: run the host root). Free it with sb_images_free_layers. */
int sb_images_layers (struct sb_images *s, const char *owner, const char *name, char ***paths,
                      int *n, sb_error_t *err);
void sb_images_free_layers (char **paths);

#endif
