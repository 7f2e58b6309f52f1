/* sandboxd [--config FILE] [--foreground]: see man/sandboxd.8. */
#include "config.h"
#include "sandboxd.h"
#include "cgroup.h"
#include "images.h"
#include "sandbox.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG SB_SYSCONFDIR "/sandboxd/sandboxd.conf"

struct sbd *sbd;

static void
usage (FILE *f)
{
  fprintf (f, "usage: sandboxd [--config FILE] [--foreground]\n"
              "\n"
              "The sandbox manager: serves the control API (mutual TLS, and a root-only Unix\n"
              "socket) and runs each container under a sandbox-monitor that outlives it.\n"
              "\n"
              "  -c, --config FILE   the configuration (default %s)\n"
              "  -f, --foreground    stay in the foreground (default: detach, pid file in the run-dir)\n"
              "  -h, --help          this help\n"
              "  -v, --version       the version\n"
              "\n"
              "SIGHUP reloads the tenant policies, the CRL and the server certificate;\n"
              "SIGTERM stops sandboxd (containers keep running). See sandboxd(8), sandboxd.conf(5).\n",
           DEFAULT_CONFIG);
}

static void
on_hup (evutil_socket_t fd, short what, void *arg)
{
  cleanup_error sb_error_t err = NULL;

  (void) fd;
  (void) what;
  (void) arg;
  sbd_tenants_reload (sbd);
  if (sbd_tls_reload_crl (sbd, &err) < 0)
    fprintf (stderr, "sandboxd: reload TLS: %s (keeping the previous certificates and CRL)\n", err->msg);
}

static void
on_term (evutil_socket_t fd, short what, void *arg)
{
  (void) fd;
  (void) what;
  (void) arg;
  /* Containers keep running: their monitors do not need us. */
  event_base_loopbreak (sbd->base);
}

static void
on_sample (evutil_socket_t fd, short what, void *arg)
{
  (void) fd;
  (void) what;
  (void) arg;
  sbd_metrics_sample ();
}

static int
mkdirs (const char *path, mode_t mode, sb_error_t *err)
{
  char buf[4096], *p;

  snprintf (buf, sizeof (buf), "%s", path);
  for (p = buf + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        mkdir (buf, 0755);
        *p = '/';
      }
  if (mkdir (buf, mode) < 0 && errno != EEXIST)
    return sb_error (err, errno, "mkdir `%s`", path);
  return 0;
}

/* Without --foreground: the parent waits until the child serves (and has
   adopted the containers), then exits 0; if the child fails first, its
   message is on the terminal and the parent exits 1. */
static int ready_fd = -1;

static int
detach (const char *run_dir, sb_error_t *err)
{
  char pidfile[4200], text[32];
  int p[2], fd;
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return sb_error (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    return sb_error (err, errno, "fork");
  if (pid > 0)
    {
      char ok[2];
      close (p[1]);
      _exit (read (p[0], ok, 2) == 2 && memcmp (ok, "ok", 2) == 0 ? 0 : 1);
    }
  close (p[0]);
  ready_fd = p[1];
  setsid ();
  fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  dup2 (fd, 0);
  snprintf (pidfile, sizeof (pidfile), "%s/sandboxd.pid", run_dir);
  snprintf (text, sizeof (text), "%d\n", getpid ());
  if (sb_write_atomic (pidfile, text, strlen (text), 0644) < 0)
    return sb_error (err, errno, "write `%s`", pidfile);
  return 0;
}

/* Serving: the waiting parent is told, and from now on our messages go to
   sandboxd.log beside the audit log (the terminal is the parent's). */
static void
detach_done (const char *audit_log)
{
  char path[4200], *slash;
  int fd;

  if (ready_fd < 0)
    return;
  snprintf (path, sizeof (path), "%s", audit_log);
  slash = strrchr (path, '/');
  if (slash)
    snprintf (slash + 1, sizeof (path) - (size_t) (slash + 1 - path), "sandboxd.log");
  fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  dup2 (fd, 1);
  dup2 (fd, 2);
  close (fd);
  sb_write_all (ready_fd, "ok", 2);
  close (ready_fd);
  ready_fd = -1;
}

int
main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "config", required_argument, 0, 'c' }, { "foreground", no_argument, 0, 'f' },
    { "help", no_argument, 0, 'h' },         { "version", no_argument, 0, 'v' },
    { 0, 0, 0, 0 },
  };
  cleanup_error sb_error_t err = NULL;
  const char *config = DEFAULT_CONFIG;
  static struct sbd d;
  struct event *hup, *term, *intr, *sample;
  struct timeval every = { 15, 0 };
  int o;

  while ((o = getopt_long (argc, argv, "c:fhv", opts, NULL)) != -1)
    switch (o)
      {
      case 'c': config = optarg; break;
      case 'f': d.foreground = true; break;
      case 'h': usage (stdout); return 0;
      case 'v': printf ("sandboxd version %s (API v%s)\n", PACKAGE_VERSION, SBD_VERSION); return 0;
      default: usage (stderr); return 2;
      }
  if (optind != argc)
    {
      usage (stderr);
      return 2;
    }
  if (geteuid () != 0)
    {
      fprintf (stderr, "sandboxd: must run as root\n");
      return 1;
    }
  sbd = &d;
  signal (SIGPIPE, SIG_IGN);
  if (sbd_config_load (&d.cfg, config, &err) < 0)
    goto fail;
  if (mkdirs (d.cfg.state_dir, 0700, &err) < 0 || mkdirs (d.cfg.run_dir, 0700, &err) < 0)
    goto fail;
  {
    char dir[4096], *slash;
    snprintf (dir, sizeof (dir), "%s", d.cfg.audit_log);
    slash = strrchr (dir, '/');
    if (slash && slash != dir)
      {
        *slash = '\0';
        if (mkdirs (dir, 0700, &err) < 0)
          goto fail;
      }
  }
  if (sb_audit_log_open (&d.audit, d.cfg.audit_log, d.cfg.audit_log_max, &err) < 0)
    goto fail;
  evthread_use_pthreads ();
  d.base = event_base_new ();
  if (d.base == NULL)
    {
      sb_error (&err, ENOMEM, "event_base_new");
      goto fail;
    }
  {
    char store[4200];
    snprintf (store, sizeof (store), "%s/images", d.cfg.state_dir);
    if (sb_images_open (&d.images, store, &err) < 0)
      goto fail;
    sbd_images_start (&d);
  }
  if (sbd_tenants_load (&d, &err) < 0 || sbd_server_start (&d, &err) < 0)
    goto fail;
  if (!d.foreground && detach (d.cfg.run_dir, &err) < 0)
    goto fail;
  /* After the fork: re-adopting containers starts watching their monitors. */
  event_reinit (d.base);
  if (sbd_containers_load (&d, &err) < 0)
    goto fail;
  /* Shared cgroup parents that an ended sandbox's remover, killed halfway,
     left without a sandbox under them. */
  sb_cgroup_prune (sb_cgroup_root ());
  hup = evsignal_new (d.base, SIGHUP, on_hup, NULL);
  term = evsignal_new (d.base, SIGTERM, on_term, NULL);
  intr = evsignal_new (d.base, SIGINT, on_term, NULL);
  sample = event_new (d.base, -1, EV_PERSIST, on_sample, NULL);
  event_add (hup, NULL);
  event_add (term, NULL);
  event_add (intr, NULL);
  event_add (sample, &every);
  sbd_audit_event ("", "sandboxd", "start", NULL);
  detach_done (d.cfg.audit_log);
  fprintf (stderr, "sandboxd: serving (%d TLS address%s%s%s)\n", d.cfg.nlisten, d.cfg.nlisten == 1 ? "" : "es",
           d.cfg.unix_socket[0] ? ", " : "", d.cfg.unix_socket);
  event_base_dispatch (d.base);
  sbd_audit_event ("", "sandboxd", "stop", NULL);
  sb_cgroup_prune (sb_cgroup_root ());
  fprintf (stderr, "sandboxd: stopped; containers keep running\n");
  return 0;
fail:
  sb_error_print ("sandboxd", &err);
  return 1;
}
