/* tenant add, list, show, revoke, rm: onboarding and offboarding, on the
   host where `admin init` ran (the CA's key is there), as root. sandboxd
   is told to reload over its local socket (or the admin's context). */
#include "client.h"
#include "admin.h"
#include "settings.h"
#include "policy/policy.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_FROM = 1000, O_SET, O_SUBJECT, O_OUT, O_SERVER, O_DAYS, O_DIR, O_FORCE, O_JSON };

static bool
valid_tenant (const char *n)
{
  size_t len = strlen (n);
  return len > 0 && len <= 63 && strspn (n, "abcdefghijklmnopqrstuvwxyz0123456789-") == len && n[0] != '-';
}

/* The connection for reloads: the context or server the admin named, else
   (as root) the local socket of the sandboxd this directory configures. */
static struct sbc *
admin_conn (struct sbc_admin *a, sb_error_t *err)
{
  static char server[4200];
  const char *sock = json_string_value (json_object_get (a->store, "unix_socket"));

  if (sbc_globals.server == NULL && sbc_globals.config == NULL && !(getenv ("SANDBOXCTL_SERVER") && getenv ("SANDBOXCTL_SERVER")[0])
      && !(getenv ("SANDBOXCTL_CONFIG") && getenv ("SANDBOXCTL_CONFIG")[0]) && geteuid () == 0 && sock)
    {
      snprintf (server, sizeof (server), "unix://%s", sock);
      sbc_globals.server = server;
    }
  return sbc_open (err);
}

/* ---- the policy text ----------------------------------------------------------------- */

static const char *
example_path (const char *from, char *buf, size_t len)
{
  const char *dirs[3] = { getenv ("SANDBOXCTL_EXAMPLES_DIR"), SB_EXAMPLES_DIR, NULL };

  if (strchr (from, '/') || access (from, R_OK) == 0)
    return from;
  for (int i = 0; i < 2; i++)
    {
      if (dirs[i] == NULL || dirs[i][0] == '\0')
        continue;
      snprintf (buf, len, "%s/%s%s", dirs[i], from, strstr (from, ".conf") ? "" : ".conf");
      if (access (buf, R_OK) == 0)
        return buf;
    }
  return NULL;
}

/* The first word of a line: its key ("limits" of "limits {"). */
static size_t
key_of (const char *line, char *key, size_t len)
{
  size_t n = strspn (line, "abcdefghijklmnopqrstuvwxyz0123456789-_");
  snprintf (key, len, "%.*s", (int) n, line);
  return n;
}

static int
depth_change (const char *line)
{
  int d = 0;
  bool quoted = false;

  for (const char *p = line; *p; p++)
    {
      if (*p == '\\' && quoted && p[1])
        {
          p++;
          continue;
        }
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == '#')
        break;
      else if (!quoted && *p == '{')
        d++;
      else if (!quoted && *p == '}')
        d--;
    }
  return d;
}

/* The example's text without its top-level `tenant`, `certificate-subject`
   and --set keys, under ours. */
static char *
policy_text (const char *example, const char *name, const char *subject, char **sets, int nsets, sb_error_t *err)
{
  char *out = NULL, *line = NULL, key[64];
  size_t len = 0, cap = 0;
  FILE *m = open_memstream (&out, &len), *in = NULL;
  int depth = 0, skip_depth = -1;

  if (m == NULL)
    {
      sb_error (err, errno, "allocate");
      return NULL;
    }
  fprintf (m, "# Tenant %s: written by `sandboxctl tenant add`%s%s. See sandbox-policy(5).\n", name,
           example ? " from " : "", example ? example : "");
  fprintf (m, "tenant = \"%s\"\ncertificate-subject = \"%s\"\n", name, subject);
  if (example)
    {
      in = fopen (example, "re");
      if (in == NULL)
        {
          fclose (m);
          free (out);
          sb_error (err, errno, "--from %s", example);
          return NULL;
        }
      while (getline (&line, &cap, in) > 0)
        {
          const char *p = line + strspn (line, " \t");
          int change = depth_change (line);
          bool drop = false;
          if (skip_depth >= 0)
            {
              depth += change;
              if (depth <= skip_depth)
                skip_depth = -1;
              continue;
            }
          if (depth == 0 && key_of (p, key, sizeof (key)) > 0)
            {
              drop = strcmp (key, "tenant") == 0 || strcmp (key, "certificate-subject") == 0;
              for (int i = 0; i < nsets && !drop; i++)
                {
                  char skey[64];
                  key_of (sets[i] + strspn (sets[i], " \t"), skey, sizeof (skey));
                  drop = strcmp (skey, key) == 0;
                }
            }
          depth += change;
          if (drop)
            {
              if (depth > 0)
                skip_depth = 0;
              continue;
            }
          fputs (line, m);
        }
      free (line);
      fclose (in);
    }
  for (int i = 0; i < nsets; i++)
    fprintf (m, "%s%s\n", i == 0 ? "\n# Set by `tenant add --set`:\n" : "", sets[i]);
  fclose (m);
  return out;
}

/* Other tenants of the directory: the same name, or an id-range that overlaps. */
static int
check_others (struct sbc_admin *a, const struct sb_policy *mine, const char *own_file, sb_error_t *err)
{
  struct dirent **names = NULL;
  int n = scandir (a->tenants_dir, &names, NULL, alphasort), ret = 0;
  struct sb_policy *p = malloc (sizeof (*p));
  const char *base = access (a->policy_base, R_OK) == 0 ? a->policy_base : NULL;

  for (int i = 0; i < n; i++)
    {
      char path[4400];
      size_t len = strlen (names[i]->d_name);
      cleanup_error sb_error_t ignored = NULL;
      if (ret == 0 && names[i]->d_name[0] != '.' && len > 5 && strcmp (names[i]->d_name + len - 5, ".conf") == 0)
        {
          snprintf (path, sizeof (path), "%s/%s", a->tenants_dir, names[i]->d_name);
          if (strcmp (path, own_file) != 0 && p && sb_policy_load (p, base, path, &ignored) == 0)
            {
              if (strcmp (p->tenant, mine->tenant) == 0)
                ret = sb_error (err, 0, "%s already defines tenant %s", path, mine->tenant);
              else if (mine->id_lo && p->id_lo && mine->id_lo <= p->id_hi && p->id_lo <= mine->id_hi)
                ret = sb_error (err, 0, "id-range %u-%u overlaps tenant %s's (%s)", mine->id_lo, mine->id_hi, p->tenant,
                                path);
            }
        }
      free (names[i]);
    }
  free (names);
  free (p);
  return ret;
}

static int
copy_file (const char *from, const char *to, mode_t mode, sb_error_t *err)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = fopen (from, "re");
  int ret;

  if (f == NULL)
    return sb_error (err, errno, "read %s", from);
  if (getdelim (&text, &len, '\0', f) < 0)
    {
      fclose (f);
      free (text);
      return sb_error (err, errno, "read %s", from);
    }
  fclose (f);
  ret = sbc_write_file_atomic (to, text, mode, err);
  free (text);
  return ret;
}

/* ---- tenant add ------------------------------------------------------------------------- */

int
sbc_cmd_tenant_add (int argc, char **argv)
{
  static const struct option opts[] = {
    { "from", required_argument, NULL, O_FROM },       { "set", required_argument, NULL, O_SET },
    { "subject", required_argument, NULL, O_SUBJECT }, { "out", required_argument, NULL, O_OUT },
    { "server", required_argument, NULL, O_SERVER },   { "days", required_argument, NULL, O_DAYS },
    { "dir", required_argument, NULL, O_DIR },         { "force", no_argument, NULL, O_FORCE },
    { "help", no_argument, NULL, 'h' },                { NULL, 0, NULL, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  const char *from = NULL, *subject = NULL, *out = NULL, *server = NULL, *dir = NULL, *name, *example = NULL;
  char *sets[32], subject_buf[600], out_buf[4200], tmp[4400], final[4400], exbuf[4200], serial[80], *text = NULL;
  char cert[4400], key[4400], cap[4400], cfgp[4400], abs_out[4200];
  int nsets = 0, days = 365, o, rc = SB_EXIT_FAIL;
  bool force = false, installed = false, issued = false;
  struct sbc_admin a = { 0 };
  struct sb_policy *p = NULL;
  struct sbc *c = NULL;

  while ((o = sbc_getopt (argc, argv, "h", opts, "tenant add")) != -1)
    switch (o)
      {
      case O_FROM: from = sbc_optarg; break;
      case O_SET:
        if (nsets == 32 || (!strchr (sbc_optarg, '=') && !strchr (sbc_optarg, '{')))
          return sbc_usage_error ("tenant add", 0, "--set %s: 'KEY = VALUE' (or 'SECTION { ... }')", sbc_optarg);
        sets[nsets++] = sbc_optarg;
        break;
      case O_SUBJECT: subject = sbc_optarg; break;
      case O_OUT: out = sbc_optarg; break;
      case O_SERVER: server = sbc_optarg; break;
      case O_DAYS:
        days = atoi (sbc_optarg);
        if (days < 1 || days > 36500)
          return sbc_usage_error ("tenant add", 0, "--days %s: 1..36500", sbc_optarg);
        break;
      case O_DIR: dir = sbc_optarg; break;
      case O_FORCE: force = true; break;
      case 'h': sbc_command_help (sbc_command_find ("tenant add"), stdout); return SB_EXIT_OK;
      default: return SB_EXIT_USAGE;
      }
  if (argc - sbc_optind != 1)
    return sbc_usage_error ("tenant add", 0, "expects one NAME");
  name = argv[sbc_optind];
  if (!valid_tenant (name))
    return sbc_usage_error ("tenant add", 0, "%s: a tenant's name is lower-case letters, digits and '-' (at most 63)",
                            name);
  if (server && strncmp (server, "https://", 8) != 0)
    return sbc_usage_error ("tenant add", 0, "--server %s: https://HOST:PORT", server);
  if (from && (example = example_path (from, exbuf, sizeof (exbuf))) == NULL)
    {
      fprintf (stderr, "%s tenant add: --from %s: no such file or example (examples: free-tier, paid-tier, "
               "ci-runner, in %s)\n", PROG, from, SB_EXAMPLES_DIR);
      return SB_EXIT_FAIL;
    }
  if (subject == NULL)
    {
      snprintf (subject_buf, sizeof (subject_buf), "CN=%s,O=sandbox tenants", name);
      subject = subject_buf;
    }
  if (strchr (subject, '"'))
    return sbc_usage_error ("tenant add", 0, "--subject: no '\"' in a subject");
  if (out == NULL)
    {
      snprintf (out_buf, sizeof (out_buf), "./%s", name);
      out = out_buf;
    }
  if (sbc_admin_open (&a, dir, &err) < 0)
    goto out;
  snprintf (final, sizeof (final), "%s/%s.conf", a.tenants_dir, name);
  snprintf (tmp, sizeof (tmp), "%s/.%s.conf.new", a.tenants_dir, name);
  if (!force && access (final, F_OK) == 0)
    {
      sb_error (&err, 0, "tenant %s exists (%s): --force replaces its policy and issues a new certificate", name, final);
      goto out;
    }
  {
    struct stat st;
    DIR *d = opendir (out);
    bool empty = true;
    struct dirent *de;
    while (d && (de = readdir (d)) != NULL)
      if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
        empty = false;
    if (d)
      closedir (d);
    if (!force && stat (out, &st) == 0 && !empty)
      {
        sb_error (&err, 0, "the bundle directory %s is not empty: choose another with --out, or --force", out);
        goto out;
      }
  }
  /* The policy, checked as sandboxd will load it, before it is installed. */
  text = policy_text (example, name, subject, sets, nsets, &err);
  if (text == NULL || sbc_write_file_atomic (tmp, text, 0644, &err) < 0)
    goto out;
  p = malloc (sizeof (*p));
  if (p == NULL || sb_policy_load (p, access (a.policy_base, R_OK) == 0 ? a.policy_base : NULL, tmp, &err) < 0)
    {
      if (err && err->msg)
        {
          char *at = strstr (err->msg, tmp);
          if (at)
            {
              char *msg = NULL;
              if (asprintf (&msg, "%.*s%s%s", (int) (at - err->msg), err->msg, final, at + strlen (tmp)) >= 0)
                {
                  free (err->msg);
                  err->msg = msg;
                }
            }
          sb_error_prefix (&err, "the policy is invalid");
        }
      unlink (tmp);
      goto out;
    }
  if (check_others (&a, p, final, &err) < 0)
    {
      unlink (tmp);
      goto out;
    }
  /* The bundle: the key never exists anywhere else. */
  if (mkdir (out, 0700) < 0 && errno != EEXIST)
    {
      sb_error (&err, errno, "create %s", out);
      unlink (tmp);
      goto out;
    }
  chmod (out, 0700);
  snprintf (cert, sizeof (cert), "%s/cert.pem", out);
  snprintf (key, sizeof (key), "%s/key.pem", out);
  snprintf (cap, sizeof (cap), "%s/ca.pem", out);
  snprintf (cfgp, sizeof (cfgp), "%s/config", out);
  if (force)
    sbc_admin_revoke (&a, name, NULL);
  if (sbc_admin_issue_client (&a, p->certificate_subject, name, days, cert, key, serial, sizeof (serial), &err) < 0)
    {
      unlink (tmp);
      goto out;
    }
  issued = true;
  {
    const char *url = server ? server : json_string_value (json_object_get (a.store, "server"));
    struct sbc_context ctx = { .name = name, .server = url ? url : "https://localhost:7443", .ca = "ca.pem",
                               .cert = "cert.pem", .key = "key.pem" };
    if (copy_file (a.ca_pem, cap, 0644, &err) < 0 || sbc_config_write (cfgp, &ctx, &err) < 0)
      goto out;
  }
  if (rename (tmp, final) < 0)
    {
      sb_error (&err, errno, "install %s", final);
      goto out;
    }
  installed = true;
  c = admin_conn (&a, &err);
  if (c == NULL || sbc_admin_reload (&a, c, force, &err) < 0)
    {
      sb_error_prefix (&err, "tenant %s is installed (%s) but sandboxd was not told", name, final);
      fprintf (stderr, "%s tenant add: %s\n", PROG, err->msg);
      sb_error_free (&err);
    }
  else
    {
      /* Did sandboxd take it? */
      json_t *t = NULL;
      char path[300];
      snprintf (path, sizeof (path), "/v1/tenants/%s", name);
      if (sbc_call (c, "GET", path, NULL, &t, &err) < 0 || !json_is_true (json_object_get (t, "loaded")))
        {
          json_decref (t);
          if (err == NULL)
            sb_error (&err, 0, "sandboxd did not load it");
          sb_error_prefix (&err, "tenant %s: sandboxd refused the policy %s", name, final);
          unlink (final);
          installed = false;
          sbc_admin_revoke (&a, name, NULL);
          sbc_admin_reload (&a, c, false, NULL);
          goto out;
        }
      json_decref (t);
    }
  if (realpath (out, abs_out) == NULL)
    snprintf (abs_out, sizeof (abs_out), "%s", out);
  printf ("tenant %s added\n"
          "  policy       %s%s%s\n"
          "  certificate  %s (serial %s, %d days)\n"
          "  bundle       %s: config, ca.pem, cert.pem, key.pem (mode 0600)\n"
          "Give the bundle to the tenant; with it: %s --config %s/config ps\n",
          name, final, example ? " from " : "", example ? example : "", p->certificate_subject, serial, days, abs_out, PROG,
          out);
  rc = SB_EXIT_OK;
out:
  if (err)
    fprintf (stderr, "%s tenant add: %s\n", PROG, err->msg);
  if (rc != SB_EXIT_OK && issued && !installed)
    {
      unlink (key);
      unlink (cert);
    }
  free (text);
  free (p);
  sbc_close (c);
  sbc_admin_close (&a);
  return rc;
}

/* ---- list, show -------------------------------------------------------------------------- */

static int
common_opts (int argc, char **argv, const char *verb, const char **dir, bool *json, bool *force)
{
  static const struct option opts[] = {
    { "dir", required_argument, NULL, O_DIR }, { "json", no_argument, NULL, O_JSON },
    { "force", no_argument, NULL, O_FORCE },   { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int o;

  while ((o = sbc_getopt (argc, argv, "h", opts, verb)) != -1)
    switch (o)
      {
      case O_DIR: *dir = sbc_optarg; break;
      case O_JSON:
        if (json == NULL)
          return sbc_usage_error (verb, 0, "no --json here");
        *json = true;
        break;
      case O_FORCE:
        if (force == NULL)
          return sbc_usage_error (verb, 0, "no --force here");
        *force = true;
        break;
      case 'h': sbc_command_help (sbc_command_find (verb), stdout); return -2;
      default: return SB_EXIT_USAGE;
      }
  return 0;
}

static void
cert_counts (struct sbc_admin *a, const char *tenant, int *valid, int *revoked, char *until, size_t len)
{
  size_t i;
  json_t *v;

  *valid = *revoked = 0;
  until[0] = '\0';
  json_array_foreach (a->issued, i, v)
    if (strcmp (json_string_value (json_object_get (v, "tenant")) ?: "", tenant) == 0)
      {
        if (json_is_true (json_object_get (v, "revoked")))
          (*revoked)++;
        else
          {
            (*valid)++;
            snprintf (until, len, "%.10s", json_string_value (json_object_get (v, "not_after")) ?: "");
          }
      }
}

int
sbc_cmd_tenant_list (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *dir = NULL;
  bool json = false;
  struct sbc_admin a;
  struct sbc *c;
  json_t *tenants = NULL, *v, *rows;
  size_t i;
  int rc = common_opts (argc, argv, "tenant list", &dir, &json, NULL);

  if (rc)
    return rc == -2 ? SB_EXIT_OK : rc;
  if (sbc_optind < argc)
    return sbc_usage_error ("tenant list", 0, "takes no arguments");
  if (sbc_admin_open (&a, dir, &err) < 0)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  c = admin_conn (&a, &err);
  if (c == NULL || sbc_call (c, "GET", "/v1/tenants", NULL, &tenants, &err) < 0)
    {
      sbc_error_print (&err);
      sbc_close (c);
      sbc_admin_close (&a);
      return SB_EXIT_FAIL;
    }
  rows = json_array ();
  json_array_foreach (tenants, i, v)
    {
      const char *name = json_string_value (json_object_get (v, "name")) ?: "?";
      int valid, revoked;
      char until[32];
      cert_counts (&a, name, &valid, &revoked, until, sizeof (until));
      json_array_append_new (rows, json_pack ("{s:s, s:b, s:O, s:O, s:{s:i, s:i, s:s}}", "name", name, "loaded",
                                              json_is_true (json_object_get (v, "loaded")), "containers",
                                              json_object_get (v, "containers"), "file", json_object_get (v, "file"),
                                              "certificates", "valid", valid, "revoked", revoked, "expires", until));
      if (json_object_get (v, "error"))
        json_object_set (json_array_get (rows, json_array_size (rows) - 1), "error", json_object_get (v, "error"));
    }
  if (json)
    sbc_print_json (rows);
  else
    {
      static const char *const headers[] = { "TENANT", "POLICY", "CONTAINERS (RUNNING/ALL)", "CERTIFICATES", "EXPIRES" };
      struct sbc_table *t = sbc_table_new (5, headers);
      json_array_foreach (rows, i, v)
        {
          json_t *n = json_object_get (v, "containers"), *ce = json_object_get (v, "certificates");
          char ctrs[64], certs[64];
          snprintf (ctrs, sizeof (ctrs), "%d/%d", (int) json_integer_value (json_object_get (n, "running")),
                    (int) (json_integer_value (json_object_get (n, "running")) + json_integer_value (json_object_get (n, "created"))
                           + json_integer_value (json_object_get (n, "exited"))));
          snprintf (certs, sizeof (certs), "%d valid, %d revoked", (int) json_integer_value (json_object_get (ce, "valid")),
                    (int) json_integer_value (json_object_get (ce, "revoked")));
          const char *cells[5] = { json_string_value (json_object_get (v, "name")),
                                   json_is_true (json_object_get (v, "loaded")) ? "loaded" : "error (last good kept)",
                                   ctrs, certs, json_string_value (json_object_get (ce, "expires")) };
          sbc_table_add (t, cells);
        }
      sbc_table_print (t, stdout);
      sbc_table_free (t);
    }
  json_decref (rows);
  json_decref (tenants);
  sbc_close (c);
  sbc_admin_close (&a);
  return SB_EXIT_OK;
}

/* The tenant's containers (as the admin sees them). */
static json_t *
tenant_containers (struct sbc *c, const char *name, sb_error_t *err)
{
  json_t *all = NULL, *mine = json_array (), *v;
  size_t i;

  if (sbc_call (c, "GET", "/v1/containers?all=1", NULL, &all, err) < 0)
    {
      json_decref (mine);
      return NULL;
    }
  json_array_foreach (all, i, v)
    if (strcmp (json_string_value (json_object_get (v, "tenant")) ?: "", name) == 0)
      json_array_append (mine, v);
  json_decref (all);
  return mine;
}

int
sbc_cmd_tenant_show (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *dir = NULL, *name;
  bool json = false;
  struct sbc_admin a;
  struct sbc *c;
  json_t *t = NULL, *ctrs, *v, *pol;
  char path[300], mem[32], lim[32], until[32];
  uint64_t used = 0;
  size_t i;
  int valid, revoked, rc = common_opts (argc, argv, "tenant show", &dir, &json, NULL);

  if (rc)
    return rc == -2 ? SB_EXIT_OK : rc;
  if (argc - sbc_optind != 1)
    return sbc_usage_error ("tenant show", 0, "expects one NAME");
  name = argv[sbc_optind];
  if (sbc_admin_open (&a, dir, &err) < 0)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  c = admin_conn (&a, &err);
  snprintf (path, sizeof (path), "/v1/tenants/%s", sbc_escape (name));
  if (c == NULL || sbc_call (c, "GET", path, NULL, &t, &err) < 0 || (ctrs = tenant_containers (c, name, &err)) == NULL)
    {
      sbc_error_print (&err);
      json_decref (t);
      sbc_close (c);
      sbc_admin_close (&a);
      return SB_EXIT_FAIL;
    }
  json_array_foreach (ctrs, i, v)
    if (strcmp (json_string_value (json_object_get (v, "state")) ?: "", "running") == 0)
      {
        json_t *s = NULL;
        snprintf (path, sizeof (path), "/v1/containers/%s/stats", json_string_value (json_object_get (v, "id")));
        if (sbc_call (c, "GET", path, NULL, &s, NULL) == 0)
          used += (uint64_t) json_integer_value (json_object_get (s, "memory_bytes"));
        json_decref (s);
      }
  cert_counts (&a, name, &valid, &revoked, until, sizeof (until));
  json_object_set_new (t, "container_list", ctrs);
  json_object_set_new (t, "memory_in_use", json_integer ((json_int_t) used));
  json_object_set_new (t, "certificates", json_pack ("{s:i, s:i, s:s}", "valid", valid, "revoked", revoked, "expires", until));
  if (json)
    sbc_print_json (t);
  else
    {
      pol = json_object_get (t, "policy");
      sbc_size (used, mem, sizeof (mem));
      sbc_size ((uint64_t) json_integer_value (json_object_get (pol, "memory_bytes")), lim, sizeof (lim));
      printf ("Tenant:        %s (%s)\n", name, json_string_value (json_object_get (t, "file")) ?: "?");
      printf ("Policy:        %s\n", json_is_true (json_object_get (t, "loaded")) ? "loaded" : "error: last good policy kept");
      if (json_object_get (t, "error"))
        printf ("               %s\n", json_string_value (json_object_get (t, "error")));
      printf ("Subject:       %s\n", json_string_value (json_object_get (pol, "certificate_subject")) ?: "");
      printf ("Limits:        memory %s, cpus %.3g, pids %d, containers %d, exec sessions %d\n",
              json_integer_value (json_object_get (pol, "memory_bytes")) ? lim : "unlimited",
              (double) json_integer_value (json_object_get (pol, "cpu_millis")) / 1000.0,
              (int) json_integer_value (json_object_get (pol, "pids")),
              (int) json_integer_value (json_object_get (pol, "max_containers")),
              (int) json_integer_value (json_object_get (pol, "max_exec_sessions")));
      printf ("Syscalls:      profile %s\n", json_string_value (json_object_get (pol, "profile")) ?: "?");
      printf ("Network:       %s\n", json_string_value (json_object_get (pol, "network")) ?: "?");
      printf ("Ids:           %lld-%lld\n", (long long) json_integer_value (json_object_get (json_object_get (t, "ids"), "first")),
              (long long) json_integer_value (json_object_get (json_object_get (t, "ids"), "last")));
      printf ("Certificates:  %d valid%s%s, %d revoked\n", valid, until[0] ? " until " : "", until, revoked);
      printf ("Usage:         %s of memory in %d running container(s)\n", mem,
              (int) json_integer_value (json_object_get (json_object_get (t, "containers"), "running")));
      printf ("Containers:\n");
      json_array_foreach (json_object_get (t, "container_list"), i, v)
        printf ("  %.12s  %-20s %s\n", json_string_value (json_object_get (v, "id")) ?: "",
                json_string_value (json_object_get (v, "name")) ?: "", json_string_value (json_object_get (v, "state")) ?: "");
    }
  json_decref (t);
  sbc_close (c);
  sbc_admin_close (&a);
  return SB_EXIT_OK;
}

/* ---- revoke, rm ------------------------------------------------------------------------ */

int
sbc_cmd_tenant_revoke (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *dir = NULL, *name;
  struct sbc_admin a;
  struct sbc *c = NULL;
  int n, rc = common_opts (argc, argv, "tenant revoke", &dir, NULL, NULL);

  if (rc)
    return rc == -2 ? SB_EXIT_OK : rc;
  if (argc - sbc_optind != 1)
    return sbc_usage_error ("tenant revoke", 0, "expects one NAME");
  name = argv[sbc_optind];
  if (sbc_admin_open (&a, dir, &err) < 0)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  n = sbc_admin_revoke (&a, name, &err);
  if (n >= 0 && (c = admin_conn (&a, &err)) != NULL && sbc_admin_reload (&a, c, true, &err) == 0)
    {
      if (n == 0)
        printf ("tenant %s has no valid certificate: nothing to revoke (the CRL was rewritten)\n", name);
      else
        printf ("revoked %d certificate%s of tenant %s: sandboxd refuses %s from now on (CRL %s)\n", n, n == 1 ? "" : "s",
                name, n == 1 ? "it" : "them", a.crl);
      rc = SB_EXIT_OK;
    }
  else
    {
      sbc_error_print (&err);
      rc = SB_EXIT_FAIL;
    }
  sbc_close (c);
  sbc_admin_close (&a);
  return rc;
}

int
sbc_cmd_tenant_rm (int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  const char *dir = NULL, *name;
  bool force = false;
  struct sbc_admin a;
  struct sbc *c = NULL;
  json_t *ctrs = NULL, *v;
  char file[4400];
  size_t i;
  int running = 0, rc = common_opts (argc, argv, "tenant rm", &dir, NULL, &force);

  if (rc)
    return rc == -2 ? SB_EXIT_OK : rc;
  if (argc - sbc_optind != 1)
    return sbc_usage_error ("tenant rm", 0, "expects one NAME");
  name = argv[sbc_optind];
  if (sbc_admin_open (&a, dir, &err) < 0)
    {
      sbc_error_print (&err);
      return SB_EXIT_FAIL;
    }
  rc = SB_EXIT_FAIL;
  snprintf (file, sizeof (file), "%s/%s.conf", a.tenants_dir, name);
  if (access (file, F_OK) < 0)
    {
      sb_error (&err, 0, "no tenant %s (no %s)", name, file);
      goto out;
    }
  c = admin_conn (&a, &err);
  if (c == NULL || (ctrs = tenant_containers (c, name, &err)) == NULL)
    goto out;
  json_array_foreach (ctrs, i, v)
    {
      const char *st = json_string_value (json_object_get (v, "state")) ?: "";
      if (strcmp (st, "running") == 0 || strcmp (st, "starting") == 0)
        running++;
    }
  if (running && !force)
    {
      sb_error (&err, 0, "tenant %s has %d running container%s: stop %s first, or use --force to stop %s", name, running,
                running == 1 ? "" : "s", running == 1 ? "it" : "them", running == 1 ? "it" : "them");
      goto out;
    }
  json_array_foreach (ctrs, i, v)
    {
      char path[300];
      snprintf (path, sizeof (path), "/v1/containers/%s?force=1", json_string_value (json_object_get (v, "id")));
      if (sbc_call (c, "DELETE", path, NULL, NULL, &err) < 0)
        goto out;
    }
  /* Forced removals happen as the containers end. */
  for (int k = 0; k < 100 && json_array_size (ctrs); k++)
    {
      json_decref (ctrs);
      usleep (100000);
      if ((ctrs = tenant_containers (c, name, &err)) == NULL)
        goto out;
    }
  if (json_array_size (ctrs))
    {
      sb_error (&err, 0, "tenant %s's containers did not end within 10 seconds: try again", name);
      goto out;
    }
  if (unlink (file) < 0)
    {
      sb_error (&err, errno, "remove %s", file);
      goto out;
    }
  if (sbc_admin_revoke (&a, name, &err) < 0 || sbc_admin_reload (&a, c, true, &err) < 0)
    goto out;
  printf ("tenant %s removed: its policy, its containers, and its certificates (revoked)\n", name);
  rc = SB_EXIT_OK;
out:
  if (err)
    fprintf (stderr, "%s tenant rm: %s\n", PROG, err->msg);
  json_decref (ctrs);
  sbc_close (c);
  sbc_admin_close (&a);
  return rc;
}
