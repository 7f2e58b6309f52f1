/* The app's seccomp filter, compiled from the syscall table. */
#ifndef SB_FILTER_H
#define SB_FILTER_H

#include <stdbool.h>
#include "error.h"
#include "syscall_table.h"

/* What a tenant's policy changes in the filter. */
struct sb_filter_options
{
  int profile;                              /* enum sb_syscall_profile */
  bool deny[SB_SYSCALL_NR_MAX];             /* extra denies: notify, the Sentry refuses */
};

/* Loads the filter on the calling thread (no_new_privs must be set) and
   returns the new user-notification listener fd: the program compiled at
   build time for these options if there is one, else compiled now. */
int sb_app_filter_load (const struct sb_filter_options *o, sb_error_t *err);
/* Compiles the filter (libseccomp) and writes its BPF program (struct
   sock_filter[]) to fd. Returns 0 or -errno. */
int sb_app_filter_export (const struct sb_filter_options *o, int fd);

/* The programs of the usual options are compiled when the Sentry is built
   (sandbox-filter-gen writes sentry/filter_programs.c, linked into
   sandbox-sentry): compiling one at a sandbox's start took 4-5 ms of it.
   A variant is a profile, and whether the Sentry serves directory
   listings (getdents and getdents64 notify); a tenant's own denies have
   none and are compiled at the start. */
struct sock_filter;
struct sb_filter_program
{
  int profile;                     /* enum sb_syscall_profile; -1 ends the table */
  bool listings;
  unsigned short len;              /* instructions */
  const struct sock_filter *code;
};
/* The options of a variant. */
void sb_filter_variant (int profile, bool listings, struct sb_filter_options *o);
/* The build's program for exactly these options, or NULL. */
const struct sb_filter_program *sb_filter_precompiled (const struct sb_filter_options *o);
/* True if the profile sends this host-class number to the Sentry anyway. */
bool sb_filter_strict_call (int nr);
/* True if the profile lets this denied number run on the host. */
bool sb_filter_compat_call (int nr);

#endif
