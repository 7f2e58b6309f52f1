/* sandboxd.conf: libconfuse, read through the policy files' pre-pass
   (comments, includes), errors "FILE:LINE: KEY: what is wrong" as in
   policies. The keys are in man/sandboxd.conf.5. */
#include "sandboxd.h"
#include "policy/conf.h"
#include "policy/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct pt_text *cur_text; /* under sb_conf_lock */
static char *cur_err;

__attribute__ ((format (printf, 2, 0))) static void
on_error (cfg_t *cfg, const char *fmt, va_list ap)
{
  const char *file;
  int line;
  char *msg;

  if (cur_err)
    return;
  msg = sb_conf_translate (cfg, fmt, ap, NULL);
  pt_locate (cur_text, cfg->line, &file, &line);
  if (asprintf (&cur_err, "%s:%d: %s", file, line, msg) < 0)
    cur_err = NULL;
  free (msg);
}

__attribute__ ((format (printf, 2, 3))) static int
fail (cfg_t *cfg, const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  cfg_error (cfg, "%s", msg ? msg : "error");
  free (msg);
  return -1;
}

static int
cb_path (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  if (v[0] != '/' || strstr (v, "/../") || strlen (v) > 4000)
    return fail (cfg, "%s: %s is not an absolute path", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static int
cb_optional_path (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  if (v[0] == '\0')
    {
      *(const char **) result = v;
      return 0;
    }
  return cb_path (cfg, opt, v, result);
}

/* "ADDRESS:PORT" or "[IPV6]:PORT". */
static int
cb_address (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  const char *colon = strrchr (v, ':');
  char *end;
  long port;

  if (v[0] == '\0' && strcmp (opt->name, "metrics-listen") == 0)
    {
      *(const char **) result = v; /* none */
      return 0;
    }
  if (colon == NULL || colon == v)
    return fail (cfg, "%s: %s is not ADDRESS:PORT", opt->name, sb_conf_show (v));
  port = strtol (colon + 1, &end, 10);
  if (*end || port < 1 || port > 65535)
    return fail (cfg, "%s: %s has no valid port (1..65535)", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static int
cb_size (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  uint64_t n;

  if (sb_parse_size (v, &n) < 0)
    return fail (cfg, "%s: %s is not a size (use K, M, G)", opt->name, sb_conf_show (v));
  *(long *) result = (long) n;
  return 0;
}

static int
cb_count (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  char *end;
  long n = strtol (v, &end, 10);

  if (*v == '\0' || *end || n < 1 || n > 1000000)
    return fail (cfg, "%s: %s is not a whole number (1..1000000)", opt->name, sb_conf_show (v));
  *(long *) result = n;
  return 0;
}

static int
cb_subject (cfg_t *cfg, cfg_opt_t *opt, const char *v, void *result)
{
  if (v[0] == '\0' || strlen (v) > 511)
    return fail (cfg, "%s: %s is not a certificate subject", opt->name, sb_conf_show (v));
  *(const char **) result = v;
  return 0;
}

static cfg_opt_t tls_opts[] = {
  CFG_STR_CB ("ca", SB_SYSCONFDIR "/sandboxd/ca.pem", CFGF_NONE, cb_path),
  CFG_STR_CB ("cert", SB_SYSCONFDIR "/sandboxd/server.pem", CFGF_NONE, cb_path),
  CFG_STR_CB ("key", SB_SYSCONFDIR "/sandboxd/server.key", CFGF_NONE, cb_path),
  CFG_STR_CB ("crl", "", CFGF_NONE, cb_optional_path),
  CFG_END ()
};

static cfg_opt_t limits_opts[] = {
  CFG_INT_CB ("connections", 256, CFGF_NONE, cb_count),
  CFG_INT_CB ("body", 8 << 20, CFGF_NONE, cb_size),
  CFG_INT_CB ("request-timeout", 30, CFGF_NONE, cb_count),
  CFG_INT_CB ("container-log", 10 << 20, CFGF_NONE, cb_size),
  CFG_END ()
};

static cfg_opt_t opts[] = {
  CFG_STR_LIST_CB ("listen", "{0.0.0.0:7443}", CFGF_NONE, cb_address),
  CFG_STR_CB ("unix-socket", "/run/sandboxd/sandboxd.sock", CFGF_NONE, cb_optional_path),
  CFG_STR_CB ("metrics-listen", "", CFGF_NONE, cb_address),
  CFG_SEC ("tls", tls_opts, CFGF_NONE),
  CFG_STR_LIST_CB ("admin-subjects", 0, CFGF_NONE, cb_subject),
  CFG_STR_CB ("state-dir", SB_LOCALSTATEDIR "/lib/sandboxd", CFGF_NONE, cb_path),
  CFG_STR_CB ("run-dir", "/run/sandboxd", CFGF_NONE, cb_path),
  CFG_STR_CB ("tenants-dir", SB_SYSCONFDIR "/sandboxd/tenants", CFGF_NONE, cb_path),
  CFG_STR_CB ("policy-base", SB_SYSCONFDIR "/sandboxd/defaults.conf", CFGF_NONE, cb_path),
  CFG_STR_CB ("audit-log", SB_LOCALSTATEDIR "/log/sandboxd/audit.log", CFGF_NONE, cb_path),
  CFG_INT_CB ("audit-log-max", 16 << 20, CFGF_NONE, cb_size),
  CFG_SEC ("limits", limits_opts, CFGF_NONE),
  CFG_END ()
};

static char *
dup_str (cfg_t *c, const char *key)
{
  const char *v = cfg_getstr (c, key);
  return strdup (v ? v : "");
}

int
sbd_config_load (struct sbd_config *c, const char *path, sb_error_t *err)
{
  struct pt_text text;
  cfg_t *cfg = NULL, *s;
  FILE *fp = NULL;
  int rc = -1;

  memset (c, 0, sizeof (*c));
  memset (&text, 0, sizeof (text));
  pthread_mutex_lock (&sb_conf_lock);
  cur_text = &text;
  cur_err = NULL;
  if (pt_load (&text, path, NULL, true) < 0 && text.err_outline == 0)
    {
      sb_error (err, 0, "%s", text.err);
      goto out;
    }
  cfg = cfg_init (opts, CFGF_NONE);
  cfg_set_error_function (cfg, on_error);
  if (text.len > 0 && (fp = fmemopen (text.buf, text.len, "r")) != NULL
      && cfg_parse_fp (cfg, fp) != CFG_SUCCESS && cur_err == NULL)
    cur_err = strdup ("syntax error");
  if (cur_err || text.err)
    {
      sb_error (err, 0, "%s", cur_err ? cur_err : text.err);
      goto out;
    }
  c->path = strdup (path);
  c->nlisten = (int) cfg_size (cfg, "listen");
  c->listen = calloc ((size_t) c->nlisten + 1, sizeof (char *));
  for (int i = 0; i < c->nlisten; i++)
    c->listen[i] = strdup (cfg_getnstr (cfg, "listen", (unsigned) i));
  c->unix_socket = dup_str (cfg, "unix-socket");
  c->metrics_listen = cfg_getstr (cfg, "metrics-listen")[0] ? dup_str (cfg, "metrics-listen") : NULL;
  s = cfg_getsec (cfg, "tls");
  c->ca = dup_str (s, "ca");
  c->cert = dup_str (s, "cert");
  c->key = dup_str (s, "key");
  c->crl = cfg_getstr (s, "crl")[0] ? dup_str (s, "crl") : NULL;
  c->nadmin_subjects = (int) cfg_size (cfg, "admin-subjects");
  c->admin_subjects = calloc ((size_t) c->nadmin_subjects + 1, sizeof (char *));
  for (int i = 0; i < c->nadmin_subjects; i++)
    c->admin_subjects[i] = strdup (cfg_getnstr (cfg, "admin-subjects", (unsigned) i));
  c->state_dir = dup_str (cfg, "state-dir");
  c->run_dir = dup_str (cfg, "run-dir");
  c->tenants_dir = dup_str (cfg, "tenants-dir");
  c->policy_base = dup_str (cfg, "policy-base");
  c->audit_log = dup_str (cfg, "audit-log");
  c->audit_log_max = (uint64_t) cfg_getint (cfg, "audit-log-max");
  s = cfg_getsec (cfg, "limits");
  c->max_connections = (unsigned) cfg_getint (s, "connections");
  c->max_body = (uint64_t) cfg_getint (s, "body");
  c->request_timeout = (unsigned) cfg_getint (s, "request-timeout");
  c->log_max = (uint64_t) cfg_getint (s, "container-log");
  rc = 0;
out:
  if (fp)
    fclose (fp);
  if (cfg)
    cfg_free (cfg);
  free (cur_err);
  cur_err = NULL;
  cur_text = NULL;
  pthread_mutex_unlock (&sb_conf_lock);
  pt_free (&text);
  return rc;
}

void
sbd_config_free (struct sbd_config *c)
{
  for (int i = 0; i < c->nlisten; i++)
    free (c->listen[i]);
  for (int i = 0; i < c->nadmin_subjects; i++)
    free (c->admin_subjects[i]);
  free (c->listen);
  free (c->admin_subjects);
  free (c->path);
  free (c->unix_socket);
  free (c->metrics_listen);
  free (c->ca);
  free (c->cert);
  free (c->key);
  free (c->crl);
  free (c->state_dir);
  free (c->run_dir);
  free (c->tenants_dir);
  free (c->policy_base);
  free (c->audit_log);
  memset (c, 0, sizeof (*c));
}
