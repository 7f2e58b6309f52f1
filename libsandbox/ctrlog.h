/* A container's log: what its stdout and stderr said, one JSON object per
   line, {"time":"RFC 3339 with ns","stream":"stdout"|"stderr","log":"TEXT"},
   written by its monitor and read by sandboxd (`logs`, tail and follow).
   Text is split at newlines (a line longer than 16 KiB is written in
   pieces); bytes that are not UTF-8 become U+FFFD. The file is capped: past
   max_bytes it becomes FILE.1 (the older FILE.1 is dropped). */
#ifndef SB_CTRLOG_H
#define SB_CTRLOG_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct sb_ctrlog
{
  char path[4096];
  int fd;
  uint64_t max_bytes;        /* 0: never rotate */
  uint64_t size;
  char partial[2][16384];    /* an unfinished line per stream */
  size_t npartial[2];
};

enum { SB_CTRLOG_STDOUT = 0, SB_CTRLOG_STDERR = 1 };

int sb_ctrlog_open (struct sb_ctrlog *l, const char *path, uint64_t max_bytes, sb_error_t *err);
void sb_ctrlog_write (struct sb_ctrlog *l, int stream, const char *data, size_t n);
/* Writes what is left of unfinished lines. */
void sb_ctrlog_flush (struct sb_ctrlog *l);
void sb_ctrlog_close (struct sb_ctrlog *l);

#endif
