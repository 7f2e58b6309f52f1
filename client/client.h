/* sandboxctl: the command-line client. main() (sandboxctl.c) parses the
   global options and picks the command from one table (commands.c); each
   family of verbs lives in its own cmd_*.c file. The shared parts:
     config.c   the client configuration file and its contexts (libconfuse)
     api.c      requests to sandboxd (libcurl: mutual TLS or the local Unix
                socket), errors turned into messages that say what to do
     stream.c   the hijacked attach/exec streams (HTTP/1.1 101, frames)
     term.c     the local terminal: raw mode, restored on every exit path
     output.c   tables, --json, --format templates, times and sizes
     pki.c      keys, certificates and CRLs (OpenSSL) for the admin verbs */
#ifndef SB_CLIENT_H
#define SB_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

/* Exit statuses of every command (man/sandboxctl.1). */
#define SB_EXIT_OK 0      /* done; for `policy check`: every file is valid */
#define SB_EXIT_FAIL 1    /* the command ran and found a problem */
#define SB_EXIT_USAGE 2   /* bad command line */
/* run, exec, start -a, wait: the container's own status, or these (as docker). */
#define SB_EXIT_DAEMON 125   /* sandboxctl or sandboxd failed (also bad flags) */
#define SB_EXIT_CANNOT_RUN 126  /* the command could not be started */
#define SB_EXIT_NOT_FOUND 127   /* the command was not found */

#define PROG "sandboxctl"

/* ---- the connection settings (config.c) ---------------------------------- */

struct sbc_settings
{
  char *config_path;        /* the file read (NULL if none) */
  char *context;            /* the context in use ("" when none) */
  char *server;             /* "https://HOST:PORT" or "unix:///PATH" */
  char *ca, *cert, *key;    /* absolute paths (TLS only) */
  char *origin;             /* where the server came from, for messages */
};

/* Global options given before the verb; NULL when not given. */
struct sbc_globals
{
  const char *config;       /* --config FILE */
  const char *context;      /* --context NAME */
  const char *server;       /* -H, --server URL */
};
extern struct sbc_globals sbc_globals;

/* The default configuration file: $SANDBOXCTL_CONFIG, else
   $XDG_CONFIG_HOME/sandboxctl/config, else ~/.config/sandboxctl/config. */
char *sbc_config_default_path (void);
/* Reads the settings from the options, SANDBOXCTL_* variables and the
   configuration file (in that order of precedence). */
int sbc_settings_load (struct sbc_settings *s, sb_error_t *err);
void sbc_settings_free (struct sbc_settings *s);

/* A context to write into a configuration file. */
struct sbc_context
{
  const char *name, *server, *ca, *cert, *key;
};
/* Writes a new configuration file with one context, the current one
   (paths as given: relative ones are read relative to the file). */
int sbc_config_write (const char *path, const struct sbc_context *ctx, sb_error_t *err);

/* ---- requests (api.c) --------------------------------------------------- */

struct sbc_reply
{
  long status;
  json_t *json;             /* the parsed body, or NULL */
  char code[64];            /* the API error's code, "" if none */
  char *message;            /* the API error's message, or NULL */
};
void sbc_reply_clear (struct sbc_reply *r);

/* Connects lazily; one per command. */
struct sbc;
struct sbc *sbc_open (sb_error_t *err);
void sbc_close (struct sbc *c);
const struct sbc_settings *sbc_settings (struct sbc *c);

/* One request. A transport failure returns -1 and fills err (what was
   tried and what to do); any HTTP answer returns 0 and fills r. body may
   be NULL; it is not consumed. */
int sbc_request (struct sbc *c, const char *method, const char *path, json_t *body, struct sbc_reply *r,
                 sb_error_t *err);
/* As sbc_request, and an answer outside 2xx/304 becomes an error too,
   with the daemon's message (what = the object, for 404). */
int sbc_call (struct sbc *c, const char *method, const char *path, json_t *body, json_t **out,
              sb_error_t *err);
/* A raw body (PUT of image bytes). */
int sbc_request_raw (struct sbc *c, const char *method, const char *path, const void *data, size_t len,
                     struct sbc_reply *r, sb_error_t *err);
/* A streamed answer: on_data gets the body as it comes (return false to
   stop); *status is the HTTP status. Returns 0 when the server ended the
   answer, -1 with err when the connection was lost or refused. An error
   status reads the error body into r (r may be NULL). */
typedef bool (*sbc_data_cb) (const char *data, size_t n, void *arg);
int sbc_stream_get (struct sbc *c, const char *path, sbc_data_cb on_data, void *arg, struct sbc_reply *r,
                    sb_error_t *err);
/* Polled while a stream is open (about once a second and on data):
   e.g. forwarding a signal. */
extern void (*sbc_stream_tick) (void);
/* Turns a reply with an error status into err ("what": a container's
   name for a 404). Returns -1. */
int sbc_reply_error (const struct sbc_reply *r, const char *what, sb_error_t *err);
/* Percent-encodes one path segment or query value (static buffer, 4 slots). */
const char *sbc_escape (const char *s);

/* The raw connection for a hijacked stream (stream.c). */
int sbc_connect_raw (struct sbc *c, void **handle, int *fd, sb_error_t *err);
int sbc_raw_send (void *handle, const void *data, size_t n, size_t *sent);  /* 0, 1 (again), -1 */
int sbc_raw_recv (void *handle, void *data, size_t n, size_t *got);         /* 0, 1 (again), -1; got 0 = end */
void sbc_raw_close (void *handle);

/* ---- attach and exec streams (stream.c) ------------------------------------ */

struct sbc_stream_opts
{
  bool stdin_;              /* send our stdin */
  bool tty;                 /* a terminal: raw mode, resizes, detach keys */
  const char *detach_keys;  /* "ctrl-p,ctrl-q" by default */
  const char *container;    /* for signals and resizes over the API */
  bool proxy_signals;       /* without a terminal: SIGINT, SIGTERM... to the container */
};
/* Runs a stream until its end frame. Returns the exit code it reports;
   -1 with err (the connection, sandboxd); -2 when sandboxd refused the
   request (*refused filled: clear it); -3 with err when the command could
   not be started. *detached when the detach keys were typed (returns 0). */
int sbc_stream_run (struct sbc *c, const char *method, const char *path, json_t *body,
                    const struct sbc_stream_opts *o, bool *detached, struct sbc_reply *refused, sb_error_t *err);
/* The head of sandboxd's answer to a stream request (text ends with the
   empty line). Returns 0, or -1 with h->error. */
struct sbc_head
{
  int status;
  long content_length;       /* -1 when not given */
  bool upgraded;             /* Upgrade: sandbox-stream */
  const char *error;
};
int sbc_parse_head (const char *text, size_t len, struct sbc_head *h);
/* Parses "ctrl-p,ctrl-q" into bytes (at most 8). Returns the count or -1. */
int sbc_parse_detach_keys (const char *spec, unsigned char *out);
/* Decodes frames from data (with what was left over in buf); calls
   on_frame for each whole one. Returns false if a frame is malformed. */
struct sbc_frames
{
  unsigned char *buf;
  size_t len, cap;
};
typedef bool (*sbc_frame_cb) (int type, const char *data, size_t n, void *arg);
bool sbc_frames_feed (struct sbc_frames *f, const char *data, size_t n, sbc_frame_cb cb, void *arg);
void sbc_frames_free (struct sbc_frames *f);
/* Writes all of data to fd (stdout/stderr), retrying. */
void sbc_write_out (int fd, const char *data, size_t n);

/* ---- the terminal (term.c) --------------------------------------------------- */

/* Puts fd (a terminal) in raw mode; the old mode is restored by
   sbc_term_restore, at exit, and by fatal signals. */
int sbc_term_raw (int fd);
void sbc_term_restore (void);
bool sbc_term_size (int fd, int *rows, int *cols);

/* ---- output (output.c) --------------------------------------------------------- */

struct sbc_out
{
  bool json;                /* --json */
  const char *format;       /* --format TEMPLATE */
  bool quiet;               /* -q */
  bool no_trunc;
};
/* A table: columns of text, widths from the content. */
struct sbc_table;
struct sbc_table *sbc_table_new (int ncols, const char *const *headers);
void sbc_table_add (struct sbc_table *t, const char *const *cells);
void sbc_table_print (struct sbc_table *t, FILE *f);
void sbc_table_free (struct sbc_table *t);
/* Expands a Go-like template ({{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}},
   \t and \n) against an object; keys match without regard to case and '_'. */
char *sbc_template (const char *tmpl, json_t *obj, sb_error_t *err);
/* Prints obj per the options (format, else JSON); for lists, one line each. */
int sbc_print_formatted (const struct sbc_out *o, json_t *obj, sb_error_t *err);
void sbc_print_json (json_t *j);
/* "3 seconds ago", "2 hours ago" from an ISO time; "" if unknown. */
void sbc_ago (const char *iso, char *out, size_t len);
/* "Up 3 minutes", from an ISO start time. */
void sbc_duration_since (const char *iso, char *out, size_t len);
time_t sbc_parse_time (const char *iso);
/* "12.5MiB" */
void sbc_size (uint64_t bytes, char *out, size_t len);
/* The container's command as one quoted string. */
char *sbc_command_string (json_t *cmd);

/* ---- commands ------------------------------------------------------------------ */

struct sbc_command
{
  const char *name;          /* "run", "image import" */
  int (*run) (int argc, char **argv);   /* argv[0] is the verb's last word */
  const char *synopsis;      /* after the name */
  const char *summary;
  const char *help;          /* the options, one per line */
};
extern const struct sbc_command sbc_commands[];
/* Prints a command's help (to f). */
void sbc_command_help (const struct sbc_command *cmd, FILE *f);
const struct sbc_command *sbc_command_find (const char *name);
/* "sandboxctl VERB: MESSAGE" and a pointer to help; returns SB_EXIT_USAGE
   (or `code` for the verbs that exit with a container's status). */
int sbc_usage_error (const char *verb, int code, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
/* Prints the error as "sandboxctl: MESSAGE" and frees it. */
void sbc_error_print (sb_error_t *err);

/* A small option parser shared by the verbs (getopt_long, with the
   verb's name in messages). Returns the option, -1 at the end, '?' on
   error (message printed). */
struct option;
int sbc_getopt (int argc, char **argv, const char *shortopts, const struct option *longopts, const char *verb);
extern char *sbc_optarg;
extern int sbc_optind;

/* Container references: the daemon takes names and unique id prefixes;
   this says which containers an unknown prefix would have matched. */
int sbc_container_error (struct sbc *c, const char *ref, const struct sbc_reply *r, sb_error_t *err);

/* The verbs. */
int sbc_cmd_run (int argc, char **argv);
int sbc_cmd_create (int argc, char **argv);
int sbc_cmd_start (int argc, char **argv);
int sbc_cmd_attach (int argc, char **argv);
int sbc_cmd_stop (int argc, char **argv);
int sbc_cmd_kill (int argc, char **argv);
int sbc_cmd_rm (int argc, char **argv);
int sbc_cmd_ps (int argc, char **argv);
int sbc_cmd_inspect (int argc, char **argv);
int sbc_cmd_wait (int argc, char **argv);
int sbc_cmd_logs (int argc, char **argv);
int sbc_cmd_exec (int argc, char **argv);
int sbc_cmd_stats (int argc, char **argv);
int sbc_cmd_events (int argc, char **argv);
int sbc_cmd_info (int argc, char **argv);
int sbc_cmd_images (int argc, char **argv);
int sbc_cmd_image_import (int argc, char **argv);
int sbc_cmd_image_rm (int argc, char **argv);
int sbc_cmd_image_inspect (int argc, char **argv);
int sbc_cmd_admin_init (int argc, char **argv);
int sbc_cmd_tenant_add (int argc, char **argv);
int sbc_cmd_tenant_list (int argc, char **argv);
int sbc_cmd_tenant_show (int argc, char **argv);
int sbc_cmd_tenant_revoke (int argc, char **argv);
int sbc_cmd_tenant_rm (int argc, char **argv);
int sbc_cmd_context_ls (int argc, char **argv);
int sbc_cmd_context_use (int argc, char **argv);
int sbc_cmd_context_show (int argc, char **argv);

/* `sandboxctl policy ...`: argv[0] is "policy". */
int sb_cmd_policy (const char *prog, int argc, char **argv);
void sb_policy_usage (FILE *out, const char *prog);

#endif
