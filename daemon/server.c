/* The API's transport: TLS listeners (mutual TLS, TLS 1.2 at least, the
   client certificate verified against the CA and the CRL), the root-only
   Unix socket, the optional plain /metrics listener; who is calling; the
   route table; JSON replies and errors; taking a connection over for a raw
   stream. No HTTP or TLS is written here: libevent's evhttp parses
   requests, OpenSSL (through libevent's bufferevents) does TLS. */
#include "sandboxd.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/queue.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- TLS ------------------------------------------------------------------------ */

static int conn_index = -1;
static bool listeners_paused;

static void
set_listeners (struct sbd *d, bool enable)
{
  for (int i = 0; i < d->ntls_listeners; i++)
    {
      if (enable)
        evconnlistener_enable (d->tls_listeners[i]);
      else
        evconnlistener_disable (d->tls_listeners[i]);
    }
  listeners_paused = !enable;
}

/* Called when an SSL object is freed: one TLS connection fewer. */
static void
connection_gone (void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
  (void) parent;
  (void) ad;
  (void) idx;
  (void) argl;
  (void) argp;
  if (ptr == NULL || sbd == NULL)
    return;
  sbd->connections--;
  if (listeners_paused && sbd->connections < sbd->cfg.max_connections)
    set_listeners (sbd, true);
}

static char *
ssl_errors (void)
{
  static char buf[512];
  unsigned long e = ERR_get_error ();

  if (e == 0)
    return (char *) "unknown error";
  ERR_error_string_n (e, buf, sizeof (buf));
  ERR_clear_error ();
  return buf;
}

/* The CRL file (PEM, any number of CRLs): every client certificate is
   checked against it. */
static int
load_crl (SSL_CTX *ctx, const char *path, sb_error_t *err)
{
  X509_STORE *store = SSL_CTX_get_cert_store (ctx);
  X509_LOOKUP *lookup;

  if (path == NULL)
    return 0;
  lookup = X509_STORE_add_lookup (store, X509_LOOKUP_file ());
  if (lookup == NULL || X509_load_crl_file (lookup, path, X509_FILETYPE_PEM) <= 0)
    return sb_error (err, EINVAL, "the CRL `%s`: %s", path, ssl_errors ());
  X509_STORE_set_flags (store, X509_V_FLAG_CRL_CHECK);
  return 0;
}

static SSL_CTX *
new_ssl_ctx (struct sbd_config *c, sb_error_t *err)
{
  SSL_CTX *ctx = SSL_CTX_new (TLS_server_method ());
  STACK_OF (X509_NAME) *names;

  if (ctx == NULL)
    {
      sb_error (err, ENOMEM, "TLS: %s", ssl_errors ());
      return NULL;
    }
  /* TLS 1.2 at least (1.3 when the client has it: OpenSSL prefers it). */
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  SSL_CTX_set_options (ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file (ctx, c->cert) != 1)
    {
      sb_error (err, EINVAL, "the server certificate `%s`: %s", c->cert, ssl_errors ());
      goto fail;
    }
  if (SSL_CTX_use_PrivateKey_file (ctx, c->key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key (ctx) != 1)
    {
      sb_error (err, EINVAL, "the server key `%s`: %s", c->key, ssl_errors ());
      goto fail;
    }
  if (SSL_CTX_load_verify_locations (ctx, c->ca, NULL) != 1 || (names = SSL_load_client_CA_file (c->ca)) == NULL)
    {
      sb_error (err, EINVAL, "the CA `%s`: %s", c->ca, ssl_errors ());
      goto fail;
    }
  SSL_CTX_set_client_CA_list (ctx, names);
  /* A client without a certificate, or with one the CA did not sign, or
     expired, or revoked, does not get past the handshake. */
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
  if (load_crl (ctx, c->crl, err) < 0)
    goto fail;
  return ctx;
fail:
  SSL_CTX_free (ctx);
  return NULL;
}

int
sbd_tls_reload_crl (struct sbd *d, sb_error_t *err)
{
  SSL_CTX *ctx;

  if (d->cfg.nlisten == 0)
    return 0;
  ctx = new_ssl_ctx (&d->cfg, err);
  if (ctx == NULL)
    return -1;
  /* New connections get the new context; open ones keep theirs (refcounted). */
  SSL_CTX_free (d->ssl);
  d->ssl = ctx;
  return 0;
}

static struct bufferevent *
tls_bev (struct event_base *base, void *arg)
{
  struct sbd *d = arg;
  SSL *ssl = SSL_new (d->ssl);

  if (ssl == NULL)
    return NULL;
  SSL_set_ex_data (ssl, conn_index, (void *) 1);
  d->connections++;
  if (d->connections >= d->cfg.max_connections)
    set_listeners (d, false);
  return bufferevent_openssl_socket_new (base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                         BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
}

/* ---- who is calling ----------------------------------------------------------- */

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A subject in a form that compares equal whatever the order of its
   attributes ("CN=acme,O=Example" and "O=Example,CN=acme"): its "K=V"
   parts (split at unescaped ',' and '+', spaces around them dropped, the
   attribute names upper-cased), sorted, joined with ','. */
void
sbd_subject_normalize (const char *in, char *out, size_t len)
{
  char buf[1024], *parts[64];
  int n = 0;
  size_t i, o = 0, start = 0;

  snprintf (buf, sizeof (buf), "%s", in);
  for (i = 0;; i++)
    {
      if (buf[i] == '\\' && buf[i + 1])
        {
          i++;
          continue;
        }
      if (buf[i] == ',' || buf[i] == '+' || buf[i] == '\0')
        {
          bool end = buf[i] == '\0';
          char *p = buf + start;
          buf[i] = '\0';
          while (*p == ' ')
            p++;
          for (char *q = p + strlen (p); q > p && q[-1] == ' ';)
            *--q = '\0';
          for (char *q = p; *q && *q != '='; q++)
            if (*q >= 'a' && *q <= 'z')
              *q = (char) (*q - 'a' + 'A');
          if (*p && n < 64)
            parts[n++] = p;
          start = i + 1;
          if (end)
            break;
        }
    }
  qsort (parts, (size_t) n, sizeof (parts[0]), cmp_str);
  out[0] = '\0';
  for (int k = 0; k < n && o < len; k++)
    o += (size_t) snprintf (out + o, len - o, "%s%s", k ? "," : "", parts[k]);
}

static bool
identify (struct sbd *d, struct sbd_request *r, bool local)
{
  struct evhttp_connection *evcon = evhttp_request_get_connection (r->req);
  struct bufferevent *bev = evhttp_connection_get_bufferevent (evcon);

  if (local)
    {
      struct ucred cred;
      socklen_t len = sizeof (cred);
      if (getsockopt (bufferevent_getfd (bev), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0)
        return false;
      snprintf (r->subject, sizeof (r->subject), "uid:0");
      r->admin = true;
      return true;
    }
  {
    SSL *ssl = bufferevent_openssl_get_ssl (bev);
    X509 *cert = ssl ? SSL_get1_peer_certificate (ssl) : NULL;
    BIO *mem;
    int n;

    if (cert == NULL)
      return false;
    mem = BIO_new (BIO_s_mem ());
    X509_NAME_print_ex (mem, X509_get_subject_name (cert), 0, XN_FLAG_RFC2253);
    n = BIO_read (mem, r->subject, sizeof (r->subject) - 1);
    r->subject[n > 0 ? n : 0] = '\0';
    BIO_free (mem);
    X509_free (cert);
  }
  {
    char mine[1024], theirs[1024];
    sbd_subject_normalize (r->subject, mine, sizeof (mine));
    for (int i = 0; i < d->cfg.nadmin_subjects; i++)
      {
        sbd_subject_normalize (d->cfg.admin_subjects[i], theirs, sizeof (theirs));
        if (strcmp (theirs, mine) == 0)
          {
            r->admin = true;
            return true;
          }
      }
    r->tenant = sbd_tenant_by_subject (d, mine);
  }
  return true;
}

/* ---- replies ------------------------------------------------------------------ */

static const char *
reason (int status)
{
  switch (status)
    {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void
finished (struct sbd_request *r, int status)
{
  r->status = status;
  sbd_metrics_request (r->verb ? r->verb : "unknown", status);
}

void
sbd_reply_json (struct sbd_request *r, int status, json_t *body)
{
  struct evbuffer *buf = evbuffer_new ();
  char *text = json_dumps (body, JSON_COMPACT);

  json_decref (body);
  evhttp_add_header (evhttp_request_get_output_headers (r->req), "Content-Type", "application/json");
  if (text)
    {
      evbuffer_add (buf, text, strlen (text));
      evbuffer_add (buf, "\n", 1);
    }
  free (text);
  evhttp_send_reply (r->req, status, reason (status), buf);
  evbuffer_free (buf);
  finished (r, status);
}

void
sbd_reply_error (struct sbd_request *r, int status, const char *code, const char *fmt, ...)
{
  char *msg = NULL;
  json_t *m;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  m = json_string (msg ? msg : code);
  if (m == NULL && msg)
    {
      /* The message quotes the request (a path, a name), which need not be UTF-8. */
      for (char *p = msg; *p; p++)
        if ((unsigned char) *p >= 0x80)
          *p = '?';
      m = json_string (msg);
    }
  sbd_reply_json (r, status, json_pack ("{s:{s:s, s:o}}", "error", "code", code, "message", m ? m : json_string (code)));
  free (msg);
}

void
sbd_reply_empty (struct sbd_request *r, int status)
{
  evhttp_send_reply (r->req, status, reason (status), NULL);
  finished (r, status);
}

const char *
sbd_query (struct sbd_request *r, const char *key)
{
  return evhttp_find_header (&r->query, key);
}

bool
sbd_query_bool (struct sbd_request *r, const char *key, bool dflt)
{
  const char *v = sbd_query (r, key);

  if (v == NULL)
    return dflt;
  if (strcmp (v, "1") == 0 || strcmp (v, "true") == 0 || strcmp (v, "yes") == 0 || v[0] == '\0')
    return true;
  if (strcmp (v, "0") == 0 || strcmp (v, "false") == 0 || strcmp (v, "no") == 0)
    return false;
  return dflt;
}

/* ---- answers given later ------------------------------------------------------- */

struct sbd_deferred
{
  struct evhttp_request *req;
  struct evhttp_connection *evcon;
  const char *verb;
  bool gone;
};

static void
deferred_gone (struct evhttp_connection *evcon, void *arg)
{
  struct sbd_deferred *d = arg;

  (void) evcon;
  d->gone = true;
}

struct sbd_deferred *
sbd_defer (struct sbd_request *r)
{
  struct sbd_deferred *d = calloc (1, sizeof (*d));

  if (d == NULL)
    return NULL;
  d->req = r->req;
  d->evcon = evhttp_request_get_connection (r->req);
  d->verb = r->verb;
  evhttp_connection_set_closecb (d->evcon, deferred_gone, d);
  return d;
}

void
sbd_deferred_reply (struct sbd_deferred *d, int status, json_t *body)
{
  if (!d->gone)
    {
      struct sbd_request r = { .req = d->req, .verb = d->verb };
      evhttp_connection_set_closecb (d->evcon, NULL, NULL);
      if (body)
        sbd_reply_json (&r, status, body);
      else
        sbd_reply_empty (&r, status);
    }
  else
    json_decref (body);
  free (d);
}

/* ---- streams -------------------------------------------------------------------- */

void
sbd_stream_start (struct sbd_request *r, const char *content_type)
{
  struct evhttp_connection *evcon = evhttp_request_get_connection (r->req);
  struct timeval wt = { .tv_sec = (time_t) sbd->cfg.request_timeout };

  evhttp_add_header (evhttp_request_get_output_headers (r->req), "Content-Type", content_type);
  evhttp_send_reply_start (r->req, 200, "OK");
  /* An idle stream stays open (evhttp's read timeout would end it); a
     client that stops reading what we have for it is cut off. */
  bufferevent_set_timeouts (evhttp_connection_get_bufferevent (evcon), NULL, &wt);
  sbd_metrics_request (r->verb, 200);
}

struct bufferevent *
sbd_hijack (struct sbd_request *r)
{
  struct evhttp_connection *evcon = evhttp_request_get_connection (r->req);
  struct bufferevent *bev = evhttp_connection_get_bufferevent (evcon);
  static const char upgraded[] = "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n"
                                 "Upgrade: sandbox-stream\r\n"
                                 "Content-Type: application/vnd.sandbox.stream\r\n\r\n";

  /* evhttp waits for this request's reply and never gets one: the
     connection is ours until evhttp_connection_free (sbd_unhijack). */
  bufferevent_setcb (bev, NULL, NULL, NULL, NULL);
  bufferevent_set_timeouts (bev, NULL, NULL);
  bufferevent_write (bev, upgraded, sizeof (upgraded) - 1);
  finished (r, 101);
  return bev;
}

/* ---- dispatch ------------------------------------------------------------------ */

static bool
match (const char *pattern, struct sbd_request *r)
{
  char buf[256], *save = NULL, *seg;
  int n = 0;

  snprintf (buf, sizeof (buf), "%s", pattern);
  for (seg = strtok_r (buf, "/", &save); seg; seg = strtok_r (NULL, "/", &save), n++)
    {
      if (n >= r->nparts)
        return false;
      if (seg[0] != ':' && strcmp (seg, r->parts[n]) != 0)
        return false;
    }
  return n == r->nparts;
}

/* The path, decoded, for messages; its segments, each decoded on its own
   (an image name may hold a '/', sent as %2F). A segment that decodes to
   something with a NUL, ".", ".." or too many segments match nothing. */
static void
split_path (struct sbd_request *r, const char *path)
{
  char *save = NULL, *seg, *at;

  r->path = evhttp_uridecode (path, 0, NULL);
  r->nparts = 0;
  r->partbuf = strdup (path);
  if (r->path == NULL || r->partbuf == NULL)
    return;
  at = r->partbuf;
  for (seg = strtok_r (r->partbuf, "/", &save); seg; seg = strtok_r (NULL, "/", &save))
    {
      size_t n;
      char *dec = evhttp_uridecode (seg, 0, &n);
      if (r->nparts == 8 || dec == NULL || strlen (dec) != n || strcmp (dec, ".") == 0 || strcmp (dec, "..") == 0)
        {
          free (dec);
          r->nparts = 0; /* matches nothing: every route has segments */
          return;
        }
      /* Decoded is never longer: it fits where the segment was. */
      memmove (at, dec, n + 1);
      r->parts[r->nparts++] = at;
      at += n + 1;
      free (dec);
    }
}

static void
dispatch (struct evhttp_request *req, void *arg, bool local)
{
  struct sbd *d = sbd;
  struct sbd_request r = { .req = req };
  const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri (req);
  enum evhttp_cmd_type method = evhttp_request_get_command (req);
  const struct sbd_route *route = NULL;
  bool path_known = false;

  (void) arg;
  TAILQ_INIT (&r.query);
  split_path (&r, evhttp_uri_get_path (uri) ? evhttp_uri_get_path (uri) : "/");
  if (evhttp_uri_get_query (uri))
    evhttp_parse_query_str (evhttp_uri_get_query (uri), &r.query);
  if (!identify (d, &r, local))
    {
      r.verb = "unauthenticated";
      sbd_reply_error (&r, 401, "unauthenticated", "the caller could not be identified");
      goto out;
    }
  for (int t = 0; sbd_route_tables[t] && route == NULL; t++)
    for (const struct sbd_route *rt = sbd_route_tables[t]; rt->pattern; rt++)
      if (match (rt->pattern, &r))
        {
          path_known = true;
          if (rt->method == method)
            {
              route = rt;
              break;
            }
        }
  if (route == NULL)
    {
      r.verb = "unknown";
      if (path_known)
        sbd_reply_error (&r, 405, "method_not_allowed", "%s does not take this method", r.path);
      else
        sbd_reply_error (&r, 404, "not_found", "no such endpoint: %s", r.path ? r.path : "?");
      goto out;
    }
  r.verb = route->verb;
  if (!r.admin && r.tenant == NULL && strcmp (route->verb, "health") != 0)
    {
      sbd_audit (&r, r.path, "denied-unknown-subject");
      sbd_reply_error (&r, 403, "forbidden", "the certificate subject `%s` names no tenant", r.subject);
      goto out;
    }
  if ((route->flags & SBD_ADMIN_ONLY) && !r.admin)
    {
      sbd_audit (&r, r.path, "denied-admin-only");
      sbd_reply_error (&r, 403, "forbidden", "%s is for administrators", route->verb);
      goto out;
    }
  if (route->flags & SBD_JSON_BODY)
    {
      struct evbuffer *in = evhttp_request_get_input_buffer (req);
      size_t n = evbuffer_get_length (in);
      json_error_t jerr;

      r.body = n ? json_loadb ((const char *) evbuffer_pullup (in, -1), n, 0, &jerr) : json_object ();
      if (!json_is_object (r.body))
        {
          sbd_reply_error (&r, 400, "bad_request", "the body is not a JSON object%s%s",
                           r.body ? "" : ": ", r.body ? "" : jerr.text);
          goto out;
        }
    }
  route->handler (&r);
out:
  json_decref (r.body);
  evhttp_clear_headers (&r.query);
  free (r.path);
  free (r.partbuf);
}

static void
dispatch_tls (struct evhttp_request *req, void *arg)
{
  dispatch (req, arg, false);
}

static void
dispatch_local (struct evhttp_request *req, void *arg)
{
  dispatch (req, arg, true);
}

static void
serve_metrics (struct evhttp_request *req, void *arg)
{
  struct evbuffer *buf;
  char *text;

  (void) arg;
  if (strcmp (evhttp_request_get_uri (req), "/metrics") != 0)
    {
      evhttp_send_error (req, 404, NULL);
      return;
    }
  text = sbd_metrics_text (sbd);
  buf = evbuffer_new ();
  evbuffer_add (buf, text, strlen (text));
  evhttp_add_header (evhttp_request_get_output_headers (req), "Content-Type",
                     "text/plain; version=0.0.4");
  evhttp_send_reply (req, 200, "OK", buf);
  evbuffer_free (buf);
  free (text);
}

/* ---- listeners ------------------------------------------------------------------ */

static int
parse_address (const char *addr, struct sockaddr_storage *ss, int *len, sb_error_t *err)
{
  *len = (int) sizeof (*ss);
  if (evutil_parse_sockaddr_port (addr, (struct sockaddr *) ss, len) < 0)
    return sb_error (err, EINVAL, "listen: `%s` is not ADDRESS:PORT", addr);
  return 0;
}

static struct evhttp *
new_http (struct sbd *d, void (*cb) (struct evhttp_request *, void *))
{
  struct evhttp *h = evhttp_new (d->base);

  evhttp_set_gencb (h, cb, d);
  evhttp_set_max_body_size (h, (ev_ssize_t) d->cfg.max_body);
  evhttp_set_max_headers_size (h, 64 * 1024);
  evhttp_set_timeout (h, (int) d->cfg.request_timeout);
  evhttp_set_allowed_methods (h, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE | EVHTTP_REQ_PUT);
  return h;
}

static int
listen_unix (struct sbd *d, sb_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  struct evconnlistener *lev;
  mode_t old;
  int fd, r;

  if (strlen (d->cfg.unix_socket) >= sizeof (sun.sun_path))
    return sb_error (err, ENAMETOOLONG, "unix-socket `%s`", d->cfg.unix_socket);
  strcpy (sun.sun_path, d->cfg.unix_socket);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return sb_error (err, errno, "socket");
  unlink (d->cfg.unix_socket);
  old = umask (077);
  r = bind (fd, (struct sockaddr *) &sun, sizeof (sun));
  umask (old);
  if (r < 0 || chmod (d->cfg.unix_socket, 0600) < 0 || listen (fd, 128) < 0)
    {
      close (fd);
      return sb_error (err, errno, "listen on `%s`", d->cfg.unix_socket);
    }
  lev = evconnlistener_new (d->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
  if (lev == NULL || evhttp_bind_listener (d->local, lev) == NULL)
    return sb_error (err, errno, "listen on `%s`", d->cfg.unix_socket);
  return 0;
}

int
sbd_server_start (struct sbd *d, sb_error_t *err)
{
  if (conn_index < 0)
    conn_index = SSL_get_ex_new_index (0, NULL, NULL, NULL, connection_gone);
  if (d->cfg.nlisten > 0)
    {
      d->ssl = new_ssl_ctx (&d->cfg, err);
      if (d->ssl == NULL)
        return -1;
      d->https = new_http (d, dispatch_tls);
      evhttp_set_bevcb (d->https, tls_bev, d);
      d->tls_listeners = calloc ((size_t) d->cfg.nlisten, sizeof (*d->tls_listeners));
      for (int i = 0; i < d->cfg.nlisten; i++)
        {
          struct sockaddr_storage ss;
          int len, one = 1;
          struct evconnlistener *lev;
          if (parse_address (d->cfg.listen[i], &ss, &len, err) < 0)
            return -1;
          lev = evconnlistener_new_bind (d->base, NULL, NULL,
                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
                                         128, (struct sockaddr *) &ss, len);
          if (lev == NULL)
            return sb_error (err, errno, "listen on %s", d->cfg.listen[i]);
          /* Accepted sockets inherit it. Without it a reply written as
             several TLS records waits for the client's delayed ACK (40 ms). */
          setsockopt (evconnlistener_get_fd (lev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
          if (evhttp_bind_listener (d->https, lev) == NULL)
            return sb_error (err, errno, "listen on %s", d->cfg.listen[i]);
          d->tls_listeners[d->ntls_listeners++] = lev;
        }
    }
  if (d->cfg.unix_socket[0])
    {
      d->local = new_http (d, dispatch_local);
      if (listen_unix (d, err) < 0)
        return -1;
    }
  if (d->cfg.metrics_listen)
    {
      struct sockaddr_storage ss;
      struct sockaddr_in *in = (struct sockaddr_in *) &ss;
      char host[64];
      int len;
      if (parse_address (d->cfg.metrics_listen, &ss, &len, err) < 0)
        return -1;
      /* Plain HTTP, without client certificates: only on the loopback. */
      if (ss.ss_family != AF_INET || (ntohl (in->sin_addr.s_addr) >> 24) != 127)
        return sb_error (err, EINVAL, "metrics-listen `%s`: plain HTTP only on an IPv4 loopback address",
                         d->cfg.metrics_listen);
      d->metrics_http = evhttp_new (d->base);
      evhttp_set_gencb (d->metrics_http, serve_metrics, d);
      evhttp_set_timeout (d->metrics_http, (int) d->cfg.request_timeout);
      evutil_inet_ntop (AF_INET, &in->sin_addr, host, sizeof (host));
      if (evhttp_bind_socket (d->metrics_http, host, ntohs (in->sin_port)) < 0)
        return sb_error (err, errno, "listen on %s", d->cfg.metrics_listen);
    }
  return 0;
}
