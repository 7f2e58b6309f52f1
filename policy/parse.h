/* Internal to policy/: the pre-pass that turns a policy file (and the files
   it includes) into the text libconfuse parses. See parse.c. */
#ifndef SB_POLICY_PARSE_H
#define SB_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PT_MAX_INCLUDE_DEPTH 8

/* A list assigned in the file: with `=` (plain) and/or `+=` (append). */
struct pt_assign
{
  char path[128];        /* "images", "filesystem/hidden", ... */
  bool plain, append;
};

struct pt_text
{
  char *buf;             /* the combined text, comments blanked, includes expanded */
  size_t len, cap;
  size_t line_start;     /* offset of the current line in buf */
  struct { int file, line; } *map;   /* map[n - 1]: where line n of buf comes from */
  size_t nmap, mapcap;
  char **files;          /* files[0] is the file (or buffer name) given */
  int nfiles;
  struct { dev_t dev; ino_t ino; } open[PT_MAX_INCLUDE_DEPTH + 2];  /* for include cycles */
  int nopen;
  bool allow_include;
  struct pt_assign *assigns;
  size_t nassigns;
  char *err;             /* the first error found, "FILE:LINE: KEY: ..." */
  size_t err_outline;    /* the line of buf it is on; buf is cut before it */
};

/* Reads `name` (or takes `text` when not NULL) into t. Returns 0, or -1
   with t->err set: buf then holds what comes before the error's line, and
   err_outline is 0 when nothing could be read at all. pt_free() in any case. */
int pt_load (struct pt_text *t, const char *name, const char *text, bool allow_include);
void pt_free (struct pt_text *t);
/* The file and line that line `outline` of buf comes from. */
void pt_locate (const struct pt_text *t, int outline, const char **file, int *line);
/* True when the list at `path` was only ever assigned with `+=`. */
bool pt_appends (const struct pt_text *t, const char *path);

void *pt_xrealloc (void *p, size_t n);
char *pt_xstrdup (const char *s);

#endif
