/* The image verbs: list, inspect, remove, and import by upload. A tenant
   sees its own images and the provider's, removes only its own, and may
   import only as its policy allows (limits { images, image-size }); an
   administrator's imports are the provider's (or a tenant's, with
   ?tenant=NAME). Another tenant's image or upload answers 404, as one that
   does not exist would, and the attempt is audited.

   An import is an upload in chunks, so that no request body is larger than
   the body limit and a broken transfer can go on where it stopped:
     POST   /v1/images/uploads                 -> 201 {"upload": ID, "size": 0}
     PUT    /v1/images/uploads/ID?offset=N     (raw bytes) -> 200 {"upload", "size"}
     POST   /v1/images/uploads/ID/commit       {"name": NAME} -> 201 the image
     DELETE /v1/images/uploads/ID              -> 204
   The tarball is read by a child process (libarchive parsing what a tenant
   sent never runs in sandboxd itself, nor blocks its loop); the store
   (libsandbox/images.c) does the rest. Uploads live in the state
   directory's uploads/, end after UPLOAD_IDLE seconds without a chunk, and
   do not survive a restart of sandboxd. */
#include "sandboxd.h"
#include "cleanup.h"
#include "images.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define UPLOAD_IDLE 600
#define UPLOADS_PER_OWNER 2

struct sbd_upload
{
  char id[33];
  char owner[SB_POLICY_NAME_MAX];   /* "" for the provider */
  int fd;
  uint64_t size, max;
  time_t touched;
  bool committing;
  pid_t child;
  int result;                        /* the child's answer pipe */
  struct event *result_ev;
  struct evbuffer *answer;
  struct sbd_deferred *reply;
  char name[SB_IMAGE_NAME_MAX + 1];
  char subject[512];                 /* who committed, for the audit line */
  struct sbd_upload *next;
};

static struct sbd_upload *uploads;
static struct event *sweep_ev;

static void
upload_path (const char *id, char *out, size_t len)
{
  snprintf (out, len, "%s/uploads/%s", sbd->cfg.state_dir, id);
}

static void
upload_free (struct sbd_upload *u)
{
  char path[4200];

  for (struct sbd_upload **p = &uploads; *p; p = &(*p)->next)
    if (*p == u)
      {
        *p = u->next;
        break;
      }
  upload_path (u->id, path, sizeof (path));
  unlink (path);
  if (u->fd >= 0)
    close (u->fd);
  if (u->result_ev)
    event_free (u->result_ev);
  if (u->result >= 0)
    close (u->result);
  if (u->answer)
    evbuffer_free (u->answer);
  free (u);
}

/* The owner a request acts for: a tenant's own name; for an administrator
   "" (the provider) or ?tenant=NAME. NULL after answering an error. */
static const char *
acting_owner (struct sbd_request *r)
{
  const char *tn;

  if (!r->admin)
    return r->tenant->name;
  tn = sbd_query (r, "tenant");
  if (tn == NULL || tn[0] == '\0')
    return "";
  if (sbd_tenant_by_name (sbd, tn) == NULL)
    {
      sbd_reply_error (r, 404, "not_found", "no such tenant: %s", tn);
      return NULL;
    }
  return tn;
}

static const struct sb_policy *
owner_policy (const char *owner)
{
  struct sbd_tenant *t = owner[0] ? sbd_tenant_by_name (sbd, owner) : NULL;
  return t ? t->policy : NULL;
}

/* The store's error kinds as HTTP answers. */
static void
reply_store_error (struct sbd_request *r, struct sbd_deferred *later, sb_error_t err)
{
  int status, e = (err ? err->status : 0);
  const char *code;

  switch (e)
    {
    case 0: status = 422, code = "image_refused"; break;
    case EFBIG: status = 413, code = "too_large"; break;
    case EINVAL: status = 400, code = "bad_request"; break;
    case ENOENT: status = 404, code = "not_found"; break;
    case EEXIST: status = 409, code = "conflict"; break;
    case EBUSY: status = 409, code = "in_use"; break;
    case EPERM: status = 403, code = "forbidden"; break;
    case EAGAIN: status = 503, code = "retry"; break;
    case ENOSPC: status = 507, code = "no_space"; break;
    default: status = 500, code = "internal"; break;
    }
  if (later)
    sbd_deferred_reply (later, status,
                        json_pack ("{s:{s:s, s:s}}", "error", "code", code, "message", (err && err->msg ? err->msg : "?")));
  else
    sbd_reply_error (r, status, code, "%s", (err && err->msg ? err->msg : "?"));
}

/* ---- list, inspect, remove ---------------------------------------------------- */

static void
images_list (struct sbd_request *r)
{
  cleanup_error sb_error_t err = NULL;
  const char *owner = r->admin ? sbd_query (r, "tenant") : r->tenant->name;
  json_t *out;

  if (sb_images_list (sbd->images, owner, &out, &err) < 0)
    {
      reply_store_error (r, NULL, err);
      return;
    }
  sbd_reply_json (r, 200, out);
}

static void
images_inspect (struct sbd_request *r)
{
  cleanup_error sb_error_t err = NULL;
  const char *owner = acting_owner (r);
  json_t *out;

  if (owner == NULL)
    return;
  if (sb_images_inspect (sbd->images, owner, r->parts[2], &out, &err) < 0)
    {
      if ((err ? err->status : 0) == ENOENT && !r->admin && sbd_image_elsewhere (r->parts[2], owner))
        sbd_audit (r, r->parts[2], "denied-other-tenant");
      reply_store_error (r, NULL, err);
      return;
    }
  sbd_reply_json (r, 200, out);
}

/* Whether a tenant other than owner holds an image of that name (for the
   audit line of a refused request; the answer is 404 either way). */
bool
sbd_image_elsewhere (const char *name, const char *owner)
{
  for (int i = 0; i < sbd->ntenants; i++)
    {
      json_t *o = NULL;
      sb_error_t err = NULL;
      const char *other = sbd->tenants[i].name;
      bool found;

      if (strcmp (other, owner) == 0)
        continue;
      found = sb_images_inspect (sbd->images, other, name, &o, &err) == 0
              && strcmp (json_string_value (json_object_get (o, "owner")) ?: "", other) == 0;
      json_decref (o);
      sb_error_free (&err);
      if (found)
        return true;
    }
  return false;
}

/* A container record (of any state) that names the image: removing the
   image would take its layers. */
static bool
image_in_use (const char *owner, const char *name, void *arg)
{
  (void) arg;
  for (struct sbd_container *c = sbd->containers; c; c = c->next)
    {
      const char *cn = json_string_value (json_object_get (c->config, "image"));
      const char *co = json_string_value (json_object_get (c->config, "image_owner"));
      if (cn && co && strcmp (cn, name) == 0 && strcmp (co, owner) == 0)
        return true;
    }
  return false;
}

static void
images_remove (struct sbd_request *r)
{
  cleanup_error sb_error_t err = NULL;
  const char *owner = acting_owner (r);

  if (owner == NULL)
    return;
  if (sb_images_remove (sbd->images, owner, r->parts[2], image_in_use, NULL, &err) < 0)
    {
      if ((err ? err->status : 0) == ENOENT && !r->admin && sbd_image_elsewhere (r->parts[2], owner))
        sbd_audit (r, r->parts[2], "denied-other-tenant");
      reply_store_error (r, NULL, err);
      return;
    }
  sbd_audit_event (owner, r->parts[2], "image-removed", json_pack ("{s:s}", "subject", r->subject));
  sbd_reply_empty (r, 204);
}

/* ---- uploads ------------------------------------------------------------------- */

static struct sbd_upload *
find_upload (struct sbd_request *r, const char *id)
{
  for (struct sbd_upload *u = uploads; u; u = u->next)
    if (strcmp (u->id, id) == 0)
      {
        if (r->admin || strcmp (u->owner, r->tenant->name) == 0)
          return u;
        sbd_audit (r, id, "denied-other-tenant");
        break;
      }
  sbd_reply_error (r, 404, "not_found", "no such upload: %s", id);
  return NULL;
}

static void
sweep (evutil_socket_t fd, short what, void *arg)
{
  time_t now = time (NULL);

  (void) fd, (void) what, (void) arg;
  for (struct sbd_upload *u = uploads, *next; u; u = next)
    {
      next = u->next;
      if (!u->committing && now - u->touched > UPLOAD_IDLE)
        upload_free (u);
    }
}

/* Whether owner may start one more import; answers the refusal if not. */
static bool
may_import (struct sbd_request *r, const char *owner)
{
  const struct sb_policy *p = owner_policy (owner);
  int mine = 0;

  if (p && p->max_images == 0)
    {
      sbd_audit (r, "images", "denied-limit");
      sbd_reply_error (r, 403, "policy", "limits { images }: tenant %s may not import images (the limit is 0)",
                       owner);
      return false;
    }
  for (struct sbd_upload *u = uploads; u; u = u->next)
    mine += strcmp (u->owner, owner) == 0;
  if (mine >= UPLOADS_PER_OWNER)
    {
      sbd_reply_error (r, 429, "too_many", "%d uploads are under way for %s: finish or delete one first", mine,
                       owner[0] ? owner : "the provider");
      return false;
    }
  if (p)
    {
      cleanup_error sb_error_t err = NULL;
      json_t *list = NULL;
      size_t own = 0, i;
      json_t *o;
      if (sb_images_list (sbd->images, owner, &list, &err) == 0)
        json_array_foreach (list, i, o)
          own += strcmp (json_string_value (json_object_get (o, "owner")) ?: "", owner) == 0;
      json_decref (list);
      if (own >= p->max_images)
        {
          sbd_audit (r, "images", "denied-limit");
          sbd_reply_error (r, 429, "policy", "limits { images = %u }: tenant %s has %zu images; remove one first",
                           p->max_images, owner, own);
          return false;
        }
    }
  return true;
}

static void
upload_create (struct sbd_request *r)
{
  const char *owner = acting_owner (r);
  const struct sb_policy *p;
  unsigned char raw[16];
  struct sbd_upload *u;
  char path[4200];

  if (owner == NULL || !may_import (r, owner))
    return;
  if (getrandom (raw, sizeof (raw), 0) != sizeof (raw) || (u = calloc (1, sizeof (*u))) == NULL)
    {
      sbd_reply_error (r, 500, "internal", "out of memory");
      return;
    }
  for (int i = 0; i < 16; i++)
    snprintf (u->id + 2 * i, 3, "%02x", raw[i]);
  snprintf (u->owner, sizeof (u->owner), "%s", owner);
  p = owner_policy (owner);
  u->max = p ? p->image_bytes : SB_IMAGES_MAX_BYTES;
  u->result = -1;
  u->touched = time (NULL);
  snprintf (path, sizeof (path), "%s/uploads", sbd->cfg.state_dir);
  mkdir (path, 0700);
  upload_path (u->id, path, sizeof (path));
  u->fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (u->fd < 0)
    {
      sbd_reply_error (r, 500, "internal", "create `%s`: %s", path, strerror (errno));
      free (u);
      return;
    }
  u->next = uploads;
  uploads = u;
  if (sweep_ev == NULL)
    {
      struct timeval tv = { .tv_sec = 60 };
      sweep_ev = event_new (sbd->base, -1, EV_PERSIST, sweep, NULL);
      event_add (sweep_ev, &tv);
    }
  sbd_reply_json (r, 201, json_pack ("{s:s, s:I, s:I}", "upload", u->id, "size", (json_int_t) 0, "max_size",
                                     (json_int_t) u->max));
}

static void
upload_put (struct sbd_request *r)
{
  struct sbd_upload *u = find_upload (r, r->parts[3]);
  struct evbuffer *in = evhttp_request_get_input_buffer (r->req);
  size_t n = evbuffer_get_length (in);
  const char *off = sbd_query (r, "offset");
  char *end;
  unsigned long long at;

  if (u == NULL)
    return;
  if (u->committing)
    {
      sbd_reply_error (r, 409, "conflict", "upload %s is being imported", u->id);
      return;
    }
  errno = 0;
  at = off ? strtoull (off, &end, 10) : u->size;
  if (off && (errno || *end || off[0] == '-' || off[0] == '\0'))
    {
      sbd_reply_error (r, 400, "bad_request", "offset: %s is not a byte count", off);
      return;
    }
  if (at != u->size)
    {
      /* The client resends from where we are: it learns it here. */
      sbd_reply_error (r, 409, "wrong_offset", "upload %s holds %llu bytes; send from offset %llu", u->id,
                       (unsigned long long) u->size, (unsigned long long) u->size);
      return;
    }
  if (u->size + n > u->max)
    {
      sbd_audit (r, u->id, "denied-limit");
      sbd_reply_error (r, 413, "too_large", "limits { image-size = %llu }: the upload would hold %llu bytes",
                       (unsigned long long) u->max, (unsigned long long) (u->size + n));
      upload_free (u);
      return;
    }
  while (evbuffer_get_length (in) > 0)
    {
      int w = evbuffer_write (in, u->fd);
      if (w <= 0)
        {
          int e = w < 0 ? errno : EIO;
          /* A full disk: nothing half-kept. */
          sbd_reply_error (r, e == ENOSPC ? 507 : 500, e == ENOSPC ? "no_space" : "internal",
                           "store the upload: %s", strerror (e));
          upload_free (u);
          return;
        }
      u->size += (uint64_t) w;
    }
  u->touched = time (NULL);
  sbd_reply_json (r, 200, json_pack ("{s:s, s:I}", "upload", u->id, "size", (json_int_t) u->size));
}

static void
upload_delete (struct sbd_request *r)
{
  struct sbd_upload *u = find_upload (r, r->parts[3]);

  if (u == NULL)
    return;
  if (u->committing)
    {
      sbd_reply_error (r, 409, "conflict", "upload %s is being imported", u->id);
      return;
    }
  upload_free (u);
  sbd_reply_empty (r, 204);
}

/* In the child: the import, its answer as one JSON object on fd out. */
__attribute__ ((noreturn)) static void
import_child (struct sbd_upload *u, int out)
{
  sb_error_t err = NULL;
  json_t *info = NULL, *answer;
  char *text;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  signal (SIGPIPE, SIG_IGN);
  sb_images_set_limits (sbd->images, u->max, 0);
  if (lseek (u->fd, 0, SEEK_SET) < 0 || sb_images_import (sbd->images, u->fd, u->owner, u->name, &info, &err) < 0)
    answer = json_pack ("{s:{s:i, s:s}}", "error", "status", err ? (err ? err->status : 0) : errno, "message",
                        err ? (err && err->msg ? err->msg : "?") : strerror (errno));
  else
    answer = json_pack ("{s:o}", "image", info);
  text = answer ? json_dumps (answer, JSON_COMPACT) : NULL;
  if (text)
    sb_write_all (out, text, strlen (text));
  _exit (0);
}

static void
import_done (evutil_socket_t fd, short what, void *arg)
{
  struct sbd_upload *u = arg;
  json_t *answer, *image;
  int n;

  (void) what;
  n = evbuffer_read (u->answer, fd, 65536);
  if (n > 0)
    return;
  waitpid (u->child, NULL, 0);
  answer = json_loadb ((const char *) evbuffer_pullup (u->answer, -1), evbuffer_get_length (u->answer), 0, NULL);
  image = json_object_get (answer, "image");
  if (json_is_object (image))
    {
      sbd_audit_event (u->owner, u->name, "image-imported",
                       json_pack ("{s:s, s:O}", "subject", u->subject, "id", json_object_get (image, "id")));
      sbd_deferred_reply (u->reply, 201, json_incref (image));
    }
  else
    {
      json_t *e = json_object_get (answer, "error");
      sb_error_t err = NULL;
      sb_error (&err, e ? (int) json_integer_value (json_object_get (e, "status")) : EIO, "%s",
                e ? json_string_value (json_object_get (e, "message")) ?: "the import failed"
                  : "the import ended without an answer (killed?)");
      reply_store_error (NULL, u->reply, err);
      sb_error_free (&err);
    }
  json_decref (answer);
  u->reply = NULL;
  upload_free (u);
}

static void
upload_commit (struct sbd_request *r)
{
  struct sbd_upload *u = find_upload (r, r->parts[3]);
  const char *name = json_string_value (json_object_get (r->body, "name"));
  int pipefd[2];

  if (u == NULL)
    return;
  if (u->committing)
    {
      sbd_reply_error (r, 409, "conflict", "upload %s is being imported", u->id);
      return;
    }
  if (name == NULL || !sb_image_name_valid (name) || strcmp (name, SB_IMAGE_HOST) == 0)
    {
      sbd_reply_error (r, 400, "bad_request",
                       "name: an image name ([a-z0-9][a-z0-9._/:-]*, at most %d characters, not `host`)",
                       SB_IMAGE_NAME_MAX);
      return;
    }
  if (u->size == 0)
    {
      sbd_reply_error (r, 400, "bad_request", "upload %s is empty", u->id);
      return;
    }
  snprintf (u->name, sizeof (u->name), "%s", name);
  snprintf (u->subject, sizeof (u->subject), "%s", r->subject);
  if (pipe2 (pipefd, O_CLOEXEC) < 0 || (u->answer = evbuffer_new ()) == NULL)
    {
      sbd_reply_error (r, 500, "internal", "pipe: %s", strerror (errno));
      return;
    }
  u->child = fork ();
  if (u->child < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      sbd_reply_error (r, 500, "internal", "fork: %s", strerror (errno));
      return;
    }
  if (u->child == 0)
    {
      close (pipefd[0]);
      import_child (u, pipefd[1]);
    }
  close (pipefd[1]);
  evutil_make_socket_nonblocking (pipefd[0]);
  u->result = pipefd[0];
  u->committing = true;
  u->reply = sbd_defer (r);
  u->result_ev = event_new (sbd->base, u->result, EV_READ | EV_PERSIST, import_done, u);
  event_add (u->result_ev, NULL);
}

/* Uploads left by an earlier sandboxd: gone with it. */
void
sbd_images_start (struct sbd *d)
{
  char path[4200];

  snprintf (path, sizeof (path), "%s/uploads", d->cfg.state_dir);
  sb_remove_tree (AT_FDCWD, path);
}

const struct sbd_route sbd_image_routes[] = {
  { EVHTTP_REQ_GET, "/v1/images", images_list, 0, "images.list" },
  { EVHTTP_REQ_POST, "/v1/images/uploads", upload_create, 0, "images.upload" },
  { EVHTTP_REQ_PUT, "/v1/images/uploads/:id", upload_put, 0, "images.upload" },
  { EVHTTP_REQ_DELETE, "/v1/images/uploads/:id", upload_delete, 0, "images.upload" },
  { EVHTTP_REQ_POST, "/v1/images/uploads/:id/commit", upload_commit, SBD_JSON_BODY, "images.import" },
  { EVHTTP_REQ_GET, "/v1/images/:ref", images_inspect, 0, "images.inspect" },
  { EVHTTP_REQ_DELETE, "/v1/images/:ref", images_remove, 0, "images.remove" },
  { 0, NULL, NULL, 0, NULL },
};
