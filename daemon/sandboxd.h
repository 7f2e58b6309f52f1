/* sandboxd: the privileged manager of a host's sandboxes. It serves the
   control API (HTTP/1.1 + JSON, docs/API.md) over mutual TLS and on a
   root-only Unix socket, keeps one record per container under its state
   directory, and starts each container through a sandbox-monitor that
   outlives it (daemon/monitor/). One libevent loop, one thread; anything
   slow happens in monitors or in children.

   Files (one concern each; the API verbs one file per family, registered
   in routes.c):
     main.c        options, start-up, signals        config.c     sandboxd.conf
     server.c      listeners, TLS, identities, limits, dispatch, replies
     tenants.c     tenant policies: load, reload, identities, id ranges
     containers.c  the container records: create, start, exit, restart, remove
     monitors.c    talking to monitors (requests, events, streams)
     api_*.c       the verbs                        metrics.c    /metrics */
#ifndef SB_SANDBOXD_H
#define SB_SANDBOXD_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "auditlog.h"
#include "creds.h"
#include "error.h"
#include "policy/policy.h"

#define SBD_VERSION "1"

/* ---- configuration (config.c) ---------------------------------------------- */

struct sbd_config
{
  char *path;
  char **listen;             /* "ADDRESS:PORT" for the TLS API */
  int nlisten;
  char *unix_socket;         /* the local API (root only); "" for none */
  char *metrics_listen;      /* plain HTTP /metrics, loopback only; NULL for none */
  char *ca, *cert, *key, *crl;
  char **admin_subjects;
  int nadmin_subjects;
  char *state_dir, *run_dir, *tenants_dir, *policy_base, *audit_log;
  unsigned max_connections;
  uint64_t max_body;
  unsigned request_timeout;  /* seconds: a request must arrive whole within it */
  uint64_t log_max;          /* per container log, before rotation */
  uint64_t audit_log_max;
};

int sbd_config_load (struct sbd_config *c, const char *path, sb_error_t *err);
void sbd_config_free (struct sbd_config *c);

/* ---- tenants (tenants.c) --------------------------------------------------- */

struct sbd_tenant
{
  char name[SB_POLICY_NAME_MAX];
  char file[4096];
  struct sb_policy *policy;  /* the last good one */
  struct sb_idmap ids;
  char *error;               /* the last reload's error, NULL if it loaded */
  bool present;              /* its file is (still) in the tenants directory */
};

/* ---- containers (containers.c) ------------------------------------------------ */

enum sbd_state
{
  SBD_CREATED,
  SBD_STARTING,
  SBD_RUNNING,
  SBD_EXITED,
};

struct sbd_waiter;
struct sbd_deferred;

struct sbd_container
{
  char id[65];
  char name[129];
  char tenant[SB_POLICY_NAME_MAX];
  json_t *config;            /* the create request as accepted */
  enum sbd_state state;
  int exit_code;
  bool oom_killed;
  char created[40], started[40], finished[40];
  int restart_count;
  bool stop_requested;       /* by stop/kill: restart policies do not apply */
  bool remove_on_exit;       /* delete with force of a running container */
  int pending_stop;          /* a stop's timeout, asked for while starting; -1 none */
  struct bufferevent *events;   /* the monitor's event stream, while it runs */
  struct event *stop_timer;     /* stop: SIGKILL after the timeout */
  struct event *restart_timer;
  struct event *ready_ev;       /* the monitor's start report */
  int ready_fd;
  uint64_t start_ns;
  int exec_sessions;
  json_t *syscalls;             /* the monitor's last counts by call: {"name":[mediated, denied]} */
  struct sbd_waiter *waiters;
  struct sbd_container *next;
};

/* ---- the daemon -------------------------------------------------------------- */

struct sbd_metrics
{
  uint64_t starts, start_failures, reloads, reload_failures;
  uint64_t start_latency_buckets[12];   /* <= 10ms, 25, 50, 100, 250, 500ms, 1, 2.5, 5, 10s, +Inf */
  double start_latency_sum;
  struct sbd_counter *requests;          /* verb and status */
};

struct sbd
{
  struct event_base *base;
  struct sbd_config cfg;
  SSL_CTX *ssl;
  struct evhttp *https, *local, *metrics_http;
  struct evconnlistener **tls_listeners;
  int ntls_listeners;
  unsigned connections;
  struct sbd_tenant *tenants;
  int ntenants;
  struct sbd_container *containers;
  struct sb_audit_log audit;
  struct sbd_metrics metrics;
  struct sbd_subscriber *subscribers;    /* GET /v1/events */
  struct sb_images *images;              /* the image store, state-dir/images */
  bool foreground;
};

extern struct sbd *sbd;

/* ---- a request (server.c) ------------------------------------------------------ */

struct sbd_request
{
  struct evhttp_request *req;
  bool admin;
  struct sbd_tenant *tenant;   /* the caller's; NULL for an admin */
  char subject[512];           /* the certificate's, or "uid:0" on the local socket */
  const char *verb;            /* the route's name, for metrics and audit */
  char *path;
  char *parts[8];              /* the path's segments, each decoded */
  char *partbuf;               /* where they are */
  int nparts;
  struct evkeyvalq query;
  json_t *body;                /* a JSON body, parsed */
  int status;                  /* what was answered */
};

typedef void (*sbd_handler) (struct sbd_request *r);

#define SBD_ADMIN_ONLY 1u
#define SBD_JSON_BODY 2u       /* the body must be a JSON object */

struct sbd_route
{
  enum evhttp_cmd_type method;
  const char *pattern;         /* "/v1/containers/:id/start" */
  sbd_handler handler;
  unsigned flags;
  const char *verb;
};

/* The verbs' tables (routes.c), NULL-terminated; each ends with a NULL pattern. */
extern const struct sbd_route *const sbd_route_tables[];

int sbd_server_start (struct sbd *d, sb_error_t *err);
int sbd_tls_reload_crl (struct sbd *d, sb_error_t *err);
/* Answers: JSON, an error {"error":{"code","message"}}, nothing. */
void sbd_reply_json (struct sbd_request *r, int status, json_t *body);
void sbd_reply_error (struct sbd_request *r, int status, const char *code, const char *fmt, ...)
  __attribute__ ((format (printf, 4, 5)));
void sbd_reply_empty (struct sbd_request *r, int status);
const char *sbd_query (struct sbd_request *r, const char *key);
/* A flag of the query: 1, true, yes or empty; 0, false, no; else dflt. */
bool sbd_query_bool (struct sbd_request *r, const char *key, bool dflt);
/* An answer given later (when a container has started, has exited, when a
   monitor has answered): the client may leave meanwhile, and then the
   answer is dropped. */
struct sbd_deferred;
struct sbd_deferred *sbd_defer (struct sbd_request *r);
/* Answers (if the client is still there) and frees d. body may be NULL: empty. */
void sbd_deferred_reply (struct sbd_deferred *d, int status, json_t *body);

/* Takes the connection over for a raw stream (HTTP/1.1 101): returns its
   bufferevent, now ours; the request is answered. */
struct bufferevent *sbd_hijack (struct sbd_request *r);
/* A chunked 200 answer that may stay idle for ever (events, logs?follow=1). */
void sbd_stream_start (struct sbd_request *r, const char *content_type);
/* One audit line of the API: {"kind":"api","verb","subject","tenant","target","status","action"}. */
void sbd_audit (struct sbd_request *r, const char *target, const char *action);
void sbd_audit_event (const char *tenant, const char *target, const char *action, json_t *extra);

/* ---- tenants.c ------------------------------------------------------------------ */
int sbd_tenants_load (struct sbd *d, sb_error_t *err);
/* Re-reads every tenant file; a bad one keeps its last good policy. */
void sbd_tenants_reload (struct sbd *d);
struct sbd_tenant *sbd_tenant_by_name (struct sbd *d, const char *name);

/* ---- images (api_images.c) ---------------------------------------------------- */

/* Uploads an earlier sandboxd left: removed. */
void sbd_images_start (struct sbd *d);
/* Whether a tenant other than owner has its own image of that name. */
bool sbd_image_elsewhere (const char *name, const char *owner);
/* The tenant whose certificate-subject is this (normalized) subject. */
struct sbd_tenant *sbd_tenant_by_subject (struct sbd *d, const char *normalized);
/* A subject whose attributes compare whatever their order (server.c). */
void sbd_subject_normalize (const char *in, char *out, size_t len);

/* ---- containers.c ------------------------------------------------------------- */
int sbd_containers_load (struct sbd *d, sb_error_t *err);
/* By its whole id, for sandboxd's own bookkeeping (no tenant check). */
struct sbd_container *sbd_container_by_id (struct sbd *d, const char *id);
/* A container by whole id, name or unique id prefix, among a tenant's
   (tenant NULL: among all, for the admin). On NULL, miss says why. */
enum sbd_miss
{
  SBD_MISS_NONE,      /* nothing of that id, name or prefix */
  SBD_MISS_ELSEWHERE, /* only another tenant's (never revealed: audited) */
  SBD_MISS_AMBIGUOUS, /* several: an id prefix they share, or a name of several tenants' */
};
struct sbd_container *sbd_container_find (struct sbd *d, const char *tenant, const char *ref,
                                          enum sbd_miss *miss);
/* The container a request names (path segment 3), or NULL with the answer
   given: 404 for none or another tenant's (audited), 409 for several. */
struct sbd_request;
struct sbd_container *sbd_request_container (struct sbd_request *r);
/* What a request may name a container: letters and digits, then also
   `_` `.` `-`; at most 128. */
bool sbd_valid_name (const char *n);
/* A list of at most 4096 strings (not empty when nonempty). */
bool sbd_string_array (json_t *a, bool nonempty);
/* True if tenant has no container of that name; else false, 409 answered. */
bool sbd_name_free (struct sbd_request *r, const char *tenant, const char *name);
/* The hostname a create gets: the one asked for, else the policy's, else
   "sandbox"; NULL, 403 answered, when the policy's pattern refuses it. */
struct sb_policy;
const char *sbd_create_hostname (struct sbd_request *r, const struct sbd_tenant *t, const struct sb_policy *p,
                                 const char *asked);
/* A container's policy snapshot written as every state file is (whole or
   not at all; ENOSPC named as such). */
int sbd_policy_save (const struct sb_policy *p, const char *path, sb_error_t *err);
/* Creates the record from an accepted request. */
struct sbd_container *sbd_container_create (struct sbd *d, struct sbd_tenant *t, json_t *config,
                                            sb_error_t *err);
int sbd_container_start (struct sbd *d, struct sbd_container *c, sb_error_t *err);
/* The monitor's event stream ended (or could not be opened): the run ended. */
void sbd_container_monitor_gone (struct sbd_container *c);
int sbd_container_signal (struct sbd_container *c, int sig, sb_error_t *err);
void sbd_container_stop (struct sbd_container *c, int timeout);
/* Removes the record and its directory (the container must not run). */
int sbd_container_remove (struct sbd *d, struct sbd_container *c, sb_error_t *err);
json_t *sbd_container_json (struct sbd_container *c, bool detail);
const char *sbd_state_name (enum sbd_state s);
int sbd_container_save (struct sbd_container *c);
void sbd_container_dir (struct sbd_container *c, char *out, size_t len);
void sbd_container_socket (struct sbd_container *c, char *out, size_t len);
/* The name of its cgroup for libsandbox/cgroup.h: its id (sandbox/ID), or
   the path an OCI config's cgroupsPath gave. */
const char *sbd_container_cgroup (const struct sbd_container *c);
int sbd_tenant_running (struct sbd *d, const char *tenant);
/* Called when wait can answer: the container has exited. */
/* Answered when it has started (start) or ended (wait, stop). */
void sbd_add_waiter (struct sbd_container *c, struct sbd_request *r, bool start);
/* A delete with force of a running container: answered once its record is gone. */
void sbd_add_remove_waiter (struct sbd_container *c, struct sbd_request *r);

/* ---- monitors.c --------------------------------------------------------------- */
/* One request to a container's monitor, answered later (callback with NULL
   on failure). */
typedef void (*sbd_monitor_cb) (json_t *answer, void *arg);
int sbd_monitor_request (struct sbd_container *c, json_t *req, sbd_monitor_cb cb, void *arg);
/* Subscribes to the monitor's events (its exit). */
int sbd_monitor_watch (struct sbd_container *c);
/* Opens a stream to the monitor (attach, exec) and relays it with a
   hijacked client connection (sbd_hijack), which it frees at the end.
   on_done (may be NULL) is called then. */
int sbd_monitor_stream (struct sbd_container *c, json_t *req, struct evhttp_connection *evcon,
                        void (*on_done) (void *), void *arg, sb_error_t *err);

/* Checks of a create request against the tenant's policy (api_containers.c),
   shared with the OCI runtime's create (api_oci.c): each answers the request
   and returns false when it refuses. */
bool sbd_clean_absolute (const char *p);
bool sbd_check_limits (struct sbd_request *r, const struct sb_policy *p, json_t *in, json_t *out);
/* Copies into a monitor's spec limits the ones sbd_check_limits adds to
   memory, swap, cpu_millis and pids (CPU quota and period as given, CPU
   weight, soft limit, swappiness, cpusets, block I/O throttles). */
void sbd_spec_more_limits (json_t *spec_limits, json_t *limits);
bool sbd_check_volumes (struct sbd_request *r, const struct sb_policy *p, json_t *in, json_t *out);

/* "UID[:GID]" or {"uid","gid","groups"} as {"uid","gid","groups"}; NULL if neither. */
json_t *sbd_parse_user (json_t *u);

/* ---- events (api_events.c) ----------------------------------------------------- */
void sbd_event (struct sbd_container *c, const char *action);

/* ---- metrics.c ----------------------------------------------------------------- */
void sbd_metrics_request (const char *verb, int status);
void sbd_metrics_start_latency (double seconds);
char *sbd_metrics_text (struct sbd *d);
/* Asks every running container's monitor for its counts (every 15 s). */
/* A sandbox ended: its last counts join the totals for good. */
void sbd_metrics_retire (struct sbd_container *c);
void sbd_metrics_sample (void);

#endif
