/* libFuzzer target for what sandboxd parses from a client: `make fuzz-api`.

   An input is one API request, in this form:

     METHOD TARGET\n          as on an HTTP request line ("POST /v1/containers?x=1")
     SUBJECT\n                the client certificate's subject as OpenSSL prints
                              it (RFC 2253); "-" for no certificate; "local" (or
                              "local:UID") for the Unix socket
     BODY                     the rest

   It goes through the daemon's own code, unchanged: server.c's dispatch()
   (included below: it is static) with identify(), the path split, the
   query parsing, the route tables of routes.c and their matching, the
   admin and tenant checks, the JSON body, and then whichever verb the
   route names (api_*.c, linked as they are), against a fixed world of two
   tenants (loaded from policy files by tenants.c) and four containers
   (containers.c's records, built here). Only what would reach outside is
   replaced, by the linker's --wrap (the list is in policy/Makefile.inc):
   the connection and TLS accessors of libevent and OpenSSL hand over this
   input's method, URI and subject; replies are checked, then freed as
   libevent frees a request without a connection; creating, starting,
   stopping, removing containers and waiting for them only check what they
   were given and answer at once; the monitors' sockets do not exist.

   Checked beyond what ASan and UBSan catch (abort on failure):
   - every request gets exactly one answer (a reply, a stream, or an
     upgrade to a raw stream);
   - a JSON answer parses, and an error (>= 400) is {"error":{"code","message"}};
   - what create accepts is narrowed to the tenant's policy: limits, image,
     hostname, volumes under its volume-roots, the container count; cmd and
     env lists of strings; an absolute clean cwd; user ids below 65536;
   - what exec hands a monitor: argv and env lists of strings, user ids
     below 65536.

   An input that starts with "FRAMES\n" goes instead to the frame decoder
   of attach and exec streams (daemon/monitor/monitor_clients.c,
   monitor_client_readable), after two bytes: the mode (bit 0 exec, bit 1
   terminal, bit 2 stdin allowed to an attach client, bit 3 the exec
   session has ended) and the size of the pieces the frames arrive in. What reaches the process's stdin must be exactly what
   a plain reading of the frames gives. */
#include "../daemon/server.c"
#include "../daemon/monitor/monitor.h"
#include "images.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/ioctl.h>

struct sbd *sbd;

static void
check (bool ok, const char *what)
{
  if (!ok)
    {
      fprintf (stderr, "api_fuzz: invariant broken: %s\n", what);
      abort ();
    }
}

/* ---- the world: two tenants, four containers ------------------------------------- */

static const char alpha_conf[] =
  "tenant = \"alpha\"\n"
  "certificate-subject = \"CN=alpha,O=Test\"\n"
  "id-range = \"300000000-300065535\"\n"
  "hostname-pattern = \"alpha-*\"\n"
  "hostname = \"alpha-box\"\n"
  "images = {\"host\", \"debian:*\"}\n"
  "limits { memory = 512M  cpus = 1.5  pids = 100  containers = 4  exec-sessions = 2 }\n"
  "filesystem {\n"
  "  volume-roots = {\"/srv/alpha\", \"/data/alpha/\"}\n"
  "  volume cache { source = \"/srv/alpha/cache\"  target = \"/cache\" }\n"
  "}\n";

static const char beta_conf[] =
  "tenant = \"beta\"\n"
  "certificate-subject = \"O=Test+CN=beta\"\n"
  "id-range = \"300065536-300131071\"\n";

static char world_dir[4096];
static struct sbd world;

static void
remove_world (void)
{
  if (sb_remove_tree (AT_FDCWD, world_dir) < 0)
    fprintf (stderr, "api_fuzz: could not remove %s\n", world_dir);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  char path[8192];
  FILE *f;

  snprintf (path, sizeof (path), "%s/%s", dir, name);
  f = fopen (path, "we");
  check (f != NULL && fputs (text, f) >= 0 && fclose (f) == 0, "write the world's files");
}

static void
add_container (const char *id, const char *name, const char *tenant, enum sbd_state state)
{
  struct sbd_container *c = calloc (1, sizeof (*c));

  check (c != NULL, "allocate");
  snprintf (c->id, sizeof (c->id), "%s", id);
  snprintf (c->name, sizeof (c->name), "%s", name);
  snprintf (c->tenant, sizeof (c->tenant), "%s", tenant);
  c->config = json_pack ("{s:s, s:[s,s], s:[s], s:s, s:{s:s}, s:{s:i, s:i, s:[]}}", "image", "host", "cmd",
                         "/bin/busybox", "sh", "env", "PATH=/bin", "cwd", "/", "labels", "app", "web",
                         "user", "uid", 0, "gid", 0, "groups");
  c->state = state;
  c->ready_fd = -1;
  snprintf (c->created, sizeof (c->created), "2026-01-01T00:00:00Z");
  if (state != SBD_CREATED)
    snprintf (c->started, sizeof (c->started), "2026-01-01T00:00:01Z");
  c->next = sbd->containers;
  sbd->containers = c;
}

/* The same four records before every input: verbs change them. */
static void
reset_containers (void)
{
  while (sbd->containers)
    {
      struct sbd_container *c = sbd->containers;
      sbd->containers = c->next;
      json_decref (c->config);
      json_decref (c->syscalls);
      free (c);
    }
  add_container ("aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111", "web", "alpha", SBD_RUNNING);
  add_container ("aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222", "old", "alpha", SBD_EXITED);
  add_container ("aaaa3333aaaa3333aaaa3333aaaa3333aaaa3333aaaa3333aaaa3333aaaa3333", "new", "alpha", SBD_CREATED);
  add_container ("bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111", "web", "beta", SBD_RUNNING);
}

static void
init_world (void)
{
  static char *admins[] = { (char *) "CN=admin,O=Test", NULL };
  char path[4400], log[256];
  cleanup_error sb_error_t err = NULL;

  /* In the current directory (fuzz/ under `make fuzz-api`), not in /tmp:
     a run that stops at a finding does not remove it. */
  check (getcwd (world_dir, sizeof (world_dir) - 32) != NULL, "getcwd");
  strcat (world_dir, "/api_fuzz-world.XXXXXX");
  check (mkdtemp (world_dir) != NULL, "mkdtemp");
  atexit (remove_world);
  snprintf (path, sizeof (path), "%s/tenants", world_dir);
  check (mkdir (path, 0700) == 0, "mkdir tenants");
  write_file (path, "alpha.conf", alpha_conf);
  write_file (path, "beta.conf", beta_conf);
  sbd = &world;
  world.cfg.tenants_dir = strdup (path);
  snprintf (path, sizeof (path), "%s/state", world_dir);
  check (mkdir (path, 0700) == 0, "mkdir state");
  world.cfg.state_dir = strdup (path);
  /* No monitor sockets here: every request to a monitor fails at connect. */
  snprintf (path, sizeof (path), "%s/run", world_dir);
  world.cfg.run_dir = strdup (path);
  snprintf (path, sizeof (path), "%s/defaults.conf", world_dir);
  world.cfg.policy_base = strdup (path);
  world.cfg.admin_subjects = admins;
  world.cfg.nadmin_subjects = 1;
  world.cfg.max_connections = 256;
  world.cfg.unix_socket = (char *) "";
  world.audit.fd = world.audit.lockfd = -1;   /* audit lines are built, not written */
  world.base = event_base_new ();
  check (world.base != NULL, "event_base_new");
  check (sbd_tenants_load (&world, &err) == 0 && world.ntenants == 2, "the tenants load");
  snprintf (path, sizeof (path), "%s/state/images", world_dir);
  check (sb_images_open (&world.images, path, &err) == 0, "the image store opens");
  for (int i = 0; i < world.ntenants; i++)
    check (world.tenants[i].policy != NULL, "each tenant's policy loads");
  /* A container log to tail (its lines are the monitor's, not the client's). */
  snprintf (path, sizeof (path), "%s/state/containers", world_dir);
  check (mkdir (path, 0700) == 0, "mkdir state/containers");
  snprintf (path, sizeof (path), "%s/state/containers/aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111",
            world_dir);
  check (mkdir (path, 0700) == 0, "mkdir a container's directory");
  snprintf (log, sizeof (log), "{\"time\":\"t\",\"stream\":\"stdout\",\"log\":\"one\\n\"}\n"
                               "{\"time\":\"t\",\"stream\":\"stderr\",\"log\":\"two\\n\"}\nnot json\n");
  write_file (path, "container.log", log);
  setenv ("SANDBOX_CGROUP_ROOT", world_dir, 1);
}

/* ---- this input, as the wrapped accessors hand it over ------------------------------- */

static struct
{
  enum evhttp_cmd_type method;
  struct evhttp_uri *uri;
  const char *subject;         /* NULL: no certificate */
  uid_t peer_uid;
  int answers;                 /* replies, stream starts, upgrades */
  bool req_freed;              /* libevent freed the request (a reply without a connection) */
  void (*closecb) (struct evhttp_connection *, void *);
  void *closecb_arg;
} in;

/* Stand-ins for the connection objects: never dereferenced by our code. */
static char fake_evcon, fake_bev, fake_ssl;
#define FAKE_EVCON ((struct evhttp_connection *) &fake_evcon)
#define FAKE_BEV ((struct bufferevent *) &fake_bev)
#define FAKE_SSL ((SSL *) &fake_ssl)

const struct evhttp_uri *
__wrap_evhttp_request_get_evhttp_uri (const struct evhttp_request *req)
{
  (void) req;
  return in.uri;
}

enum evhttp_cmd_type
__wrap_evhttp_request_get_command (const struct evhttp_request *req)
{
  (void) req;
  return in.method;
}

struct evhttp_connection *
__wrap_evhttp_request_get_connection (struct evhttp_request *req)
{
  (void) req;
  return FAKE_EVCON;
}

struct bufferevent *
__wrap_evhttp_connection_get_bufferevent (struct evhttp_connection *evcon)
{
  check (evcon == FAKE_EVCON, "the connection is the request's");
  return FAKE_BEV;
}

void
__wrap_evhttp_connection_set_closecb (struct evhttp_connection *evcon,
                                      void (*cb) (struct evhttp_connection *, void *), void *arg)
{
  check (evcon == FAKE_EVCON, "the connection is the request's");
  in.closecb = cb;
  in.closecb_arg = arg;
}

void
__wrap_evhttp_connection_free (struct evhttp_connection *evcon)
{
  check (evcon == FAKE_EVCON, "the connection is the request's");
}

evutil_socket_t
__wrap_bufferevent_getfd (struct bufferevent *bev)
{
  check (bev == FAKE_BEV, "the bufferevent is the connection's");
  return 1000;
}

int
__wrap_getsockopt (int fd, int level, int name, void *val, socklen_t *len)
{
  struct ucred cred = { .pid = 1, .uid = in.peer_uid, .gid = 0 };

  check (fd == 1000 && level == SOL_SOCKET && name == SO_PEERCRED && *len >= sizeof (cred),
         "getsockopt only asks for the local peer's credentials");
  memcpy (val, &cred, sizeof (cred));
  return 0;
}

SSL *
__wrap_bufferevent_openssl_get_ssl (struct bufferevent *bev)
{
  check (bev == FAKE_BEV, "the bufferevent is the connection's");
  return FAKE_SSL;
}

X509 *
__wrap_SSL_get1_peer_certificate (const SSL *ssl)
{
  check (ssl == FAKE_SSL, "the SSL is the connection's");
  return in.subject ? X509_new () : NULL;
}

/* The subject as identify() gets it: XN_FLAG_RFC2253 escapes control
   characters and bytes with the high bit set as \XX, so it is ASCII. */
int
__wrap_X509_NAME_print_ex (BIO *out, const X509_NAME *nm, int indent, unsigned long flags)
{
  int n = 0;

  (void) nm;
  (void) indent;
  check (flags == XN_FLAG_RFC2253, "the subject is printed as RFC 2253");
  for (const unsigned char *p = (const unsigned char *) in.subject; *p; p++)
    {
      char esc[4];
      if (*p < 0x20 || *p >= 0x7f)
        {
          snprintf (esc, sizeof (esc), "\\%02X", *p);
          n += BIO_write (out, esc, 3);
        }
      else
        n += BIO_write (out, p, 1);
    }
  return n;
}

/* sbd_hijack's writes to the client's connection. */
void
__wrap_bufferevent_setcb (struct bufferevent *bev, bufferevent_data_cb r, bufferevent_data_cb w,
                          bufferevent_event_cb e, void *arg)
{
  (void) r;
  (void) w;
  (void) e;
  (void) arg;
  check (bev == FAKE_BEV, "the bufferevent is the connection's");
  in.answers++;   /* the upgrade: the stream is the answer */
}

int
__wrap_bufferevent_set_timeouts (struct bufferevent *bev, const struct timeval *r, const struct timeval *w)
{
  (void) r;
  (void) w;
  check (bev == FAKE_BEV, "the bufferevent is the connection's");
  return 0;
}

int
__wrap_bufferevent_write (struct bufferevent *bev, const void *data, size_t n)
{
  (void) data;
  (void) n;
  check (bev == FAKE_BEV, "the bufferevent is the connection's");
  return 0;
}

/* ---- answers -------------------------------------------------------------------------- */

void __real_evhttp_send_reply (struct evhttp_request *, int, const char *, struct evbuffer *);
void __real_evhttp_send_reply_start (struct evhttp_request *, int, const char *);
void __real_evhttp_send_reply_end (struct evhttp_request *);

static void
check_error_body (json_t *b)
{
  json_t *e = json_object_get (b, "error");

  check (json_is_object (e) && json_is_string (json_object_get (e, "code"))
         && json_is_string (json_object_get (e, "message")), "an error answer is {\"error\":{\"code\",\"message\"}}");
}

void
__wrap_evhttp_send_reply (struct evhttp_request *req, int code, const char *reason, struct evbuffer *buf)
{
  const char *type = evhttp_find_header (evhttp_request_get_output_headers (req), "Content-Type");
  size_t n = buf ? evbuffer_get_length (buf) : 0;

  check (code >= 200 && code <= 599, "a status code from 200 to 599");
  check (reason != NULL, "a reason phrase");
  if (type && strcmp (type, "application/json") == 0)
    {
      json_error_t jerr;
      json_t *b = n ? json_loadb ((const char *) evbuffer_pullup (buf, -1), n, 0, &jerr) : NULL;
      check (b != NULL, "a JSON answer has a body that parses");
      if (code >= 400)
        check_error_body (b);
      json_decref (b);
    }
  else
    check (code < 400, "an error answer is JSON");
  in.answers++;
  in.req_freed = true;   /* without a connection, libevent frees the request */
  __real_evhttp_send_reply (req, code, reason, buf);
}

void
__wrap_evhttp_send_reply_start (struct evhttp_request *req, int code, const char *reason)
{
  check (code == 200, "a stream starts with 200");
  in.answers++;
  __real_evhttp_send_reply_start (req, code, reason);
}

void
__wrap_evhttp_send_reply_end (struct evhttp_request *req)
{
  in.req_freed = true;
  __real_evhttp_send_reply_end (req);
}

/* ---- containers: what create and exec accept ---------------------------------------- */

static void
check_ids (json_t *user)
{
  size_t i;
  json_t *g;

  if (user == NULL)
    return;
  check (json_is_object (user), "user is an object");
  check (json_is_integer (json_object_get (user, "uid")) && json_integer_value (json_object_get (user, "uid")) >= 0
         && json_integer_value (json_object_get (user, "uid")) < 65536, "user.uid: 0..65535");
  check (json_is_integer (json_object_get (user, "gid")) && json_integer_value (json_object_get (user, "gid")) >= 0
         && json_integer_value (json_object_get (user, "gid")) < 65536, "user.gid: 0..65535");
  check (json_is_array (json_object_get (user, "groups")), "user.groups is a list");
  json_array_foreach (json_object_get (user, "groups"), i, g)
    check (json_is_integer (g) && json_integer_value (g) >= 0 && json_integer_value (g) < 65536,
           "user.groups: ids 0..65535");
}

static void
check_strings (json_t *a, bool nonempty, const char *what)
{
  size_t i;
  json_t *v;

  check (json_is_array (a) && (!nonempty || json_array_size (a) > 0), what);
  json_array_foreach (a, i, v)
    check (json_is_string (v), what);
}

static bool
under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  while (n > 1 && dir[n - 1] == '/')
    n--;
  return strcmp (dir, "/") == 0 || (strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

static bool
clean_path (const char *p)
{
  size_t n = p ? strlen (p) : 0;

  return n > 0 && p[0] == '/' && strstr (p, "/../") == NULL && !(n >= 3 && strcmp (p + n - 3, "/..") == 0);
}

static struct sbd_container created;

struct sbd_container *
__wrap_sbd_container_create (struct sbd *d, struct sbd_tenant *t, json_t *cfg, sb_error_t *err)
{
  const struct sb_policy *p = t->policy;
  json_t *limits = json_object_get (cfg, "limits"), *v;
  const char *image = json_string_value (json_object_get (cfg, "image"));
  const char *hostname = json_string_value (json_object_get (cfg, "hostname"));
  const char *name = json_string_value (json_object_get (cfg, "name"));
  int live = 0;
  size_t i;

  (void) err;
  check (d == sbd && t >= d->tenants && t < d->tenants + d->ntenants, "create: a tenant of ours");
  check (image && strcmp (image, "host") == 0, "create: the only image there is");
  if (p->nimages)
    {
      bool ok = false;
      for (int k = 0; k < p->nimages && !ok; k++)
        ok = fnmatch (p->images[k], image, 0) == 0;
      check (ok, "create: an image the policy allows");
    }
  check_strings (json_object_get (cfg, "cmd"), true, "create: cmd is a non-empty list of strings");
  check_strings (json_object_get (cfg, "env"), false, "create: env is a list of strings");
  check (hostname && sb_policy_hostname_allowed (p, hostname), "create: a hostname the policy allows");
  if (name)
    {
      check (strlen (name) >= 1 && strlen (name) <= 128, "create: a name of 1..128");
      for (const char *s = name; *s; s++)
        check ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
               || (s > name && strchr ("_.-", *s)), "create: a name of letters, digits, _ . -");
    }
  check (clean_path (json_string_value (json_object_get (cfg, "cwd"))), "create: an absolute cwd without ..");
  check_ids (json_object_get (cfg, "user"));
  check (json_is_object (limits), "create: limits");
  if ((v = json_object_get (limits, "memory")) != NULL)
    check (json_is_integer (v) && json_integer_value (v) > 0
           && (!p->memory_bytes || (uint64_t) json_integer_value (v) <= p->memory_bytes),
           "create: memory within the policy");
  if ((v = json_object_get (limits, "cpu_millis")) != NULL)
    check (json_is_integer (v) && json_integer_value (v) > 0
           && (!p->cpu_millis || json_integer_value (v) <= p->cpu_millis), "create: cpus within the policy");
  if ((v = json_object_get (limits, "pids")) != NULL)
    check (json_is_integer (v) && json_integer_value (v) >= 1
           && (!p->pids || json_integer_value (v) <= p->pids), "create: pids within the policy");
  check (json_is_array (json_object_get (cfg, "volumes"))
         && json_array_size (json_object_get (cfg, "volumes")) + (size_t) p->nvolumes <= SB_POLICY_MAX_VOLUMES,
         "create: at most SB_POLICY_MAX_VOLUMES volumes");
  json_array_foreach (json_object_get (cfg, "volumes"), i, v)
    {
      const char *src = json_string_value (json_object_get (v, "source"));
      const char *dst = json_string_value (json_object_get (v, "target"));
      bool inside = false;
      check (clean_path (src) && clean_path (dst), "create: volume paths are absolute, without ..");
      check (strcmp (dst, "/") != 0 && !under (dst, "/proc") && !under (dst, "/sys") && !under (dst, "/dev"),
             "create: no volume on /, /proc, /sys, /dev");
      for (int k = 0; k < p->nvolume_roots && !inside; k++)
        inside = under (src, p->volume_roots[k]);
      check (inside, "create: a volume source under the tenant's volume-roots");
      check (json_is_boolean (json_object_get (v, "read_only")), "create: volume read_only is a boolean");
    }
  check (json_is_string (json_object_get (cfg, "restart")), "create: restart");
  check (json_is_boolean (json_object_get (cfg, "tty")) && json_is_boolean (json_object_get (cfg, "stdin")),
         "create: tty and stdin are booleans");
  check (json_is_object (json_object_get (cfg, "labels")), "create: labels is an object");
  for (struct sbd_container *c = d->containers; c; c = c->next)
    if (strcmp (c->tenant, t->name) == 0 && c->state != SBD_EXITED)
      live++;
  check (!p->max_containers || live < (int) p->max_containers, "create: within the container count");

  memset (&created, 0, sizeof (created));
  snprintf (created.id, sizeof (created.id), "cccc%060d", 0);
  snprintf (created.name, sizeof (created.name), "%s", name ? name : "generated");
  snprintf (created.tenant, sizeof (created.tenant), "%s", t->name);
  created.config = cfg;
  return &created;
}

int
__wrap_sbd_container_start (struct sbd *d, struct sbd_container *c, sb_error_t *err)
{
  (void) d;
  (void) err;
  check (c->state != SBD_RUNNING && c->state != SBD_STARTING, "start: not already running");
  return 0;
}

void
__wrap_sbd_container_stop (struct sbd_container *c, int timeout)
{
  check (timeout >= 0 && timeout <= 3600, "stop: a timeout of 0..3600 s");
  c->stop_requested = true;
}

int
__wrap_sbd_container_remove (struct sbd *d, struct sbd_container *c, sb_error_t *err)
{
  (void) d;
  check (c->state != SBD_RUNNING && c->state != SBD_STARTING, "remove: not running");
  if (strcmp (c->name, "old") == 0)
    return 0;
  return sb_error (err, EIO, "remove `%s`: not in this world", c->name);
}

/* start and wait are answered when the container has started or ended: here, now. */
void
__wrap_sbd_add_waiter (struct sbd_container *c, struct sbd_request *r, bool start)
{
  (void) c;
  if (start)
    sbd_reply_empty (r, 204);
  else
    sbd_reply_json (r, 200, json_pack ("{s:i, s:b}", "exit_code", 0, "oom_killed", false));
}

int __real_sbd_monitor_stream (struct sbd_container *, json_t *, struct evhttp_connection *, void (*) (void *),
                               void *, sb_error_t *);

int
__wrap_sbd_monitor_stream (struct sbd_container *c, json_t *req, struct evhttp_connection *evcon,
                           void (*on_done) (void *), void *arg, sb_error_t *err)
{
  const char *op = json_string_value (json_object_get (req, "op"));

  check (op != NULL, "a monitor request names its op");
  if (strcmp (op, "exec") == 0)
    {
      const char *cwd = json_string_value (json_object_get (req, "cwd"));
      check_strings (json_object_get (req, "argv"), true, "exec: argv is a non-empty list of strings");
      check_strings (json_object_get (req, "env"), false, "exec: env is a list of strings");
      check (cwd && cwd[0] == '/', "exec: an absolute cwd");
      check_ids (json_object_get (req, "user"));
    }
  /* The monitor's socket does not exist: this fails as a gone monitor does. */
  return __real_sbd_monitor_stream (c, req, evcon, on_done, arg, err);
}

/* ---- one request ---------------------------------------------------------------------- */

/* Fires what a verb left pending (a followed log's timer) once. */
static int
collect_event (const struct event_base *base, const struct event *ev, void *arg)
{
  struct event **list = arg;

  (void) base;
  for (int i = 0; i < 16; i++)
    if (list[i] == NULL)
      {
        list[i] = (struct event *) ev;
        break;
      }
  return 0;
}

static void
run_request (const char *text, size_t size)
{
  const char *nl1 = memchr (text, '\n', size), *nl2, *sp;
  char *line, *subject, *target;
  struct evhttp_request *req;
  struct event *pending[16] = { 0 };
  bool local = false;

  if (nl1 == NULL || (nl2 = memchr (nl1 + 1, '\n', size - (size_t) (nl1 + 1 - text))) == NULL)
    return;
  line = strndup (text, (size_t) (nl1 - text));
  subject = strndup (nl1 + 1, (size_t) (nl2 - nl1 - 1));
  check (line && subject, "allocate");
  memset (&in, 0, sizeof (in));
  /* The request line as evhttp splits it: METHOD SP URI [SP VERSION]. */
  sp = strchr (line, ' ');
  target = sp ? (char *) sp + 1 : NULL;
  if (target && (sp = strchr (target, ' ')) != NULL)
    *(char *) sp = '\0';
  if (strncmp (line, "GET ", 4) == 0)
    in.method = EVHTTP_REQ_GET;
  else if (strncmp (line, "POST ", 5) == 0)
    in.method = EVHTTP_REQ_POST;
  else if (strncmp (line, "PUT ", 4) == 0)
    in.method = EVHTTP_REQ_PUT;
  else if (strncmp (line, "DELETE ", 7) == 0)
    in.method = EVHTTP_REQ_DELETE;
  else
    goto out;   /* evhttp refuses other methods itself (allowed methods) */
  /* What evhttp_parse_request_line does with the URI. */
  in.uri = target ? evhttp_uri_parse_with_flags (target, EVHTTP_URI_NONCONFORMANT) : NULL;
  if (in.uri == NULL)
    goto out;   /* evhttp answers 400 itself */
  if (strncmp (subject, "local", 5) == 0 && (subject[5] == '\0' || subject[5] == ':'))
    {
      local = true;
      in.peer_uid = subject[5] ? (uid_t) strtoul (subject + 6, NULL, 10) : 0;
    }
  else if (strcmp (subject, "-") != 0)
    in.subject = subject;

  reset_containers ();
  req = evhttp_request_new (NULL, NULL);
  check (req != NULL, "evhttp_request_new");
  evbuffer_add (evhttp_request_get_input_buffer (req), nl2 + 1, size - (size_t) (nl2 + 1 - text));
  dispatch (req, NULL, local);

  /* The client leaves: what waits for it (a log being followed, an event
     subscription) lets go, and what was pending runs once. */
  if (in.closecb)
    {
      void (*cb) (struct evhttp_connection *, void *) = in.closecb;
      in.closecb = NULL;
      cb (FAKE_EVCON, in.closecb_arg);
    }
  event_base_foreach_event (sbd->base, collect_event, pending);
  for (int i = 0; i < 16 && pending[i]; i++)
    event_active (pending[i], EV_TIMEOUT, 1);
  event_base_loop (sbd->base, EVLOOP_NONBLOCK);

  check (in.answers == 1, "exactly one answer per request");
  check (sbd->subscribers == NULL, "no event subscriber outlives its client");
  if (!in.req_freed)
    evhttp_request_free (req);
out:
  if (in.uri)
    evhttp_uri_free (in.uri);
  free (line);
  free (subject);
}

/* ---- attach and exec frames -------------------------------------------------------------- */

static struct monitor mon;

/* The bytes the process's stdin gets from these frames, read plainly. */
static size_t
expected_stdin (const uint8_t *p, size_t n, bool term, bool allowed, uint8_t *out)
{
  size_t o = 0;
  bool open = true;

  while (allowed && n >= 8)
    {
      size_t len = ((size_t) p[4] << 24) | ((size_t) p[5] << 16) | ((size_t) p[6] << 8) | p[7];
      if (len > 65536 || n < 8 + len)
        break;
      if (p[0] == SB_FRAME_STDIN && open)
        {
          memcpy (out + o, p + 8, len);
          o += len;
        }
      else if (p[0] == SB_FRAME_STDIN_CLOSE && open)
        {
          if (term)
            out[o++] = 0x04;
          else
            open = false;
        }
      p += 8 + len;
      n -= 8 + len;
    }
  return o;
}

static void
run_frames (const uint8_t *data, size_t size)
{
  static uint8_t want[1 << 20], got[1 << 20];
  uint8_t mode, piece;
  int sink[2], feed[2], *target;
  bool exec, term, gone, allowed, fed = false;
  size_t nwant, ngot = 0, off = 0;
  struct monitor_client *c = &mon.clients[0];

  if (size < 2 || size > 256 * 1024)
    return;
  mode = data[0];
  piece = data[1];
  data += 2;
  size -= 2;
  exec = mode & 1;
  term = mode & 2;
  gone = exec && (mode & 8);   /* the exec session has ended meanwhile */
  /* Only attach clients ask for stdin; an exec client writes to its session's. */
  allowed = exec ? !gone : (mode & 4) != 0;
  check (pipe2 (sink, O_CLOEXEC) == 0 && pipe2 (feed, O_CLOEXEC | O_NONBLOCK) == 0, "pipes");
  /* Both pipes hold the whole input: the decoder's writes to stdin block. */
  if (fcntl (sink[1], F_SETPIPE_SZ, 1 << 20) < (int) size || fcntl (feed[1], F_SETPIPE_SZ, 1 << 20) < (int) size)
    {
      close (sink[0]);
      close (sink[1]);
      close (feed[0]);
      close (feed[1]);
      return;
    }

  for (int i = 0; i < MONITOR_CLIENTS; i++)
    mon.clients[i].fd = -1;
  memset (mon.execs, 0, sizeof (mon.execs));
  mon.master = mon.sb.app_in = -1;
  /* Where the bytes go; without a session, the container's own stdin gets
     the sink, so that a stray write shows. */
  if (exec && !gone)
    {
      mon.execs[3] = (struct monitor_exec) { .id = 7, .client = 0, .tty = term, .in = -1, .out = -1, .err = -1 };
      target = &mon.execs[3].in;
    }
  else
    target = term ? &mon.master : &mon.sb.app_in;
  *target = sink[1];
  memset (c, 0, sizeof (*c));
  c->fd = feed[0];
  c->kind = exec ? MC_EXEC : MC_ATTACH;
  c->exec_id = exec ? 7 : 0;
  c->stdin_allowed = !exec && allowed;

  /* The frames arrive in pieces of `piece` bytes (0: all at once), then
     the end of the stream. */
  while (c->fd >= 0)
    {
      size_t k = piece ? piece : size;
      if (off < size)
        {
          k = k < size - off ? k : size - off;
          check (write (feed[1], data + off, k) == (ssize_t) k, "feed the frames");
          off += k;
        }
      if (off == size && !fed)
        {
          close (feed[1]);
          fed = true;
        }
      monitor_client_readable (&mon, 0);
      if (c->fd >= 0)
        check (c->nin < sizeof (c->in), "the receive buffer never fills up");
    }
  if (!fed)
    close (feed[1]);
  /* The decoder closed the process's stdin on STDIN_CLOSE, or we do now. */
  if (*target >= 0)
    close (*target);
  for (ssize_t r; (r = read (sink[0], got + ngot, sizeof (got) - ngot)) > 0;)
    ngot += (size_t) r;
  close (sink[0]);
  nwant = expected_stdin (data, size, term, allowed, want);
  check (ngot == nwant && memcmp (got, want, ngot) == 0, "stdin gets exactly the STDIN frames' bytes");
}

/* ---- the monitor's other parts, not reached from frames ---------------------------------------- */

json_t *
monitor_status (struct monitor *m)
{
  (void) m;
  return json_pack ("{s:s}", "state", "running");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static bool ready;

  if (!ready)
    {
      init_world ();
      ready = true;
    }
  if (size >= 7 && memcmp (data, "FRAMES\n", 7) == 0)
    run_frames (data + 7, size - 7);
  else
    run_request ((const char *) data, size);
  return 0;
}
