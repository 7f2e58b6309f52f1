/* Scope-bound cleanup helpers: early returns release what they hold. */
#ifndef SB_CLEANUP_H
#define SB_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void sb_freep (void *p)
{
  free (*(void **) p);
}

static inline void sb_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void sb_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void sb_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

#define cleanup_free __attribute__ ((cleanup (sb_freep)))
#define cleanup_close __attribute__ ((cleanup (sb_closep)))
#define cleanup_file __attribute__ ((cleanup (sb_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (sb_closedirp)))

/* Hand ownership of a cleanup-managed value to the caller. */
#define steal_pointer(pp) ({ __typeof__ (*(pp)) _v = *(pp); *(pp) = NULL; _v; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

#endif
