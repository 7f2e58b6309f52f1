/* images, image import, image inspect, image rm, against sandboxd's image
   API: GET /v1/images ([{"id","names","tenant","size","created"}]),
   GET and DELETE /v1/images/REF (409 while a container uses it), and an
   import as a chunked upload: POST /v1/images/uploads -> {"upload":ID},
   PUT /v1/images/uploads/ID?offset=N with at most 8 MiB of raw bytes at a
   time, POST /v1/images/uploads/ID/commit {"name":"NAME[:TAG]"} -> the
   image. A sandboxd without the image API answers 404 "no such endpoint":
   said as such. */
#include "client.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (8u << 20)

enum { OPT_JSON = 1000, OPT_FORMAT };

static json_t *
image_row (json_t *img)
{
  char size[32], ago[64], id[20];
  const char *full = json_string_value (json_object_get (img, "id")) ?: "";
  json_t *names = json_object_get (img, "names"), *o;
  size_t i;
  json_t *n;
  char *joined = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&joined, &len);

  /* A record has one name; a list of them is taken too. */
  if (json_is_string (json_object_get (img, "name")))
    fprintf (m, "%s", json_string_value (json_object_get (img, "name")));
  else
    json_array_foreach (names, i, n)
      fprintf (m, "%s%s", i ? ", " : "", json_string_value (n) ?: "");
  fclose (m);
  sbc_size ((uint64_t) json_integer_value (json_object_get (img, "size")), size, sizeof (size));
  sbc_ago (json_string_value (json_object_get (img, "created")), ago, sizeof (ago));
  snprintf (id, sizeof (id), "%.12s", strncmp (full, "sha256:", 7) == 0 ? full + 7 : full);
  o = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:O}", "ID", id, "Names", joined ? joined : "", "Size", size, "CreatedSince",
                 ago, "Tenant",
                 json_string_value (json_object_get (img, "owner")) ?: json_string_value (json_object_get (img, "tenant")) ?: "", "CreatedAt",
                 json_object_get (img, "created") ?: json_string (""));
  free (joined);
  return o;
}

static int
image_error (const struct sbc_reply *r, const char *ref, sb_error_t *err)
{
  if (r->status == 404 && r->message && strstr (r->message, "no such endpoint"))
    return sb_error (err, 0, "this sandboxd has no image API yet (%s): upgrade sandboxd", r->message);
  if (r->status == 404)
    return sb_error (err, 0, "no such image: %s", ref);
  return sbc_reply_error (r, ref, err);
}

int
sbc_cmd_images (int argc, char **argv)
{
  static const struct option opts[] = {
    { "quiet", no_argument, NULL, 'q' }, { "json", no_argument, NULL, OPT_JSON },
    { "format", required_argument, NULL, OPT_FORMAT }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  struct sbc_out out = { 0 };
  struct sbc *c;
  json_t *list = NULL, *v;
  size_t i;
  int o, rc = SB_EXIT_OK;

  while ((o = sbc_getopt (argc, argv, "qh", opts, "images")) != -1)
    switch (o)
      {
      case 'q': out.quiet = true; break;
      case OPT_JSON: out.json = true; break;
      case OPT_FORMAT: out.format = sbc_optarg; break;
      case 'h': sbc_command_help (sbc_command_find ("images"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind < argc)
    return sbc_usage_error ("images", 0, "takes no arguments");
  c = sbc_open (&err);
  if (c == NULL)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  {
    struct sbc_reply r;
    if (sbc_request (c, "GET", "/v1/images", NULL, &r, &err) < 0 || (r.status != 200 && image_error (&r, "", &err) < 0))
      {
        if (err == NULL)
          sb_error (&err, 0, "no answer");
        sbc_error_print (&err);
        if (r.status)
          sbc_reply_clear (&r);
        sbc_close (c);
        return SB_EXIT_FAIL;
      }
    list = json_incref (r.json);
    sbc_reply_clear (&r);
  }
  sbc_close (c);
  if (out.json)
    sbc_print_json (list);
  else
    {
      json_t *rows = json_array ();
      json_array_foreach (list, i, v)
        json_array_append_new (rows, image_row (v));
      if (out.quiet)
        json_array_foreach (rows, i, v)
          printf ("%s\n", json_string_value (json_object_get (v, "ID")));
      else if (out.format)
        {
          if (sbc_print_formatted (&out, rows, &err) < 0)
            {
              sbc_error_print (&err);
              rc = SB_EXIT_USAGE;
            }
        }
      else
        {
          static const char *const headers[] = { "IMAGE ID", "NAMES", "SIZE", "CREATED" };
          struct sbc_table *t = sbc_table_new (4, headers);
          json_array_foreach (rows, i, v)
            {
              const char *cells[4] = { json_string_value (json_object_get (v, "ID")),
                                       json_string_value (json_object_get (v, "Names")),
                                       json_string_value (json_object_get (v, "Size")),
                                       json_string_value (json_object_get (v, "CreatedSince")) };
              sbc_table_add (t, cells);
            }
          sbc_table_print (t, stdout);
          sbc_table_free (t);
        }
      json_decref (rows);
    }
  json_decref (list);
  return rc;
}

/* A name from the file's: "rootfs.tar.gz" -> "rootfs". */
static void
default_name (const char *file, char *out, size_t len)
{
  char copy[4096], *b;
  static const char *const ext[] = { ".tar.gz", ".tgz", ".tar.xz", ".tar.zst", ".tar.bz2", ".tar" };

  snprintf (copy, sizeof (copy), "%s", file);
  b = basename (copy);
  for (size_t i = 0; i < sizeof (ext) / sizeof (ext[0]); i++)
    {
      size_t n = strlen (b), e = strlen (ext[i]);
      if (n > e && strcmp (b + n - e, ext[i]) == 0)
        {
          b[n - e] = '\0';
          break;
        }
    }
  snprintf (out, len, "%s", b);
}

int
sbc_cmd_image_import (int argc, char **argv)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_error sb_error_t err = NULL;
  const char *file, *name;
  char name_buf[256], path[512], *upload = NULL, *buf = NULL;
  struct sbc_reply r = { 0 };
  struct sbc *c = NULL;
  FILE *in;
  uint64_t offset = 0;
  json_t *body;
  int o, rc = SB_EXIT_FAIL;

  while ((o = sbc_getopt (argc, argv, "h", opts, "image import")) != -1)
    switch (o)
      {
      case 'h': sbc_command_help (sbc_command_find ("image import"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (argc - sbc_optind < 1 || argc - sbc_optind > 2)
    return sbc_usage_error ("image import", 0, "expects FILE (or - for stdin) and NAME[:TAG]");
  file = argv[sbc_optind];
  if (argc - sbc_optind == 2)
    name = argv[sbc_optind + 1];
  else if (strcmp (file, "-") == 0)
    return sbc_usage_error ("image import", 0, "an image read from stdin needs a NAME[:TAG]");
  else
    {
      default_name (file, name_buf, sizeof (name_buf));
      name = name_buf;
    }
  in = strcmp (file, "-") == 0 ? stdin : fopen (file, "re");
  if (in == NULL)
    {
      fprintf (stderr, "%s image import: %s: %s\n", PROG, file, strerror (errno));
      return SB_EXIT_FAIL;
    }
  buf = malloc (CHUNK);
  c = sbc_open (&err);
  if (c == NULL || buf == NULL)
    goto fail;
  if (sbc_request (c, "POST", "/v1/images/uploads", NULL, &r, &err) < 0)
    goto fail;
  if (r.status >= 300 || !json_is_string (json_object_get (r.json, "upload")))
    {
      if (r.status < 300)
        sb_error (&err, 0, "sandboxd answered the upload request without an upload id");
      else
        image_error (&r, name, &err);
      goto fail;
    }
  upload = strdup (json_string_value (json_object_get (r.json, "upload")));
  sbc_reply_clear (&r);
  for (;;)
    {
      size_t n = fread (buf, 1, CHUNK, in);
      if (n == 0)
        {
          if (ferror (in))
            {
              sb_error (&err, errno, "read %s", file);
              goto fail;
            }
          break;
        }
      snprintf (path, sizeof (path), "/v1/images/uploads/%s?offset=%llu", sbc_escape (upload), (unsigned long long) offset);
      if (sbc_request_raw (c, "PUT", path, buf, n, &r, &err) < 0)
        goto fail;
      if (r.status >= 300)
        {
          image_error (&r, name, &err);
          goto fail;
        }
      sbc_reply_clear (&r);
      offset += n;
      if (n < CHUNK && feof (in))
        break;
    }
  snprintf (path, sizeof (path), "/v1/images/uploads/%s/commit", sbc_escape (upload));
  body = json_pack ("{s:s}", "name", name);
  if (sbc_request (c, "POST", path, body, &r, &err) < 0)
    {
      json_decref (body);
      goto fail;
    }
  json_decref (body);
  if (r.status >= 300)
    {
      image_error (&r, name, &err);
      goto fail;
    }
  printf ("%s\n", json_string_value (json_object_get (r.json, "id")) ?: name);
  rc = SB_EXIT_OK;
  goto out;
fail:
  if (err)
    fprintf (stderr, "%s image import: %s\n", PROG, err->msg);
  if (upload && c)
    {
      struct sbc_reply gone;
      snprintf (path, sizeof (path), "/v1/images/uploads/%s", sbc_escape (upload));
      if (sbc_request (c, "DELETE", path, NULL, &gone, NULL) == 0)
        sbc_reply_clear (&gone);
    }
out:
  sbc_reply_clear (&r);
  if (in != stdin)
    fclose (in);
  free (upload);
  free (buf);
  sbc_close (c);
  return rc;
}

static int
per_image (int argc, char **argv, const char *verb, const char *method)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_error sb_error_t err = NULL;
  struct sbc *c;
  json_t *all = json_array ();
  int o, rc = SB_EXIT_OK;

  while ((o = sbc_getopt (argc, argv, "h", opts, verb)) != -1)
    switch (o)
      {
      case 'h':
        json_decref (all);
        sbc_command_help (sbc_command_find (verb), stdout);
        return SB_EXIT_OK;
      default:
        json_decref (all);
        return SB_EXIT_USAGE;
      }
  if (sbc_optind >= argc)
    {
      json_decref (all);
      return sbc_usage_error (verb, 0, "expects at least one IMAGE");
    }
  c = sbc_open (&err);
  if (c == NULL)
    {
      json_decref (all);
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  for (int i = sbc_optind; i < argc; i++)
    {
      struct sbc_reply r;
      char path[600];
      snprintf (path, sizeof (path), "/v1/images/%s", sbc_escape (argv[i]));
      if (sbc_request (c, method, path, NULL, &r, &err) < 0)
        {
          sbc_error_print (&err);
          rc = SB_EXIT_FAIL;
          break;
        }
      if (r.status >= 300)
        {
          image_error (&r, argv[i], &err);
          fprintf (stderr, "%s %s: %s\n", PROG, verb, err->msg);
          sb_error_free (&err);
          rc = SB_EXIT_FAIL;
        }
      else if (strcmp (method, "GET") == 0)
        json_array_append (all, r.json);
      else
        printf ("%s\n", argv[i]);
      sbc_reply_clear (&r);
    }
  sbc_close (c);
  if (json_array_size (all))
    sbc_print_json (all);
  json_decref (all);
  return rc;
}

int
sbc_cmd_image_rm (int argc, char **argv)
{
  return per_image (argc, argv, "image rm", "DELETE");
}

int
sbc_cmd_image_inspect (int argc, char **argv)
{
  return per_image (argc, argv, "image inspect", "GET");
}
