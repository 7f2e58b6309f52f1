/* Requests to sandboxd. libcurl carries them: HTTP/1.1 over mutual TLS
   (OpenSSL) or over the daemon's local Unix socket, whole answers,
   streamed answers (logs, events), raw uploads, and a connected socket
   for the hijacked attach/exec streams (CONNECT_ONLY). libevent's evhttp
   client (2.1, Debian 12's) cannot reach a Unix socket, which root's
   default connection needs. Every failure becomes a message that names
   what was tried and what to do about it. */
#include "config.h"
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sbc
{
  struct sbc_settings s;
  char *base;               /* "https://HOST:PORT" or "http://sandboxd" */
  char *unix_path;          /* for unix:// */
};

void (*sbc_stream_tick) (void);

void
sbc_reply_clear (struct sbc_reply *r)
{
  json_decref (r->json);
  free (r->message);
  memset (r, 0, sizeof (*r));
}

const struct sbc_settings *
sbc_settings (struct sbc *c)
{
  return &c->s;
}

const char *
sbc_escape (const char *s)
{
  static char bufs[4][1024];
  static int next;
  char *out = bufs[next++ % 4];
  size_t o = 0;

  for (; *s && o + 4 < sizeof (bufs[0]); s++)
    {
      unsigned char ch = (unsigned char) *s;
      if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'
          || ch == '.' || ch == '~')
        out[o++] = (char) ch;
      else
        o += (size_t) snprintf (out + o, 4, "%%%02X", ch);
    }
  out[o] = '\0';
  return out;
}

static bool
readable (const char *what, const char *path, const struct sbc_settings *s, sb_error_t *err)
{
  if (path == NULL || path[0] == '\0')
    {
      sb_error (err, 0, "no %s is set for %s (%s): set it in the configuration or with SANDBOXCTL_%s", what,
                s->server, s->origin, strcmp (what, "CA") == 0 ? "CA" : strcmp (what, "certificate") == 0 ? "CERT" : "KEY");
      return false;
    }
  if (access (path, R_OK) < 0)
    {
      sb_error (err, errno, "the %s `%s` (%s) cannot be read", what, path, s->origin);
      return false;
    }
  return true;
}

/* A certificate that is out of its dates is refused by sandboxd at the
   handshake, often before the alert that says why reaches us: say it
   from here. */
static bool
cert_current (const struct sbc_settings *s, sb_error_t *err)
{
  FILE *f = fopen (s->cert, "re");
  X509 *cert = f ? PEM_read_X509 (f, NULL, NULL, NULL) : NULL;
  char when[64] = "?";
  struct tm tm;
  bool ok = true;

  if (f)
    fclose (f);
  if (cert == NULL)
    {
      sb_error (err, 0, "the certificate %s (%s) is not a PEM certificate", s->cert, s->origin);
      return false;
    }
  if (X509_cmp_current_time (X509_get0_notAfter (cert)) < 0)
    {
      if (ASN1_TIME_to_tm (X509_get0_notAfter (cert), &tm) == 1)
        strftime (when, sizeof (when), "%Y-%m-%d %H:%M UTC", &tm);
      sb_error (err, 0, "the certificate %s expired on %s: sandboxd refuses it (ask the provider for a new bundle)",
                s->cert, when);
      ok = false;
    }
  else if (X509_cmp_current_time (X509_get0_notBefore (cert)) > 0)
    {
      sb_error (err, 0, "the certificate %s is not valid yet (is this machine's clock right?)", s->cert);
      ok = false;
    }
  X509_free (cert);
  return ok;
}

struct sbc *
sbc_open (sb_error_t *err)
{
  struct sbc *c = calloc (1, sizeof (*c));
  static bool inited;

  if (c == NULL)
    {
      sb_error (err, ENOMEM, "allocate");
      return NULL;
    }
  if (!inited)
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      inited = true;
    }
  if (sbc_settings_load (&c->s, err) < 0)
    goto fail;
  if (strncmp (c->s.server, "unix://", 7) == 0)
    {
      c->unix_path = strdup (c->s.server + 7);
      c->base = strdup ("http://sandboxd");
    }
  else if (strncmp (c->s.server, "https://", 8) == 0)
    {
      size_t n = strlen (c->s.server);
      c->base = strdup (c->s.server);
      if (n > 8 && c->base[n - 1] == '/')
        c->base[n - 1] = '\0';
      if (!readable ("CA", c->s.ca, &c->s, err) || !readable ("certificate", c->s.cert, &c->s, err)
          || !readable ("key", c->s.key, &c->s, err) || !cert_current (&c->s, err))
        goto fail;
    }
  else
    {
      sb_error (err, 0, "server `%s` (%s): use https://HOST:PORT or unix:///PATH", c->s.server, c->s.origin);
      goto fail;
    }
  return c;
fail:
  sbc_close (c);
  return NULL;
}

void
sbc_close (struct sbc *c)
{
  if (c == NULL)
    return;
  sbc_settings_free (&c->s);
  free (c->base);
  free (c->unix_path);
  free (c);
}

/* ---- one transfer -------------------------------------------------------------- */

struct body
{
  char *data;
  size_t len, cap;
  CURL *h;
  sbc_data_cb on_data;       /* streamed: 2xx bodies go there */
  void *arg;
  bool stopped;
};

static size_t
collect (char *p, size_t size, size_t n, void *arg)
{
  struct body *b = arg;
  size_t len = size * n;
  long status = 0;

  if (b->on_data)
    {
      curl_easy_getinfo (b->h, CURLINFO_RESPONSE_CODE, &status);
      if (status >= 200 && status < 300)
        {
          if (!b->on_data (p, len, b->arg))
            {
              b->stopped = true;
              return 0;
            }
          return len;
        }
    }
  if (b->len + len + 1 > b->cap)
    {
      size_t cap = b->cap ? b->cap : 4096;
      char *q;
      while (cap < b->len + len + 1)
        cap *= 2;
      if (cap > (64u << 20) || (q = realloc (b->data, cap)) == NULL)
        return 0;
      b->data = q;
      b->cap = cap;
    }
  memcpy (b->data + b->len, p, len);
  b->len += len;
  b->data[b->len] = '\0';
  return len;
}

static int
tick (void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
  (void) arg;
  (void) a;
  (void) b;
  (void) c;
  (void) d;
  if (sbc_stream_tick)
    sbc_stream_tick ();
  return 0;
}

static CURL *
new_handle (struct sbc *c, const char *path, char *errbuf)
{
  CURL *h = curl_easy_init ();
  char *url = NULL;

  if (h == NULL)
    return NULL;
  if (asprintf (&url, "%s%s", c->base, path) < 0)
    {
      curl_easy_cleanup (h);
      return NULL;
    }
  curl_easy_setopt (h, CURLOPT_URL, url);
  free (url);
  errbuf[0] = '\0';
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (h, CURLOPT_USERAGENT, PROG "/" PACKAGE_VERSION);
  if (c->unix_path)
    curl_easy_setopt (h, CURLOPT_UNIX_SOCKET_PATH, c->unix_path);
  else
    {
      curl_easy_setopt (h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
      curl_easy_setopt (h, CURLOPT_CAINFO, c->s.ca);
      curl_easy_setopt (h, CURLOPT_SSLCERT, c->s.cert);
      curl_easy_setopt (h, CURLOPT_SSLKEY, c->s.key);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
  return h;
}

/* What a TLS alert from sandboxd means for the client's certificate. */
static const char *
refusal (const char *msg)
{
  static const struct { const char *alert, *why; } alerts[] = {
    { "certificate revoked", "it has been revoked (ask the provider for a new bundle)" },
    { "certificate expired", "it has expired (ask the provider for a new bundle)" },
    { "unknown ca", "sandboxd's CA did not sign it (is this the right bundle for this server?)" },
    { "bad certificate", "sandboxd could not verify it (is this the right bundle for this server?)" },
    { "certificate unknown", "sandboxd could not verify it (is this the right bundle for this server?)" },
    { "certificate required", "sandboxd requires a client certificate" },
    { "handshake failure", "the TLS handshake failed (no common protocol or cipher: TLS 1.2 or later is required)" },
    { "protocol version", "the TLS versions do not match (TLS 1.2 or later is required)" },
  };
  for (size_t i = 0; i < sizeof (alerts) / sizeof (alerts[0]); i++)
    if (strstr (msg, alerts[i].alert))
      return alerts[i].why;
  return NULL;
}

/* With TLS 1.3 the server checks our certificate after our side of the
   handshake is done: the request we send at once may meet the connection
   it closed, and the alert saying why is lost with it (a broken pipe, a
   reset). A second connection that only shakes hands and then waits (up to
   2 s) hears why, if it is refused: true, with curl's words in detail. */
static bool
handshake_refused (struct sbc *c, char *detail, size_t len)
{
  char errbuf[CURL_ERROR_SIZE];
  CURL *h = new_handle (c, "/", errbuf);
  CURLcode rc;

  if (h == NULL)
    return false;
  curl_easy_setopt (h, CURLOPT_CONNECT_ONLY, 1L);
  rc = curl_easy_perform (h);
  for (int waited = 0; rc == CURLE_OK && waited < 20; waited++)
    {
      char buf[64];
      size_t n = 0;
      curl_socket_t fd = CURL_SOCKET_BAD;
      struct pollfd p;

      rc = curl_easy_recv (h, buf, sizeof (buf), &n);
      if (rc != CURLE_AGAIN)
        break;
      rc = CURLE_OK;
      curl_easy_getinfo (h, CURLINFO_ACTIVESOCKET, &fd);
      p = (struct pollfd){ .fd = (int) fd, .events = POLLIN };
      if (fd == CURL_SOCKET_BAD || poll (&p, 1, 100) < 0)
        break;
    }
  if (rc != CURLE_OK)
    snprintf (detail, len, "%s", errbuf[0] ? errbuf : curl_easy_strerror (rc));
  curl_easy_cleanup (h);
  return rc != CURLE_OK;
}

static int
transport_error (struct sbc *c, CURL *h, CURLcode rc, const char *errbuf, sb_error_t *err)
{
  const char *detail = errbuf[0] ? errbuf : curl_easy_strerror (rc);
  const char *why = refusal (detail);
  char probed[CURL_ERROR_SIZE] = "";
  long os_errno = 0;

  curl_easy_getinfo (h, CURLINFO_OS_ERRNO, &os_errno);
  if (why == NULL && c->unix_path == NULL
      && (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)
      && handshake_refused (c, probed, sizeof (probed)))
    {
      why = refusal (probed);
      if (strstr (probed, "getpeername"))
        detail = probed;
    }
  if (why)
    return sb_error (err, 0, "sandboxd at %s refused the certificate %s: %s", c->s.server, c->s.cert, why);
  /* Closed right after our certificate went: the alert did not reach us. */
  if (c->unix_path == NULL && strstr (detail, "getpeername"))
    return sb_error (err, 0, "sandboxd at %s closed the connection during the TLS handshake: it refused the "
                     "certificate %s (revoked, or not signed by its CA)", c->s.server, c->s.cert);
  switch (rc)
    {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
      if (c->unix_path)
        {
          struct stat st;
          if (stat (c->unix_path, &st) < 0)
            return sb_error (err, 0, "cannot reach sandboxd: there is no socket %s (%s); is sandboxd running? "
                             "Elsewhere than on its host, use a bundle: %s --config DIR/config", c->unix_path,
                             c->s.origin, PROG);
          if (os_errno == EACCES)
            return sb_error (err, 0, "cannot reach sandboxd at %s: permission denied (the local socket is root's; "
                             "use a bundle: %s --config DIR/config)", c->unix_path, PROG);
        }
      return sb_error (err, 0, "cannot reach sandboxd at %s (%s): %s; is sandboxd running, and is this its address?",
                       c->s.server, c->s.origin, os_errno ? strerror ((int) os_errno) : detail);
    case CURLE_PEER_FAILED_VERIFICATION:
      return sb_error (err, 0, "the server at %s is not the one the CA %s vouches for: %s", c->s.server, c->s.ca,
                       detail);
    case CURLE_SSL_CERTPROBLEM:
      return sb_error (err, 0, "the client certificate %s or its key %s cannot be used: %s", c->s.cert, c->s.key,
                       detail);
    case CURLE_SSL_CACERT_BADFILE:
      return sb_error (err, 0, "the CA file %s cannot be used: %s", c->s.ca, detail);
    case CURLE_SSL_CONNECT_ERROR:
      return sb_error (err, 0, "TLS with sandboxd at %s failed: %s", c->s.server, detail);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:

    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return sb_error (err, 0, "the connection to sandboxd at %s was lost: %s", c->s.server, detail);
    default:
      return sb_error (err, 0, "a request to sandboxd at %s failed: %s", c->s.server, detail);
    }
}

static void
fill_reply (struct sbc_reply *r, CURL *h, struct body *b)
{
  json_t *e;

  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &r->status);
  r->json = b->len ? json_loadb (b->data, b->len, 0, NULL) : NULL;
  e = json_object_get (r->json, "error");
  if (json_is_object (e))
    {
      snprintf (r->code, sizeof (r->code), "%s", json_string_value (json_object_get (e, "code")) ?: "");
      if (json_string_value (json_object_get (e, "message")))
        r->message = strdup (json_string_value (json_object_get (e, "message")));
    }
  else if (r->status >= 400 && b->len && r->json == NULL)
    {
      r->message = strndup (b->data, b->len > 300 ? 300 : b->len);
      if (r->message)
        r->message[strcspn (r->message, "\r\n")] = '\0';
    }
}

static int
perform (struct sbc *c, const char *method, const char *path, const void *data, size_t len, const char *ctype,
         struct sbc_reply *r, sbc_data_cb on_data, void *arg, sb_error_t *err)
{
  char errbuf[CURL_ERROR_SIZE];
  struct body b = { .on_data = on_data, .arg = arg };
  struct curl_slist *hdrs = NULL;
  CURL *h = new_handle (c, path, errbuf);
  CURLcode rc;
  int ret = 0;

  memset (r, 0, sizeof (*r));
  if (h == NULL)
    return sb_error (err, ENOMEM, "allocate a request");
  b.h = h;
  curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, method);
  if (strcmp (method, "GET") != 0)
    {
      curl_easy_setopt (h, CURLOPT_POSTFIELDS, data ? data : "");
      curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
    }
  if (ctype)
    {
      char line[128];
      snprintf (line, sizeof (line), "Content-Type: %s", ctype);
      hdrs = curl_slist_append (hdrs, line);
    }
  hdrs = curl_slist_append (hdrs, "Expect:");
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, &b);
  if (on_data)
    {
      curl_easy_setopt (h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (h, CURLOPT_XFERINFOFUNCTION, tick);
    }
  rc = curl_easy_perform (h);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && b.stopped))
    ret = transport_error (c, h, rc, errbuf, err);
  else
    fill_reply (r, h, &b);
  curl_slist_free_all (hdrs);
  curl_easy_cleanup (h);
  free (b.data);
  return ret;
}

int
sbc_request (struct sbc *c, const char *method, const char *path, json_t *body, struct sbc_reply *r,
             sb_error_t *err)
{
  char *text = body ? json_dumps (body, JSON_COMPACT) : NULL;
  int ret = perform (c, method, path, text, text ? strlen (text) : 0, text ? "application/json" : NULL, r, NULL,
                     NULL, err);

  free (text);
  return ret;
}

int
sbc_request_raw (struct sbc *c, const char *method, const char *path, const void *data, size_t len,
                 struct sbc_reply *r, sb_error_t *err)
{
  return perform (c, method, path, data, len, "application/octet-stream", r, NULL, NULL, err);
}

int
sbc_stream_get (struct sbc *c, const char *path, sbc_data_cb on_data, void *arg, struct sbc_reply *r,
                sb_error_t *err)
{
  struct sbc_reply mine;
  int ret = perform (c, "GET", path, NULL, 0, NULL, r ? r : &mine, on_data, arg, err);

  if (r == NULL && ret == 0)
    {
      if (mine.status >= 300)
        ret = sbc_reply_error (&mine, NULL, err);
      sbc_reply_clear (&mine);
    }
  return ret;
}

int
sbc_reply_error (const struct sbc_reply *r, const char *what, sb_error_t *err)
{
  const char *msg = r->message ? r->message : "no explanation given";

  switch (r->status)
    {
    case 401:
      return sb_error (err, 0, "sandboxd could not identify this client: %s", msg);
    case 403:
      if (strcmp (r->code, "policy") == 0)
        return sb_error (err, 0, "refused by the tenant's policy: %s", msg);
      return sb_error (err, 0, "not allowed: %s", msg);
    case 404:
      if (strstr (msg, "no such endpoint"))
        return sb_error (err, 0, "this sandboxd does not have this feature (%s): upgrade it", msg);
      return sb_error (err, 0, "%s", what && !strstr (msg, what) ? what : msg);
    case 409:
      return sb_error (err, 0, "%s", msg);
    case 429:
      return sb_error (err, 0, "refused by the tenant's policy: %s", msg);
    default:
      if (r->status >= 500)
        return sb_error (err, 0, "sandboxd failed (HTTP %ld): %s", r->status, msg);
      return sb_error (err, 0, "%s (HTTP %ld)", msg, r->status);
    }
}

int
sbc_call (struct sbc *c, const char *method, const char *path, json_t *body, json_t **out, sb_error_t *err)
{
  struct sbc_reply r;

  if (out)
    *out = NULL;
  if (sbc_request (c, method, path, body, &r, err) < 0)
    return -1;
  if (r.status >= 300 && r.status != 304)
    {
      sbc_reply_error (&r, NULL, err);
      sbc_reply_clear (&r);
      return -1;
    }
  if (out)
    *out = json_incref (r.json);
  sbc_reply_clear (&r);
  return 0;
}

/* ---- the raw connection of a hijacked stream ------------------------------------- */

int
sbc_connect_raw (struct sbc *c, void **handle, int *fd, sb_error_t *err)
{
  char errbuf[CURL_ERROR_SIZE];
  CURL *h = new_handle (c, "/", errbuf);
  curl_socket_t s = CURL_SOCKET_BAD;
  CURLcode rc;

  if (h == NULL)
    return sb_error (err, ENOMEM, "allocate a connection");
  curl_easy_setopt (h, CURLOPT_CONNECT_ONLY, 1L);
  rc = curl_easy_perform (h);
  if (rc != CURLE_OK)
    {
      transport_error (c, h, rc, errbuf, err);
      curl_easy_cleanup (h);
      return -1;
    }
  curl_easy_getinfo (h, CURLINFO_ACTIVESOCKET, &s);
  *fd = (int) s;
  *handle = h;
  return 0;
}

static int
raw_result (CURL *h, CURLcode rc)
{
  (void) h;
  if (rc == CURLE_OK)
    return 0;
  if (rc == CURLE_AGAIN)
    return 1;
  return -1;
}

int
sbc_raw_send (void *handle, const void *data, size_t n, size_t *sent)
{
  *sent = 0;
  return raw_result (handle, curl_easy_send (handle, data, n, sent));
}

int
sbc_raw_recv (void *handle, void *data, size_t n, size_t *got)
{
  *got = 0;
  return raw_result (handle, curl_easy_recv (handle, data, n, got));
}

void
sbc_raw_close (void *handle)
{
  if (handle)
    curl_easy_cleanup (handle);
}

/* ---- container references ------------------------------------------------------ */

int
sbc_container_error (struct sbc *c, const char *ref, const struct sbc_reply *r, sb_error_t *err)
{
  json_t *list = NULL, *v;
  size_t i, n = strlen (ref), matches = 0;
  char names[256] = "";

  if (r->status != 404 || n == 0 || strspn (ref, "0123456789abcdef") != n
      || sbc_call (c, "GET", "/v1/containers?all=1", NULL, &list, NULL) < 0)
    return r->status == 404 ? sb_error (err, 0, "no such container: %s", ref) : sbc_reply_error (r, ref, err);
  json_array_foreach (list, i, v)
    {
      const char *id = json_string_value (json_object_get (v, "id"));
      if (id && strncmp (id, ref, n) == 0)
        {
          size_t k = strlen (names);
          snprintf (names + k, sizeof (names) - k, "%s%s", matches ? ", " : "",
                    json_string_value (json_object_get (v, "name")) ?: id);
          matches++;
        }
    }
  json_decref (list);
  if (matches > 1)
    return sb_error (err, 0, "the id prefix %s is ambiguous: it matches %s (give more digits, or the name)", ref,
                     names);
  return sb_error (err, 0, "no such container: %s", ref);
}
