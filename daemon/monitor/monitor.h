/* sandbox-monitor: the small process that owns one container of sandboxd
   (what conmon is to podman, the shim to containerd). It starts the
   sandbox (libsandbox), holds its stdio or terminal, writes its log,
   relays the Sentry's audit lines, keeps its exit status, and answers
   sandboxd on a root-only Unix socket. It does not depend on sandboxd:
   sandboxd may stop, crash or be upgraded while containers run, and finds
   their monitors again when it starts.

   The protocol on the socket (docs/API.md, "Monitor protocol"): a client
   sends one JSON request on a line and gets one JSON answer on a line;
   attach and exec then turn the connection into a stream of frames. */
#ifndef SB_MONITOR_H
#define SB_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "ctrlog.h"
#include "auditlog.h"
#include "sandbox.h"

/* Frames, both ways: an 8-byte header (type, three zero bytes, the payload
   length as a big-endian 32-bit number), then the payload. */
enum sb_frame_type
{
  SB_FRAME_STDIN = 0,      /* client -> monitor: bytes for the process's stdin */
  SB_FRAME_STDOUT = 1,     /* monitor -> client (also a terminal's output) */
  SB_FRAME_STDERR = 2,
  SB_FRAME_EXIT = 3,       /* monitor -> client: {"exit_code":N,...}; the stream ends */
  SB_FRAME_STDIN_CLOSE = 4,  /* client -> monitor: end of stdin */
  SB_FRAME_RESIZE = 5,     /* client -> monitor: {"rows":R,"cols":C} */
};
#define SB_FRAME_MAX (1u << 20)

/* An exec session: a process started in the running sandbox. */
struct monitor_exec
{
  long id;
  int client;              /* index of the client streaming it, -1 when it left */
  bool tty;
  pid_t pid;               /* inside the sandbox */
  int in, out, err;        /* our ends: stdin (or the master), stdout, stderr */
  bool started, exited, out_eof, err_eof;
  int status;              /* wait status */
  uint64_t exited_ns;
};

struct monitor_client
{
  int fd;
  enum { MC_REQUEST, MC_ATTACH, MC_EXEC, MC_EVENTS, MC_STATS } kind;
  char in[65536 + 8];      /* a request line, or frames being received */
  size_t nin;
  char *out;               /* queued output (frames, lines) */
  size_t nout, capout;
  bool want_stdout, want_stderr, stdin_allowed;
  long exec_id;
  bool closing;            /* close once the output is flushed */
};

#define MONITOR_CLIENTS 64
#define MONITOR_EXECS 64

struct monitor
{
  char dir[4096];
  char sock_path[108];
  json_t *spec;
  struct sb_policy *policy;
  struct sb_sandbox sb;
  struct sb_ctrlog log;
  struct sb_audit_log audit;
  int listen_fd;
  int sigfd;
  int master;              /* the command's terminal (tty), or -1 */
  bool stdin_open;         /* the command's stdin still open for attach clients */
  bool out_eof, err_eof;
  bool exited;
  int status;              /* the Sentry's wait status: the command's exit code */
  int app_code;            /* the command's, as the Sentry reported it before its
                              teardown; -1 until then (a killed Sentry never does) */
  uint64_t exited_ns;
  long next_exec;
  /* OCI mode (sandbox-monitor --oci, started by sandbox-runtime create):
     the sandbox is made on op "create", its command held until op
     "start"; the caller's stdio (pipes, FIFOs or a host pty's slave) are
     relayed to and from the command's; the monitor exits with the
     command's status. */
  bool oci;
  bool started;            /* the sandbox was made */
  bool oci_held;           /* made, its command not yet let go: "created" */
  int oci_held_signal;     /* the signal that ended it while held, or 0 */
  int oci_start_client;    /* the client whose op "create" or "start" waits for
                              the Sentry's "ready", "started" or "failed", or -1 */
  uint64_t oci_start_ns;   /* when that wait began (sb_now_ns) */
  long oci_start_hooks_ms; /* a start with startContainer hooks: their timeouts' sum
                              (added to the wait), or -1 when one has none (no limit) */
  bool oci_start_expired;  /* the Sentry did not build the sandbox in time: ended */
  int oci_in, oci_out, oci_err;   /* the caller's stdio, or -1 */
  bool oci_tty;            /* oci_in is a host pty's slave: our controlling terminal */
  char oci_buf[65536];     /* read from oci_in, not yet written to the command */
  char oci_cgroups[4096];  /* /proc/self/cgroup before we joined the sandbox's */
  char oci_hostname[65];   /* the hostname of a joined uts namespace, or "" */
  size_t oci_nbuf;
  struct monitor_client clients[MONITOR_CLIENTS];
  struct monitor_exec execs[MONITOR_EXECS];
};

/* monitor_start.c */
int monitor_start (struct monitor *m, sb_error_t *err);
/* The spec, the log, signals, the socket: all but the sandbox. */
int monitor_prepare (struct monitor *m, sb_error_t *err);
/* Makes the sandbox the spec describes. */
int monitor_start_sandbox (struct monitor *m, sb_error_t *err);
/* namespaces.json in the container's directory: the identity ("DEV:INO") of
   the sandbox's network, ipc and uts namespaces, those of pid (0: ours),
   which sandboxd compares a config's namespace paths with (api_oci.c). */
int monitor_record_namespaces (struct monitor *m, pid_t pid, sb_error_t *err);
/* monitor_oci.c */
int monitor_oci_take_stdio (struct monitor *m, sb_error_t *err);
/* The network namespace the config asked for (made or joined), and its sysctls. */
int monitor_oci_network (struct monitor *m, sb_error_t *err);
/* The ipc and uts namespaces the sandbox shares with a pod: made (new) or
   joined (a path sandboxd admitted), and recorded in namespaces.json. */
int monitor_oci_namespaces (struct monitor *m, sb_error_t *err);
/* The sandbox's cgroup, made at create and joined: the caller's cgroup
   statistics and OOM events (Docker's stats, OOMKilled) are the sandbox's. */
int monitor_oci_cgroup (struct monitor *m, sb_error_t *err);
/* Back to where we came from, so that the sandbox's cgroup can go. */
void monitor_oci_leave_cgroup (struct monitor *m);
/* Op "create": makes the sandbox, its command held; client i is answered
   when the Sentry says it was built, or why not (monitor_oci_started). */
void monitor_oci_create (struct monitor *m, int i);
/* Op "start": lets the held command go (or, not yet created, makes the
   sandbox and runs it); answered when the Sentry says so. */
void monitor_oci_start (struct monitor *m, int i, json_t *req);
/* The answer to the waiting create or start: error NULL when it was done. */
void monitor_oci_started (struct monitor *m, const char *error);
/* A signal for a container still held: true when it was dealt with (it
   ends the container, as a signal ends one killed before its start). */
bool monitor_oci_signal_held (struct monitor *m, int sig);
/* The Sentry ended without a word while a start waited: the last line it
   left in monitor.log, and its status, are the answer. */
void monitor_oci_not_built (struct monitor *m);
/* Ends a start that waited too long; else the ms left to it (-1: none waits). */
int monitor_oci_start_deadline (struct monitor *m);
/* The command's output, to the caller's stdout or stderr too. */
void monitor_oci_output (struct monitor *m, int stream, const char *data, size_t n);
/* The caller's stdin: read (when there is room) and written to the command. */
void monitor_oci_input (struct monitor *m);
void monitor_oci_flush_input (struct monitor *m);
/* The OCI settings of spec.json (tmpfs, read-only root, capabilities,
   rlimits) into s; the strings stay allocated for the sandbox's life. */
int monitor_oci_settings (struct monitor *m, struct sb_sandbox_spec *s, char ***tmpfs, char ***rlimits);
/* A pod's pid namespace to join (spec "pidns_of", admitted by sandboxd):
   that container's Sentry's and app's pid namespaces and its app's time
   namespace, opened into s. */
int monitor_oci_pod_pid (struct monitor *m, struct sb_sandbox_spec *s, sb_error_t *err);
void monitor_oci_pod_pid_close (struct sb_sandbox_spec *s);
/* The caller's terminal changed size: the sandbox's follows. */
void monitor_oci_winch (struct monitor *m);
/* monitor_loop.c */
int monitor_run (struct monitor *m);
/* monitor_clients.c */
void monitor_accept (struct monitor *m);
void monitor_client_readable (struct monitor *m, int i);
void monitor_client_flush (struct monitor *m, int i);
void monitor_client_drop (struct monitor *m, int i);
void monitor_queue (struct monitor *m, int i, const void *data, size_t n);
void monitor_queue_frame (struct monitor *m, int i, int type, const void *data, size_t n);
void monitor_queue_json (struct monitor *m, int i, json_t *obj);
/* Output of the command to every attached client that wants it. */
void monitor_broadcast (struct monitor *m, int stream, const char *data, size_t n);
/* The Sentry's answers on the control channel. */
void monitor_control (struct monitor *m);
/* Exec sessions: output, ends. */
void monitor_exec_output (struct monitor *m, struct monitor_exec *e, int which);
void monitor_exec_check_done (struct monitor *m, struct monitor_exec *e);
json_t *monitor_status (struct monitor *m);
int monitor_exit_code (struct monitor *m);

#endif
