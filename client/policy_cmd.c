/* `sandboxctl policy check` and `sandboxctl policy show`. */
#include "client.h"

#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void
sb_policy_usage (FILE *out, const char *prog)
{
  fprintf (out,
           "Usage: %s policy check [--base FILE] [--rootfs DIR] FILE|DIRECTORY...\n"
           "       %s policy show [--base FILE] FILE\n"
           "\n"
           "check   parses each tenant policy FILE over the base file, prints\n"
           "        \"FILE: ok (tenant NAME)\" or its first error as\n"
           "        \"FILE:LINE: KEY: what is wrong\"; exits 1 if any file is invalid.\n"
           "        A DIRECTORY stands for its *.conf files. Two tenants whose\n"
           "        id-range overlap are refused. A hidden or read-only path that\n"
           "        is, or passes through, a symbolic link in the image (the host\n"
           "        root, or --rootfs DIR) draws a warning: the rule covers where\n"
           "        the link leads as well.\n"
           "show    prints the effective policy of FILE (over the base file) as JSON.\n"
           "\n"
           "  --base FILE   the provider-wide base policy the tenant files override\n"
           "  -h, --help    show this help\n"
           "\n"
           "The format is described in sandbox-policy(5).\n",
           prog, prog);
}

/* Options common to check and show. Returns the index of the first file
   argument, or -1 after a usage message (*help set for --help). */
static int
parse_options (const char *prog, const char *cmd, int argc, char **argv, const char **base,
               const char **rootfs, bool *help)
{
  int i;

  *base = NULL;
  if (rootfs)
    *rootfs = NULL;
  *help = false;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--") == 0)
        return i + 1;
      if (a[0] != '-' || a[1] == '\0')
        return i;
      if (strcmp (a, "-h") == 0 || strcmp (a, "--help") == 0)
        {
          *help = true;
          return -1;
        }
      if (strcmp (a, "--base") == 0)
        {
          if (i + 1 >= argc)
            {
              fprintf (stderr, "%s policy %s: --base needs a FILE\n", prog, cmd);
              return -1;
            }
          *base = argv[++i];
        }
      else if (strncmp (a, "--base=", 7) == 0)
        *base = a + 7;
      else if (strcmp (a, "--rootfs") == 0 && rootfs != NULL)
        {
          if (i + 1 >= argc)
            {
              fprintf (stderr, "%s policy %s: --rootfs needs a DIR\n", prog, cmd);
              return -1;
            }
          *rootfs = argv[++i];
        }
      else
        {
          fprintf (stderr, "%s policy %s: unknown option '%s' (see %s policy --help)\n", prog,
                   cmd, a, prog);
          return -1;
        }
    }
  return i;
}

/* The files to check: each argument, or the *.conf files of a directory
   argument in name order. */
static int
collect_files (const char *prog, int argc, char **argv, int first, char ***out, size_t *n)
{
  size_t cap = 16;

  *n = 0;
  *out = malloc (cap * sizeof (char *));
  if (*out == NULL)
    return -1;
  for (int i = first; i < argc; i++)
    {
      struct stat st;
      struct dirent **names = NULL;
      int k, m;

      if (stat (argv[i], &st) < 0 || !S_ISDIR (st.st_mode))
        {
          if (*n == cap && (*out = realloc (*out, (cap *= 2) * sizeof (char *))) == NULL)
            return -1;
          (*out)[(*n)++] = strdup (argv[i]);
          continue;
        }
      m = scandir (argv[i], &names, NULL, alphasort);
      if (m < 0)
        {
          fprintf (stderr, "%s policy check: %s: %s\n", prog, argv[i], strerror (errno));
          return -1;
        }
      for (k = 0; k < m; k++)
        {
          size_t len = strlen (names[k]->d_name);
          if (len > 5 && strcmp (names[k]->d_name + len - 5, ".conf") == 0 && names[k]->d_name[0] != '.')
            {
              char *path;
              if (*n == cap && (*out = realloc (*out, (cap *= 2) * sizeof (char *))) == NULL)
                return -1;
              if (asprintf (&path, "%s/%s", argv[i], names[k]->d_name) < 0)
                return -1;
              (*out)[(*n)++] = path;
            }
          free (names[k]);
        }
      free (names);
    }
  return 0;
}

/* A hidden or read-only path that is, or passes through, a symbolic link
   in the image: the rule holds on the path as written and on where it
   leads (sentry/protect.c), which may be more than the tenant meant
   (hiding /lib64 hides /usr/lib64, and with it every dynamic program). The
   walk stops at the first link, so it never follows one out of root. */
static void
warn_symlinks (const char *file, const char *key, const char *path, const char *root)
{
  char prefix[4096], full[8192], target[4096];
  size_t i, n = strlen (path);

  for (i = 1; i <= n; i++)
    {
      struct stat st;
      ssize_t len;

      if (i < n && path[i] != '/')
        continue;
      snprintf (prefix, sizeof (prefix), "%.*s", (int) i, path);
      snprintf (full, sizeof (full), "%s%s", strcmp (root, "/") == 0 ? "" : root, prefix);
      if (lstat (full, &st) < 0)
        return;
      if (!S_ISLNK (st.st_mode))
        continue;
      len = readlink (full, target, sizeof (target) - 1);
      target[len < 0 ? 0 : len] = '\0';
      fflush (stdout);
      if (i == n)
        fprintf (stderr, "%s: warning: %s: \"%s\" is a symbolic link (to %s) in %s: the rule "
                 "covers where it leads as well\n", file, key, path, target, root);
      else
        fprintf (stderr, "%s: warning: %s: \"%s\" passes through the symbolic link \"%s\" (to %s) "
                 "in %s: the rule covers where it leads as well\n", file, key, path, prefix, target, root);
      return;
    }
}

static void
warn_policy_symlinks (const char *file, const struct sb_policy *p, const char *root)
{
  int i;

  for (i = 0; i < p->nhidden; i++)
    warn_symlinks (file, "hidden", p->hidden[i], root);
  for (i = 0; i < p->nread_only; i++)
    warn_symlinks (file, "read-only", p->read_only[i], root);
}

struct checked
{
  const char *file;
  char tenant[SB_POLICY_NAME_MAX];
  uint32_t lo, hi;
};

static int
cmd_check (const char *prog, int argc, char **argv)
{
  struct sb_policy *p;
  struct checked *ok = NULL;
  char **files = NULL;
  size_t nfiles = 0, nok = 0;
  const char *base, *rootfs;
  bool help, failed = false;
  int first;

  first = parse_options (prog, "check", argc, argv, &base, &rootfs, &help);
  if (help)
    {
      sb_policy_usage (stdout, prog);
      return SB_EXIT_OK;
    }
  if (first < 0)
    return SB_EXIT_USAGE;
  if (first >= argc)
    {
      fprintf (stderr, "%s policy check: expects at least one FILE or DIRECTORY\n", prog);
      return SB_EXIT_USAGE;
    }
  p = malloc (sizeof (*p));
  if (p == NULL || collect_files (prog, argc, argv, first, &files, &nfiles) < 0
      || (ok = calloc (nfiles + 1, sizeof (*ok))) == NULL)
    {
      perror (prog);
      return SB_EXIT_FAIL;
    }
  /* A broken base file would fail every tenant file: report it once. */
  if (base != NULL)
    {
      cleanup_error sb_error_t err = NULL;
      if (sb_policy_load (p, base, NULL, &err) < 0)
        {
          fprintf (stderr, "%s\n", err->msg);
          failed = true;
          goto out;
        }
    }
  for (size_t i = 0; i < nfiles; i++)
    {
      cleanup_error sb_error_t err = NULL;
      bool overlap = false;

      if (sb_policy_load (p, base, files[i], &err) < 0)
        {
          fflush (stdout);
          fprintf (stderr, "%s\n", err->msg);
          failed = true;
          continue;
        }
      /* Two tenants never share host ids: their files and kernel quotas
         would be each other's. */
      for (size_t k = 0; k < nok && p->id_lo != 0; k++)
        if (strcmp (ok[k].tenant, p->tenant) != 0 && ok[k].lo != 0 && p->id_lo <= ok[k].hi
            && ok[k].lo <= p->id_hi)
          {
            fflush (stdout);
            fprintf (stderr, "%s: id-range: %u-%u overlaps the id-range of tenant %s (%s)\n",
                     files[i], p->id_lo, p->id_hi, ok[k].tenant, ok[k].file);
            overlap = failed = true;
            break;
          }
      if (overlap)
        continue;
      ok[nok].file = files[i];
      snprintf (ok[nok].tenant, sizeof (ok[nok].tenant), "%s", p->tenant);
      ok[nok].lo = p->id_lo;
      ok[nok].hi = p->id_hi;
      nok++;
      printf ("%s: ok (tenant %s)\n", files[i], p->tenant);
      warn_policy_symlinks (files[i], p, rootfs ? rootfs : "/");
    }
out:
  for (size_t i = 0; i < nfiles; i++)
    free (files[i]);
  free (files);
  free (ok);
  free (p);
  fflush (stdout);
  return failed ? SB_EXIT_FAIL : SB_EXIT_OK;
}

/* --- JSON -------------------------------------------------------------------- */

static int
cmd_show (const char *prog, int argc, char **argv)
{
  cleanup_error sb_error_t err = NULL;
  struct sb_policy *p;
  const char *base;
  bool help;
  int first, rc = SB_EXIT_OK;
  json_t *j;

  first = parse_options (prog, "show", argc, argv, &base, NULL, &help);
  if (help)
    {
      sb_policy_usage (stdout, prog);
      return SB_EXIT_OK;
    }
  if (first < 0)
    return SB_EXIT_USAGE;
  if (argc - first != 1)
    {
      fprintf (stderr, "%s policy show: expects exactly one FILE\n", prog);
      return SB_EXIT_USAGE;
    }
  p = malloc (sizeof (*p));
  if (p == NULL)
    {
      perror (prog);
      return SB_EXIT_FAIL;
    }
  if (sb_policy_load (p, base, argv[first], &err) < 0)
    {
      fprintf (stderr, "%s\n", err->msg);
      free (p);
      return SB_EXIT_FAIL;
    }
  j = sb_policy_to_json (p);
  if (json_dumpf (j, stdout, JSON_INDENT (2)) < 0 || printf ("\n") < 0 || fflush (stdout) != 0)
    {
      fprintf (stderr, "%s: cannot write the policy\n", prog);
      rc = SB_EXIT_FAIL;
    }
  json_decref (j);
  free (p);
  return rc;
}

int
sb_cmd_policy (const char *prog, int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "%s policy: expects a command: check or show (see %s policy --help)\n",
               prog, prog);
      return SB_EXIT_USAGE;
    }
  if (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "help") == 0)
    {
      sb_policy_usage (stdout, prog);
      return SB_EXIT_OK;
    }
  if (strcmp (argv[1], "check") == 0)
    return cmd_check (prog, argc - 1, argv + 1);
  if (strcmp (argv[1], "show") == 0)
    return cmd_show (prog, argc - 1, argv + 1);
  fprintf (stderr, "%s policy: unknown command '%s' (see %s policy --help)\n", prog, argv[1],
           prog);
  return SB_EXIT_USAGE;
}
