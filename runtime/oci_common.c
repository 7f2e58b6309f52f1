/* What the OCI commands share: global options, the runtime's
   configuration file, errors for the caller, sandboxd's local API, the
   monitors' sockets, our records under --root. */
#include "config.h"
#include "oci.h"
#include "cgroup.h"
#include "sandbox.h"
#include "cleanup.h"
#include "util.h"

#include <confuse.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct oci_globals oci_g = { .root = OCI_DEFAULT_ROOT, .hooks = true };

static const char *
arg_value (int *i, int argc, char **argv, const char *name)
{
  size_t n = strlen (name);

  if (strncmp (argv[*i], name, n) == 0 && argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (strcmp (argv[*i], name) == 0 && *i + 1 < argc)
    return argv[++*i];
  return NULL;
}

/* runc's global options come before the command; the flags a caller adds
   from its runtime configuration (Docker's runtimeArgs) too. Unknown
   options before the command are refused. Returns the index of the
   command, or -1. */
int
oci_parse_globals (int *argc, char ***argv)
{
  int i;

  for (i = 1; i < *argc && (*argv)[i][0] == '-'; i++)
    {
      char **v = *argv;
      const char *val;

      if (strcmp (v[i], "--debug") == 0)
        oci_g.debug = true;
      else if (strcmp (v[i], "--systemd-cgroup") == 0)
        oci_g.systemd_cgroup = true;
      else if ((val = arg_value (&i, *argc, v, "--root")))
        oci_g.root = val;
      else if ((val = arg_value (&i, *argc, v, "--log")))
        oci_g.log = val;
      else if ((val = arg_value (&i, *argc, v, "--log-format")))
        oci_g.log_json = strcmp (val, "json") == 0;
      else if ((val = arg_value (&i, *argc, v, "--config")))
        oci_g.config = val;
      else if ((val = arg_value (&i, *argc, v, "--tenant")))
        oci_g.tenant = strdup (val);
      else if ((val = arg_value (&i, *argc, v, "--sandboxd-socket")))
        oci_g.socket = strdup (val);
      else if ((val = arg_value (&i, *argc, v, "--criu")) || (val = arg_value (&i, *argc, v, "--rootless")))
        ; /* runc's, meaningless here */
      else
        return -1;
    }
  return i;
}

bool
oci_clean_path (const char *p)
{
  size_t n = p ? strlen (p) : 0;

  return p && p[0] == '/' && n < 4000 && strstr (p, "//") == NULL && strstr (p, "/./") == NULL
         && strstr (p, "/../") == NULL && (n < 2 || strcmp (p + n - 2, "/.") != 0)
         && (n < 3 || strcmp (p + n - 3, "/..") != 0);
}

const char *
oci_root_of (const char *p, char *const *roots, int nroots)
{
  if (!oci_clean_path (p))
    return NULL;
  for (int i = 0; i < nroots; i++)
    {
      size_t n = strlen (roots[i]);
      if (strncmp (p, roots[i], n) == 0 && (p[n] == '\0' || p[n] == '/'))
        return roots[i];
    }
  return NULL;
}

bool
oci_path_under (const char *p, char *const *roots, int nroots)
{
  return oci_root_of (p, roots, nroots) != NULL;
}

/* A configuration's list of clean absolute paths below / (file-roots,
   rootfs-roots, shm-roots). */
static int
path_list (cfg_t *cfg, const char *key, const char *path, char ***out, int *n, sb_error_t *err)
{
  *n = (int) cfg_size (cfg, key);
  *out = calloc ((size_t) *n + 1, sizeof (char *));
  if (*out == NULL)
    return sb_error (err, ENOMEM, "allocate");
  for (int i = 0; i < *n; i++)
    {
      const char *p = cfg_getnstr (cfg, key, (unsigned) i);
      if (!oci_clean_path (p) || strcmp (p, "/") == 0)
        return sb_error (err, EINVAL, "the runtime's configuration `%s`: %s: `%s` is not a clean absolute path "
                         "below /", path, key, p);
      (*out)[i] = strdup (p);
    }
  return 0;
}

int
oci_load_config (sb_error_t *err)
{
  cfg_opt_t opts[] = {
    CFG_STR ("tenant", NULL, CFGF_NONE),
    CFG_STR ("sandboxd-socket", "/run/sandboxd/sandboxd.sock", CFGF_NONE),
    CFG_BOOL ("hooks", cfg_true, CFGF_NONE),
    CFG_STR ("disk-quota", "if-supported", CFGF_NONE),
    CFG_STR_LIST ("cgroup-parents", "{}", CFGF_NONE),
    CFG_STR_LIST ("file-roots", OCI_DEFAULT_FILE_ROOTS, CFGF_NONE),
    CFG_STR_LIST ("rootfs-roots", OCI_DEFAULT_ROOTFS_ROOTS, CFGF_NONE),
    CFG_STR_LIST ("shm-roots", OCI_DEFAULT_SHM_ROOTS, CFGF_NONE),
    CFG_END (),
  };
  const char *path = oci_g.config ? oci_g.config : getenv ("SANDBOX_RUNTIME_CONFIG");
  cfg_t *cfg;

  if (path == NULL)
    path = SB_SYSCONFDIR "/sandbox-runtime.conf";
  cfg = cfg_init (opts, CFGF_NONE);
  if (cfg == NULL)
    return sb_error (err, ENOMEM, "allocate");
  if (access (path, F_OK) == 0 || oci_g.config)
    {
      int r = cfg_parse (cfg, path);
      if (r != CFG_SUCCESS)
        {
          cfg_free (cfg);
          return sb_error (err, EINVAL, "the runtime's configuration `%s` does not parse", path);
        }
    }
  if (oci_g.tenant == NULL && cfg_getstr (cfg, "tenant"))
    oci_g.tenant = strdup (cfg_getstr (cfg, "tenant"));
  if (oci_g.socket == NULL)
    oci_g.socket = strdup (cfg_getstr (cfg, "sandboxd-socket"));
  oci_g.hooks = cfg_getbool (cfg, "hooks");
  oci_g.ncgroup_parents = (int) cfg_size (cfg, "cgroup-parents");
  oci_g.cgroup_parents = calloc ((size_t) oci_g.ncgroup_parents + 1, sizeof (char *));
  for (int i = 0; oci_g.cgroup_parents && i < oci_g.ncgroup_parents; i++)
    {
      const char *p = cfg_getnstr (cfg, "cgroup-parents", (unsigned) i);
      if (!sb_cgroup_path_foreign (p) && strcmp (p, "/") != 0)
        {
          sb_error (err, EINVAL, "the runtime's configuration `%s`: cgroup-parents: `%s` is not a clean absolute "
                    "cgroup path outside /sandbox", path, p);
          cfg_free (cfg);
          return -1;
        }
      oci_g.cgroup_parents[i] = strdup (p);
    }
  if (path_list (cfg, "file-roots", path, &oci_g.file_roots, &oci_g.nfile_roots, err) < 0
      || path_list (cfg, "rootfs-roots", path, &oci_g.rootfs_roots, &oci_g.nrootfs_roots, err) < 0
      || path_list (cfg, "shm-roots", path, &oci_g.shm_roots, &oci_g.nshm_roots, err) < 0)
    {
      cfg_free (cfg);
      return -1;
    }
  {
    const char *q = cfg_getstr (cfg, "disk-quota");
    if (strcmp (q, "off") == 0)
      oci_g.disk_quota = OCI_QUOTA_OFF;
    else if (strcmp (q, "if-supported") == 0)
      oci_g.disk_quota = OCI_QUOTA_IF_SUPPORTED;
    else if (strcmp (q, "required") == 0)
      oci_g.disk_quota = OCI_QUOTA_REQUIRED;
    else
      {
        cfg_free (cfg);
        return sb_error (err, EINVAL, "the runtime's configuration `%s`: disk-quota = \"%s\": one of required, "
                         "if-supported, off", path, q);
      }
  }
  cfg_free (cfg);
  return 0;
}

static void
log_line (const char *level, const char *msg)
{
  char when[64];
  FILE *f;

  if (oci_g.log == NULL)
    return;
  f = fopen (oci_g.log, "ae");
  if (f == NULL)
    return;
  sb_now_iso (when, sizeof (when));
  if (oci_g.log_json)
    {
      json_t *o = json_pack ("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
      char *t = json_dumps (o, JSON_COMPACT);
      if (t)
        fprintf (f, "%s\n", t);
      free (t);
      json_decref (o);
    }
  else
    fprintf (f, "time=\"%s\" level=%s msg=\"%s\"\n", when, level, msg);
  fclose (f);
}

void
oci_report (const char *cmd, sb_error_t *err)
{
  char msg[4400];

  snprintf (msg, sizeof (msg), "%s: %s", cmd, *err ? (*err)->msg : "failed");
  fprintf (stderr, "sandbox-runtime %s\n", msg);
  log_line ("error", msg);
}

void
oci_warn (const char *fmt, ...)
{
  char msg[4096];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof (msg), fmt, ap);
  va_end (ap);
  log_line ("warning", msg);
}

void
oci_debug (const char *fmt, ...)
{
  char msg[4096];
  va_list ap;

  if (!oci_g.debug)
    return;
  va_start (ap, fmt);
  vsnprintf (msg, sizeof (msg), fmt, ap);
  va_end (ap);
  log_line ("debug", msg);
}

static int
connect_unix (const char *path, sb_error_t *err)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd;

  if (path == NULL || strlen (path) >= sizeof (sun.sun_path))
    return sb_error (err, EINVAL, "socket `%s`", path ? path : "");
  strcpy (sun.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return sb_error (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &sun, sizeof (sun)) < 0)
    {
      int e = errno;
      close (fd);
      return sb_error (err, e, "connect to `%s`", path);
    }
  return fd;
}

int
oci_sbd_request (const char *method, const char *path, json_t *body, int *status, json_t **answer,
                 sb_error_t *err)
{
  cleanup_close int fd = connect_unix (oci_g.socket, err);
  cleanup_free char *text = body ? json_dumps (body, JSON_COMPACT) : NULL;
  cleanup_free char *head = NULL, *resp = NULL;
  size_t n = 0, cap = 0;
  char *sep;

  *answer = NULL;
  if (fd < 0)
    return sb_error_prefix (err, "sandboxd (is it running? sandboxd-socket of the runtime's configuration)");
  if (asprintf (&head, "%s %s HTTP/1.1\r\nHost: sandboxd\r\nConnection: close\r\nContent-Type: application/json\r\n"
                "Content-Length: %zu\r\n\r\n", method, path, text ? strlen (text) : 0) < 0)
    return sb_error (err, ENOMEM, "allocate");
  if (sb_write_all (fd, head, strlen (head)) < 0 || (text && sb_write_all (fd, text, strlen (text)) < 0))
    return sb_error (err, EPIPE, "write to sandboxd");
  for (;;)
    {
      ssize_t r;
      if (n + 4096 + 1 > cap)
        {
          char *p = realloc (resp, cap = cap ? 2 * cap : 16384);
          if (p == NULL)
            return sb_error (err, ENOMEM, "allocate");
          resp = p;
        }
      r = read (fd, resp + n, cap - n - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n += (size_t) r;
    }
  if (resp == NULL || n < 12 || strncmp (resp, "HTTP/1.", 7) != 0)
    return sb_error (err, EPROTO, "sandboxd gave no answer");
  resp[n] = '\0';
  *status = atoi (resp + 9);
  sep = strstr (resp, "\r\n\r\n");
  if (sep && sep[4])
    *answer = json_loads (sep + 4, JSON_DISABLE_EOF_CHECK, NULL);
  return 0;
}

const char *
oci_sbd_message (json_t *answer)
{
  const char *m = json_string_value (json_object_get (json_object_get (answer, "error"), "message"));
  return m ? m : "sandboxd refused";
}

int
oci_monitor_request (const char *socket, json_t *req, json_t **answer, sb_error_t *err)
{
  cleanup_close int fd = connect_unix (socket, err);
  cleanup_free char *text = json_dumps (req, JSON_COMPACT);
  char buf[65536];
  size_t n = 0;

  *answer = NULL;
  if (fd < 0)
    return -1;
  if (text == NULL || sb_write_all (fd, text, strlen (text)) < 0 || sb_write_all (fd, "\n", 1) < 0)
    return sb_error (err, EPIPE, "write to the container's monitor");
  while (n < sizeof (buf) - 1)
    {
      ssize_t r = read (fd, buf + n, sizeof (buf) - 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n += (size_t) r;
      if (memchr (buf, '\n', n))
        break;
    }
  buf[n] = '\0';
  *answer = json_loads (buf, JSON_DISABLE_EOF_CHECK, NULL);
  if (*answer == NULL)
    return sb_error (err, EPROTO, "the container's monitor gave no answer");
  return 0;
}

bool
oci_valid_id (const char *id)
{
  size_t n = strlen (id);

  if (n == 0 || n > 1024 || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9')
          || id[i] == '_' || id[i] == '-' || id[i] == '.' || id[i] == '+'))
      return false;
  return true;
}

static int
record_path (const char *id, char *out, size_t len, sb_error_t *err)
{
  if (!oci_valid_id (id))
    return sb_error (err, EINVAL, "invalid container id `%s`", id);
  snprintf (out, len, "%s/%s/state.json", oci_g.root, id);
  return 0;
}

/* jansson keeps an integer in an int64: a bare number above INT64_MAX
   makes it refuse the whole text. The engines write exactly such numbers
   for an unlimited rlimit (Go's uint64 of -1: `docker run --ulimit
   memlock=-1:-1`). Here they become -1, which is RLIM_INFINITY again once
   read back as unsigned (monitor_oci.c). Numbers inside strings, reals
   and negative numbers are left as they are. */
static char *
unlimited_as_minus_one (const char *text)
{
  size_t n = strlen (text), o = 0;
  char *out = malloc (n + 1);
  bool in_string = false;

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n;)
    {
      if (in_string)
        {
          if (text[i] == '\\' && i + 1 < n)
            {
              out[o++] = text[i++];
              out[o++] = text[i++];
              continue;
            }
          in_string = text[i] != '"';
          out[o++] = text[i++];
          continue;
        }
      if (text[i] == '"')
        in_string = true;
      if (text[i] >= '0' && text[i] <= '9' && (i == 0 || !strchr ("-.eE+0123456789", text[i - 1])))
        {
          size_t j = i;
          while (j < n && text[j] >= '0' && text[j] <= '9')
            j++;
          if ((j >= n || !strchr (".eE", text[j]))
              && (j - i > 19 || (j - i == 19 && strncmp (text + i, "9223372036854775807", 19) > 0)))
            {
              out[o++] = '-';
              out[o++] = '1';
              i = j;
              continue;
            }
          memcpy (out + o, text + i, j - i);
          o += j - i;
          i = j;
          continue;
        }
      out[o++] = text[i++];
    }
  out[o] = '\0';
  return out;
}

json_t *
oci_load_json (const char *path, sb_error_t *err)
{
  json_error_t jerr;
  json_t *o = json_load_file (path, 0, &jerr);

  if (o == NULL && strstr (jerr.text, "too big integer"))
    {
      cleanup_free char *text = NULL, *fixed = NULL;
      size_t len = 0;
      FILE *f = fopen (path, "re");
      if (f)
        {
          ssize_t r = getdelim (&text, &len, '\0', f);
          fclose (f);
          if (r > 0 && (size_t) r == strlen (text) && (fixed = unlimited_as_minus_one (text)) != NULL)
            o = json_loads (fixed, 0, &jerr);
        }
    }
  if (o == NULL)
    sb_error (err, errno == ENOENT ? ENOENT : EINVAL, "`%s`: %s", path, jerr.text);
  return o;
}

int
oci_record_load (const char *id, json_t **rec, sb_error_t *err)
{
  char path[4400];

  if (record_path (id, path, sizeof (path), err) < 0)
    return -1;
  if (access (path, F_OK) < 0)
    return sb_error (err, ENOENT, "container `%s` does not exist", id);
  *rec = oci_load_json (path, err);
  return *rec ? 0 : -1;
}

int
oci_record_save (const char *id, json_t *rec, sb_error_t *err)
{
  char path[4400], dir[4400];
  cleanup_free char *text = json_dumps (rec, JSON_INDENT (1));
  int r;

  if (record_path (id, path, sizeof (path), err) < 0)
    return -1;
  /* mkdir -p of --root, as runc makes it. */
  snprintf (dir, sizeof (dir), "%s", oci_g.root);
  for (char *p = dir + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        mkdir (dir, 0711);
        *p = '/';
      }
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", dir);
  snprintf (dir, sizeof (dir), "%s/%s", oci_g.root, id);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", dir);
  r = text ? sb_write_atomic (path, text, strlen (text), 0600) : -ENOMEM;
  if (r < 0)
    return sb_error (err, -r, "write `%s`", path);
  return 0;
}

void
oci_record_remove (const char *id)
{
  char dir[4400];

  if (!oci_valid_id (id))
    return;
  snprintf (dir, sizeof (dir), "%s/%s", oci_g.root, id);
  sb_remove_tree (AT_FDCWD, dir);
}

const char *
oci_cgroup_name (json_t *rec)
{
  const char *path = json_string_value (json_object_get (rec, "cgroup"));

  return path && sb_cgroup_path_ok (path) ? path : json_string_value (json_object_get (rec, "sbd_id")) ?: "-";
}

int
oci_cgroup_dirs (json_t *rec, char dirs[][4200], int max)
{
  struct sb_cgroup cg;
  int n = 0;

  if (sb_cgroup_open_named (&cg, sb_cgroup_root (), oci_cgroup_name (rec), NULL) < 0)
    return 0;
  for (; n < cg.ndirs && n < max; n++)
    snprintf (dirs[n], 4200, "%s", cg.dirs[n]);
  sb_cgroup_close (&cg);
  return n;
}

/* The state runc reports. The pid is the monitor's: the process the
   caller waits for, whose end is the container's. */
json_t *
oci_state_of (json_t *rec)
{
  const char *sock = json_string_value (json_object_get (rec, "socket"));
  const char *status = "stopped";
  json_t *ans = NULL, *req = json_pack ("{s:s}", "op", "status");
  sb_error_t err = NULL;
  json_int_t pid = json_integer_value (json_object_get (rec, "pid"));

  if (oci_monitor_request (sock, req, &ans, &err) == 0)
    {
      const char *st = json_string_value (json_object_get (ans, "state"));
      if (st && strcmp (st, "created") == 0)
        status = "created";
      else if (st && strcmp (st, "running") == 0)
        status = "running";
    }
  else if (pid > 0 && pid <= INT_MAX && sb_wait_exit ((pid_t) pid, 0) == -ETIMEDOUT
           && !json_is_true (json_object_get (rec, "started")))
    status = "creating"; /* its monitor still runs (one that has ended and is not yet reaped has not) */
  sb_error_free (&err);
  json_decref (req);
  json_decref (ans);
  if (strcmp (status, "running") == 0)
    {
      char dirs[8][4200], path[4400], buf[32] = "";
      int n = oci_cgroup_dirs (rec, dirs, 8);
      for (int i = 0; i < n; i++)
        {
          FILE *f;
          snprintf (path, sizeof (path), "%.4200s/app/%s", dirs[i], strstr (dirs[i], "/freezer/") ? "freezer.state" : "cgroup.freeze");
          if ((f = fopen (path, "re")) == NULL)
            continue;
          if (fgets (buf, sizeof (buf), f) && (strncmp (buf, "FROZEN", 6) == 0 || strncmp (buf, "1", 1) == 0))
            status = "paused";
          fclose (f);
        }
    }
  return json_pack ("{s:s, s:O, s:I, s:s, s:O, s:O, s:O, s:s, s:O}", "ociVersion", OCI_VERSION, "id",
                    json_object_get (rec, "id"), "pid", strcmp (status, "stopped") == 0 ? (json_int_t) 0 : pid,
                    "status", status, "bundle", json_object_get (rec, "bundle"), "rootfs",
                    json_object_get (rec, "rootfs"), "created", json_object_get (rec, "created"), "owner", "",
                    "annotations", json_object_get (rec, "annotations") ?: json_object ());
}

json_t *
oci_bundle_config (const char *bundle, sb_error_t *err)
{
  char path[4200];

  snprintf (path, sizeof (path), "%s/config.json", bundle);
  return oci_load_json (path, err);
}
