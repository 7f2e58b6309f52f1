/* The monitor's loop: the command's output to the log and to attached
   clients, the Sentry's audit lines to the audit log, clients' requests,
   exec sessions, and the end: when the Sentry exits, the rest of the
   output is drained, DIR/exit.json is written (temporary file, fsync,
   rename), attached clients get the exit frame, and the monitor leaves. */
#include "monitor.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DRAIN_MS 3000

/* The command's code: as the Sentry reported it when the command ended,
   else from the Sentry's own status (128+N when it was killed). */
int
monitor_exit_code (struct monitor *m)
{
  if (m->app_code >= 0)
    return m->app_code;
  return WIFEXITED (m->status) ? WEXITSTATUS (m->status) : 128 + WTERMSIG (m->status);
}

json_t *
monitor_status (struct monitor *m)
{
  json_t *o = json_pack ("{s:s, s:i, s:i}", "state", m->exited ? "exited" : m->started && !m->oci_held ? "running" : "created",
                         "sentry_pid", (int) m->sb.sentry, "monitor_pid", (int) getpid ());

  if (m->exited)
    {
      int code = monitor_exit_code (m);
      json_object_set_new (o, "exit_code", json_integer (code));
    }
  return o;
}

/* How the container ended, for sandboxd whenever it looks. */
static void
write_exit (struct monitor *m)
{
  char path[4200], tmp[4200], when[64];
  bool oom = sb_cgroup_oom_kills (&m->sb.cg) > 0;
  int code, fd;
  json_t *o;
  char *text;

  code = monitor_exit_code (m);
  sb_now_iso (when, sizeof (when));
  o = json_pack ("{s:i, s:b, s:s}", "exit_code", code, "oom_killed", oom, "finished_at", when);
  /* The Sentry itself killed (by sandboxd's SIGKILL, or the OOM killer):
     the code is what a killed command would give. */
  if (WIFSIGNALED (m->status) && m->app_code < 0)
    json_object_set_new (o, "signal", json_integer (WTERMSIG (m->status)));
  text = json_dumps (o, JSON_COMPACT);
  json_decref (o);
  snprintf (path, sizeof (path), "%s/exit.json", m->dir);
  snprintf (tmp, sizeof (tmp), "%s/exit.json.tmp", m->dir);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0 && text && sb_write_all (fd, text, strlen (text)) == 0 && fsync (fd) == 0)
    rename (tmp, path);
  if (fd >= 0)
    close (fd);
  free (text);
}

static void
read_output (struct monitor *m, int *fd, int stream, bool *eof)
{
  char buf[16384];
  ssize_t n = read (*fd, buf, sizeof (buf));

  if (n > 0)
    {
      sb_ctrlog_write (&m->log, stream, buf, (size_t) n);
      monitor_broadcast (m, stream, buf, (size_t) n);
      if (m->oci)
        monitor_oci_output (m, stream, buf, (size_t) n);
      return;
    }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  /* End of file, or EIO: a terminal no one holds any more. */
  *eof = true;
  if (*fd != m->master)
    close (*fd);
  *fd = -1;
}

static void
read_audit (struct monitor *m)
{
  char buf[8192];
  ssize_t n = read (m->sb.audit, buf, sizeof (buf));

  if (n > 0)
    sb_audit_log_feed (&m->audit, buf, (size_t) n);
  else if (n == 0 || (errno != EAGAIN && errno != EINTR))
    {
      close (m->sb.audit);
      m->sb.audit = -1;
    }
}

static void
handle_signals (struct monitor *m)
{
  struct signalfd_siginfo si;

  while (read (m->sigfd, &si, sizeof (si)) == sizeof (si))
    {
      if (si.ssi_signo == SIGCHLD)
        {
          int st;
          if (!m->exited && waitpid (m->sb.sentry, &st, WNOHANG) == m->sb.sentry)
            {
              m->exited = true;
              /* A start that timed out: the container never ran (125). */
              m->status = m->oci_start_expired ? 125 << 8 : m->oci_held_signal ? m->oci_held_signal : st;
              m->oci_held = false;
              m->exited_ns = sb_now_ns ();
              /* In a pod's pid namespace the Sentry was not its pid 1, so
                 its end did not end the app's processes that its init
                 had left (they went to the pod's first init): they end
                 now, as the container has. */
              if (json_object_get (m->spec, "pidns_of"))
                sb_cgroup_let_go (&m->sb.cg);
              /* What the Sentry said before it ended (a startContainer
                 hook that failed, a sandbox it could not build) is the
                 start's answer: read first, even when its end came in the
                 same wake-up. */
              while (m->oci_start_client >= 0 && m->sb.ctl >= 0)
                {
                  struct pollfd said = { .fd = m->sb.ctl, .events = POLLIN };
                  if (poll (&said, 1, 0) <= 0)
                    break;
                  monitor_control (m);
                }
              if (m->oci_start_client >= 0)
                monitor_oci_not_built (m);
            }
          while (waitpid (-1, NULL, WNOHANG) > 0)
            ;
        }
      else if (si.ssi_signo == SIGWINCH)
        monitor_oci_winch (m);
      else if (monitor_oci_signal_held (m, (int) si.ssi_signo))
        ;
      else if (!m->exited && m->sb.sentry > 0)
        /* SIGTERM to the monitor is a stop of the container. */
        kill (m->sb.sentry, (int) si.ssi_signo);
      else if (!m->exited && m->oci && !m->started)
        {
          /* An OCI container stopped before its start. */
          m->exited = true;
          m->status = (int) si.ssi_signo;
          m->exited_ns = sb_now_ns ();
          m->out_eof = m->err_eof = true;
        }
    }
}

static void
set_nonblock (int fd)
{
  int fl = fcntl (fd, F_GETFL);
  if (fd >= 0 && fl >= 0)
    fcntl (fd, F_SETFL, fl | O_NONBLOCK);
}

/* Everything ended: tell the attached clients and the subscribers. */
static void
announce_exit (struct monitor *m)
{
  json_t *st = monitor_status (m), *pub = json_deep_copy (st);
  char *text, *client_text;

  /* Tenants' clients learn how it ended, not the host's pids. */
  json_object_del (pub, "sentry_pid");
  json_object_del (pub, "monitor_pid");
  json_object_set_new (pub, "oom_killed", json_boolean (sb_cgroup_oom_kills (&m->sb.cg) > 0));
  text = json_dumps (st, JSON_COMPACT);
  client_text = json_dumps (pub, JSON_COMPACT);
  json_decref (pub);

  for (int i = 0; i < MONITOR_CLIENTS; i++)
    {
      struct monitor_client *c = &m->clients[i];
      if (c->fd < 0)
        continue;
      if (c->kind == MC_ATTACH)
        monitor_queue_frame (m, i, SB_FRAME_EXIT, client_text, strlen (client_text));
      else if (c->kind == MC_EVENTS)
        {
          json_t *ev = json_pack ("{s:s, s:O}", "event", "exit", "status", st);
          monitor_queue_json (m, i, ev);
        }
      c->closing = true;
    }
  free (text);
  free (client_text);
  json_decref (st);
}

int
monitor_run (struct monitor *m)
{
  bool announced = false;
  int i;

  set_nonblock (m->sb.app_out);
  set_nonblock (m->sb.app_err);
  set_nonblock (m->sb.audit);
  for (;;)
    {
      struct pollfd p[16 + MONITOR_CLIENTS + 3 * MONITOR_EXECS];
      int who[16 + MONITOR_CLIENTS + 3 * MONITOR_EXECS];  /* what each entry is */
      int np = 0, timeout = -1;

      /* The end: the Sentry gone and its output drained (or given up on). */
      if (m->exited)
        {
          bool drained = m->out_eof && m->err_eof && m->sb.audit < 0;
          if (drained || sb_now_ns () - m->exited_ns > DRAIN_MS * 1000000ull)
            {
              if (!announced)
                {
                  /* Closed before sandboxd hears of the end: a delete that
                     follows removes the log and frees its space at once,
                     not when this process has torn the sandbox down. */
                  sb_ctrlog_close (&m->log);
                  write_exit (m);
                  announce_exit (m);
                  announced = true;
                }
              bool pending = false;
              for (i = 0; i < MONITOR_CLIENTS; i++)
                pending |= m->clients[i].fd >= 0 && m->clients[i].nout > 0;
              if (!pending || sb_now_ns () - m->exited_ns > 2 * DRAIN_MS * 1000000ull)
                break;
            }
          timeout = 100;
        }
      {
        int left = monitor_oci_start_deadline (m);
        if (left >= 0 && (timeout < 0 || left < timeout))
          timeout = left;
      }
#define ADD(fdv, ev, tag) do { p[np] = (struct pollfd) { .fd = (fdv), .events = (ev) }; who[np++] = (tag); } while (0)
      ADD (m->sigfd, POLLIN, -1);
      ADD (announced ? -1 : m->listen_fd, POLLIN, -2);
      if (m->master >= 0 && !m->out_eof)
        ADD (m->master, POLLIN, -3);
      if (m->sb.app_out >= 0)
        ADD (m->sb.app_out, POLLIN, -4);
      if (m->sb.app_err >= 0)
        ADD (m->sb.app_err, POLLIN, -5);
      if (m->sb.audit >= 0)
        ADD (m->sb.audit, POLLIN, -6);
      if (m->sb.ctl >= 0)
        ADD (m->sb.ctl, POLLIN, -7);
      if (m->oci && m->started && !m->exited && m->oci_in >= 0 && m->oci_nbuf == 0)
        ADD (m->oci_in, POLLIN, -8);
      if (m->oci && m->oci_nbuf > 0 && (m->master >= 0 || m->sb.app_in >= 0))
        ADD (m->master >= 0 ? m->master : m->sb.app_in, POLLOUT, -9);
      for (i = 0; i < MONITOR_CLIENTS; i++)
        if (m->clients[i].fd >= 0)
          ADD (m->clients[i].fd, (m->clients[i].closing ? 0 : POLLIN) | (m->clients[i].nout ? POLLOUT : 0), i);
      for (i = 0; i < MONITOR_EXECS; i++)
        {
          struct monitor_exec *e = &m->execs[i];
          if (e->id == 0)
            continue;
          /* Its output waits until its client has been told it started. */
          if (!e->started)
            continue;
          if (e->out >= 0 && !e->out_eof)
            ADD (e->out, POLLIN, 1000 + i);
          if (e->err >= 0 && !e->err_eof)
            ADD (e->err, POLLIN, 2000 + i);
        }
#undef ADD
      if (poll (p, (nfds_t) np, timeout) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (i = 0; i < np; i++)
        {
          if (p[i].revents == 0)
            continue;
          switch (who[i])
            {
            case -1: handle_signals (m); break;
            case -2: monitor_accept (m); break;
            case -3: read_output (m, &m->master, SB_CTRLOG_STDOUT, &m->out_eof); break;
            case -4: read_output (m, &m->sb.app_out, SB_CTRLOG_STDOUT, &m->out_eof); break;
            case -5: read_output (m, &m->sb.app_err, SB_CTRLOG_STDERR, &m->err_eof); break;
            case -6: read_audit (m); break;
            case -7: monitor_control (m); break;
            case -8: monitor_oci_input (m); break;
            case -9: monitor_oci_flush_input (m); break;
            default:
              if (who[i] >= 2000)
                monitor_exec_output (m, &m->execs[who[i] - 2000], 2);
              else if (who[i] >= 1000)
                monitor_exec_output (m, &m->execs[who[i] - 1000], 1);
              else
                {
                  if (p[i].revents & POLLOUT)
                    monitor_client_flush (m, who[i]);
                  if (m->clients[who[i]].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    monitor_client_readable (m, who[i]);
                }
            }
        }
      for (i = 0; i < MONITOR_EXECS; i++)
        if (m->execs[i].id != 0)
          monitor_exec_check_done (m, &m->execs[i]);
    }
  for (i = 0; i < MONITOR_CLIENTS; i++)
    if (m->clients[i].fd >= 0)
      monitor_client_drop (m, i);
  sb_ctrlog_close (&m->log);
  sb_audit_log_close (&m->audit);
  if (m->oci)
    monitor_oci_leave_cgroup (m);
  sb_sandbox_cleanup (&m->sb);
  unlink (m->sock_path);
  if (m->oci)
    /* The caller waits for us as for the container: its status is ours. */
    return WIFEXITED (m->status) ? WEXITSTATUS (m->status) : 128 + WTERMSIG (m->status);
  return 0;
}
