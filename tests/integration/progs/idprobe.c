/* What a program started from a host directory gets: its effective uid, its
   effective capabilities, and whether setuid(0) works. Used to check that a
   set-user-ID or file-capability program a sandbox left in a volume gives a
   host user nothing. Prints "euid=N capeff=HEX setuid0=ok|ERRNO". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main (void)
{
  char line[256], cap[64] = "?";
  FILE *f = fopen ("/proc/self/status", "r");

  while (f && fgets (line, sizeof (line), f))
    if (sscanf (line, "CapEff: %63s", cap) == 1)
      break;
  if (f)
    fclose (f);
  printf ("euid=%u capeff=%s setuid0=%s\n", (unsigned) geteuid (), cap,
          setuid (0) == 0 ? "ok" : strerrorname_np (errno));
  return 0;
}
