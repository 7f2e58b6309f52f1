/* Tar streams of the image store: a source (a file, or a member of an outer
   tarball) decompressed by one libarchive reader, hashed and counted here,
   and parsed as tar by a second. Nothing here writes anything. */
#include "image_internal.h"
#include "cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SOURCE_BUF (128 * 1024)

/* The source's read callback: a file, from t->off on. */
static la_ssize_t
file_read (struct archive *a, void *arg, const void **buf)
{
  struct sb_tar *t = arg;
  ssize_t n;

  do
    n = pread (t->fd, t->buf, SOURCE_BUF, t->off);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      archive_set_error (a, errno, "read the tarball");
      return -1;
    }
  t->off += n;
  *buf = t->buf;
  return n;
}

/* The source's read callback: the current entry of the outer archive
   (archive_read_data fills the holes of a sparse member with zeros). */
static la_ssize_t
entry_read (struct archive *a, void *arg, const void **buf)
{
  struct sb_tar *t = arg;
  la_ssize_t n = archive_read_data (t->outer, t->buf, SOURCE_BUF);

  if (n < 0)
    {
      archive_set_error (a, archive_errno (t->outer) ? archive_errno (t->outer) : EIO, "%s",
                         archive_error_string (t->outer) ? archive_error_string (t->outer)
                                                         : "read the tarball");
      return -1;
    }
  *buf = t->buf;
  return n;
}

/* The next block of the decompressed stream, hashed and counted: 0 at its
   end, -1 on error (the tar reader's error is set when there is one). */
static la_ssize_t
pull (struct sb_tar *t, const void **buf)
{
  size_t size = 0;
  la_int64_t offset;
  int r = archive_read_data_block (t->raw, buf, &size, &offset);

  if (r == ARCHIVE_EOF)
    return 0;
  if (r < ARCHIVE_WARN)
    {
      if (t->tar)
        archive_set_error (t->tar, archive_errno (t->raw) ? archive_errno (t->raw) : EIO, "%s",
                           archive_error_string (t->raw) ? archive_error_string (t->raw)
                                                         : "decompress the tarball");
      return -1;
    }
  t->budget->bytes += size;
  if (t->budget->bytes > t->budget->max_bytes)
    {
      t->over_limit = true;
      if (t->tar)
        archive_set_error (t->tar, EFBIG, "over the limit");
      return -1;
    }
  if (EVP_DigestUpdate (t->md, *buf, size) != 1)
    {
      if (t->tar)
        archive_set_error (t->tar, ENOMEM, "sha256");
      return -1;
    }
  return (la_ssize_t) size;
}

static la_ssize_t
tar_feed (struct archive *a, void *arg, const void **buf)
{
  (void) a;
  return pull (arg, buf);
}

static int
raw_fail (struct sb_tar *t, const char *doing, sb_error_t *err)
{
  const char *msg = archive_error_string (t->raw);

  return sb_error (err, 0, "%s: %s: %s", t->what, doing, msg ? msg : "unknown error");
}

/* Compression filters built into libarchive; an external program
   (ARCHIVE_WARN) is never run on a tenant's bytes. */
static int
add_filters (struct sb_tar *t, sb_error_t *err)
{
  static const struct
  {
    const char *name;
    int (*add) (struct archive *);
  } filters[] = {
    { "gzip", archive_read_support_filter_gzip }, { "bzip2", archive_read_support_filter_bzip2 },
    { "xz", archive_read_support_filter_xz },     { "lzma", archive_read_support_filter_lzma },
    { "zstd", archive_read_support_filter_zstd },
  };

  for (size_t i = 0; i < sizeof (filters) / sizeof (filters[0]); i++)
    if (filters[i].add (t->raw) != ARCHIVE_OK)
      return sb_error (err, ENOSYS, "libarchive has no built-in %s support (install the Debian "
                       "package libarchive13)", filters[i].name);
  return 0;
}

static int
open_common (struct sb_tar *t, struct sb_tar_budget *b, const char *what, bool parse,
             archive_read_callback *source, sb_error_t *err)
{
  struct archive_entry *e;

  t->budget = b;
  t->over_limit = false;
  snprintf (t->what, sizeof (t->what), "%s", what);
  t->buf = malloc (SOURCE_BUF);
  t->md = EVP_MD_CTX_new ();
  t->raw = archive_read_new ();
  if (t->buf == NULL || t->md == NULL || t->raw == NULL
      || EVP_DigestInit_ex (t->md, EVP_sha256 (), NULL) != 1)
    return sb_error (err, ENOMEM, "%s: allocate", what);
  if (archive_read_support_format_raw (t->raw) != ARCHIVE_OK)
    return raw_fail (t, "set up", err);
  if (add_filters (t, err) < 0)
    return -1;
  if (archive_read_open (t->raw, t, NULL, source, NULL) != ARCHIVE_OK)
    return raw_fail (t, "open", err);
  if (archive_read_next_header (t->raw, &e) != ARCHIVE_OK)
    return raw_fail (t, "not a tarball (nothing could be read)", err);
  if (!parse)
    return 0;
  t->tar = archive_read_new ();
  if (t->tar == NULL)
    return sb_error (err, ENOMEM, "%s: allocate", what);
  if (archive_read_support_format_tar (t->tar) != ARCHIVE_OK
      || archive_read_open (t->tar, t, NULL, tar_feed, NULL) != ARCHIVE_OK)
    return sb_tar_fail (t, err);
  return 0;
}

int
sb_tar_open_file (struct sb_tar *t, int fd, off_t off, struct sb_tar_budget *b, const char *what,
                  sb_error_t *err)
{
  memset (t, 0, sizeof (*t));
  t->fd = fd;
  t->off = off;
  return open_common (t, b, what, true, file_read, err);
}

int
sb_tar_open_entry (struct sb_tar *t, struct archive *outer, bool parse, struct sb_tar_budget *b,
                   const char *what, sb_error_t *err)
{
  memset (t, 0, sizeof (*t));
  t->fd = -1;
  t->outer = outer;
  return open_common (t, b, what, parse, entry_read, err);
}

int
sb_tar_fail (struct sb_tar *t, sb_error_t *err)
{
  const char *msg = t->tar ? archive_error_string (t->tar) : archive_error_string (t->raw);

  if (t->over_limit)
    return sb_error (err, EFBIG, "%s: more than %llu bytes uncompressed (the import's limit)",
                     t->what, (unsigned long long) t->budget->max_bytes);
  return sb_error (err, 0, "%s: %s", t->what, msg ? msg : "not a tar archive");
}

int
sb_tar_next (struct sb_tar *t, struct archive_entry **e, sb_error_t *err)
{
  int r = archive_read_next_header (t->tar, e);

  if (r == ARCHIVE_EOF)
    return 0;
  /* ARCHIVE_WARN: a header it could read with a remark (a name it could
     not convert to the locale...); the name is checked by the caller. */
  if (r < ARCHIVE_WARN)
    return sb_tar_fail (t, err);
  if (++t->budget->entries > t->budget->max_entries)
    return sb_error (err, EFBIG, "%s: more than %llu entries (the import's limit)", t->what,
                     (unsigned long long) t->budget->max_entries);
  return 1;
}

int
sb_tar_digest (struct sb_tar *t, char hex[SB_DIGEST_HEX_LEN + 1], sb_error_t *err)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0, i;
  const void *buf;
  la_ssize_t n;

  while ((n = pull (t, &buf)) > 0)
    ;
  if (n < 0)
    {
      if (t->over_limit || t->tar)
        return sb_tar_fail (t, err);
      return raw_fail (t, "read", err);
    }
  if (EVP_DigestFinal_ex (t->md, md, &len) != 1 || len * 2 != SB_DIGEST_HEX_LEN)
    return sb_error (err, EIO, "%s: sha256", t->what);
  for (i = 0; i < len; i++)
    sprintf (hex + 2 * i, "%02x", md[i]);
  return 0;
}

void
sb_tar_close (struct sb_tar *t)
{
  if (t->tar)
    archive_read_free (t->tar);
  if (t->raw)
    archive_read_free (t->raw);
  EVP_MD_CTX_free (t->md);
  free (t->buf);
  t->tar = t->raw = NULL;
  t->md = NULL;
  t->buf = NULL;
}

const char *
sb_tar_clean_name (const char *name, char *out, size_t len)
{
  const char *p = name;
  size_t o = 0;

  if (name == NULL || name[0] == '\0')
    return "an empty name";
  if (name[0] == '/')
    return "an absolute name";
  while (*p)
    {
      const char *end;
      size_t n;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      end = strchrnul (p, '/');
      n = (size_t) (end - p);
      if (n == 2 && p[0] == '.' && p[1] == '.')
        return "a `..` component";
      if (n > 255)
        return "a component longer than 255 bytes";
      if (!(n == 1 && p[0] == '.'))
        {
          if (o + n + 2 > len)
            return "a name longer than 4095 bytes";
          if (o)
            out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p = end;
    }
  out[o] = '\0';
  return NULL;
}

bool
sb_digest_parse (const char *s, char hex[SB_DIGEST_HEX_LEN + 1])
{
  size_t i;

  if (s == NULL || strncmp (s, "sha256:", 7) != 0 || strlen (s + 7) != SB_DIGEST_HEX_LEN)
    return false;
  for (i = 0; i < SB_DIGEST_HEX_LEN; i++)
    {
      char c = s[7 + i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        return false;
    }
  memcpy (hex, s + 7, SB_DIGEST_HEX_LEN + 1);
  return true;
}

void
sb_sha256_hex (const void *data, size_t len, char hex[SB_DIGEST_HEX_LEN + 1])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;

  if (EVP_Digest (data, len, md, &n, EVP_sha256 (), NULL) != 1)
    n = 0;
  for (i = 0; i < n; i++)
    sprintf (hex + 2 * i, "%02x", md[i]);
  hex[2 * n] = '\0';
}
