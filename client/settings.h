/* The configuration file as read (settings.c), for the context verbs. */
#ifndef SB_CLIENT_SETTINGS_H
#define SB_CLIENT_SETTINGS_H

#include <sys/types.h>
#include "client.h"

struct sbc_config_file
{
  char *path;
  char *current;             /* "" when none */
  int n;
  struct
  {
    char *name, *server, *ca, *cert, *key;   /* paths absolute */
  } *ctx;
};

int sbc_config_file_load (struct sbc_config_file *f, const char *path, sb_error_t *err);
void sbc_config_file_free (struct sbc_config_file *f);
/* Sets current-context (current may be NULL: unchanged) and/or appends a
   context; the file is created if it does not exist. */
int sbc_config_update (const char *path, const char *current, const struct sbc_context *add, sb_error_t *err);
/* Writes text to path (temporary file, fsync, rename), creating the
   directories above it. */
int sbc_write_file_atomic (const char *path, const char *text, mode_t mode, sb_error_t *err);

#endif
