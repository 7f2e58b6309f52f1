/* Tenant policies: one libconfuse file per tenant, over a provider-wide base
   file. sb_policy_load() parses, validates and merges them into a struct
   that the runtime, the Sentry, the Gofer and the cgroup code enforce.
   The format is documented in man/sandbox-policy.5. */
#ifndef SB_POLICY_H
#define SB_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include "error.h"

#define SB_POLICY_MAX_PATHS 64
#define SB_POLICY_MAX_VOLUMES 32
#define SB_POLICY_MAX_RULES 64
#define SB_POLICY_MAX_DENIES 64
#define SB_POLICY_MAX_IMAGES 32
#define SB_POLICY_NAME_MAX 64
/* Id ranges: at least 65536 ids (every id a distribution uses exists
   inside), none below 65536 (host accounts and the overflow id 65534 stay
   out of every tenant's range). */
#define SB_ID_RANGE_MIN 65536u
#define SB_ID_FLOOR 65536u
#define SB_ID_POOL_DEFAULT_LO 1073741824u
#define SB_ID_POOL_DEFAULT_HI 2147483647u

enum sb_syscall_profile
{
  SB_PROFILE_DEFAULT = 0,
  SB_PROFILE_STRICT,   /* also sends the usual host-class fd calls through the Sentry */
  SB_PROFILE_COMPAT,   /* permits a documented extra set (see man/sandbox-policy.5) */
};

enum sb_audit_level
{
  SB_AUDIT_NONE = 0,
  SB_AUDIT_DENIED,     /* default */
  SB_AUDIT_ALL,        /* every mediated call too */
};

enum sb_network_mode
{
  SB_NET_NONE = 0,     /* loopback only */
  SB_NET_HOST,         /* the host's network stack */
};

struct sb_volume
{
  char name[SB_POLICY_NAME_MAX];   /* the section title */
  char source[4096];               /* absolute host path */
  char target[4096];               /* absolute container path */
  bool read_only;
};

/* An egress rule: first match wins. family AF_INET or AF_INET6. */
struct sb_net_rule
{
  bool allow;
  int family;
  uint8_t addr[16];                /* network address, in network byte order */
  int prefix;                      /* CIDR prefix length */
  uint16_t port_lo, port_hi;       /* inclusive; 0-65535 when not given */
};

struct sb_port_range
{
  uint16_t lo, hi;                 /* inclusive */
};

struct sb_policy
{
  /* identity */
  char tenant[SB_POLICY_NAME_MAX];         /* [a-z0-9][a-z0-9-]*, at most 63 */
  char certificate_subject[512];           /* e.g. "CN=acme,O=Example"; "" if none */

  /* limits; 0 means unlimited (except where noted) */
  uint64_t memory_bytes;
  int64_t swap_bytes;                      /* -1: unlimited; 0: no swap (default) */
  uint32_t cpu_millis;                     /* 500 = half a core */
  uint32_t pids;
  uint32_t open_files;                     /* RLIMIT_NOFILE; default 1024 */
  uint64_t disk_bytes;                     /* the writable layer; default 1G */
  uint32_t max_containers;
  uint32_t max_exec_sessions;
  uint32_t max_images;                     /* images of its own; 0: it may import none */
  uint64_t image_bytes;                    /* one import, uncompressed; default 1G */
  int32_t oom_score_adj_min;               /* the lowest oom_score_adj an OCI config may give the
                                              app: -999..0, default 0 (Kubernetes gives
                                              Guaranteed pods -997) */

  /* syscalls */
  enum sb_syscall_profile profile;
  int ndenies;
  char denies[SB_POLICY_MAX_DENIES][32];   /* extra denies, by name (checked against the table) */
  int deny_errno;                          /* errno of the extra denies; default EPERM */
  enum sb_audit_level audit;

  /* filesystem: absolute, normalized container paths (no "..", no "//") */
  int nhidden;
  char hidden[SB_POLICY_MAX_PATHS][4096];  /* ENOENT */
  int nread_only;
  char read_only[SB_POLICY_MAX_PATHS][4096]; /* EROFS */
  int nvolume_roots;
  char volume_roots[SB_POLICY_MAX_PATHS][4096]; /* host dirs volumes may come from */
  int nvolumes;
  struct sb_volume volumes[SB_POLICY_MAX_VOLUMES];

  /* network */
  enum sb_network_mode network;
  int negress;
  struct sb_net_rule egress[SB_POLICY_MAX_RULES];
  bool egress_default_allow;               /* when no rule matches; default true */
  int nbind;
  struct sb_port_range bind[SB_POLICY_MAX_RULES]; /* empty: any port may be bound */

  /* user namespace: the host ids the tenant's containers run as (uid and
     gid alike; container id 0 is id_lo). 0/0: none named, allocate from
     the pool. The pool is the base file's. */
  uint32_t id_lo, id_hi;                   /* inclusive; id_hi - id_lo + 1 >= SB_ID_RANGE_MIN */
  uint32_t pool_lo, pool_hi;               /* inclusive */

  /* images, names */
  int nimages;
  char images[SB_POLICY_MAX_IMAGES][256];  /* names or fnmatch(3) patterns */
  char hostname_pattern[256];              /* fnmatch(3) pattern; default "*" */
  char hostname[64];                       /* the default hostname; default the tenant name */
  char uname_release[65];                  /* default "6.1.0" */
};

/* Built-in defaults (what a policy file that sets nothing means). */
void sb_policy_defaults (struct sb_policy *p);

/* Parses base (may be NULL) then tenant over it: the tenant file overrides
   only what it names. Errors read "FILE:LINE: KEY: what is wrong". */
int sb_policy_load (struct sb_policy *p, const char *base, const char *tenant, sb_error_t *err);

/* Parses a policy held in memory (for the fuzz target and the unit tests). */
int sb_policy_load_buffer (struct sb_policy *p, const char *name, const char *text, sb_error_t *err);

/* The struct is about 1 MiB, of which a policy uses a few pages. A process
   that keeps one for its life (the runtime, the Sentry and the monitor of
   each sandbox) takes it from these: pages of its own, of which only those
   a value is written to are ever touched (the others cost neither memory
   nor page faults). sb_policy_new returns the defaults (NULL: out of
   memory); sb_policy_load_new loads like sb_policy_load into a new one and
   sets *out only on success; sb_policy_free releases one (NULL is fine). */
struct sb_policy *sb_policy_new (void);
int sb_policy_load_new (struct sb_policy **out, const char *base, const char *tenant, sb_error_t *err);
void sb_policy_free (struct sb_policy *p);

/* Writes p as a tenant policy file that loads back to the same policy,
   except id-range and id-pool, which are not written (the ids a container
   runs as are passed to its Sentry apart). Returns 0 or -EIO. */
int sb_policy_write (const struct sb_policy *p, FILE *f);

/* The policy as JSON (json.c): a new reference. */
typedef struct json_t json_t;
json_t *sb_policy_to_json (const struct sb_policy *p);
/* The name of one of the errnos `errno` may give ("EPERM"...). */
const char *sb_policy_errno_name (int e);

/* Strict parsers shared with the command line. */
int sb_parse_size (const char *s, uint64_t *out);            /* "512M", "2G", "1024", "64K" */
int sb_parse_cpus (const char *s, uint32_t *millis);          /* "0.5", "2", "1.25" */
int sb_parse_cidr (const char *s, int *family, uint8_t addr[16], int *prefix);
int sb_parse_port_range (const char *s, uint16_t *lo, uint16_t *hi); /* "80", "8000-8080" */
int sb_parse_id_range (const char *s, uint32_t *lo, uint32_t *hi);   /* "200000-265535" */

/* Decisions, for the Sentry. */
bool sb_policy_egress_allowed (const struct sb_policy *p, int family, const uint8_t *addr,
                               uint16_t port);
bool sb_policy_bind_allowed (const struct sb_policy *p, uint16_t port);
bool sb_policy_hostname_allowed (const struct sb_policy *p, const char *hostname);
/* Whether path (clean, absolute) is one of the volume-roots or lies below one. */
bool sb_policy_in_volume_roots (const struct sb_policy *p, const char *path);

#endif
