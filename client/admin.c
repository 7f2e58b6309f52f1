/* `admin init` and the administrator's directory (see admin.h): the CA,
   sandboxd's certificate, the admin's bundle, sandboxd.conf and the base
   policy; reading them back for the tenant verbs; the certificates'
   records and the CRL. */
#include "client.h"
#include "admin.h"
#include "settings.h"
#include "policy/conf.h"
#include "policy/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define ADMIN_SUBJECT "CN=sandboxctl-admin,O=sandbox admins"

const char *
sbc_admin_default_dir (void)
{
  const char *e = getenv ("SANDBOXCTL_ADMIN_DIR");
  return e && e[0] ? e : SB_SYSCONFDIR "/sandboxd";
}

/* ---- reading sandboxd.conf (the keys the admin verbs need) ------------------------------ */

static char *conf_error;

__attribute__ ((format (printf, 2, 0))) static void
conf_on_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  char *msg;
  if (conf_error)
    return;
  msg = sb_conf_translate (cfg, fmt, ap, NULL);
  if (asprintf (&conf_error, "%s:%d: %s", cfg->filename ? cfg->filename : "?", cfg->line, msg ? msg : "error") < 0)
    conf_error = NULL;
  free (msg);
}

static int
read_daemon_conf (struct sbc_admin *a, sb_error_t *err)
{
  static cfg_opt_t any[] = { CFG_STR ("__unknown", NULL, CFGF_NONE), CFG_END () };
  static cfg_opt_t tls[] = { CFG_STR ("ca", NULL, CFGF_NONE), CFG_STR ("cert", NULL, CFGF_NONE),
                             CFG_STR ("key", NULL, CFGF_NONE), CFG_STR ("crl", "", CFGF_NONE),
                             CFG_STR ("__unknown", NULL, CFGF_NONE), CFG_END () };
  static cfg_opt_t opts[] = {
    CFG_SEC ("tls", tls, CFGF_IGNORE_UNKNOWN),
    CFG_SEC ("limits", any, CFGF_IGNORE_UNKNOWN),
    CFG_STR ("tenants-dir", SB_SYSCONFDIR "/sandboxd/tenants", CFGF_NONE),
    CFG_STR ("policy-base", SB_SYSCONFDIR "/sandboxd/defaults.conf", CFGF_NONE),
    CFG_STR ("run-dir", "/run/sandboxd", CFGF_NONE),
    CFG_STR_LIST ("listen", "{0.0.0.0:7443}", CFGF_NONE),
    CFG_STR_LIST ("admin-subjects", NULL, CFGF_NONE),
    CFG_STR ("__unknown", NULL, CFGF_NONE),
    CFG_END (),
  };
  char path[4200];
  cfg_t *cfg;
  int rc;

  snprintf (path, sizeof (path), "%s/sandboxd.conf", a->dir);
  if (access (path, R_OK) < 0)
    return sb_error (err, 0, "%s is not set up (no %s: run `%s admin init%s%s` first)", a->dir, path, PROG,
                     strcmp (a->dir, SB_SYSCONFDIR "/sandboxd") ? " --dir " : "",
                     strcmp (a->dir, SB_SYSCONFDIR "/sandboxd") ? a->dir : "");
  pthread_mutex_lock (&sb_conf_lock);
  conf_error = NULL;
  cfg = cfg_init (opts, CFGF_IGNORE_UNKNOWN);
  cfg_set_error_function (cfg, conf_on_error);
  rc = cfg_parse (cfg, path);
  if (rc != CFG_SUCCESS)
    {
      sb_error (err, 0, "%s", conf_error ? conf_error : "cannot parse sandboxd.conf");
      cfg_free (cfg);
      free (conf_error);
      conf_error = NULL;
      pthread_mutex_unlock (&sb_conf_lock);
      return -1;
    }
  a->tenants_dir = strdup (cfg_getstr (cfg, "tenants-dir"));
  a->policy_base = strdup (cfg_getstr (cfg, "policy-base"));
  a->run_dir = strdup (cfg_getstr (cfg, "run-dir"));
  {
    cfg_t *t = cfg_getsec (cfg, "tls");
    const char *crl = t ? cfg_getstr (t, "crl") : NULL;
    const char *ca = t ? cfg_getstr (t, "ca") : NULL;
    char def[4200];
    snprintf (def, sizeof (def), "%s/crl.pem", a->dir);
    a->crl = strdup (crl && crl[0] ? crl : def);
    snprintf (def, sizeof (def), "%s/ca.pem", a->dir);
    a->ca_pem = strdup (ca && ca[0] ? ca : def);
  }
  cfg_free (cfg);
  pthread_mutex_unlock (&sb_conf_lock);
  return 0;
}

int
sbc_admin_open (struct sbc_admin *a, const char *dir, sb_error_t *err)
{
  char path[4200];

  memset (a, 0, sizeof (*a));
  snprintf (a->dir, sizeof (a->dir), "%s", dir ? dir : sbc_admin_default_dir ());
  if (read_daemon_conf (a, err) < 0)
    return -1;
  snprintf (path, sizeof (path), "%s/ca/ca.key", a->dir);
  if (access (path, R_OK) < 0)
    return sb_error (err, errno, "the CA key %s (the tenant verbs run where `admin init` ran, as root)", path);
  if ((a->ca_key = sbc_pki_read_key (path, err)) == NULL || (a->ca = sbc_pki_read_cert (a->ca_pem, err)) == NULL)
    return -1;
  snprintf (path, sizeof (path), "%s/ca/issued.json", a->dir);
  a->issued = json_load_file (path, 0, NULL);
  if (!json_is_array (a->issued))
    {
      json_decref (a->issued);
      a->issued = json_array ();
    }
  snprintf (path, sizeof (path), "%s/ca/store.json", a->dir);
  a->store = json_load_file (path, 0, NULL);
  if (!json_is_object (a->store))
    {
      json_decref (a->store);
      a->store = json_object ();
    }
  return 0;
}

void
sbc_admin_close (struct sbc_admin *a)
{
  free (a->tenants_dir);
  free (a->policy_base);
  free (a->crl);
  free (a->ca_pem);
  free (a->run_dir);
  X509_free (a->ca);
  EVP_PKEY_free (a->ca_key);
  json_decref (a->issued);
  json_decref (a->store);
  memset (a, 0, sizeof (*a));
}

static int
save_json (const char *path, json_t *j, sb_error_t *err)
{
  char *text = json_dumps (j, JSON_INDENT (2));
  int ret;

  if (text == NULL)
    return sb_error (err, ENOMEM, "allocate");
  ret = sbc_write_file_atomic (path, text, 0600, err);
  free (text);
  return ret;
}

int
sbc_admin_save (struct sbc_admin *a, sb_error_t *err)
{
  char path[4200];

  snprintf (path, sizeof (path), "%s/ca/issued.json", a->dir);
  if (save_json (path, a->issued, err) < 0)
    return -1;
  snprintf (path, sizeof (path), "%s/ca/store.json", a->dir);
  return save_json (path, a->store, err);
}

static void
now_iso (char *out, size_t len)
{
  time_t t = time (NULL);
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (out, len, "%Y%m%d%H%M%SZ", &tm);
}

int
sbc_admin_issue_client (struct sbc_admin *a, const char *subject, const char *tenant, int days,
                        const char *cert_path, const char *key_path, char *serial, size_t serial_len,
                        sb_error_t *err)
{
  EVP_PKEY *key = sbc_pki_new_key (err);
  X509 *cert;
  char until[64];
  int ret = -1;

  if (key == NULL)
    return -1;
  cert = sbc_pki_issue (key, subject, a->ca, a->ca_key, days, SBC_CERT_CLIENT, NULL, serial, serial_len, err);
  if (cert == NULL)
    goto out;
  if (sbc_pki_write_key (key_path, key, err) < 0 || sbc_pki_write_cert (cert_path, cert, err) < 0)
    goto out;
  sbc_pki_not_after (cert, until, sizeof (until));
  json_array_append_new (a->issued, json_pack ("{s:s, s:s, s:s, s:s, s:b}", "serial", serial, "subject", subject,
                                               "tenant", tenant, "not_after", until, "revoked", 0));
  ret = sbc_admin_save (a, err);
out:
  X509_free (cert);
  EVP_PKEY_free (key);
  return ret;
}

static int
write_crl (struct sbc_admin *a, sb_error_t *err)
{
  long number = (long) json_integer_value (json_object_get (a->store, "crl_number")) + 1;

  json_object_set_new (a->store, "crl_number", json_integer (number));
  if (sbc_pki_write_crl (a->crl, a->ca, a->ca_key, a->issued, number, err) < 0)
    return -1;
  return sbc_admin_save (a, err);
}

int
sbc_admin_revoke (struct sbc_admin *a, const char *tenant, sb_error_t *err)
{
  size_t i;
  json_t *v;
  int n = 0;
  char when[32];

  now_iso (when, sizeof (when));
  json_array_foreach (a->issued, i, v)
    if (strcmp (json_string_value (json_object_get (v, "tenant")) ?: "", tenant) == 0
        && !json_is_true (json_object_get (v, "revoked")))
      {
        json_object_set_new (v, "revoked", json_true ());
        json_object_set_new (v, "revoked_at", json_string (when));
        n++;
      }
  if (write_crl (a, err) < 0)
    return -1;
  return n;
}

/* sandboxd's pid: its pid file (detached), or the peer of its local
   socket (in the foreground); checked to be a sandboxd. */
static pid_t
daemon_pid (struct sbc_admin *a, const char *socket_path)
{
  char path[4300], exe[4096], buf[32];
  pid_t pid = 0;
  FILE *f;
  ssize_t n;

  snprintf (path, sizeof (path), "%s/sandboxd.pid", a->run_dir);
  if ((f = fopen (path, "re")) != NULL)
    {
      if (fgets (buf, sizeof (buf), f))
        pid = (pid_t) atoi (buf);
      fclose (f);
    }
  if (pid <= 0 && socket_path)
    {
      struct sockaddr_un sun = { .sun_family = AF_UNIX };
      struct ucred cred;
      socklen_t len = sizeof (cred);
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      snprintf (sun.sun_path, sizeof (sun.sun_path), "%s", socket_path);
      if (fd >= 0 && connect (fd, (struct sockaddr *) &sun, sizeof (sun)) == 0
          && getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        pid = cred.pid;
      if (fd >= 0)
        close (fd);
    }
  if (pid <= 0)
    return 0;
  snprintf (path, sizeof (path), "/proc/%d/exe", (int) pid);
  n = readlink (path, exe, sizeof (exe) - 1);
  if (n <= 0)
    return 0;
  exe[n] = '\0';
  n = (ssize_t) strlen (exe);
  if (n < 9 || strcmp (exe + n - 9, "/sandboxd") != 0)
    return 0;
  return pid;
}

int
sbc_admin_reload (struct sbc_admin *a, struct sbc *c, bool crl, sb_error_t *err)
{
  struct sbc_reply r;
  const char *server = sbc_settings (c)->server;
  bool reads_crl;

  if (sbc_request (c, "POST", "/v1/tenants/reload", NULL, &r, err) < 0)
    return sb_error_prefix (err, "tell sandboxd to reload");
  if (r.status != 200 && r.status != 422)
    {
      sbc_reply_error (&r, NULL, err);
      sbc_reply_clear (&r);
      return sb_error_prefix (err, "tell sandboxd to reload");
    }
  reads_crl = json_is_true (json_object_get (r.json, "crl"));
  sbc_reply_clear (&r);
  if (crl && !reads_crl)
    {
      /* This sandboxd reads the CRL again on SIGHUP only. */
      pid_t pid = daemon_pid (a, strncmp (server, "unix://", 7) == 0 ? server + 7 : NULL);
      if (pid <= 0 || kill (pid, SIGHUP) < 0)
        return sb_error (err, 0, "the CRL %s was written, but sandboxd could not be told to read it: send it SIGHUP "
                         "(kill -HUP $(cat %s/sandboxd.pid))", a->crl, a->run_dir);
      /* It reads the CRL in its loop: give it a moment. */
      usleep (300000);
    }
  return 0;
}

/* ---- admin init ----------------------------------------------------------------------- */

static void
add_name (char **names, int *n, int max, const char *name)
{
  for (int i = 0; i < *n; i++)
    if (strcmp (names[i], name) == 0)
      return;
  if (*n < max)
    names[(*n)++] = strdup (name);
}

static void
default_names (char **names, int *n, int max)
{
  char host[256];
  struct ifaddrs *ifs, *i;

  if (gethostname (host, sizeof (host)) == 0)
    add_name (names, n, max, host);
  add_name (names, n, max, "localhost");
  add_name (names, n, max, "127.0.0.1");
  add_name (names, n, max, "::1");
  if (getifaddrs (&ifs) == 0)
    {
      for (i = ifs; i; i = i->ifa_next)
        {
          char addr[INET6_ADDRSTRLEN];
          if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
          if (i->ifa_addr->sa_family == AF_INET6
              && IN6_IS_ADDR_LINKLOCAL (&((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr))
            continue;
          if (getnameinfo (i->ifa_addr, i->ifa_addr->sa_family == AF_INET ? sizeof (struct sockaddr_in)
                                                                            : sizeof (struct sockaddr_in6),
                           addr, sizeof (addr), NULL, 0, NI_NUMERICHOST) == 0)
            add_name (names, n, max, addr);
        }
      freeifaddrs (ifs);
    }
}

static const char base_policy[] =
  "# The provider's base policy: every tenant policy in tenants/ is read over\n"
  "# it and overrides what it names (sandbox-policy(5)). Written by\n"
  "# `sandboxctl admin init`; edit it, then reload sandboxd (SIGHUP).\n"
  "\n"
  "limits {\n"
  "    memory = 512M\n"
  "    cpus = 1\n"
  "    pids = 256\n"
  "    open-files = 1024\n"
  "    disk = 1G\n"
  "    containers = 10\n"
  "    exec-sessions = 4\n"
  "}\n"
  "\n"
  "syscalls {\n"
  "    profile = default\n"
  "    audit = denied\n"
  "}\n"
  "\n"
  "network {\n"
  "    mode = none\n"
  "}\n";

int
sbc_cmd_admin_init (int argc, char **argv)
{
  enum { O_DIR = 1000, O_HOST, O_LISTEN, O_STATE, O_RUN, O_AUDIT, O_SOCK, O_DAYS, O_FORCE };
  static const struct option opts[] = {
    { "dir", required_argument, NULL, O_DIR },          { "hostname", required_argument, NULL, O_HOST },
    { "listen", required_argument, NULL, O_LISTEN },    { "state-dir", required_argument, NULL, O_STATE },
    { "run-dir", required_argument, NULL, O_RUN },      { "audit-log", required_argument, NULL, O_AUDIT },
    { "unix-socket", required_argument, NULL, O_SOCK }, { "days", required_argument, NULL, O_DAYS },
    { "force", no_argument, NULL, O_FORCE },            { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  const char *dir = sbc_admin_default_dir (), *listen = "0.0.0.0:7443";
  const char *state = SB_LOCALSTATEDIR "/lib/sandboxd", *run = "/run/sandboxd";
  const char *audit = SB_LOCALSTATEDIR "/log/sandboxd/audit.log", *sock = NULL;
  char *names[64], path[4300], sans[4096], serial[80], url[512], *conf = NULL, sockbuf[4200];
  int nnames = 0, days = 825, o, rc = SB_EXIT_FAIL;
  bool force = false;
  EVP_PKEY *ca_key = NULL, *srv_key = NULL;
  X509 *ca = NULL, *srv = NULL;
  struct sbc_admin a = { 0 };
  const char *port;

  while ((o = sbc_getopt (argc, argv, "h", opts, "admin init")) != -1)
    switch (o)
      {
      case O_DIR: dir = sbc_optarg; break;
      case O_HOST:
        if (nnames < 64)
          add_name (names, &nnames, 64, sbc_optarg);
        break;
      case O_LISTEN: listen = sbc_optarg; break;
      case O_STATE: state = sbc_optarg; break;
      case O_RUN: run = sbc_optarg; break;
      case O_AUDIT: audit = sbc_optarg; break;
      case O_SOCK: sock = sbc_optarg; break;
      case O_DAYS:
        days = atoi (sbc_optarg);
        if (days < 1 || days > 36500)
          return sbc_usage_error ("admin init", 0, "--days %s: 1..36500", sbc_optarg);
        break;
      case O_FORCE: force = true; break;
      case 'h': sbc_command_help (sbc_command_find ("admin init"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (sbc_optind < argc)
    return sbc_usage_error ("admin init", 0, "takes no arguments");
  port = strrchr (listen, ':');
  if (port == NULL || atoi (port + 1) < 1 || atoi (port + 1) > 65535)
    return sbc_usage_error ("admin init", 0, "--listen %s: ADDRESS:PORT", listen);
  if (dir[0] != '/' || state[0] != '/' || run[0] != '/' || audit[0] != '/' || (sock && sock[0] != '/'))
    return sbc_usage_error ("admin init", 0, "the directories and files are absolute paths");
  if (sock == NULL)
    {
      snprintf (sockbuf, sizeof (sockbuf), "%s/sandboxd.sock", run);
      sock = sockbuf;
    }
  if (geteuid () != 0)
    fprintf (stderr, "%s admin init: warning: not root: sandboxd runs as root and reads these files as root\n", PROG);
  snprintf (path, sizeof (path), "%s/ca/ca.key", dir);
  if (!force && access (path, F_OK) == 0)
    {
      fprintf (stderr, "%s admin init: %s is already set up (%s exists). --force replaces the CA: every certificate "
               "issued so far stops working\n", PROG, dir, path);
      return SB_EXIT_FAIL;
    }
  snprintf (path, sizeof (path), "%s/sandboxd.conf", dir);
  if (!force && access (path, F_OK) == 0)
    {
      fprintf (stderr, "%s admin init: %s exists: use --force to replace it\n", PROG, path);
      return SB_EXIT_FAIL;
    }
  if (nnames == 0)
    default_names (names, &nnames, 64);
  sbc_pki_sans ((const char *const *) names, nnames, sans, sizeof (sans));
  umask (022);
  snprintf (path, sizeof (path), "%s/tenants", dir);
  if ((mkdir (dir, 0755) < 0 && errno != EEXIST) || (mkdir (path, 0755) < 0 && errno != EEXIST))
    {
      sb_error (&err, errno, "create %s", path);
      goto out;
    }
  snprintf (path, sizeof (path), "%s/ca", dir);
  if ((mkdir (path, 0700) < 0 && errno != EEXIST) || chmod (path, 0700) < 0)
    {
      sb_error (&err, errno, "create %s", path);
      goto out;
    }
  /* The CA: ten years; its key never leaves DIR/ca. */
  if ((ca_key = sbc_pki_new_key (&err)) == NULL
      || (ca = sbc_pki_issue (ca_key, "CN=sandbox CA,O=sandbox", NULL, NULL, 3650, SBC_CERT_CA, NULL, serial,
                              sizeof (serial), &err)) == NULL)
    goto out;
  snprintf (path, sizeof (path), "%s/ca/ca.key", dir);
  if (sbc_pki_write_key (path, ca_key, &err) < 0)
    goto out;
  snprintf (path, sizeof (path), "%s/ca.pem", dir);
  if (sbc_pki_write_cert (path, ca, &err) < 0)
    goto out;
  if ((srv_key = sbc_pki_new_key (&err)) == NULL
      || (srv = sbc_pki_issue (srv_key, "CN=sandboxd,O=sandbox", ca, ca_key, days, SBC_CERT_SERVER, sans, serial,
                               sizeof (serial), &err)) == NULL)
    goto out;
  snprintf (path, sizeof (path), "%s/server.key", dir);
  if (sbc_pki_write_key (path, srv_key, &err) < 0)
    goto out;
  snprintf (path, sizeof (path), "%s/server.pem", dir);
  if (sbc_pki_write_cert (path, srv, &err) < 0)
    goto out;
  if (asprintf (&conf,
                "# sandboxd.conf, written by `sandboxctl admin init` (see sandboxd.conf(5)).\n"
                "listen = {\"%s\"}\n"
                "unix-socket = \"%s\"\n"
                "tls {\n"
                "    ca = \"%s/ca.pem\"\n"
                "    cert = \"%s/server.pem\"\n"
                "    key = \"%s/server.key\"\n"
                "    crl = \"%s/crl.pem\"\n"
                "}\n"
                "admin-subjects = {\"" ADMIN_SUBJECT "\"}\n"
                "state-dir = \"%s\"\n"
                "run-dir = \"%s\"\n"
                "tenants-dir = \"%s/tenants\"\n"
                "policy-base = \"%s/defaults.conf\"\n"
                "audit-log = \"%s\"\n",
                listen, sock, dir, dir, dir, dir, state, run, dir, dir, audit) < 0)
    goto out;
  snprintf (path, sizeof (path), "%s/sandboxd.conf", dir);
  if (sbc_write_file_atomic (path, conf, 0644, &err) < 0)
    goto out;
  snprintf (path, sizeof (path), "%s/defaults.conf", dir);
  if (force || access (path, F_OK) < 0)
    {
      struct sb_policy *p = malloc (sizeof (*p));
      if (sbc_write_file_atomic (path, base_policy, 0644, &err) < 0 || p == NULL || sb_policy_load (p, path, NULL, &err) < 0)
        {
          free (p);
          goto out;
        }
      free (p);
    }
  /* The records start empty; the CRL lists nothing yet. */
  if (sbc_admin_open (&a, dir, &err) < 0)
    goto out;
  json_array_clear (a.issued);
  json_object_clear (a.store);
  snprintf (url, sizeof (url), "https://%s%s%s:%s", strchr (names[0], ':') ? "[" : "", names[0],
            strchr (names[0], ':') ? "]" : "", port + 1);
  json_object_set_new (a.store, "server", json_string (url));
  json_object_set_new (a.store, "unix_socket", json_string (sock));
  if (write_crl (&a, &err) < 0)
    goto out;
  /* The admin's own bundle, for administering from elsewhere. */
  {
    char cert[4300], key[4300], cfgp[4300], cap[4300];
    struct sbc_context ctx = { .name = "admin", .server = url, .ca = "ca.pem", .cert = "cert.pem", .key = "key.pem" };
    snprintf (path, sizeof (path), "%s/admin", dir);
    if ((mkdir (path, 0700) < 0 && errno != EEXIST) || chmod (path, 0700) < 0)
      {
        sb_error (&err, errno, "create %s", path);
        goto out;
      }
    snprintf (cert, sizeof (cert), "%s/admin/cert.pem", dir);
    snprintf (key, sizeof (key), "%s/admin/key.pem", dir);
    snprintf (cap, sizeof (cap), "%s/admin/ca.pem", dir);
    snprintf (cfgp, sizeof (cfgp), "%s/admin/config", dir);
    if (sbc_admin_issue_client (&a, ADMIN_SUBJECT, "", days, cert, key, serial, sizeof (serial), &err) < 0
        || sbc_pki_write_cert (cap, a.ca, &err) < 0 || sbc_config_write (cfgp, &ctx, &err) < 0)
      goto out;
  }
  printf ("%s is set up for sandboxd:\n"
          "  sandboxd.conf    %s/sandboxd.conf (listens on %s and %s)\n"
          "  base policy      %s/defaults.conf\n"
          "  tenants          %s/tenants/ (add one: %s tenant add NAME --from free-tier)\n"
          "  server cert      %s/server.pem for %s\n"
          "  CA               %s/ca.pem (its key stays in %s/ca/, mode 0600)\n"
          "  admin bundle     %s/admin/ (%s --config %s/admin/config tenant list)\n"
          "Start sandboxd: sandboxd --config %s/sandboxd.conf\n",
          dir, dir, listen, sock, dir, dir, PROG, dir, sans, dir, dir, dir, PROG, dir, dir);
  rc = SB_EXIT_OK;
out:
  if (err)
    fprintf (stderr, "%s admin init: %s\n", PROG, err->msg);
  for (int i = 0; i < nnames; i++)
    free (names[i]);
  free (conf);
  sbc_admin_close (&a);
  X509_free (ca);
  X509_free (srv);
  EVP_PKEY_free (ca_key);
  EVP_PKEY_free (srv_key);
  return rc;
}
