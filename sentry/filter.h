/* The app's seccomp filter, compiled from the syscall table. */
#ifndef SB_FILTER_H
#define SB_FILTER_H

#include "error.h"

/* Loads the filter on the calling thread (no_new_privs must be set) and
   returns the new user-notification listener fd. */
int sb_app_filter_load (sb_error_t *err);
/* Writes the filter as libseccomp pseudo-code to fd (for debugging). */
int sb_app_filter_export (int fd, sb_error_t *err);

#endif
